"""Public pages through Django's test client: titles, breadcrumbs, search, sorting, downloads, compare."""

import csv
import html
import io
import re
from datetime import date

import pytest

from apa.authorities.models import Authority
from apa.frameworks.selectors import framework_get
from apa.publication.selectors import authorities_compared

pytestmark = pytest.mark.django_db

SERVICE = "Annual Performance Assessment"

# url, words the <title> starts with, the last breadcrumb (None: the home page has no breadcrumbs)
PUBLIC_PAGES = [
    ("/", "Annual performance assessment of children's services", None),
    ("/about-the-data/", "About the data", "About the data"),
    ("/authorities/", "Local authorities", "Authorities"),
    ("/authorities/?q=Kent", "Local authorities: Kent", "Authorities"),
    ("/authorities/886/", "Kent", "Kent"),
    ("/authorities/835/", "Dorset County", "Dorset County"),
    ("/authorities/839/", "Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch and Poole"),
    ("/frameworks/", "Frameworks and national results", "Results"),
    ("/frameworks/apa-2007/", "Annual performance assessment 2007", "Annual performance assessment 2007"),
    ("/frameworks/ilacs-2018/", "Inspection of local authority children's services (ILACS)",
     "Inspection of local authority children's services (ILACS)"),
    ("/results/apa-2007/", "Annual performance assessment 2007 2007: national results", "National results 2007"),
    ("/results/apa-2006/2006/", "Annual performance assessment 2006 2006: national results",
     "National results 2006"),
    ("/results/rating-2009/2011/", "Annual rating of children's services 2009 to 2012 2011: national results",
     "National results 2011"),
    ("/results/ilacs-2018/", "Inspection of local authority children's services (ILACS): national results",
     "National results"),
    ("/compare/", "Compare authorities", "Compare"),
    ("/compare/?framework=apa-2007&authority=886&year=2007&group=all", "Kent compared", "Compare"),
    ("/account/sign-in/", "Sign in", "Sign in"),
    ("/account/password-reset/", "Reset your password", "Reset your password"),
    ("/account/password-reset/sent/", "Check your email", "Check your email"),
    ("/account/reset/done/", "Password changed", "Password changed"),
]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _title(page: str) -> str:
    return _text(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def _breadcrumbs(page: str) -> list[str]:
    nav = re.search(r'<nav class="govuk-breadcrumbs"[^>]*>(.*?)</nav>', page, re.S)
    if not nav:
        return []
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S)]


@pytest.mark.parametrize("url, title, crumb", PUBLIC_PAGES)
def test_public_page(client, url, title, crumb):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert _title(page) == f"{title} – {SERVICE}"
    assert re.search(r"<h1[^>]*>\s*\S", page), "every page has a heading"
    if crumb is None:
        assert _breadcrumbs(page) == []
    else:
        crumbs = _breadcrumbs(page)
        assert crumbs[0] == "Home" and crumbs[-1] == crumb
    assert 'lang="en"' in page and 'href="#main-content"' in page


@pytest.mark.parametrize("url", [
    "/authorities/999/", "/frameworks/apa-1999/", "/results/apa-1999/", "/results/ilacs-2018/2020/", "/nowhere/",
])
def test_missing_pages_are_404_with_a_sentence(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert _title(response.content.decode()) == f"Page not found – {SERVICE}"


# --- Authorities -----------------------------------------------------------------------------------------

def _listed(response) -> list[str]:
    table = response.content.decode().split("<tbody", 1)[1]
    return re.findall(r'href="/authorities/(\d+)/"', table)


@pytest.mark.parametrize("query, count", [
    ({"region": "London"}, 33),
    ({"region": "Inner London"}, 14),
    ({"type": "SC"}, 27),
    ({"status": "former"}, 5),
    ({"status": "current"}, 153),
    ({"region": "London", "type": "OLB"}, 19),
    ({}, 158),
])
def test_authority_filters(client, query, count):
    response = client.get("/authorities/", query)
    assert len(_listed(response)) == count
    assert f"{count} authorities found" in response.content.decode()


@pytest.mark.parametrize("q, code", [("Kent", "886"), ("kent", "886"), ("E08000016", "370"), ("370", "370"),
                                     ("Corporation of London", "201")])
def test_authority_search(client, q, code):
    assert code in _listed(client.get("/authorities/", {"q": q}))


def test_former_authorities_show_their_end(client):
    response = client.get("/authorities/", {"status": "former"})
    assert set(_listed(response)) == {"835", "836", "837", "909", "928"}
    assert "Former (to 31 Mar 2019)" in response.content.decode()


def test_a_search_that_finds_nothing_says_so(client):
    response = client.get("/authorities/", {"q": "Atlantis"})
    assert _listed(response) == []
    assert "No authority matches" in response.content.decode()


def test_an_invalid_filter_shows_an_error_summary(client):
    page = client.get("/authorities/", {"region": "Atlantis"}).content.decode()
    assert "govuk-error-summary" in page and 'href="#id_region"' in page


def test_authority_list_csv(client):
    response = client.get("/authorities/", {"region": "London", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 33
    assert {r["london_area"] for r in rows} == {"Inner London", "Outer London"}


def test_authority_page(client):
    page = client.get("/authorities/886/").content.decode()
    text = _text(page)
    for words in ("DfE code 886", "E10000016 (current)", "South East", "Shire county"):
        assert words in text
    # The Kent paper: 2007 the same as 2006, with its source.
    assert "Same (was 3, apa-2006 2006)" in text
    assert "Kent County Council, Cabinet 17 December 2007" in text
    # ILACS 2022: outstanding overall, good for help and protection.
    assert "Inspection of local authority children's services (ILACS), inspection of 9 May 2022" in text
    assert "4 Outstanding" in text and "3 Good" in text
    # Its statistical neighbours, ranked, and the comparison with them.
    assert text.index("Essex") < text.index("East Sussex")
    neighbours_row = re.search(r'<tr class="govuk-table__row" data-group="neighbours">(.*?)</tr>', page, re.S)
    assert "1st of 11" in _text(neighbours_row.group(1))


def test_authority_page_shows_predecessors_and_successors(client):
    text = _text(client.get("/authorities/839/").content.decode())
    assert "Predecessors" in text and "Bournemouth (to 31 March 2019)" in text and "Poole" in text
    assert "From 1 April 2019, current" in text
    text = _text(client.get("/authorities/928/").content.decode())
    assert "Successors" in text and "North Northamptonshire" in text and "West Northamptonshire" in text
    assert "to 31 March 2021" in text


def test_an_authority_without_results_says_so(client):
    authority = Authority.objects.filter(results__isnull=True).first()
    text = _text(client.get(f"/authorities/{authority.dfe_code}/").content.decode())
    assert f"No published results are recorded for {authority.name}" in text
    assert "No published results to compare" in text


def test_framework_page(client):
    text = _text(client.get("/frameworks/rating-2009/").content.decode())
    for words in ("Performs excellently", "Performs poorly", "significantly exceeds minimum requirements",
                  "Overall rating of children's services"):
        assert words in text


# --- National results ------------------------------------------------------------------------------------

# APA 2008 overall effectiveness in the shipped results: 4 for these nine, 1 for these four; six more
# authorities have other grades but none for overall effectiveness.
OUTSTANDING_2008 = {"390", "207", "816", "202", "201", "314", "318", "211", "212"}
INADEQUATE_2008 = {"371", "309", "826", "936"}


def _results_table(response) -> list[str]:
    table = response.content.decode().split('id="results-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/authorities/(\d+)/"', table.split("<tbody", 1)[1])


def test_national_results_sort_by_area(client):
    codes = _results_table(client.get("/results/apa-2008/2008/", {"sort": "overall_effectiveness"}))
    assert len(codes) == 19
    assert set(codes[:9]) == OUTSTANDING_2008 and set(codes[9:13]) == INADEQUATE_2008
    codes = _results_table(client.get("/results/apa-2008/2008/", {"sort": "-overall_effectiveness"}))
    assert set(codes[:4]) == INADEQUATE_2008 and set(codes[4:13]) == OUTSTANDING_2008
    # Ungraded authorities stay at the end whichever way the column is sorted.
    assert not (set(codes[13:]) & (OUTSTANDING_2008 | INADEQUATE_2008))


def test_national_results_sort_by_name(client):
    names = Authority.objects.filter(dfe_code__in=OUTSTANDING_2008 | INADEQUATE_2008).values_list("dfe_code", "name")
    codes = _results_table(client.get("/results/apa-2008/2008/", {"sort": "name"}))
    ours = [c for c in codes if c in dict(names)]
    assert ours == [c for c, _ in sorted(names, key=lambda item: item[1])]
    assert _results_table(client.get("/results/apa-2008/2008/", {"sort": "-name"})) == codes[::-1]


@pytest.mark.parametrize("sort, expected", [
    ("", {"Authority": "ascending"}),               # by name, A to Z, until another column is chosen
    ("-name", {"Authority": "descending"}),
    ("published", {"Published": "ascending"}),     # earliest first
    ("overall_effectiveness", {"Overall effectiveness": "descending"}),  # best grade first
    ("-overall_effectiveness", {"Overall effectiveness": "ascending"}),
])
def test_national_results_say_how_they_are_sorted(client, sort, expected):
    page = client.get("/results/apa-2008/2008/", {"sort": sort} if sort else {}).content.decode()
    head = page.split('id="results-table"', 1)[1].split("</thead>", 1)[0]
    states = {_text(label): state for state, label in re.findall(r'<th[^>]*aria-sort="(\w+)"[^>]*>(.*?)</th>',
                                                                 head, re.S)}
    assert len(states) == 10  # authority, published and the eight areas
    assert {k: v for k, v in states.items() if v != "none"} == expected
    assert not re.search(r"<a[^>]*aria-sort", head)


def test_national_results_links_keep_the_date_and_the_order(client):
    page = client.get("/results/apa-2008/2008/", {"as_of": "17/12/2008", "sort": "-staying_safe"}).content.decode()
    assert 'href="?as_of=17/12/2008&amp;sort=-staying_safe&amp;format=csv"' in page.replace("%2F", "/")
    response = client.get("/results/apa-2008/2008/", {"as_of": "17/12/2008", "sort": "-staying_safe",
                                                      "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["staying_safe"] == "1"


def test_national_results_distribution(client):
    page = client.get("/results/apa-2008/2008/").content.decode()
    distribution = page.split("Distribution of grades", 1)[1].split("</table>", 1)[0]
    row = re.search(r"Overall effectiveness</th>(.*?)</tr>", distribution, re.S).group(1)
    assert [int(n) for n in re.findall(r">(\d+)</td>", row)] == [9, 0, 0, 4, 13]


def test_national_results_csv(client):
    response = client.get("/results/apa-2008/2008/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 19
    gateshead = next(r for r in rows if r["dfe_code"] == "390")
    assert (gateshead["year"], gateshead["publication_date"], gateshead["publication_date_basis"]) == (
        "2008", "2008-12-17", "national")
    assert gateshead["overall_effectiveness"] == "4" and gateshead["staying_safe"] == "4"
    assert {r["overall_effectiveness"] for r in rows if r["dfe_code"] in INADEQUATE_2008} == {"1"}


def test_national_results_as_of(client):
    # APA 2008 letters were published on 17 December 2008: none had been the day before.
    assert _results_table(client.get("/results/apa-2008/2008/", {"as_of": "2008-12-16"})) == []
    assert len(_results_table(client.get("/results/apa-2008/2008/", {"as_of": "17/12/2008"}))) == 19
    page = client.get("/results/apa-2008/2008/", {"as_of": "soon"}).content.decode()
    assert "govuk-error-summary" in page and "is not a date" in html.unescape(page)
    assert _title(page).startswith("Error: ")


# --- Compare ---------------------------------------------------------------------------------------------

COMPARE = {"framework": "ilacs-2018", "authority": "Kent", "as_of": "2022-07-05", "group": "neighbours"}


def test_compare_page_shows_the_selectors_answer(client):
    expected = authorities_compared(
        framework=framework_get(code="ilacs-2018"), authority=Authority.objects.get(dfe_code="886"),
        as_of=date(2022, 7, 5), group="neighbours",
    )
    response = client.get("/compare/", COMPARE)
    page = response.content.decode()
    panel = _text(re.search(r'id="comparison-result">(.*?)</div>\s*</div>', page, re.S).group(1))
    assert panel.startswith(f"1st of {expected.compared}") and expected.compared == 9
    assert "Kent: top quartile, with 0 scoring more highly" in panel
    table = page.split("Ranking", 1)[1].split("</table>", 1)[0]
    assert re.findall(r'href="/authorities/(\d+)/"', table) == [a.dfe_code for a, _, _ in expected.table]


def test_compare_csv(client):
    response = client.get("/compare/", {**COMPARE, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 9
    kent = next(r for r in rows if r["dfe_code"] == "886")
    assert (kent["rank"], kent["score"]) == ("1", "4")


@pytest.mark.parametrize("changes, field, message", [
    ({"as_of": "yesterday"}, "id_as_of", "Enter a valid date."),
    ({"authority": ""}, "id_authority", "This field is required."),
    ({"framework": "apa-1999"}, "id_framework", "Select a valid choice."),
    ({"group": "friends"}, "id_group", "Select a valid choice."),
])
def test_compare_form_errors(client, changes, field, message):
    page = client.get("/compare/", {**COMPARE, **changes}).content.decode()
    # GOV.UK: a page that shows errors says so first in its title, for screen reader users.
    assert _title(page) == f"Error: Compare authorities – {SERVICE}"
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S).group(0)
    assert "There is a problem" in summary
    assert f'href="#{field}"' in summary and message in summary
    assert "govuk-form-group--error" in page
    widget = re.search(rf'<(?:input|select)[^>]*id="{field}"', page).group(0)
    assert re.search(r'class="govuk-(input|select) govuk-(input|select)--error"', widget)
    assert 'id="comparison-result"' not in page
    # What was typed is shown again.
    for name, value in {**COMPARE, **changes}.items():
        if value and name not in ("framework", "group"):
            assert f'value="{value}"' in page


def test_compare_problems_from_the_rules_are_summarised(client):
    page = html.unescape(client.get("/compare/", {**COMPARE, "authority": "Atlantis"}).content.decode())
    assert "There is a problem" in page and "no authority matches 'Atlantis'" in page
    assert _title(page).startswith("Error: ")
    page = html.unescape(client.get("/compare/", {**COMPARE, "score": "happiness"}).content.decode())
    assert "has no area happiness" in page


def test_compare_without_a_published_result_says_not_compared(client):
    page = _text(client.get("/compare/", {**COMPARE, "as_of": "2022-07-04"}).content.decode())
    assert "Not compared" in page and "Kent has no published grade" in page
