"""The CPA feed (issue 11, item 4): each authority's children and young people block score is its published APA
overall grade for the year; the printed CPA tables shipped with APA are a second source, and every disagreement
is listed. Expected values are read by hand from the shipped files:

- apa/publication/data/seed_papers_results.csv and apa_and_rating_results.csv (APA's own grades);
- cpa2006_scores_partial_guardian.csv, cpa2007_scores_partial_guardian.csv (children_and_young_people is the
  7th column) and cpa2008_cyp_scores_partial_bbc.csv (the 3rd).
"""

import csv
import io
import json
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from apa.cli import main
from apa.errors import ApaError
from apa.frameworks.models import Area
from apa.publication.cpa import (
    BLOCK_AREAS,
    DATA,
    cpa_disagreements,
    cpa_feed,
    cpa_not_placed,
    cpa_tables_load,
    cpa_years,
)
from apa.publication.models import PublishedCpaScore, Result
from tests.factories import correct, import_rows, run, score_rows

from .conftest import journey

GUARDIAN_2006_A_TO_G = "http://society.guardian.co.uk/localgovt/table/0,,2017411,00.html"
GUARDIAN_2006_H_TO_P = "http://society.guardian.co.uk/localgovt/table/0,,2017943,00.html"
GUARDIAN_2007 = "http://society.guardian.co.uk/localgovt/table/0,,2252815,00.html"
BBC_2008 = "http://news.bbc.co.uk/2/hi/uk_news/7926269.stm"
KENT_MINUTES = "https://democracy.kent.gov.uk/ieListDocuments.aspx?CId=115&MID=2384"
KENT_PAPER = ("Kent County Council, Cabinet 17 December 2007: Results of annual performance assessment of "
              "children's services for 2006/07")
HEADER = "cpa_year,dfe_code,authority,children_and_young_people,apa_framework,apa_result_version,source"


def row_of(rows, dfe_code, year=None):
    found = [r for r in rows if r["dfe_code"] == dfe_code and (year is None or r["cpa_year"] == year)]
    assert len(found) <= 1, found
    return found[0] if found else None


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# ---- the feed ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_block_area_is_each_apa_frameworks_overall_judgement():
    # apa-2005.toml: overall; apa-2006.toml: overall_contribution; apa-2007/2008.toml: overall_effectiveness.
    assert BLOCK_AREAS == {"apa-2005": "overall", "apa-2006": "overall_contribution",
                           "apa-2007": "overall_effectiveness", "apa-2008": "overall_effectiveness"}
    for framework, area in BLOCK_AREAS.items():
        assert Area.objects.get(framework__code=framework, code=area).kind == "overall"


@pytest.mark.django_db
def test_kents_2007_score_is_its_published_overall_effectiveness():
    # Kent (886) apa-2007 overall_effectiveness is 3 in both shipped results files (the cabinet minutes, and the
    # cabinet paper of 17 December 2007). The Guardian's 2007 table ends at Greenwich, so it has no Kent row.
    assert row_of(cpa_feed(year=2007), "886") == {
        "cpa_year": 2007, "dfe_code": "886", "authority": "Kent", "children_and_young_people": 3,
        "apa_framework": "apa-2007", "apa_result_version": 1, "source": f"{KENT_MINUTES}; {KENT_PAPER}"}
    # 2006: overall_contribution 3 (the same paper), and the Guardian's H-P page printed 3 too: its page is added.
    kent_2006 = row_of(cpa_feed(year=2006), "886")
    assert (kent_2006["children_and_young_people"], kent_2006["apa_framework"]) == (3, "apa-2006")
    assert kent_2006["source"] == f"{KENT_PAPER}; {GUARDIAN_2006_H_TO_P}"


@pytest.mark.django_db
def test_a_printed_score_that_agrees_adds_its_page_to_the_sources():
    rows = cpa_feed()
    # Bristol 2006: APA overall_contribution 1 (CYP Now); the Guardian printed "2,3,1" (corporate, resources, CYP).
    assert row_of(rows, "801", 2006)["children_and_young_people"] == 1
    assert row_of(rows, "801", 2006)["source"] == (
        "https://www.cypnow.co.uk/content/news/analysis-inspection-results-councils-respond-to-the-challenge; "
        + GUARDIAN_2006_A_TO_G)
    # Gateshead 2008: APA overall_effectiveness 4 (PublicNet, the Standard); BBC News printed 4.
    gateshead = row_of(rows, "390", 2008)
    assert (gateshead["children_and_young_people"], gateshead["apa_result_version"]) == (4, 1)
    assert gateshead["source"].split("; ") == [
        "http://www.publicnet.co.uk/news/2008/12/18/councils-say-message-on-childrens-services-is-loud-and-clear/",
        "http://www.standard.co.uk/newsheadlines/childrens-services-declining-6899380.html", BBC_2008]


@pytest.mark.django_db
def test_where_apa_has_no_result_the_printed_score_is_the_row():
    rows = cpa_feed(year=2007)
    # Barnet 2007 "3,3,3" and Barking & Dagenham 2007 "3,3,2": APA holds no 2007 result for either.
    assert row_of(rows, "302") == {
        "cpa_year": 2007, "dfe_code": "302", "authority": "Barnet", "children_and_young_people": 3,
        "apa_framework": "apa-2007", "apa_result_version": None, "source": GUARDIAN_2007}
    assert row_of(rows, "301")["children_and_young_people"] == 2
    # "Bath & N E Somerset" is placed by cpa_names.toml; "Corporation of London" is the City of London's other name.
    assert row_of(rows, "800")["children_and_young_people"] == 3
    assert row_of(rows, "201")["children_and_young_people"] == 4


@pytest.mark.django_db
def test_one_row_per_authority_and_year():
    # APA's own overall grades: 2005 six (893, 885, 211, 314, 812, 808); 2006 twelve (808, 202, 916, 340, 893,
    # 211, 212, 885, 861, 801, and 886, 210 from the papers); 2007 three (886, 309, 808); 2008 thirteen (371, 309,
    # 826, 936, 390, 207, 816, 202, 201, 314, 318, 211, 212).
    # Printed and placed: 2006 74 rows less 4 not placed = 70; 2007 44 - 2 = 42; 2008 61 - 2 = 59.
    # In both: 2006 801, 202, 886, 340 (4); 2007 none; 2008 202, 201, 371, 390, 309, 207 (6).
    counts = {}
    for row in cpa_feed():
        counts[row["cpa_year"]] = counts.get(row["cpa_year"], 0) + 1
    assert counts == {2005: 6, 2006: 12 + 70 - 4, 2007: 3 + 42, 2008: 13 + 59 - 6}
    assert cpa_years() == [2005, 2006, 2007, 2008]


@pytest.mark.django_db
def test_as_shipped_every_comparable_printed_score_agrees():
    # The ten authority-years in both (listed above) have the same grade on both sides.
    assert cpa_disagreements() == []
    assert [(s.cpa_year, s.council) for s in cpa_not_placed()] == [
        (2006, "Bedfordshire"), (2006, "Buckinghamshire"), (2006, "Cheshire"), (2006, "Isles of Scilly"),
        (2007, "Bedfordshire"), (2007, "Cheshire"), (2008, "Bedfordshire"), (2008, "Cheshire")]
    # Buckinghamshire's 2006 row could not be read, so it has no score; its 2007 row ("4,2,3") is placed.
    assert row_of(cpa_feed(year=2006), "825") is None
    assert row_of(cpa_feed(year=2007), "825")["children_and_young_people"] == 3


@pytest.mark.django_db
def test_a_result_that_differs_from_the_printed_score_is_listed(tmp_path):
    # BBC News printed 3 for Kent in 2008; APA held no Kent 2008 result, so the printed score was the row.
    assert row_of(cpa_feed(year=2008), "886")["apa_result_version"] is None
    import_rows(tmp_path, score_rows(authority="886", framework="apa-2008", year=2008,
                                     grades={"overall_effectiveness": 2}, source="a test page"))
    assert cpa_disagreements(year=2008) == [{
        "cpa_year": 2008, "dfe_code": "886", "authority": "Kent", "apa_grade": 2, "cpa_score": 3,
        "apa_framework": "apa-2008", "apa_result_version": 1, "apa_source": "a test page", "cpa_council": "Kent",
        "cpa_source": BBC_2008}]
    # The feed gives APA's grade, with its own source only.
    assert row_of(cpa_feed(year=2008), "886") == {
        "cpa_year": 2008, "dfe_code": "886", "authority": "Kent", "children_and_young_people": 2,
        "apa_framework": "apa-2008", "apa_result_version": 1, "source": "a test page"}
    assert cpa_disagreements(year=2007) == []


@pytest.mark.django_db
def test_a_corrected_result_is_read_at_its_current_version():
    doncaster = Result.objects.get(authority__dfe_code="371", framework__code="apa-2008", is_current=True)
    correct(doncaster, {"overall_effectiveness": 2}, "The letter said adequate")
    row = row_of(cpa_feed(year=2008), "371")
    assert (row["children_and_young_people"], row["apa_result_version"]) == (2, 2)
    assert [(d["dfe_code"], d["apa_grade"], d["cpa_score"], d["apa_result_version"])
            for d in cpa_disagreements()] == [("371", 2, 1, 2)]


@pytest.mark.django_db
def test_nothing_under_embargo_reaches_the_feed(kent, cycle, users, client, capsys):
    # Kent's 2025 result is moderated (the journey moderates overall effectiveness from 3 to 2) and scheduled a
    # week ahead: stored, but not public.
    journey(kent, State.MODERATED, users=users)
    services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=users["publisher"])
    assert Result.objects.filter(assessment=kent, is_current=True).exists()
    assert cpa_feed(year=2025) == [] and 2025 not in cpa_years()
    for who in (None, "surrey_officer", "kent_officer"):
        client.logout()
        if who:
            client.force_login(users[who])
        assert csv_rows(client.get("/results/cpa/?year=2025&format=csv").content.decode()) == []
        assert "2025" not in client.get("/results/cpa/").content.decode()
    code, out, _ = run(capsys, "results", "cpa", "--year", "2025")
    assert code == 0 and out.strip() == HEADER

    services.cycle_publish(cycle=cycle, actor=users["publisher"])
    assert row_of(cpa_feed(year=2025), "886") == {
        "cpa_year": 2025, "dfe_code": "886", "authority": "Kent", "children_and_young_people": 2,
        "apa_framework": "apa-2008", "apa_result_version": 1,
        "source": "APA Annual performance assessment 2008, 2025: published letter"}


# ---- loading the printed tables ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_loading_the_tables_again_changes_nothing():
    before = list(PublishedCpaScore.objects.order_by("pk").values())
    summary = cpa_tables_load()
    assert str(summary) == "179 rows: 0 added, 0 updated, 0 removed, 179 unchanged; 8 not placed"
    assert list(PublishedCpaScore.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_a_bad_table_is_refused_whole_naming_row_and_column(tmp_path):
    before = list(PublishedCpaScore.objects.order_by("pk").values())
    path = tmp_path / "cpa2007_scores_partial_guardian.csv"
    lines = (DATA / path.name).read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2007,Barnet,*,well,3,3,3,", "2007,Barnet,*,well,3,3,7,")  # row 3
    lines[3] = lines[3].replace("2007,Barnsley,", "2007,Atlantis,")  # row 4
    lines[4] = lines[4].replace(f'"{GUARDIAN_2007}"', "")  # row 5: no source
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ApaError) as refusal:
        cpa_tables_load(paths=[path])
    assert [(p.row, p.column) for p in refusal.value.problems] == [
        (3, "children_and_young_people"), (4, "council"), (5, "source_url")]
    assert "'7' is not a CPA score" in refusal.value.lines[0]
    assert "Atlantis" in refusal.value.lines[1]
    assert list(PublishedCpaScore.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_a_corrected_table_replaces_its_rows(tmp_path):
    path = tmp_path / "cpa2007_scores_partial_guardian.csv"
    lines = (DATA / path.name).read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2007,Barnet,*,well,3,3,3,", "2007,Barnet,*,well,3,3,2,")
    assert lines[-1].startswith("2007,Greenwich,")
    del lines[-1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert str(cpa_tables_load(paths=[path])) == "43 rows: 0 added, 1 updated, 1 removed, 42 unchanged; 2 not placed"
    assert row_of(cpa_feed(year=2007), "302")["children_and_young_people"] == 2
    assert row_of(cpa_feed(year=2007), "203") is None  # Greenwich: APA has no 2007 result for it either
    shutil.copy(DATA / path.name, path)
    assert str(cpa_tables_load(paths=[path])) == "44 rows: 1 added, 1 updated, 0 removed, 42 unchanged; 2 not placed"


# ---- the page and the command line ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_shows_the_table_and_downloads_it(client):
    page = client.get("/results/cpa/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Barnet" in text and "None: every printed CPA score" in text and "Isles of Scilly" in text
    response = client.get("/results/cpa/?year=2007&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0] == HEADER
    rows = csv_rows(body)
    assert len(rows) == 45
    assert {k: v for k, v in rows[[r["dfe_code"] for r in rows].index("302")].items()} == {
        "cpa_year": "2007", "dfe_code": "302", "authority": "Barnet", "children_and_young_people": "3",
        "apa_framework": "apa-2007", "apa_result_version": "", "source": GUARDIAN_2007}


@pytest.mark.django_db
def test_the_page_lists_disagreements_and_downloads_them(client, tmp_path):
    import_rows(tmp_path, score_rows(authority="886", framework="apa-2008", year=2008,
                                     grades={"overall_effectiveness": 2}, source="a test page"))
    text = client.get("/results/cpa/?year=2008").content.decode()
    assert "1 authority." in text and "a test page" in text
    rows = csv_rows(client.get("/results/cpa/?format=csv&table=disagreements").content.decode())
    assert [(r["cpa_year"], r["dfe_code"], r["apa_grade"], r["cpa_score"]) for r in rows] == [("2008", "886", "2", "3")]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?year=abc", "?year=20077", "?year=-1&format=csv", "?year=1999"])
def test_bad_or_empty_years_are_answered_not_failed(client, query):
    response = client.get("/results/cpa/" + query)
    assert response.status_code == 200
    if query == "?year=1999":
        assert "No scores published for this year." in response.content.decode()
    elif "csv" not in query:
        assert "is not a year" in response.content.decode()


@pytest.mark.django_db
def test_the_command_prints_the_feed_and_the_disagreements(capsys, tmp_path):
    code, out, err = run(capsys, "results", "cpa", "--year", "2007")
    assert code == 0 and not err
    rows = csv_rows(out)
    assert len(rows) == 45 and rows[[r["dfe_code"] for r in rows].index("886")]["children_and_young_people"] == "3"
    code, out, _ = run(capsys, "results", "cpa", "--year", "2007", "--format", "json")
    assert row_of(json.loads(out), "302")["apa_result_version"] is None
    import_rows(tmp_path, score_rows(authority="886", framework="apa-2008", year=2008,
                                     grades={"overall_effectiveness": 2}, source="a test page"))
    code, out, _ = run(capsys, "results", "cpa", "--disagreements")
    assert [(r["dfe_code"], r["apa_grade"], r["cpa_score"]) for r in csv_rows(out)] == [("886", "2", "3")]
    code, out, _ = run(capsys, "results", "cpa", "--disagreements", "--format", "json")
    assert [d["cpa_source"] for d in json.loads(out)] == [BBC_2008]


def test_a_bad_year_on_the_command_line_is_one_error_line(capsys):
    with pytest.raises(SystemExit) as done:
        main(["results", "cpa", "--year", "next"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("error: ") and "--year" in err and "Traceback" not in err
