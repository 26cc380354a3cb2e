"""Frameworks as data: loaded idempotently from files, never changed once results use them."""

import shutil
from datetime import date

import pytest

from apa.errors import ApaError
from apa.frameworks.models import Area, Framework, GradeLevel, NationalPublication
from apa.frameworks.selectors import framework_get, score_areas
from apa.frameworks.services import DATA_DIR, frameworks_load
from tests.factories import import_rows, score_rows

pytestmark = pytest.mark.django_db

SHIPPED = {"apa-2005", "apa-2006", "apa-2007", "apa-2008", "rating-2009", "ilacs-2018"}

NEW_FRAMEWORK = """
code = "test-2030"
title = "A framework added as a file"
yearly = true
first_year = 2030
default_score = "overall+capacity"

[[grades]]
value = 2
label = "Fine"

[[grades]]
value = 1
label = "Not fine"

[[areas]]
code = "capacity"
title = "Capacity"
kind = "capacity"
display_order = 1

[[areas]]
code = "overall"
title = "Overall"
kind = "overall"
display_order = 2
continues = "apa-2008:overall_effectiveness"

[[areas]]
code = "learning"
title = "Learning"
kind = "outcome"
display_order = 3

[[national_publications]]
year = 2030
date = 2030-11-20
"""


def _snapshot():
    return (
        sorted(Framework.objects.values_list("pk", "code", "checksum", "title")),
        sorted(Area.objects.values_list("pk", "framework_id", "code", "judging_order", "continues_id")),
        sorted(GradeLevel.objects.values_list("pk", "framework_id", "value", "label")),
        sorted(NationalPublication.objects.values_list("pk", "framework_id", "year", "date")),
    )


def _data_copy(tmp_path):
    directory = tmp_path / "frameworks"
    shutil.copytree(DATA_DIR, directory)
    return directory


def test_every_shipped_framework_is_loaded():
    assert set(Framework.objects.values_list("code", flat=True)) == SHIPPED


def test_loading_again_changes_nothing():
    before = _snapshot()
    assert frameworks_load() == {code: "unchanged" for code in SHIPPED}
    assert _snapshot() == before


def test_a_framework_that_results_use_cannot_change(tmp_path):
    directory = _data_copy(tmp_path)
    path = directory / "apa-2007.toml"
    path.write_text(path.read_text().replace('title = "Being healthy"', 'title = "Being very healthy"'))
    before = _snapshot()
    with pytest.raises(ApaError) as refused:
        frameworks_load(directory=directory)
    assert "apa-2007" in str(refused.value) and "published results" in str(refused.value)
    assert _snapshot() == before


def test_a_new_framework_is_a_data_file_not_code(tmp_path):
    directory = _data_copy(tmp_path)
    (directory / "test-2030.toml").write_text(NEW_FRAMEWORK)
    outcome = frameworks_load(directory=directory)
    assert outcome["test-2030"] == "created"
    assert {outcome[c] for c in SHIPPED} == {"unchanged"}

    framework = framework_get(code="test-2030")
    assert [a.code for a in framework.areas.all()] == ["capacity", "overall", "learning"]
    # Judging order: outcomes first, then overall, then capacity to improve, whatever the display order.
    judging = sorted(framework.areas.all(), key=lambda a: a.judging_order)
    assert [a.code for a in judging] == ["learning", "overall", "capacity"]
    overall = framework.areas.get(code="overall")
    assert (overall.continues.framework.code, overall.continues.code) == ("apa-2008", "overall_effectiveness")
    assert [(g.value, g.label) for g in framework.grades.all()] == [(2, "Fine"), (1, "Not fine")]
    assert framework.national_publications.get(year=2030).date == date(2030, 11, 20)

    # Results can be published under it with no code change.
    summary = import_rows(tmp_path, score_rows(authority="886", framework="test-2030", year=2030,
                                               grades={"overall": "Fine", "capacity": 1}))
    assert summary.results_created == 1


def test_a_framework_no_result_uses_can_change(tmp_path):
    directory = _data_copy(tmp_path)
    (directory / "test-2030.toml").write_text(NEW_FRAMEWORK)
    frameworks_load(directory=directory)
    (directory / "test-2030.toml").write_text(
        NEW_FRAMEWORK.replace('title = "Learning"', 'title = "Learning and play"')
    )
    assert frameworks_load(directory=directory)["test-2030"] == "updated"
    assert Area.objects.get(framework__code="test-2030", code="learning").title == "Learning and play"


def test_a_bad_framework_file_is_refused_with_every_problem(tmp_path):
    directory = tmp_path / "bad"
    directory.mkdir()
    (directory / "bad.toml").write_text(
        NEW_FRAMEWORK.replace('kind = "outcome"', 'kind = "feeling"').replace("overall+capacity", "overall+nothing")
    )
    with pytest.raises(ApaError) as refused:
        frameworks_load(directory=directory)
    lines = refused.value.lines
    assert any("feeling" in line for line in lines)
    assert any("nothing" in line for line in lines)
    assert not Framework.objects.filter(code="test-2030").exists()


def _areas(code):
    return list(Area.objects.filter(framework__code=code).order_by("display_order"))


def test_apa_2005_areas():
    assert {a.code for a in _areas("apa-2005")} == {"education", "social_care", "overall", "capacity_to_improve"}


def test_apa_2006_areas_continue_2005():
    areas = {a.code: a for a in _areas("apa-2006")}
    assert set(areas) == {"overall_contribution", "capacity_to_improve", "social_care_contribution"}
    assert areas["overall_contribution"].continues == Area.objects.get(framework__code="apa-2005", code="overall")
    assert areas["social_care_contribution"].continues == Area.objects.get(
        framework__code="apa-2005", code="social_care"
    )


@pytest.mark.parametrize("code", ["apa-2007", "apa-2008"])
def test_apa_2007_and_2008_areas(code):
    areas = {a.code: a for a in _areas(code)}
    required = {"overall_effectiveness", "being_healthy", "staying_safe", "enjoying_and_achieving",
                "positive_contribution", "economic_wellbeing", "capacity_to_improve"}
    assert set(areas) == required | {"social_care_contribution"}
    assert {c for c, a in areas.items() if a.required} == required
    assert not areas["social_care_contribution"].required


def test_overall_effectiveness_2007_continues_overall_contribution_2006():
    area = Area.objects.get(framework__code="apa-2007", code="overall_effectiveness")
    assert (area.continues.framework.code, area.continues.code) == ("apa-2006", "overall_contribution")


@pytest.mark.parametrize("code", ["apa-2007", "apa-2008"])
def test_judging_order_is_outcomes_then_overall_then_capacity(code):
    order = [a.code for a in sorted(_areas(code), key=lambda a: a.judging_order)]
    outcomes = ["being_healthy", "staying_safe", "enjoying_and_achieving", "positive_contribution",
                "economic_wellbeing"]
    assert order[:5] == outcomes
    assert order.index("overall_effectiveness") > 4
    assert order[-1] == "capacity_to_improve"
    # Display order puts overall effectiveness first.
    assert [a.code for a in _areas(code)][0] == "overall_effectiveness"


def test_grade_scales():
    def scale(code):
        return [(g.value, g.label) for g in GradeLevel.objects.filter(framework__code=code).order_by("-value")]

    assert scale("apa-2007") == [(4, "Outstanding"), (3, "Good"), (2, "Adequate"), (1, "Inadequate")]
    assert scale("rating-2009") == [(4, "Performs excellently"), (3, "Performs well"),
                                    (2, "Performs adequately"), (1, "Performs poorly")]
    assert scale("ilacs-2018") == [(4, "Outstanding"), (3, "Good"), (2, "Requires improvement to be good"),
                                   (1, "Inadequate")]
    assert all(g.descriptor for g in GradeLevel.objects.filter(framework__code="apa-2007"))


def test_rating_and_ilacs_areas():
    assert [a.code for a in _areas("rating-2009")] == ["overall"]
    ilacs = {a.code: a for a in _areas("ilacs-2018")}
    assert set(ilacs) == {"overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care",
                          "care_leavers"}
    assert ilacs["care_leavers"].graded_from == 2023
    assert not Framework.objects.get(code="ilacs-2018").yearly
    assert Framework.objects.get(code="rating-2009").yearly


def test_national_publication_dates():
    assert NationalPublication.objects.get(framework__code="apa-2006", year=2006).date == date(2006, 11, 1)
    assert NationalPublication.objects.get(framework__code="apa-2008", year=2008).date == date(2008, 12, 17)


def test_score_areas_parses_sums_and_refuses_unknown_areas():
    framework = framework_get(code="apa-2007")
    assert [a.code for a in score_areas(framework=framework, score=None)] == [
        "overall_effectiveness", "capacity_to_improve"]
    assert [a.code for a in score_areas(framework=framework, score="staying_safe+being_healthy")] == [
        "staying_safe", "being_healthy"]
    with pytest.raises(ApaError) as refused:
        score_areas(framework=framework, score="overall_effectiveness+happiness")
    assert "happiness" in str(refused.value)
