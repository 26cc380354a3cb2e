"""What entering a state does to the one store of published results: the assessment's result and its letter
snapshot are kept in step with its state; whether it is public is publication's one rule. Called by the
transition, in its transaction; below the workflow, so the workflow needs nothing above it."""

from django.utils import timezone

from apa.publication import services as store
from apa.publication.selectors import result_of_assessment, result_visible

from . import selectors
from .models import Assessment, State

MODES = {State.PUBLISHED: store.PUBLISH, State.MODERATED: store.SCHEDULE, State.REPRESENTATION: store.HOLD}


def on_state_entered(*, assessment: Assessment, previous: str, actor, at) -> None:
    if assessment.state in MODES:
        result_sync(assessment=assessment, at=at)


def result_sync(*, assessment: Assessment, at):
    cycle = assessment.cycle
    publish_at = cycle.publish_at
    if assessment.state == State.MODERATED and cycle.published_at is not None:
        publish_at = None  # moderated after the cycle was published (a late representation): the publisher publishes it
    return store.cycle_result_store(
        assessment_id=assessment.pk, authority=assessment.authority, framework=cycle.framework, year=cycle.year,
        grades={j.area_id: j.grade for j in assessment.judgements.all() if j.grade is not None},
        letter=selectors.letter(assessment=assessment), mode=MODES[assessment.state], publish_at=publish_at, at=at)


def counts_as_published(*, assessment: Assessment, at=None) -> bool:
    """The one answer to "is this assessment published?" for every rule of the cycle: recorded as published,
    or moderated with its result public because the cycle's publication time has passed, whether or not
    `apa cycle publish-due` has recorded it yet (reading never writes)."""
    if assessment.state == State.PUBLISHED:
        return True
    if assessment.state != State.MODERATED:
        return False
    result = result_of_assessment(assessment_id=assessment.pk)
    return result is not None and result_visible(result, at=at or timezone.now())
