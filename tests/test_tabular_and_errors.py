"""Reading files and reporting problems: pure functions, no database."""

from datetime import date

import pytest

from apa.errors import ApaError, NotFound, Problem
from apa.tabular import parse_date, read_rows


@pytest.mark.parametrize("text, day", [("2007-11-29", date(2007, 11, 29)), ("29/11/2007", date(2007, 11, 29)),
                                       (" 01/04/2019 ", date(2019, 4, 1))])
def test_dates_iso_or_day_month_year(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["2007-02-30", "11/29/2007", "29 November 2007", ""])
def test_other_dates_are_refused_with_a_sentence(text):
    with pytest.raises(ValueError) as refused:
        parse_date(text)
    assert "use YYYY-MM-DD or DD/MM/YYYY" in str(refused.value)


def test_problems_say_where():
    assert str(Problem("not a grade", row=4, column="grade")) == "row 4, column grade: not a grade"
    assert str(Problem("the header lacks year", row=1)) == "row 1: the header lacks year"
    assert str(Problem("no such file")) == "no such file"


def test_an_error_holds_every_problem_and_a_stable_code():
    error = ApaError([Problem("first", row=2, column="area"), "second"])
    assert error.lines == ["row 2, column area: first", "second"]
    assert error.code == "invalid"
    assert NotFound("gone").code == "not_found"
    assert ApaError("two names", code="ambiguous").code == "ambiguous"


def test_rows_are_numbered_from_the_header_and_blank_lines_skipped(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes("\ufeffa, b\n1,2\n,\n\"x\ny\",3\n4\n".encode())
    header, rows = read_rows(path)
    assert header == ["a", "b"]
    assert rows == [(2, {"a": "1", "b": "2"}), (4, {"a": "x\ny", "b": "3"}), (5, {"a": "4", "b": ""})]


def test_windows_encoded_files_are_read(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("name\nSt Helen’s\n".encode("cp1252"))
    assert read_rows(path)[1] == [(2, {"name": "St Helen’s"})]
