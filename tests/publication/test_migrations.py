"""Results published before letters were snapshots get their letter from the judgements when the database
migrates, and from then on the database refuses to change a released version. Run on a scratch database of
the test database's engine, so the shared test database is never touched."""

from datetime import date

import pytest
from django.db import DatabaseError, transaction

from tests.plans.test_migrations import _migrate, scratch  # noqa: F401  (the scratch database fixture)

BEFORE = [("publication", "0002_result_embargo_and_assessment"), ("assessments", "0001_cycles_assessments_judgements")]
AFTER = [("publication", "0004_letters_backfilled_and_released_versions_frozen")]


@pytest.mark.django_db
def test_published_cycle_results_are_backfilled_then_frozen(scratch):  # noqa: F811
    apps = _migrate(scratch, BEFORE).loader.project_state(BEFORE).apps
    Framework = apps.get_model("frameworks", "Framework")
    framework = Framework.objects.using(scratch.alias).create(code="apa-2008", title="Annual performance assessment 2008",
                                                              default_score="overall", checksum="x")
    apps.get_model("frameworks", "GradeLevel").objects.using(scratch.alias).create(framework=framework, value=3, label="Good")
    area = apps.get_model("frameworks", "Area").objects.using(scratch.alias).create(
        framework=framework, code="staying_safe", title="Staying safe", short_title="Staying safe", kind="outcome",
        display_order=1, judging_order=1)
    kent = apps.get_model("authorities", "Authority").objects.using(scratch.alias).create(
        dfe_code="886", name="Kent", region="South East")
    cycle = apps.get_model("assessments", "Cycle").objects.using(scratch.alias).create(
        framework=framework, year=2008, self_assessment_due=date(2008, 5, 31), data_lock=date(2008, 6, 30),
        visits_from=date(2008, 7, 1), visits_to=date(2008, 7, 31), moderation_by=date(2008, 9, 30))
    assessment = apps.get_model("assessments", "Assessment").objects.using(scratch.alias).create(
        cycle=cycle, authority=kent, state="published")
    judgement = apps.get_model("assessments", "Judgement").objects.using(scratch.alias).create(
        assessment=assessment, area=area, grade=3, rationale="Children are safe.")
    apps.get_model("assessments", "Finding").objects.using(scratch.alias).create(
        judgement=judgement, kind="strength", text="Strong multi-agency safeguarding")
    result = apps.get_model("publication", "Result").objects.using(scratch.alias).create(
        authority=kent, framework=framework, year=2008, key="2008", counts_from=date(2008, 12, 17),
        assessment=assessment)
    apps.get_model("publication", "ResultGrade").objects.using(scratch.alias).create(result=result, area=area, grade=3)

    apps = _migrate(scratch, AFTER).loader.project_state(AFTER).apps
    Result = apps.get_model("publication", "Result")
    letter = Result.objects.using(scratch.alias).get(pk=result.pk).letter
    assert letter["authority"] == {"dfe_code": "886", "name": "Kent"}
    assert letter["sections"] == [{
        "area": "staying_safe", "title": "Staying safe", "grade": 3, "label": "Good", "rationale": "Children are safe.",
        "findings": {"strength": [{"text": "Strong multi-agency safeguarding", "evidence": []}], "development": [],
        "focus": []}}]
    assert (letter["strengths"], letter["developments"], letter["ratio"]) == (1, 0, None)
    with pytest.raises(DatabaseError), transaction.atomic(using=scratch.alias):
        Result.objects.using(scratch.alias).filter(pk=result.pk).update(letter={"sections": []})
    with pytest.raises(DatabaseError), transaction.atomic(using=scratch.alias):
        apps.get_model("publication", "ResultGrade").objects.using(scratch.alias).filter(result_id=result.pk).update(grade=1)
    _migrate(scratch, [("publication", "0002_result_embargo_and_assessment")])  # and back, triggers gone
    assert "publication_resultcorrection" not in scratch.introspection.table_names()
