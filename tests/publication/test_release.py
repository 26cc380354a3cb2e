"""The national release of a year (/results/<framework>/<year>/, apa/publication/release.py) and the quartile rule.

Figures are counted by hand from a small set imported for APA 2008's years 2026 and 2027 (years no shipped result
uses, so every figure below comes from these rows), from the shipped 2008 letters, and from the 2025 cycle with
Surrey published and Kent's result under embargo.

    2027        region           type  overall  capacity  staying safe  published     2026: overall capacity safe
    886 Kent    South East       SC       4        4          3         10 Dec 2027         3       4      3
    936 Surrey  South East       SC       3        3          2         10 Dec 2027         3       3      3
    881 Essex   East of England  SC       3        4          3         10 Dec 2027         4       4      2
    390 Gateshd North East       MD       4        3          4         10 Dec 2027         4       3      4
    202 Camden  London           ILB      2        2          2         17 Dec 2027         3       2      2
    302 Barnet  London           OLB      3        3          3         17 Dec 2027         -  (no APA result ever)
    887 Medway  South East       UA       1        -          1         not given           -  (no APA result ever)

Usual score (overall + capacity): Kent 8; Essex, Gateshead 7; Surrey, Barnet 6; Camden 4; Medway not compared.
"""

import csv
import html
import io
import json
import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from tests.factories import import_rows, run, score_rows

from .conftest import journey

pytestmark = pytest.mark.django_db

URL = "/results/apa-2008/2027/"
AS_OF = "2028-01-31"  # everything of 2027 is published by then
GRADES = ("overall_effectiveness", "capacity_to_improve", "staying_safe")

Y2027 = {  # code: (overall, capacity, staying safe, publication date)
    "886": (4, 4, 3, "2027-12-10"), "936": (3, 3, 2, "2027-12-10"), "881": (3, 4, 3, "2027-12-10"),
    "390": (4, 3, 4, "2027-12-10"), "202": (2, 2, 2, "2027-12-17"), "302": (3, 3, 3, "2027-12-17"),
    "887": (1, None, 1, ""),
}
Y2026 = {"886": (3, 4, 3), "936": (3, 3, 3), "881": (4, 4, 2), "390": (4, 3, 4), "202": (3, 2, 2)}


def _rows(code, year, grades, published):
    return score_rows(authority=code, framework="apa-2008", year=year, publication_date=published,
                      grades={area: g for area, g in zip(GRADES, grades, strict=True) if g is not None})


@pytest.fixture
def constructed(tmp_path):
    rows = []
    for code, grades in Y2026.items():
        rows += _rows(code, 2026, grades, "2026-12-10")
    for code, (*grades, published) in Y2027.items():
        rows += _rows(code, 2027, grades, published)
    import_rows(tmp_path, rows)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_of(client, url=URL, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def table_of(page: str, table_id: str) -> list[list[str]]:
    """The body rows of a table on the page, as the text of each cell."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody", 1)[1]
    return [[_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def figure(page: str, name: str) -> str:
    return _text(re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S).group(1))


def csv_of(client, table: str | None, url=URL, **params) -> list[dict]:
    query = {"format": "csv", **({"table": table} if table else {}), **params}
    response = client.get(url, query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# ---- the figures ------------------------------------------------------------------------------------------


def test_when_and_how_many_were_published(client, constructed):
    page = page_of(client, as_of=AS_OF)
    assert figure(page, "published") == "7 authorities by 31 January 2028"
    assert figure(page, "when") == "On 3 days, from 10 December 2027 to 31 December 2027"
    assert figure(page, "still-to-come").startswith("Not known")  # imported: nobody knows how many were expected
    assert figure(page, "compared") == "6 authorities on Overall effectiveness + Capacity to improve"
    assert table_of(page, "publications-table") == [
        ["10 December 2027", "Date as published", "4", "4"],
        ["17 December 2027", "Date as published", "2", "6"],
        ["31 December 2027", "Date not known: counted from 31 December 2027", "1", "7"],
    ]
    assert '<svg class="apa-chart" id="chart-publications"' in page
    assert [list(r.values()) for r in csv_of(client, "publications", as_of=AS_OF)] == [
        ["2027-12-10", "given", "4", "4"], ["2027-12-17", "given", "2", "6"], ["2027-12-31", "unknown", "1", "7"]]
    summary = {r["figure"]: r["value"] for r in csv_of(client, "summary", as_of=AS_OF)}
    assert summary == {"framework": "apa-2008", "year": "2027", "as_of": "2028-01-31", "published": "7",
                       "publication_days": "3", "first_published": "2027-12-10", "last_published": "2027-12-31",
                       "still_to_come": "not known", "score": "overall_effectiveness+capacity_to_improve",
                       "compared": "6"}


# Grades 4, 3, 2, 1, then how many were graded.
NATIONAL = {"Overall effectiveness": ["2", "3", "1", "1", "7"], "Capacity to improve": ["2", "3", "1", "0", "6"],
            "Staying safe": ["1", "3", "2", "1", "7"], "Being healthy": ["0", "0", "0", "0", "0"]}


def test_the_distribution_nationally(client, constructed):
    page = page_of(client, as_of=AS_OF)
    rows = {r[0]: r[1:] for r in table_of(page, "distribution-table")}
    assert len(rows) == 8  # every area of APA 2008
    assert {k: rows[k] for k in NATIONAL} == NATIONAL
    chart = re.search(r'<svg[^>]*id="chart-distribution".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in chart and "<title id=\"chart-distribution-title\">Grades by area, nationally</title>" in chart
    assert "Overall effectiveness: 2 4 Outstanding, 3 3 Good, 1 2 Adequate, 1 1 Inadequate" in _text(
        re.search(r"<desc[^>]*>(.*?)</desc>", chart, re.S).group(1))
    by_csv = {r["area_title"]: [r["grade_4"], r["grade_3"], r["grade_2"], r["grade_1"], r["graded"]]
              for r in csv_of(client, "distribution", as_of=AS_OF)}
    assert {k: by_csv[k] for k in NATIONAL} == NATIONAL and len(by_csv) == 8


def test_the_distribution_by_region_and_type(client, constructed):
    page = page_of(client, as_of=AS_OF)  # overall effectiveness, the first area of the usual score
    assert table_of(page, "regions-table") == [
        ["North East", "1", "0", "0", "0", "1"], ["East of England", "0", "1", "0", "0", "1"],
        ["London", "0", "1", "1", "0", "2"], ["South East", "1", "1", "0", "1", "3"]]
    assert table_of(page, "types-table") == [
        ["Shire county", "1", "2", "0", "0", "3"], ["Unitary authority", "0", "0", "0", "1", "1"],
        ["Metropolitan district", "1", "0", "0", "0", "1"], ["Inner London borough", "0", "0", "1", "0", "1"],
        ["Outer London borough", "0", "1", "0", "0", "1"]]
    safe = page_of(client, as_of=AS_OF, area="staying_safe")
    assert table_of(safe, "regions-table") == [
        ["North East", "1", "0", "0", "0", "1"], ["East of England", "0", "1", "0", "0", "1"],
        ["London", "0", "1", "1", "0", "2"], ["South East", "0", "1", "1", "1", "3"]]
    assert "Staying safe: grades by region" in safe

    regions = csv_of(client, "regions", as_of=AS_OF)
    assert len(regions) == 4 * 8  # each region with a result, for every area
    south_east = next(r for r in regions if r["region"] == "South East" and r["area"] == "staying_safe")
    assert [south_east[k] for k in ("grade_4", "grade_3", "grade_2", "grade_1", "graded")] == ["0", "1", "1", "1", "3"]
    types = csv_of(client, "types", as_of=AS_OF)
    assert len(types) == 5 * 8
    shire = next(r for r in types if r["dfe_type"] == "SC" and r["area"] == "overall_effectiveness")
    assert (shire["type"], shire["grade_4"], shire["grade_3"], shire["graded"]) == ("Shire county", "1", "2", "3")


def test_an_unknown_area_is_a_message(client, constructed):
    page = page_of(client, as_of=AS_OF, area="happiness")
    assert "framework apa-2008 has no area &#x27;happiness&#x27;" in page and 'href="#area"' in page
    assert table_of(page, "regions-table")[0] == ["North East", "1", "0", "0", "0", "1"]  # the usual area instead


RANKING = [  # rank, authority, score, scored more highly, quartile (6 compared: 1.5, 3 and 4.5 the cut ranks)
    ["1st of 6", "Kent", "8", "0", "Top quartile"],
    ["2nd of 6", "Essex", "7", "1", "2nd quartile"],
    ["2nd of 6", "Gateshead", "7", "1", "2nd quartile"],
    ["4th of 6", "Barnet", "6", "3", "3rd quartile"],
    ["4th of 6", "Surrey", "6", "3", "3rd quartile"],
    ["6th of 6", "Camden", "4", "5", "4th quartile"],
    ["Not compared", "Medway", "No grade for every area of the score"],
]


def test_each_authority_s_rank_and_quartile(client, capsys, constructed):
    page = page_of(client, as_of=AS_OF)
    assert table_of(page, "ranking-table") == RANKING
    assert table_of(page, "scores-table") == [["8", "1", "1"], ["7", "2", "2"], ["6", "2", "4"], ["4", "1", "6"]]
    assert [(r["rank"], r["dfe_code"], r["score"], r["compared"], r["higher"], r["quartile"], r["quartile_note"])
            for r in csv_of(client, "ranking", as_of=AS_OF)] == [
        ("1", "886", "8", "6", "0", "1", ""), ("2", "881", "7", "6", "1", "2", ""), ("2", "390", "7", "6", "1", "2", ""),
        ("4", "302", "6", "6", "3", "3", ""), ("4", "936", "6", "6", "3", "3", ""), ("6", "202", "4", "6", "5", "4", ""),
        ("", "887", "", "6", "", "", "not compared: no grade for every area of the score")]
    assert [list(r.values()) for r in csv_of(client, "scores", as_of=AS_OF)] == [
        ["8", "1", "1"], ["7", "2", "2"], ["6", "2", "4"], ["4", "1", "6"]]
    # The same answer as the compare page and `apa compare` for Surrey.
    compare = _text(page_of(client, "/compare/", framework="apa-2008", authority="936", year="2027", as_of=AS_OF,
                            group="all"))
    assert "4th of 6" in compare and "Surrey: 3rd quartile, with 3 scoring more highly" in compare
    code, out, _ = run(capsys, "compare", "--framework", "apa-2008", "--year", "2027", "--authority", "936",
                       "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert code == 0 and (data["rank"], data["compared"], data["higher"], data["quartile"]) == (4, 6, 3, 3)
    assert data["quartile_reason"] is None


CHANGES = {  # better, same, worse, no earlier grade, graded
    "Overall effectiveness": ["1", "2", "2", "2", "7"],  # Kent up; Surrey, Gateshead same; Essex, Camden down
    "Capacity to improve": ["0", "5", "0", "1", "6"],    # all five graded in 2026 the same; Barnet new
    "Staying safe": ["1", "3", "1", "2", "7"],           # Essex up; Surrey down; Barnet and Medway new
    "Being healthy": ["0", "0", "0", "0", "0"],
}


def test_same_better_or_worse_than_last_year(client, constructed):
    page = page_of(client, as_of=AS_OF)
    rows = {r[0]: r[1:] for r in table_of(page, "changes-table")}
    assert {k: rows[k] for k in CHANGES} == CHANGES
    assert "Compared with last year" in page and '<svg class="apa-chart" id="chart-changes"' in page
    by_csv = {r["area_title"]: [r["better"], r["same"], r["worse"], r["no_earlier_grade"], r["graded"]]
              for r in csv_of(client, "changes", as_of=AS_OF)}
    assert {k: by_csv[k] for k in CHANGES} == CHANGES
    detail = {(r["dfe_code"], r["area"]): r for r in csv_of(client, "authority_changes", as_of=AS_OF)}
    assert len(detail) == 20  # 7 overall + 6 capacity + 7 staying safe
    kent = detail[("886", "overall_effectiveness")]
    assert [kent[k] for k in ("grade", "previous_grade", "previous_framework", "previous_year", "direction")] == [
        "4", "3", "apa-2008", "2026", "better"]
    assert detail[("202", "overall_effectiveness")]["direction"] == "worse"
    assert detail[("936", "staying_safe")]["direction"] == "worse"
    barnet = detail[("302", "capacity_to_improve")]
    assert (barnet["previous_grade"], barnet["previous_year"], barnet["direction"]) == ("", "", "no earlier grade")


def test_the_authorities_table_is_the_default_csv(client, constructed):
    rows = csv_of(client, None, as_of=AS_OF)
    assert {r["dfe_code"] for r in rows} == set(Y2027)
    medway = next(r for r in rows if r["dfe_code"] == "887")
    assert (medway["publication_date_basis"], medway["overall_effectiveness"], medway["capacity_to_improve"]) == (
        "unknown", "1", "")
    assert csv_of(client, "authorities", as_of=AS_OF) == rows


def test_every_table_is_linked_as_csv(client, constructed):
    page = page_of(client, as_of=AS_OF, sort="-staying_safe")
    linked = set(re.findall(r'href="\?as_of=2028-01-31&amp;sort=-staying_safe&amp;format=csv&amp;table=(\w+)"', page))
    assert linked == {"summary", "publications", "distribution", "regions", "types", "scores", "ranking", "changes",
                      "authority_changes"}


# ---- as of a date -----------------------------------------------------------------------------------------


def test_as_of_before_publication(client, constructed):
    page = page_of(client, as_of="2027-12-16")  # the four of 10 December only
    assert figure(page, "published") == "4 authorities by 16 December 2027"
    assert figure(page, "when") == "On 10 December 2027"
    # Four compared: quartiles apply (1, 2, 3 and 4 the cut ranks).
    assert table_of(page, "ranking-table") == [
        ["1st of 4", "Kent", "8", "0", "Top quartile"], ["2nd of 4", "Essex", "7", "1", "2nd quartile"],
        ["2nd of 4", "Gateshead", "7", "1", "2nd quartile"], ["4th of 4", "Surrey", "6", "3", "4th quartile"]]
    nothing = page_of(client, as_of="2027-12-09")
    assert figure(nothing, "published") == "0 authorities by 9 December 2027"
    assert figure(nothing, "when") == "Nothing published by this date"
    assert table_of(nothing, "ranking-table") == [["No results published by this date."]]
    assert csv_of(client, "ranking", as_of="2027-12-09") == []
    assert csv_of(client, "publications", as_of="2027-12-09") == []


@pytest.mark.parametrize("as_of", ["yesterday", "31/02/2027", "2027-13-01", "0", "\u00e9t\u00e9", "2027-12-10'--"])
def test_a_bad_as_of_is_a_message_never_a_server_error(client, constructed, as_of):
    response = client.get(URL, {"as_of": as_of})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "is not a date; use YYYY-MM-DD or DD/MM/YYYY" in page
    downloads = [h for h in re.findall(r'href="\?([^"]*)"', page) if "format=csv" in h]
    assert len(downloads) == 10 and not any("as_of" in h for h in downloads)  # they drop the unreadable date
    for table in (None, "ranking", "regions"):
        response = client.get(URL, {"as_of": as_of, "format": "csv", **({"table": table} if table else {})})
        assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
        assert "is not a date; use YYYY-MM-DD or DD/MM/YYYY. Nothing was downloaded." in response.content.decode()


def test_other_bad_input_is_a_message(client, constructed):
    response = client.get(URL, {"format": "csv", "table": "everything", "as_of": AS_OF})
    assert response.status_code == 400
    assert "there is no table 'everything'; choose one of authorities, summary" in response.content.decode()
    for url in ("/results/apa-2008/99999/", "/results/apa-2008/2027/?sort=nonsense&area=&table=x",
                "/results/apa-2008/1999/?format=csv&table=ranking"):
        assert client.get(url).status_code == 200, url


# ---- the shipped letters and imported frameworks ----------------------------------------------------------


def test_the_shipped_2008_letters(client):
    # All 19 APA 2008 results in the shipped files carry no date of their own: the national day, 17 December 2008.
    page = page_of(client, "/results/apa-2008/2008/")
    assert table_of(page, "publications-table") == [
        ["17 December 2008", "The national publication date of that year's letters", "19", "19"]]
    assert figure(page, "still-to-come").startswith("Not known")
    ilacs = page_of(client, "/results/ilacs-2018/")
    assert figure(ilacs, "still-to-come").startswith("Not known") and "Compared with the previous inspection" in ilacs


# ---- a cycle with one result under embargo ----------------------------------------------------------------


def test_still_to_come_counts_the_embargoed_and_shows_nothing_of_them(client, cycle, kent, users):
    """Surrey published (every area 2, overall moderated to 1); Kent moderated (every area 4, overall moderated to
    3) and scheduled a week ahead. The cycle assesses every authority that existed on its data-lock date: the 153
    current ones (the DfE list: tests/publication/test_pages.py counts them)."""
    assert cycle.assessments.count() == 153
    surrey = cycle.assessments.get(authority__dfe_code="936")
    journey(surrey, State.PUBLISHED, users=users, grade=2)
    journey(kent, State.MODERATED, users=users, grade=4)
    publish_at = timezone.now() + timedelta(days=7)
    services.cycle_schedule(cycle=cycle, publish_at=publish_at, actor=users["publisher"])
    url = "/results/apa-2008/2025/"
    tables = [None, "summary", "publications", "distribution", "regions", "types", "scores", "ranking", "changes",
              "authority_changes"]
    for as_of in ("", "2099-12-31"):  # a far as-of date shows no more
        page = page_of(client, url, as_of=as_of)
        assert figure(page, "published").startswith("1 authority by")
        assert figure(page, "still-to-come").startswith("152")  # 153 less Surrey: one count, nobody named
        assert "Kent" not in page and "/authorities/886/" not in page
        distribution = {r[0]: r[1:] for r in table_of(page, "distribution-table")}
        assert distribution["Overall effectiveness"] == ["0", "0", "0", "1", "1"]
        assert distribution["Being healthy"] == ["0", "0", "1", "0", "1"]
        assert table_of(page, "ranking-table") == [["1st of 1", "Surrey", "3", "0", "Too few to place in quartiles"]]
        for table in tables:
            response = client.get(url, {"format": "csv", "as_of": as_of, **({"table": table} if table else {})})
            body = response.content.decode()
            assert response.status_code == 200 and "Kent" not in body and "886" not in body, table
        for row in csv_of(client, "distribution", url, as_of=as_of):  # none of Kent's 4s or 3s
            assert (row["grade_4"], row["grade_3"]) == ("0", "0"), row["area"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    before = page_of(client, url, as_of=yesterday)
    assert figure(before, "published").startswith("0 authorities") and figure(before, "still-to-come").startswith("153")

    with mock.patch("django.utils.timezone.now", return_value=publish_at + timedelta(minutes=1)):
        page = page_of(client, url)
        assert figure(page, "still-to-come").startswith("151")
        assert "Kent" in page and figure(page, "published").startswith("2 authorities")


# ---- quartiles need at least four -------------------------------------------------------------------------

QUARTILE_SETS = {  # year: the authorities' overall and capacity grades, best first
    2030: {"886": (4, 4)},
    2031: {"886": (4, 4), "936": (4, 3), "881": (3, 3)},
    2032: {"886": (4, 4), "936": (4, 3), "881": (3, 3), "390": (3, 2)},
}
EXPECTED = {  # year: each authority's rank, compared, and quartile (None: too few)
    2030: {"886": (1, 1, None)},
    2031: {"886": (1, 3, None), "936": (2, 3, None), "881": (3, 3, None)},
    2032: {"886": (1, 4, 1), "936": (2, 4, 2), "881": (3, 4, 3), "390": (4, 4, 4)},
}
WORDS = {None: "Too few to place in quartiles", 1: "Top quartile", 2: "2nd quartile", 3: "3rd quartile",
         4: "4th quartile"}


@pytest.mark.parametrize("year", sorted(QUARTILE_SETS))
def test_quartiles_need_at_least_four(client, capsys, tmp_path, year):
    rows = []
    for code, grades in QUARTILE_SETS[year].items():
        rows += score_rows(authority=code, framework="apa-2008", year=year, publication_date=f"{year}-12-10",
                           grades=dict(zip(GRADES[:2], grades, strict=True)))
    import_rows(tmp_path, rows)
    as_of = f"{year + 1}-01-01"
    expected = EXPECTED[year]
    page = page_of(client, f"/results/apa-2008/{year}/", as_of=as_of)
    ranking = {r[1]: (r[0], r[4]) for r in table_of(page, "ranking-table")}
    names = {"886": "Kent", "936": "Surrey", "881": "Essex", "390": "Gateshead"}
    assert ranking == {names[c]: (f"{['1st', '2nd', '3rd', '4th'][rank - 1]} of {n}", WORDS[q])
                       for c, (rank, n, q) in expected.items()}
    for code, (rank, n, quartile) in expected.items():
        code_, out, _ = run(capsys, "compare", "--framework", "apa-2008", "--year", str(year), "--authority", code,
                            "--as-of", as_of, "--format", "json")
        data = json.loads(out)
        assert (data["rank"], data["compared"], data["quartile"]) == (rank, n, quartile)
        assert data["quartile_reason"] == (None if quartile else "too few to place in quartiles")
        if code == "886":
            _, text, _ = run(capsys, "compare", "--framework", "apa-2008", "--year", str(year), "--authority", code,
                             "--as-of", as_of)
            assert text.rstrip().endswith(f"quartile {quartile}" if quartile else "too few to place in quartiles")
        compare = page_of(client, "/compare/", framework="apa-2008", authority=code, year=str(year), as_of=as_of,
                          group="all")
        panel = _text(re.search(r'id="comparison-result">.*?<div class="govuk-panel__body">(.*?)</div>', compare,
                                re.S).group(1))
        assert f"{rank}{['st', 'nd', 'rd', 'th'][rank - 1]} of {n}" in _text(compare)
        assert WORDS[quartile].lower() in panel.lower()
        if quartile is None:
            assert not re.search(r"\d(st|nd|rd|th) quartile|top quartile", panel), panel
    # The authority page on the day after: its first comparison is of this, Kent's latest result, with everyone.
    with mock.patch("django.utils.timezone.now", return_value=timezone.make_aware(datetime(year + 1, 1, 1, 12))):
        kent = page_of(client, "/authorities/886/")
    row = _text(re.search(r'<tr class="govuk-table__row" data-group="all">(.*?)</tr>', kent, re.S).group(1))
    rank, n, quartile = expected["886"]
    assert f"1st of {n}" in row and WORDS[quartile] in row
