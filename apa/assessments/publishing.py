"""What entering a state does to the one store of published results: the assessment's result is kept in
step with its state, and its visibility is decided when data is read. Called by the transition, in its
transaction; below the workflow, so the workflow needs nothing above it."""

from datetime import date

from django.utils import timezone

from apa.errors import ApaError, Problem
from apa.publication.models import DateBasis, GradeSource, Result, ResultGrade

from .models import Assessment, State


def on_state_entered(*, assessment: Assessment, previous: str, actor, at) -> None:
    """What entering a state does beyond the state itself (called by the transition, in its transaction)."""
    if assessment.state in {State.MODERATED, State.REPRESENTATION, State.PUBLISHED}:
        result_sync(assessment=assessment, at=at)


def result_sync(*, assessment: Assessment, at) -> Result:
    """Keep the assessment's result in the one store of published results. Its visibility is decided when
    data is read: from the cycle's publication time, unless withheld."""
    cycle = assessment.cycle
    result = Result.objects.filter(assessment=assessment, is_current=True).first()
    if result is None:
        clash = Result.objects.filter(authority=assessment.authority, framework=cycle.framework, key=str(cycle.year),
                                      is_current=True).first()
        if clash:
            raise ApaError(Problem(
                f"{assessment.authority.name} already has a published {cycle.framework.code} {cycle.year} result "
                "from another source; correct that result instead"))
        result = Result(authority=assessment.authority, framework=cycle.framework, year=cycle.year, key=str(cycle.year),
                        assessment=assessment, counts_from=date(cycle.year, 12, 31), publication_basis=DateBasis.GIVEN)
    state = assessment.state
    already_visible = result.pk and not result.withheld and result.visible_from and result.visible_from <= at
    if state == State.PUBLISHED:
        moment = result.visible_from if already_visible else at
        result.withheld = False
    elif state == State.MODERATED:
        moment = cycle.publish_at
        # Moderated after the publication time (a representation decided late): the publisher publishes it.
        late = cycle.published_at is not None or (moment is not None and moment <= at)
        result.withheld = moment is None or late
    else:  # a representation withholds the result until it is decided
        moment = result.visible_from
        result.withheld = True
    result.visible_from = moment
    if moment is not None:
        local = timezone.localtime(moment).date()
        result.publication_date = local
        result.counts_from = local
    result.save()
    if state != State.PUBLISHED or not already_visible:
        grades = {j.area_id: j.grade for j in assessment.judgements.all() if j.grade is not None}
        result.grades.exclude(area_id__in=grades).delete()
        source = f"APA {cycle.framework.title}, {cycle.year}: published letter"
        for area_id, grade in grades.items():
            row, created = ResultGrade.objects.get_or_create(result=result, area_id=area_id, defaults={"grade": grade})
            if not created and row.grade != grade:
                row.grade = grade
                row.save(update_fields=["grade"])
            GradeSource.objects.get_or_create(grade=row, source=source)
    return result
