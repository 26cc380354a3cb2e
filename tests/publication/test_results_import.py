"""One store of published results: all of a file or none of it, every problem with its row and column."""

from datetime import date

import pytest

from apa.accounts.models import User
from apa.cli import main
from apa.errors import ApaError, PermissionDenied
from apa.publication.models import DateBasis, GradeSource, Result, ResultGrade
from apa.publication.services import SHIPPED_RESULTS, results_import, shipped_path
from tests.factories import import_rows, ofsted_csv, results_csv, score_rows

pytestmark = pytest.mark.django_db


def _counts():
    return Result.objects.count(), ResultGrade.objects.count(), GradeSource.objects.count()


def _result(code, framework, key):
    return Result.objects.get(authority__dfe_code=code, framework__code=framework, key=key, is_current=True)


def _grades(result):
    return {g.area.code: g.grade for g in result.grades.all()}


def test_header_layout(tmp_path):
    summary = import_rows(tmp_path, [
        {"authority": "Kent", "framework": "apa-2008", "year": "2008", "area": "overall_effectiveness",
         "grade": "Good", "publication_date": "17/12/2008", "source": "Kent cabinet, January 2009",
         "note": "as reported"},
        {"authority": "886", "framework": "apa-2008", "year": "2008", "area": "capacity_to_improve",
         "grade": "4", "publication_date": "2008-12-17", "source": "Kent cabinet, January 2009"},
    ])
    assert (summary.rows, summary.results_created, summary.grades_created) == (2, 1, 2)
    result = _result("886", "apa-2008", "2008")
    assert result.year == 2008
    assert (result.publication_date, result.publication_basis, result.counts_from) == (
        date(2008, 12, 17), DateBasis.GIVEN, date(2008, 12, 17))
    assert _grades(result) == {"overall_effectiveness": 3, "capacity_to_improve": 4}
    source = GradeSource.objects.get(grade__result=result, grade__area__code="overall_effectiveness")
    assert (source.source, source.note) == ("Kent cabinet, January 2009", "as reported")


def test_ofsted_layout_as_it_is(tmp_path):
    path = ofsted_csv(tmp_path, [
        ["Ofsted Local Authority Webpage", "E08000016", "Barnsley", "Current", "Yorkshire", "01/12/2025",
         "20/01/2026", "ILACS Short Inspection", "Outstanding", "Good", "Requires improvement to be good",
         "Inadequate", ""],
        ["Ofsted Local Authority Webpage", "", "Kent", "Current", "South East", "02/12/2025", "21/01/2026",
         "ILACS Standard Inspection", "Good", "Good", "Good", "Good", "Outstanding"],
    ])
    summary = results_import(path=path)
    assert (summary.results_created, summary.grades_created) == (2, 9)
    barnsley = _result("370", "ilacs-2018", "2025-12-01")
    assert barnsley.year is None
    assert barnsley.inspection_date == date(2025, 12, 1)
    assert barnsley.publication_date == date(2026, 1, 20)
    assert barnsley.inspection_type == "ILACS Short Inspection"
    # Care leavers were not graded in that row, so there is no grade for them.
    assert _grades(barnsley) == {"overall_effectiveness": 4, "impact_of_leaders": 3, "help_and_protection": 2,
                                 "children_in_care": 1}
    assert _grades(_result("886", "ilacs-2018", "2025-12-02"))["care_leavers"] == 4
    assert "ofsted.csv" in GradeSource.objects.filter(grade__result=barnsley).first().source


def test_shipped_results_are_in_the_store():
    # Kent's ILACS inspection of May 2022, as Ofsted publishes it.
    kent = _result("886", "ilacs-2018", "2022-05-09")
    assert kent.publication_date == date(2022, 7, 5)
    assert _grades(kent) == {"overall_effectiveness": 4, "impact_of_leaders": 4, "help_and_protection": 3,
                             "children_in_care": 4}
    # Barnsley is found by the ONS code Ofsted still uses.
    assert Result.objects.filter(authority__dfe_code="370", framework__code="ilacs-2018").count() == 2
    # The Kent paper's grades.
    assert _grades(_result("886", "apa-2007", "2007"))["capacity_to_improve"] == 4


@pytest.mark.parametrize("name", SHIPPED_RESULTS)
def test_reimporting_a_file_changes_nothing(name):
    before = _counts()
    summary = results_import(path=shipped_path(name))
    assert not summary.changed
    assert summary.unchanged == summary.rows
    assert _counts() == before


def test_the_same_grade_from_a_second_source_adds_the_source(tmp_path):
    grade = ResultGrade.objects.get(result__authority__dfe_code="886", result__framework__code="apa-2006",
                                    area__code="overall_contribution")
    sources = grade.sources.count()
    summary = import_rows(tmp_path, [{"authority": "886", "framework": "apa-2006", "year": "2006",
                                      "area": "overall_contribution", "grade": "Good", "source": "TES, 2006"}])
    assert (summary.results_created, summary.grades_created, summary.sources_added) == (0, 0, 1)
    assert grade.sources.count() == sources + 1
    assert "TES, 2006" in grade.sources.values_list("source", flat=True)


def test_a_different_grade_is_a_problem_listing_both(tmp_path):
    before = _counts()
    with pytest.raises(ApaError) as refused:
        import_rows(tmp_path, [{"authority": "886", "framework": "apa-2006", "year": "2006",
                                "area": "overall_contribution", "grade": "2", "source": "a mistaken list"}])
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "grade")
    assert "grade 2 here but 3 already published" in problem.message
    assert "Kent County Council" in problem.message  # the source of the published grade
    assert _counts() == before


def test_different_grades_within_one_file_are_a_problem(tmp_path):
    with pytest.raises(ApaError) as refused:
        import_rows(tmp_path, [
            {"authority": "887", "framework": "apa-2007", "year": "2007", "area": "staying_safe", "grade": "3"},
            {"authority": "Medway", "framework": "apa-2007", "year": "2007", "area": "staying_safe", "grade": "2"},
        ])
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "grade")
    assert "row 2" in problem.message


def test_a_file_with_any_bad_row_imports_nothing_and_names_every_problem(tmp_path):
    good = {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "3"}
    rows = [
        good,                                                      # row 2: fine on its own
        {**good, "authority": "Atlantis"},                         # row 3
        {**good, "area": "happiness"},                             # row 4
        {**good, "grade": "5"},                                    # row 5: the scale is 1 to 4
        {**good, "publication_date": "31/02/2008"},                # row 6
        {**good, "year": ""},                                      # row 7: APA is yearly
        {"authority": "887", "framework": "ilacs-2018", "year": "2019", "area": "overall_effectiveness",
         "grade": "Good", "inspection_date": "2019-01-10"},        # row 8: ILACS has no year
        {**good, "framework": "apa-1999"},                         # row 9
        {**good, "grade": "Brilliant"},                            # row 10
        {**good, "inspection_date": "yesterday"},                  # row 11
    ]
    before = _counts()
    with pytest.raises(ApaError) as refused:
        import_rows(tmp_path, rows)
    where = [(p.row, p.column) for p in refused.value.problems]
    assert where == [(3, "authority"), (4, "area"), (5, "grade"), (6, "publication_date"), (7, "year"),
                     (8, "year"), (9, "framework"), (10, "grade"), (11, "inspection_date")]
    assert all(p.message for p in refused.value.problems)
    assert "Atlantis" in refused.value.problems[0].message
    assert "happiness" in refused.value.problems[1].message
    assert _counts() == before


def test_an_ilacs_result_needs_a_date_and_a_bad_date_is_one_problem(tmp_path):
    row = {"authority": "887", "framework": "ilacs-2018", "area": "overall_effectiveness", "grade": "Good"}
    with pytest.raises(ApaError) as refused:
        import_rows(tmp_path, [row, {**row, "inspection_date": "2019-02-30"}])
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "inspection_date"), (3, "inspection_date")]
    assert "need an inspection or publication date" in refused.value.problems[0].message
    assert "is not a date" in refused.value.problems[1].message


def test_ofsted_layout_problems_name_the_ofsted_column(tmp_path):
    path = ofsted_csv(tmp_path, [
        ["", "E99999999", "Nowhere", "", "", "01/12/2025", "20/01/2026", "", "Good", "Good", "Good", "Good", ""],
        ["", "E10000016", "Kent", "", "", "01/12/2025", "20/01/2026", "", "Good", "Superb", "Good", "Good", ""],
    ])
    with pytest.raises(ApaError) as refused:
        results_import(path=path)
    where = {(p.row, p.column) for p in refused.value.problems}
    assert (2, "Local authority area code") in where
    assert (3, "The impact of leaders on social work practice with children and families") in where


def test_a_header_that_is_neither_layout_is_refused(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("council,grade\nKent,3\n")
    with pytest.raises(ApaError) as refused:
        results_import(path=path)
    [problem] = refused.value.problems
    assert problem.row == 1
    assert "authority,framework,year,area,grade" in problem.message


@pytest.mark.parametrize("text, value", [("1", 1), ("4", 4), ("Outstanding", 4), ("adequate", 2),
                                         ("INADEQUATE", 1)])
def test_grade_as_number_or_label(tmp_path, text, value):
    import_rows(tmp_path, [{"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe",
                            "grade": text}])
    assert _grades(_result("887", "apa-2008", "2008")) == {"staying_safe": value}


def test_rating_labels(tmp_path):
    import_rows(tmp_path, [{"authority": "887", "framework": "rating-2009", "year": "2010", "area": "overall",
                            "grade": "Performs well"}])
    assert _grades(_result("887", "rating-2009", "2010")) == {"overall": 3}


def test_missing_publication_date_falls_back_to_the_national_date(tmp_path):
    import_rows(tmp_path, score_rows(authority="887", framework="apa-2006", year=2006,
                                     grades={"overall_contribution": 3}))
    result = _result("887", "apa-2006", "2006")
    assert (result.publication_date, result.publication_basis, result.counts_from) == (
        date(2006, 11, 1), DateBasis.NATIONAL, date(2006, 11, 1))
    # The Kent paper gives no date for 2006 either.
    assert _result("886", "apa-2006", "2006").publication_basis == DateBasis.NATIONAL


def test_no_date_at_all_is_unknown_and_counts_from_31_december(tmp_path):
    import_rows(tmp_path, score_rows(authority="887", framework="apa-2007", year=2007,
                                     grades={"overall_effectiveness": 3}))
    result = _result("887", "apa-2007", "2007")
    assert (result.publication_date, result.publication_basis, result.counts_from) == (
        None, DateBasis.UNKNOWN, date(2007, 12, 31))


def test_a_later_file_can_give_the_date_an_earlier_one_lacked(tmp_path):
    import_rows(tmp_path, score_rows(authority="887", framework="apa-2007", year=2007,
                                     grades={"overall_effectiveness": 3}), name="first.csv")
    import_rows(tmp_path, score_rows(authority="887", framework="apa-2007", year=2007,
                                     grades={"overall_effectiveness": 3}, publication_date="2007-11-29",
                                     source="the letter"), name="second.csv")
    result = _result("887", "apa-2007", "2007")
    assert (result.publication_date, result.publication_basis, result.counts_from) == (
        date(2007, 11, 29), DateBasis.GIVEN, date(2007, 11, 29))


def test_a_different_publication_date_for_a_published_result_is_a_problem(tmp_path):
    with pytest.raises(ApaError) as refused:
        import_rows(tmp_path, [{"authority": "886", "framework": "ilacs-2018", "area": "overall_effectiveness",
                                "grade": "4", "inspection_date": "2022-05-09", "publication_date": "2022-07-06"}])
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "publication_date")
    assert "2022-07-05" in problem.message


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ApaError):
        results_import(path=path)
    with pytest.raises(ApaError):
        results_import(path=tmp_path / "missing.csv")


def test_rows_are_numbered_as_a_spreadsheet_numbers_them(tmp_path):
    path = results_csv(tmp_path, [
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "3"},
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "being_healthy", "grade": "9"},
    ])
    with pytest.raises(ApaError) as refused:
        results_import(path=path)
    assert [p.row for p in refused.value.problems] == [3]
    assert str(refused.value.problems[0]).startswith("row 3, column grade: ")


def test_xlsx_in_the_ofsted_layout(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    from tests.factories import OFSTED_HEADER

    book = Workbook()
    sheet = book.active
    sheet.append(OFSTED_HEADER)
    sheet.append(["", "E06000065", "North Yorkshire", "Current", "", datetime(2025, 11, 3), datetime(2025, 12, 15),
                  "ILACS Standard Inspection", "Good", "Good", "Good", "Good", "Good"])
    sheet.append([None] * len(OFSTED_HEADER))  # blank rows are skipped
    path = tmp_path / "outcomes.xlsx"
    book.save(path)
    summary = results_import(path=path)
    assert (summary.results_created, summary.grades_created) == (1, 5)
    result = _result("815", "ilacs-2018", "2025-11-03")
    assert result.publication_date == date(2025, 12, 15)
    assert set(_grades(result).values()) == {3}


# ---- who may import: an admin named with --as; `apa init` alone imports without a person --------------------


def _refused(capsys, *argv) -> str:
    """Exit 2 and one `error:` line (after argparse's usage, for a missing --as), which is returned."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as done:  # argparse refuses a missing --as before the command runs
        code = done.code
    out = capsys.readouterr()
    lines = [line for line in out.err.strip().splitlines() if line.startswith("error: ")]
    assert code == 2 and out.out == "" and "Traceback" not in out.err, out.err
    assert len(lines) == 1 and out.err.strip().endswith(lines[0]), out.err
    return lines[0]


def _one_row(tmp_path):
    return results_csv(tmp_path, [
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "Good"}])


def test_results_import_without_as_is_refused(tmp_path, capsys):
    """Regression (issue 10): `apa results import` changed the published store with no account at all."""
    before = _counts()
    assert _refused(capsys, "results", "import", _one_row(tmp_path)) == \
        "error: apa results import: the following arguments are required: --as (see apa results import --help)"
    assert _counts() == before


@pytest.mark.parametrize("who", ["moderator", "publisher", "inspector", "kent_officer"])
def test_results_import_by_a_non_admin_is_refused(tmp_path, capsys, who):
    before = _counts()
    line = _refused(capsys, "results", "import", _one_row(tmp_path), "--as", who)
    assert line.startswith("error: only ") and line.endswith(" may import published results")
    assert _counts() == before
    # Refused before the file is read: a person without the permission learns nothing about it.
    assert _refused(capsys, "results", "import", tmp_path / "missing.csv", "--as", who) == line
    with pytest.raises(PermissionDenied):
        results_import(path=_one_row(tmp_path), actor=User.objects.get(username=who))


def test_results_import_by_an_admin(tmp_path, capsys):
    assert _refused(capsys, "results", "import", _one_row(tmp_path), "--as", "nobody") == \
        "error: no active account named 'nobody'"
    assert main(["results", "import", str(_one_row(tmp_path)), "--as", "admin"]) == 0
    assert "1 results and 1 grades added" in capsys.readouterr().out
    assert _result("887", "apa-2008", "2008").created_by == User.objects.get(username="admin")
