"""The public JSON API: for the same question the API, the page and the command line agree, and each equals a
value worked out by hand; nothing under embargo is ever in it; lists page with `next` links; errors are JSON
with stable codes; the API is read-only, open to other origins for GET, and documented from its own spec."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from apa.authorities.models import Authority
from tests.factories import correct, run
from tests.publication.conftest import journey

API = "/api/v1"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- Kent's ILACS comparison among its statistical neighbours ------------------------------------------------

# Worked by hand from apa/authorities/data/stat_neighbours_2025_dfe.csv (Kent's row: 881, 845, 878, 303, 935, 926,
# 891, 938, 822, 933) and apa/publication/data/ofsted_ilacs_history_2018_2025.csv, taking each authority's latest
# inspection published on or before 30 June 2025 (Outstanding 4, Good 3, Requires improvement 2, Inadequate 1):
#   Kent (886)            9 May 2022, published 5 Jul 2022     Outstanding           4
#   Essex (881)           26 Jun 2023, published 11 Aug 2023   Outstanding           4
#   Bexley (303)          6 Feb 2023, published 24 Mar 2023    Outstanding           4
#   East Sussex (845)     11 Dec 2023, published 6 Feb 2024    Good                  3
#   Norfolk (926)         7 Nov 2022, published 13 Jan 2023    Good                  3
#   Nottinghamshire (891) 20 May 2024, published 12 Jul 2024   Good                  3
#   Bedford (822)         15 Nov 2021, published 14 Jan 2022   Good                  3
#   Somerset (933)        18 Jul 2022, published 21 Sep 2022   Good                  3
#   Suffolk (935)         3 Jun 2024, published 21 Aug 2024    Requires improvement  2
#   West Sussex (938)     13 Mar 2023, published 11 May 2023   Requires improvement  2
#   Devon (878)           30 Sep 2024, published 13 May 2025   Inadequate            1
# 11 compared; nobody scores more than 4, so Kent ranks 1 (1 + 0 higher), sharing the rank with Essex and Bexley;
# 1 × 4 ≤ 11, so the top quartile. Scores: three 4s, five 3s, two 2s, one 1.
KENT_ILACS = {"score": 4, "rank": 1, "compared": 11, "higher": 0, "quartile": 1}
KENT_ILACS_SCORES = {"886": 4, "881": 4, "303": 4, "845": 3, "926": 3, "891": 3, "822": 3, "933": 3, "935": 2,
                     "938": 2, "878": 1}
KENT_ILACS_RANKS = {code: {4: 1, 3: 4, 2: 9, 1: 11}[score] for code, score in KENT_ILACS_SCORES.items()}
KENT_ILACS_DISTRIBUTION = [{"score": 4, "authorities": 3}, {"score": 3, "authorities": 5},
                           {"score": 2, "authorities": 2}, {"score": 1, "authorities": 1}]
QUESTION = {"framework": "ilacs-2018", "authority": "886", "as_of": "2025-06-30", "group": "neighbours"}


@pytest.mark.django_db
def test_kent_ilacs_among_neighbours_api_page_and_cli_agree_with_the_hand_count(client, capsys):
    api = get(client, f"{API}/comparisons", **QUESTION)
    assert {k: api[k] for k in KENT_ILACS} == KENT_ILACS
    assert (api["framework"], api["year"], api["as_of"], api["group"], api["score_areas"]) == (
        "ilacs-2018", None, "2025-06-30", "neighbours", ["overall_effectiveness"])
    assert {r["authority"]["dfe_code"]: r["score"] for r in api["table"]} == KENT_ILACS_SCORES
    assert {r["authority"]["dfe_code"]: r["rank"] for r in api["table"]} == KENT_ILACS_RANKS
    assert api["distribution"] == KENT_ILACS_DISTRIBUTION

    code, out, _ = run(capsys, "compare", "--framework", "ilacs-2018", "--authority", "886", "--as-of",
                       "2025-06-30", "--group", "neighbours", "--format", "json")
    cli = json.loads(out)
    assert code == 0 and {k: cli[k] for k in KENT_ILACS} == KENT_ILACS
    assert cli["scores"] == KENT_ILACS_SCORES

    page = client.get("/compare/", QUESTION).content.decode()
    assert "1st of 11" in page and "with 0 scoring more highly" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/compare/", {**QUESTION, "format": "csv"}).content.decode())))
    assert {r["dfe_code"]: int(r["score"]) for r in rows} == KENT_ILACS_SCORES
    assert {r["dfe_code"]: int(r["rank"]) for r in rows} == KENT_ILACS_RANKS


# --- One indicator benchmark --------------------------------------------------------------------------------

# A3A in the sample (tests/indicators/data/lait_sample.parquet), polarity High, one decimal place; its latest
# period is "2025 (Rev)". Read from the file's rows for that period:
#   Kent (886) 14.75; England (970) 14.88.
#   Kent's ten 2025 neighbours: Essex 15.55, East Sussex 8.85, Devon 13.44, Bexley 14.09, Suffolk 9.13,
#   Norfolk 12.39, Nottinghamshire 12.87, West Sussex 14.00, Bedford 8.21, Somerset 10.81; sum 119.34, so the
#   neighbours' average is 119.34 / 10 = 11.934.
#   158 authority rows (LA numbers below 970), 8 of them '-' (Bournemouth, Poole and Dorset before 2019, City of
#   London, Cumbria, Isles of Scilly, Knowsley, Northamptonshire): 150 ranked. 52 have more than 14.75 (from
#   Sutton 34.65 down to Lancashire 14.83 and Enfield 14.82), none the same: rank 53 of 150.
#   Cut points (R type 7 over the 150): 9.7225, 12.73, 16.0075; 12.73 < 14.75 ≤ 16.0075 and higher is better:
#   band B.
A3A_KENT = {"value": 14.75, "england": 14.88, "rank": 53, "ranked": 150, "quartile_band": "B",
            "neighbours_with_value": 10}
A3A_NEIGHBOUR_AVERAGE = 11.934
A3A_CUTS = [9.7225, 12.73, 16.0075]


@pytest.mark.django_db
def test_one_indicator_benchmark_api_page_and_cli_agree_with_the_hand_count(sample, client, run_apa):
    api = get(client, f"{API}/indicators/A3A/benchmark", authority="886")
    assert api["period"] == "2025 (Rev)" and api["polarity"] == "high"
    assert {k: api[k] for k in A3A_KENT} == A3A_KENT
    assert api["neighbour_average"] == pytest.approx(A3A_NEIGHBOUR_AVERAGE, abs=1e-9)
    assert api["quartiles"] == pytest.approx(A3A_CUTS, abs=1e-9)
    assert api["trend"][-1] == {"period": "2025 (Rev)", "value": 14.75, "quartile_band": "B"}

    code, out, _ = run_apa("benchmark", "A3A", "--authority", "886", "--format", "json")
    assert code == 0 and json.loads(out) == api

    rows = list(csv.DictReader(io.StringIO(client.get("/indicators/A3A/", {"format": "csv"}).content.decode())))
    kent = next(r for r in rows if r["authority"] == "886")
    assert kent["period"] == "2025 (Rev)"
    assert (float(kent["value"]), int(kent["rank"]), int(kent["ranked"]), kent["quartile_band"]) == (14.75, 53, 150, "B")
    assert float(kent["neighbour_average"]) == pytest.approx(A3A_NEIGHBOUR_AVERAGE, abs=1e-9)
    assert [float(kent[q]) for q in ("q1", "q2", "q3")] == pytest.approx(A3A_CUTS, abs=1e-9)

    values = get(client, f"{API}/indicators/A3A/values")
    assert (values["period"], values["ranked"], values["england"]) == ("2025 (Rev)", 150, 14.88)
    mine = next(v for v in values["values"] if v["authority"] == "886")
    assert (mine["value"], mine["rank"], mine["quartile_band"]) == (14.75, 53, "B")
    cumbria = next(v for v in values["values"] if v["authority"] == "909")
    assert (cumbria["value"], cumbria["missing_reason"], cumbria["rank"]) == (None, "-", None)


@pytest.mark.django_db
def test_indicator_codes_with_slashes_and_spaces(sample, client):
    assert get(client, f"{API}/indicators/NEW_KS2_RWM_Sen_W%2FOsta")["code"] == "NEW_KS2_RWM_Sen_W/Osta"
    assert get(client, f"{API}/indicators/KS1W_Expected%20_STD/values")["indicator"] == "KS1W_Expected _STD"
    found = get(client, f"{API}/indicators/CPP_Total_Rateper10%2C000/benchmark", authority="Kent")
    assert found["indicator"] == "CPP_Total_Rateper10,000" and found["rank"] is None  # no polarity: no rank
    listed = get(client, f"{API}/indicators", limit=500)
    assert {i["code"] for i in listed["items"]} >= {"A3A", "RTA", "Hosp_Adm_Alc_<18yrs"}
    detail = get(client, listed["items"][0]["url"])
    assert detail["periods"] and detail["code"] == listed["items"][0]["code"]
    error = get(client, f"{API}/indicators/A3A/benchmark", 404, authority="886", period="2099")
    assert error["code"] == "not_found" and "2099" in error["message"]


# --- Embargo -------------------------------------------------------------------------------------------------


@pytest.fixture
def embargo(cycle, users):
    """Cycle 2025 under apa-2008 scheduled a week ahead: Kent moderated (its result under embargo), Surrey
    published."""
    services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=users["publisher"])
    kent = journey(cycle.assessments.get(authority__dfe_code="886"), State.MODERATED, users=users)
    surrey = journey(cycle.assessments.get(authority__dfe_code="936"), State.PUBLISHED, users=users)
    return kent, surrey


def _codes(items) -> set:
    return {(r["authority"]["dfe_code"], r["framework"], r["key"]) for r in items}


KENT_2025 = ("886", "apa-2008", "2025")
SURREY_2025 = ("936", "apa-2008", "2025")


@pytest.mark.django_db
def test_an_embargoed_result_is_in_no_list_and_404_at_its_own_urls(embargo, client):
    for query in ({}, {"as_of": "2099-12-31"}, {"framework": "apa-2008"}, {"year": 2025},
                  {"framework": "apa-2008", "year": 2025, "as_of": "2099-12-31"}, {"authority": "886"}):
        listed = get(client, f"{API}/results", limit=500, **query)
        found = _codes(listed["items"])
        for page in range(500, listed["count"], 500):
            found |= _codes(get(client, f"{API}/results", limit=500, offset=page, **query)["items"])
        assert KENT_2025 not in found, query
        if "authority" not in query:
            assert SURREY_2025 in found, query
        letters = get(client, f"{API}/letters", limit=500, **query)
        assert KENT_2025 not in _codes(letters["items"]) and (
            "authority" in query or SURREY_2025 in _codes(letters["items"])), query
    for url in ("/results/886/apa-2008/2025", "/results/886/apa-2008/2025/versions/1",
                "/letters/886/apa-2008/2025", "/letters/886/apa-2008/2025/versions/1"):
        assert get(client, API + url, 404)["code"] == "not_found"
    for as_of in ("", "2099-12-31"):
        compared = get(client, f"{API}/comparisons", framework="apa-2008", authority="886", year=2025,
                       **({"as_of": as_of} if as_of else {}))
        assert compared["score"] is None and "886" not in {r["authority"]["dfe_code"] for r in compared["table"]}

    surrey = get(client, f"{API}/results/936/apa-2008/2025")
    assert surrey["current"] and surrey["version"] == 1 and surrey["grades"]
    assert [v["version"] for v in surrey["versions"]] == [1]
    assert client.get(surrey["letter"]["html"]).status_code == 200
    letter = get(client, f"{API}/letters/936/apa-2008/2025")
    assert letter["html"] == surrey["letter"]["html"] and letter["pdf"].endswith("/v1/letter.pdf")
    assert get(client, surrey["url"]) == surrey


@pytest.mark.django_db
def test_a_result_lists_its_grades_and_its_public_versions(client):
    from apa.publication.models import Result

    result = Result.objects.get(authority__dfe_code="886", framework__code="ilacs-2018", key="2022-05-09")
    correct(result, {"care_leavers": 3}, note="Care leavers were judged good, not outstanding.")
    current = get(client, f"{API}/results/886/ilacs-2018/2022-05-09")
    assert (current["version"], current["current"]) == (2, True)
    assert current["correction_note"] == "Care leavers were judged good, not outstanding."
    assert [v["version"] for v in current["versions"]] == [1, 2]
    grades = {g["area"]: (g["grade"], g["label"]) for g in current["grades"]}
    assert grades["overall_effectiveness"] == (4, "Outstanding") and grades["care_leavers"] == (3, "Good")
    first = get(client, current["versions"][0]["url"])
    assert (first["version"], first["current"], first["grades"][0]["grade"]) == (1, False, 4)
    listed = get(client, f"{API}/results", framework="ilacs-2018", authority="Kent")
    assert [(r["key"], r["version"]) for r in listed["items"]] == [("2022-05-09", 2)]


# --- Paging --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_page_with_next_links_to_the_end(client):
    first = get(client, f"{API}/authorities", limit=40)
    assert first["count"] == Authority.objects.count() and len(first["items"]) == 40
    assert first["previous"] is None and first["next"].startswith("https://testserver/api/v1/authorities?")
    seen, page, pages = [], first, 0
    while True:
        seen += [a["dfe_code"] for a in page["items"]]
        pages += 1
        if page["next"] is None:
            break
        page = get(client, page["next"])
        assert page["previous"] is not None
    assert pages == -(-first["count"] // 40) and sorted(seen) == sorted(Authority.objects.values_list("dfe_code", flat=True))
    # Filters travel with the links.
    ilacs = get(client, f"{API}/results", framework="ilacs-2018", limit=100)
    assert "framework=ilacs-2018" in ilacs["next"] and "offset=100" in ilacs["next"]
    second = get(client, ilacs["next"])
    assert {r["framework"] for r in ilacs["items"] + second["items"]} == {"ilacs-2018"}
    assert not _codes(ilacs["items"]) & _codes(second["items"])
    last = get(client, f"{API}/results", framework="ilacs-2018", limit=100, offset=ilacs["count"] - 1)
    assert len(last["items"]) == 1 and last["next"] is None


# --- Errors, methods, CORS -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "params", "status", "code", "says"), [
    ("/frameworks/nope", {}, 404, "not_found", "no framework 'nope'"),
    ("/authorities/999", {}, 404, "not_found", "no authority with DfE code 999"),
    ("/authorities/kent", {}, 422, "invalid", "dfe_code"),
    ("/results", {"as_of": "yesterday"}, 422, "invalid", "as_of"),
    ("/results", {"as_of": "1656979200"}, 422, "invalid", "as_of"),
    ("/results", {"limit": 0}, 422, "invalid", "limit"),
    ("/results", {"year": "twenty"}, 422, "invalid", "year"),
    ("/results", {"authority": "Atlantis"}, 404, "not_found", "no authority matches 'Atlantis'"),
    ("/comparisons", {"framework": "ilacs-2018"}, 422, "invalid", "authority"),
    ("/comparisons", {"framework": "ilacs-2018", "authority": "886", "year": 2022}, 400, "invalid", "has no years"),
    ("/comparisons", {"framework": "ilacs-2018", "authority": "886", "score": "kindness"}, 400, "invalid",
     "has no area kindness"),
    ("/comparisons", {"framework": "ilacs-2018", "authority": "886", "group": "friends"}, 422, "invalid", "group"),
    ("/decisions/123456", {}, 404, "not_found", "no such decision"),
    ("/nowhere", {}, 404, "not_found", "no such API route"),
    ("/frameworks/", {}, 404, "not_found", "no such API route"),
])
def test_errors_are_json_with_stable_codes(client, url, params, status, code, says):
    body = get(client, API + url, status, **params)
    assert set(body) == {"code", "message"} and body["code"] == code and says in body["message"], body


@pytest.mark.django_db
def test_read_only_and_open_to_other_origins_for_get(client):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/frameworks")
        assert response.status_code == 405 and response["Allow"] == "GET"
        assert response.json()["code"] == "method_not_allowed"
    response = client.get(f"{API}/frameworks", headers={"Origin": "https://analyst.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(f"{API}/frameworks", headers={"Origin": "https://analyst.example",
                                                             "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    page = client.get("/frameworks/", headers={"Origin": "https://analyst.example"})
    assert "Access-Control-Allow-Origin" not in page


# --- The rest of the surface, briefly ------------------------------------------------------------------------


@pytest.mark.django_db
def test_frameworks_and_authorities(client):
    frameworks = get(client, f"{API}/frameworks")["items"]
    ilacs = get(client, next(f["url"] for f in frameworks if f["code"] == "ilacs-2018"))
    assert [g["label"] for g in ilacs["grades"]] == ["Outstanding", "Good", "Requires improvement to be good",
                                                     "Inadequate"]
    assert ilacs["areas"][0]["code"] == "overall_effectiveness" and not ilacs["yearly"]
    kent = get(client, f"{API}/authorities/886")
    assert (kent["name"], kent["region"], kent["ons_code"]) == ("Kent", "South East", "E10000016")
    assert kent["neighbour_set"] == 2025
    assert [n["authority"]["dfe_code"] for n in kent["neighbours"]] == [
        "881", "845", "878", "303", "935", "926", "891", "938", "822", "933"]
    # Bournemouth, Christchurch and Poole replaced Bournemouth and Poole (and part of Dorset) in 2019.
    bcp = get(client, f"{API}/authorities/839")
    assert {"836", "837"} <= {p["authority"]["dfe_code"] for p in bcp["predecessors"]}
    assert "839" in {s["authority"]["dfe_code"] for s in get(client, f"{API}/authorities/837")["successors"]}
    assert get(client, f"{API}/authorities", q="Kent")["items"][0]["dfe_code"] == "886"
    assert get(client, f"{API}/authorities/886/neighbours", set_year=2021)["set_year"] == 2021
    index = get(client, f"{API}/")
    assert index["openapi"] == "https://testserver/api/v1/openapi.json"


def test_docs_api_md_is_generated_from_the_spec():
    from apa.api.doc import reference

    assert (DOCS / "api.md").read_text() == reference(), "run: .venv/bin/python -m apa.api.doc > docs/api.md"


def test_every_operation_is_get_and_answers_json_errors():
    from apa.api.api import api

    spec = api.get_openapi_schema()
    for path, methods in spec["paths"].items():
        assert set(methods) == {"get"}, path
        for op in methods.values():
            if path.endswith("/openapi.json") or op.get("summary") == "What the API holds":
                continue
            assert {"200", "400", "404", "422"} <= {str(status) for status in op["responses"]}, path
            assert op.get("summary") and op["summary"][0].isupper(), path


# --- JAR outcomes and the CPA feed ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_jar_outcomes_are_listed_once_published(client, users):
    from datetime import date

    from apa.publication.jar import jar_record
    from apa.publication.models import Result

    grades = {"safeguarding": 2, "looked_after_children": 3, "learning_difficulties_and_disabilities": 3,
              "service_management": 2, "capacity_to_improve": 3}
    for code, published in (("936", date(2009, 3, 2)), ("390", timezone.localdate() + timedelta(days=30))):
        result = Result.objects.get(authority__dfe_code=code, framework__code="apa-2008", key="2008", is_current=True)
        jar_record(result=result, actor=users["moderator"], fieldwork_from=date(2009, 1, 12),
                   fieldwork_to=date(2009, 1, 23), publication_date=published, grades=grades, note="")
    listed = get(client, f"{API}/jar-outcomes")
    assert [(j["authority"]["dfe_code"], j["key"]) for j in listed["items"]] == [("936", "2008")]
    surrey = listed["items"][0]
    assert surrey["publication_date"] == "2009-03-02"
    assert {g["code"]: (g["grade"], g["label"]) for g in surrey["grades"]}["safeguarding"] == (2, "Adequate")
    assert get(client, surrey["result"])["authority"]["dfe_code"] == "936"
    assert get(client, f"{API}/jar-outcomes", authority="390")["count"] == 0


@pytest.mark.django_db
def test_the_cpa_feed_is_the_published_overall_grade(client):
    from apa.publication.cpa import cpa_feed

    # apa/publication/data/apa_and_rating_results.csv: "886,apa-2007,2007,overall_effectiveness,3,...": Kent's
    # 2007 APA overall grade is 3, so its 2007 children and young people score is 3.
    kent = get(client, f"{API}/cpa", year=2007, authority="Kent")["items"]
    assert [(r["cpa_year"], r["children_and_young_people"], r["apa_framework"], r["apa_result_version"])
            for r in kent] == [(2007, 3, "apa-2007", 1)]
    assert "democracy.kent.gov.uk" in kent[0]["source"]
    rows, url = [], f"{API}/cpa?limit=500"
    while url:
        page = get(client, url)
        rows += page["items"]
        url = page["next"]
    assert rows == cpa_feed()
