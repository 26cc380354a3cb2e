"""Open data's answers to the signals of the apps below it: each publication, import or public correction of
results dates a release that describes the published record at that moment."""

from django.utils import timezone

from apa.publication.selectors import result_visible
from apa.publication.signals import result_corrected, results_published

from .models import Release
from .services import release_record


def release_on_publication(sender, *, at, source, label, **kwargs) -> None:
    if source == "import":
        release_record(at=at, reason=Release.Reason.IMPORTED, label="Published results imported")
    else:
        release_record(at=at, reason=Release.Reason.PUBLISHED, label=f"{label}: results published")


def release_on_correction(sender, *, result, correction, **kwargs) -> None:
    """A correction made while its result is still under embargo changes nothing public now: the release of
    the result's publication describes it, when that moment comes."""
    now = timezone.now()
    if result_visible(correction, at=now):
        release_record(at=now, reason=Release.Reason.CORRECTED,
                       label=f"{correction.authority.name}: {correction.label} corrected (version {correction.version})")


def connect() -> None:
    results_published.connect(release_on_publication, dispatch_uid="opendata.release_on_publication")
    result_corrected.connect(release_on_correction, dispatch_uid="opendata.release_on_correction")
