"""The assessment cycle's answers to the signals of the apps below it."""

from apa.indicators.signals import period_lock_checked
from apa.publication.signals import cycle_authorities_asked, result_corrected

from .models import Cycle, CyclePeriod
from .services import correction_logged


def history_of_correction(sender, *, result, correction, changes, note, actor, **kwargs) -> None:
    if result.assessment_id:
        correction_logged(assessment=result.assessment, changes=changes, note=note, actor=actor)


def period_data_locked(sender, *, authority, period, today, **kwargs) -> str | None:
    """A flag's refusal once a cycle that judges this authority by this indicator period has locked its data
    (the day after its data-lock date); None while none has."""
    locked = (
        CyclePeriod.objects.filter(cycle__assessments__authority=authority, indicator_code=period.indicator.code,
                                   period=period.label, cycle__data_lock__lt=today)
        .select_related("cycle__framework").order_by("cycle__data_lock").first()
    )
    if locked is None:
        return None
    return (f"the {period.label} data were locked for the {locked.cycle.framework.title} {locked.cycle.year} on "
            f"{locked.cycle.data_lock:%-d %B %Y}; ask the lead inspector about a correction")


def cycle_authorities(sender, *, framework, year, **kwargs) -> set[int] | None:
    """The authorities the framework's cycle for that year assesses (None when there is no such cycle), for the
    national release's count of those still to come."""
    if year is None:
        return None
    cycle = Cycle.objects.filter(framework=framework, year=year).first()
    if cycle is None:
        return None
    return set(cycle.assessments.values_list("authority_id", flat=True))


def connect() -> None:
    result_corrected.connect(history_of_correction, dispatch_uid="assessments.history_of_correction")
    period_lock_checked.connect(period_data_locked, dispatch_uid="assessments.period_data_locked")
    cycle_authorities_asked.connect(cycle_authorities, dispatch_uid="assessments.cycle_authorities")
