"""Safe CSV everywhere (issue 11, item 5): one writer, apa.tabular.write_csv, serves every download and every
command's CSV. A text cell that starts with =, +, -, @, a tab or a carriage return is written with ' in front;
numbers stay numbers, negative ones included (docs/design.md, "Safe CSV").

The writer's rules are unit tests. Then a hostile value is written into every free-text field that reaches a CSV
(result sources and notes, a correction's note, an authority's name, an indicator's title and source, a flag's
comment and its answer, the improvement plan's line, area, action, owner and progress note, a decision's text),
through the services where there is one; every route of the URL resolver is requested as CSV (`?format=csv`, or
its `.csv` path, with the parameters it needs), and so is every CSV link on the pages it answers; signed in as
Kent's officer and as a moderator, who may read each of those CSVs. No cell of any of them may start with one of
those characters (bar a negative number), and each hostile value must be found, prefixed, in some CSV.
"""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from apa.accounts.models import User
from apa.accounts.services import user_add
from apa.authorities.models import Authority
from apa.tabular import FORMULA_START, csv_safe, csv_text, write_csv
from tests.factories import correct, import_rows, run, score_rows
from tests.indicators.conftest import lait_sample  # noqa: F401 (a session fixture: the LAIT sample, imported once)

NEGATIVE_NUMBER = re.compile(r"-[0-9][0-9,]*(\.[0-9]+)?")


# ---- the writer ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=",
                                  "-", "- a list item", "-1e3", "+44 20 7946 0000"])
def test_formula_like_text_is_prefixed(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", [3, -2, 0, -2.5, 1e-9, Decimal("-1.50"), True, None, "-2", "-1,234.5", "-0.25",
                                   "plain text", "", "a=b", " =1", "'=already quoted", "2-1", "£-5"])
def test_numbers_and_other_text_are_written_as_they_are(value):
    assert csv_safe(value) is value or csv_safe(value) == value


def test_dates_are_written_as_text():
    assert csv_safe(date(2007, 12, 17)) == "2007-12-17"


def test_the_writer_quotes_only_where_needed_and_ends_lines_with_crlf():
    text = csv_text([['=HYPERLINK("http://x","y")', -2, -2.5, Decimal("3.10"), "a,b", None, "-7"]],
                    header=["a", "b", "c", "d", "e", "f", "g"])
    assert text == 'a,b,c,d,e,f,g\r\n"\'=HYPERLINK(""http://x"",""y"")",-2,-2.5,3.10,"a,b",,-7\r\n'
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[0] == '\'=HYPERLINK("http://x","y")'


def test_a_tab_or_carriage_return_survives_the_round_trip_prefixed():
    cells = next(csv.reader(io.StringIO(csv_text([["\tTAB", "\rCR", "line\nbreak"]]))))
    assert cells == ["'\tTAB", "'\rCR", "line\nbreak"]


def test_write_csv_writes_to_any_text_file_without_a_header():
    out = io.StringIO()
    write_csv(out, iter([["@SUM(A1)", 1]]))
    assert out.getvalue() == "'@SUM(A1),1\r\n"


# ---- every CSV route ---------------------------------------------------------------------------------------------

PREFIXES = ['=HYPERLINK("http://x","{}")', "+1 {}", "-2+3 {}", "@SUM(A1) {}", "\t{}", "\r{}"]


class Hostile:
    """Unique hostile texts, one per field, each starting with a formula character."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def __call__(self, field: str, *, stripped: bool = False) -> str:
        # A service that strips what it stores would drop a leading tab or carriage return: use = + - @ there.
        choices = PREFIXES[:4] if stripped else PREFIXES
        value = choices[len(self.values) % len(choices)].format(f"hostile {field}")
        self.values[field] = value
        return value


@pytest.fixture
def planted(db, lait_sample, tmp_path, settings):  # noqa: F811
    """A hostile value in every free-text field that reaches a CSV, through the services where there is one."""
    from apa.councils.services import decision_publish, decision_save
    from apa.indicators.models import Indicator, Value
    from apa.indicators.services import flag_raise, flag_resolve
    from apa.plans import services as plans
    from apa.publication.models import Result

    settings.MEDIA_ROOT = tmp_path / "media"
    hostile = Hostile()
    users = {u.username: u for u in User.objects.filter(username__in=["kent_officer", "inspector", "moderator"])}
    kent = Authority.objects.get(dfe_code="886")

    # Results: a Kent 2008 overall effectiveness of 2 (BBC News printed 3, so a CPA disagreement too), its source
    # and note; then a correction, with its note (open data's release of the correction describes all of this).
    source = hostile("result source", stripped=True)
    rows = score_rows(authority="886", framework="apa-2008", year=2008, grades={"overall_effectiveness": 2},
                      source=source)
    rows[0]["note"] = hostile("result note", stripped=True)
    import_rows(tmp_path, rows)

    # Indicators: a title and a source as a catalogue import could bring them, and an officer's flag and its answer.
    indicator = Indicator.objects.filter(periods__values__authority=kent, periods__values__value__isnull=False).order_by("code").first()
    Indicator.objects.filter(pk=indicator.pk).update(title=hostile("indicator title"),
                                                    source=hostile("indicator source"))
    values = list(Value.objects.filter(authority=kent, value__isnull=False).order_by("pk")[:2])
    answered = flag_raise(user=users["kent_officer"], value=values[0], comment=hostile("answered flag comment",
                                                                                       stripped=True))
    flag_resolve(user=users["inspector"], flag=answered, response=hostile("flag response", stripped=True))
    flag_raise(user=users["kent_officer"], value=values[1], comment=hostile("flag comment", stripped=True))

    # The improvement plan: a line by hand, an action with a named owner, a progress note.
    officer = users["kent_officer"]
    line = plans.plan_line_add(authority=kent, actor=officer, text=hostile("plan line", stripped=True),
                               area=hostile("plan area", stripped=True))
    line.refresh_from_db()
    action = plans.action_add(line=line, actor=officer, version=line.version, due_date=timezone.localdate(),
                              description=hostile("plan action", stripped=True),
                              owner_name=hostile("plan owner", stripped=True))
    plans.progress_note_add(action=action, actor=officer, text=hostile("progress note", stripped=True))

    # A published council decision.
    clerk, _ = user_add(username="kent_clerk_csv", role="democratic_services", authority="886",
                        password="correct-horse-battery-staple")
    decision = decision_save(authority=kent, actor=clerk, title=hostile("decision title", stripped=True),
                             decision=hostile("decision text", stripped=True),
                             reasons=hostile("decision reasons", stripped=True), decision_date=timezone.localdate())
    decision_publish(decision=decision, actor=clerk, version=decision.version, publication_date=timezone.localdate())

    # Reference text no service edits: an authority's name (on nearly every table).
    Authority.objects.filter(pk=kent.pk).update(name=hostile("authority name"))

    result = Result.objects.get(authority=kent, framework__code="apa-2008", key="2008", is_current=True)
    correct(result, {"overall_effectiveness": 1}, hostile("correction note", stripped=True))
    return {"hostile": hostile.values, "indicator": indicator.code, "line": line.pk, "action": action.pk,
            "flag": answered.pk, "decision": decision.pk, "result": result.pk}


# The CSV views there are today, by URL name: the walk must find each of them.
KNOWN_CSV_ROUTES = {"authority_list", "indicator_list", "indicator_detail", "authority_indicators", "indicator_flags",
                    "national_results", "national_results_year", "compare", "plan_progress_csv", "cpa_feed",
                    "opendata_release_file", "opendata_indicators_file"}
# Query strings some CSV views need beyond format=csv, by URL name.
EXTRA_QUERIES = {
    "indicator_detail": ["format=csv&table=all", "format=csv&table=series&authority=886"],
    "indicator_flags": ["format=csv&status=all"],
    "compare": ["framework=apa-2008&authority=886&year=2008&group=all&format=csv",
                "framework=apa-2007&authority=886&year=2007&group=region&format=csv"],
    "cpa_feed": ["format=csv&table=disagreements", "format=csv&year=2008"],
}
SIGN_IN = "/account/sign-in/"
SKIPPED = {"logout"}  # signing out would end the crawl's session
SLOW_SUFFIXES = (".pdf", ".docx")  # documents, never CSV


def _routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = getattr(p.pattern, "_route", None)
        if route is None:  # regex routes: the Django admin, no CSV of APA's
            continue
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern) and p.name not in SKIPPED:
            yield prefix + route, p.name


def _parameters(planted) -> dict:
    from apa.opendata.models import Release

    pks = {"plan/lines/": [planted["line"]], "plan/actions/": [planted["action"]],
           "indicators/flags/": [planted["flag"]], "decisions/": [planted["decision"]],
           "corrections/": [planted["result"]]}
    codes = {"results/": ["apa-2008"], "indicators/": [planted["indicator"]]}
    numbers = list(Release.objects.order_by("-number").values_list("number", flat=True)[:1]) or [1]
    return {"pk": pks, "code": codes, "dfe_code": ["886"], "year": [2008], "key": ["2008"], "version": [1, 2],
            "number": numbers, "name": ["datapackage.json"], "uidb64": ["MQ"], "token": ["x"], "id": [1],
            "rest": ["x"]}


def _urls(planted) -> list[tuple[str, str]]:
    """(url, name) for every route, with its parameters, asking for CSV."""
    parameters = _parameters(planted)
    urls = []
    for route, name in _routes():
        combos = [route]
        for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
            options = parameters.get(param, ["1"])
            if isinstance(options, dict):
                options = next((v for start, v in options.items() if route.startswith(start)), ["1"])
            combos = [re.sub(rf"<(?:\w+:)?{param}>", str(v), c, count=1) for c in combos for v in options]
        for path in combos:
            if path.endswith(SLOW_SUFFIXES):
                continue
            queries = [""] if path.endswith(".csv") else ["format=csv"] + EXTRA_QUERIES.get(name, [])
            urls += [("/" + path + (f"?{q}" if q else ""), name) for q in queries]
    return urls


def _csv_links(page: str, base: str) -> list[str]:
    links = []
    for href in re.findall(r'href="([^"#]+)"', page):
        url = urljoin(base, html.unescape(href))
        parts = urlsplit(url)
        if parts.netloc or parts.path.endswith(SLOW_SUFFIXES):
            continue
        if parts.path.endswith(".csv") or "format=csv" in parts.query:
            links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _crawl(client, urls) -> tuple[dict[str, list[list[str]]], list[str]]:
    """Every CSV answered by the URLs and by the CSV links of their pages ({url: rows}), and the URLs refused to
    this account (to ask again as one who may read them)."""
    found, refused, seen, queue = {}, [], set(), list(urls)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        if response.status_code in (301, 302):
            location = response["Location"]
            if urlsplit(location).path == SIGN_IN:
                refused.append(url)
            elif not urlsplit(location).netloc:
                queue.append(urljoin(url, location))
            continue
        if response.status_code in (403, 404):
            refused.append(url)
        if response.status_code != 200:
            continue
        kind = response.get("Content-Type", "")
        if kind.startswith("text/csv"):
            found[url] = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"), newline="")))
        elif kind.startswith("text/html"):
            queue += [link for link in _csv_links(_body(response).decode(), url) if link not in seen]
    return found, refused


def test_every_csv_route_prefixes_every_hostile_value(planted, client):
    hostile = planted["hostile"]
    urls = [url for url, _ in _urls(planted)]
    csvs = {}
    # Kent's officer may read every public CSV and Kent's own; what is refused to it is asked again as a moderator.
    for username in ("kent_officer", "moderator"):
        client.force_login(User.objects.get(username=username))
        found, urls = _crawl(client, urls)
        csvs.update({(username, url): rows for url, rows in found.items()})

    names = {resolve(urlsplit(url).path).url_name for _, url in csvs}
    assert KNOWN_CSV_ROUTES <= names, f"CSV routes the walk did not find: {sorted(KNOWN_CSV_ROUTES - names)}"

    formulas, prefixed_numbers, negative_numbers = [], [], 0
    for (who, url), rows in csvs.items():
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_START):
                    if NEGATIVE_NUMBER.fullmatch(cell):
                        negative_numbers += 1
                    else:
                        formulas.append(f"{who} {url}: {cell!r}")
                elif cell.startswith("'") and NEGATIVE_NUMBER.fullmatch(cell[1:]):
                    prefixed_numbers.append(f"{who} {url}: {cell!r}")
    assert not formulas, f"{len(formulas)} cells a spreadsheet would run:\n" + "\n".join(formulas[:20])
    assert not prefixed_numbers, "numbers written as text:\n" + "\n".join(prefixed_numbers[:20])
    assert negative_numbers, "no negative number in any CSV: the test does not show that numbers stay numbers"

    cells = {cell for rows in csvs.values() for row in rows for cell in row}
    reached = {field for field, value in hostile.items() if any(("'" + value) in cell for cell in cells)}
    # Each reaches a download (plans, flags, results, indicators, the CPA feed) or open data's tables (notes,
    # decisions): planted in a field no CSV shows would be a test of nothing.
    assert reached == set(hostile), f"planted but in no CSV: {sorted(set(hostile) - reached)}"
    assert not any(value in cell and ("'" + value) not in cell for value in hostile.values() for cell in cells)


def test_the_command_lines_csv_goes_through_the_writer(planted, capsys):
    hostile = planted["hostile"]
    code, out, _ = run(capsys, "results", "cpa", "--year", "2008")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    kent = next(r for r in rows if r[1] == "886")
    assert kent[2] == "'" + hostile["authority name"] and kent[6] == "'" + hostile["result source"]
    code, out, _ = run(capsys, "indicators", "flags", "--as", "inspector", "--status", "all")
    assert code == 0
    cells = [cell for row in csv.reader(io.StringIO(out, newline="")) for cell in row]
    assert "'" + hostile["flag response"] in cells and "'" + hostile["flag comment"] in cells
    assert not [c for c in cells if c.startswith(FORMULA_START) and not NEGATIVE_NUMBER.fullmatch(c)]
