"""Letters as files (issue 11 §1): `apa letters build` writes the PDF of every public letter and an index CSV,
read back here with poppler's pdftotext; the page and the PDF come from one template; an imported result gets a
grades-only letter; refusals are one line.

The cycle is built once for the module through the services (apa-2008 2025: Kent and Surrey published, Camden
held back by a representation), each finding linked to a test indicator whose benchmark is worked out by hand
below, and rolled back at the end."""

import csv
import hashlib
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from apa.assessments.workflow import assessment_transition
from tests.assessments.conftest import judge
from tests.factories import refused, run

from .conftest import officer_of

# poppler's pdftotext reads the PDFs; `make setup` installs it, so it is never missing where the tests run.
assert shutil.which("pdftotext"), "needs poppler's pdftotext: run make setup"

AREAS = {  # apa-2008's required areas, as titled in apa/frameworks/data/apa-2008.toml
    "overall_effectiveness": "Overall effectiveness of children's services",
    "being_healthy": "Being healthy",
    "staying_safe": "Staying safe",
    "enjoying_and_achieving": "Enjoying and achieving",
    "positive_contribution": "Making a positive contribution",
    "economic_wellbeing": "Achieving economic well-being",
    "capacity_to_improve": "Capacity to improve, including the management of children's services",
}
LABELS = {4: "Outstanding", 3: "Good", 2: "Adequate", 1: "Inadequate"}
GRADES = {
    "886": {"overall_effectiveness": 3, "being_healthy": 4, "staying_safe": 2, "enjoying_and_achieving": 3,
            "positive_contribution": 3, "economic_wellbeing": 2, "capacity_to_improve": 4},
    "936": {"overall_effectiveness": 3, "being_healthy": 1, "staying_safe": 3, "enjoying_and_achieving": 3,
            "positive_contribution": 4, "economic_wellbeing": 3, "capacity_to_improve": 3},
    "202": dict.fromkeys(AREAS, 2),
}
NAMES = {"886": "Kent", "936": "Surrey", "202": "Camden"}

# One indicator, higher is better, eight authorities in 2024. Sorted: 10 20 30 40 50 90 95 99. Kent's 90 has two
# higher values, so ranks 3 of 8; the cut points (R type 7) are 27.5, 45 and 91.25, so 90 is in the second
# quarter from the top: band B. Surrey's 50 ranks 4 of 8, band B.
INDICATOR = "LETTERS_TEST"
VALUES = {"886": 90, "936": 50, "202": 95, "201": 99, "330": 10, "331": 20, "332": 30, "333": 40}
BENCHMARK = {"886": "90 · band B · rank 3 of 8", "936": "50 · band B · rank 4 of 8"}

APA_2008 = ["--framework", "apa-2008", "--year", "2025"]


def findings(dfe: str, area: str) -> dict[str, list[str]]:
    name, short = NAMES[dfe], area.replace("_", " ")
    return {"strengths": [f"{name} {short} strength {i}: children are seen promptly" for i in (1, 2)],
            "areas_for_development": [f"{name} {short} development: plans are reviewed late"],
            "areas_for_focus": [f"{name} {short} focus: timeliness of reviews"]}


def texts_of(dfe: str) -> list[str]:
    return [text for area in AREAS for kind in findings(dfe, area).values() for text in kind]


def _to_moderated(assessment, users):
    officer = officer_of(assessment.authority)
    services.cycle_assign(cycle=assessment.cycle, authority=assessment.authority, inspector=users["inspector"],
                          actor=users["admin"])
    assessment_transition(assessment=assessment, to=State.SELF_ASSESSMENT, actor=officer)
    assessment_transition(assessment=assessment, to=State.SUBMITTED, actor=officer)
    assessment_transition(assessment=assessment, to=State.UNDER_REVIEW, actor=users["inspector"])
    dfe = assessment.authority.dfe_code
    for area, grade in GRADES[dfe].items():
        judge(assessment, users["inspector"], area, grade=grade, rationale=f"{NAMES[dfe]} {area} rationale",
              indicator_codes=[INDICATOR], **findings(dfe, area))
    for state in (State.DRAFT_JUDGEMENTS, State.FACTUAL_ACCURACY, State.MODERATION):
        assessment_transition(assessment=assessment, to=state, actor=users["inspector"])
    assessment_transition(assessment=assessment, to=State.MODERATED, actor=users["moderator"])
    return officer


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker, tmp_path_factory):
    """Kent and Surrey published, Camden held back by a representation; rolled back after the module."""
    from apa.accounts.models import User
    from apa.indicators.plain_reader import plain_read
    from apa.indicators.services import indicator_values_import

    here = tmp_path_factory.mktemp("letters-cycle")
    mapping = here / "letters.toml"
    mapping.write_text(f'[[indicators]]\ncode = "{INDICATOR}"\ntitle = "Letters test measure"\npolarity = "high"\n'
                       'outcomes = ["being_healthy"]\n', encoding="utf-8")
    values = here / "values.csv"
    values.write_text("indicator,authority,period,value\n" + "".join(
        f"{INDICATOR},{dfe},2024,{value}\n" for dfe, value in VALUES.items()), encoding="utf-8")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=here / "media"):
        indicator_values_import(reading=plain_read(path=values, mapping=mapping))
        users = {u.username: u for u in User.objects.filter(
            username__in=["inspector", "moderator", "publisher", "admin"])}
        cycle = services.cycle_open(framework_code="apa-2008", year=2025, actor=users["admin"],
                                    periods={INDICATOR: "2024"})
        for dfe in ("886", "936"):
            _to_moderated(cycle.assessments.get(authority__dfe_code=dfe), users)
            assessment_transition(assessment=cycle.assessments.get(authority__dfe_code=dfe), to=State.PUBLISHED,
                                  actor=users["publisher"])
        camden = cycle.assessments.get(authority__dfe_code="202")
        officer = _to_moderated(camden, users)
        services.representation_make(assessment=camden, actor=officer, kind="grade", text="Not yet, please",
                                     area=cycle.framework.areas.get(code="staying_safe"))
        yield cycle
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def built(published, django_db_blocker, tmp_path_factory):
    """`apa letters build` of the cycle, in one process (the test's transaction is not visible to workers)."""
    out = tmp_path_factory.mktemp("letters-out")
    with django_db_blocker.unblock():
        from apa.cli import main

        assert main(["letters", "build", *APA_2008, "--out", str(out), "--workers", "1"]) == 0
    return out


def pdf_text(path, *options) -> str:
    """The PDF's text, whitespace collapsed (-layout keeps a table's row on one line)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def test_the_index_lists_exactly_the_public_letters(db, built):
    with (built / "index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    today = timezone.localdate().isoformat()
    assert [{k: v for k, v in r.items() if k != "sha256"} for r in rows] == [
        {"dfe_code": "886", "authority": "Kent", "framework": "apa-2008", "key": "2025", "version": "1",
         "published": today, "file": "apa-letter-886-apa-2008-2025-v1.pdf"},
        {"dfe_code": "936", "authority": "Surrey", "framework": "apa-2008", "key": "2025", "version": "1",
         "published": today, "file": "apa-letter-936-apa-2008-2025-v1.pdf"},
    ]
    # Camden's letter is held back by its representation: no file, no row.
    assert sorted(p.name for p in built.iterdir()) == ["apa-letter-886-apa-2008-2025-v1.pdf",
                                                      "apa-letter-936-apa-2008-2025-v1.pdf", "index.csv"]
    for row in rows:
        assert row["sha256"] == hashlib.sha256((built / row["file"]).read_bytes()).hexdigest()


@pytest.mark.parametrize("dfe", ["886", "936"])
def test_a_built_letter_shows_every_grade_finding_and_benchmark(db, built, dfe):
    text = pdf_text(built / f"apa-letter-{dfe}-apa-2008-2025-v1.pdf")
    assert f"Annual performance assessment of services for children and young people in {NAMES[dfe]} 2025" in text
    for area, grade in GRADES[dfe].items():
        assert f"{AREAS[area]}: {grade} {LABELS[grade]}" in text, area  # the area's heading
        assert f"{AREAS[area]} {grade} {LABELS[grade]}" in text, area  # the grades table
    for finding in texts_of(dfe):
        assert finding in text, finding
    row = f"1 Letters test measure · {INDICATOR} {BENCHMARK[dfe]} 2024 · as published"
    assert row in pdf_text(built / f"apa-letter-{dfe}-apa-2008-2025-v1.pdf", "-layout")
    assert "Areas for focus for the Joint Area Review or the next annual performance assessment" in text
    # Two strengths and one area for development in each of the seven areas.
    assert "14 strengths and 7 areas for development: about 2.0 strengths for every area for development" in text
    pages = re.findall(r"Page (\d+) of (\d+)", text)
    assert pages and pages[0] == ("1", pages[0][1]) and len(pages) == int(pages[0][1])
    assert f"{NAMES[dfe]} · Annual performance assessment 2008 · 2025" in text  # the running header


def test_the_built_file_is_the_pdf_at_the_permalink_and_the_page_is_the_same_letter(db, built, client):
    served = client.get("/letters/886/apa-2008/2025/v1/letter.pdf")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served.content == (built / "apa-letter-886-apa-2008-2025-v1.pdf").read_bytes()
    assert 'filename="apa-letter-886-apa-2008-2025-v1.pdf"' in served["Content-Disposition"]
    page = client.get("/letters/886/apa-2008/2025/").content.decode()
    assert "Annual performance assessment of services for children and young people in Kent 2025" in page
    for finding in texts_of("886"):
        assert finding in page.replace("&#x27;", "'")
    assert client.get("/letters/202/apa-2008/2025/").status_code == 404
    assert client.get("/letters/202/apa-2008/2025/v1/letter.pdf").status_code == 404


def test_an_imported_result_gets_a_grades_only_letter_that_says_so(db, tmp_path, capsys, client):
    # Kent's 2007 grades, imported from its cabinet report of 17 December 2007 (seed_papers_results.csv).
    code, out, err = run(capsys, "letters", "build", "--framework", "apa-2007", "--year", "2007", "--authority", "886",
                         "--out", str(tmp_path), "--workers", "1")
    assert code == 0, err
    assert "1 letter written" in out
    text = pdf_text(tmp_path / "apa-letter-886-apa-2007-2007-v1.pdf")
    assert "Annual performance assessment of services for children and young people in Kent 2007" in text
    assert "This letter gives the published grades only" in text
    for title, grade in [("Overall effectiveness of children's services", 3), ("Being healthy", 3),
                         ("Staying safe", 3), ("Enjoying and achieving", 3), ("Making a positive contribution", 3),
                         ("Achieving economic well-being", 3)]:
        assert f"{title} {grade} {LABELS[grade]}" in text, title
    assert "Capacity to improve" in text and "4 Outstanding" in text
    assert "Strengths" not in text and "Evidence" not in text
    page = client.get("/letters/886/apa-2007/2007/")
    assert page.status_code == 200 and b"This letter gives the published grades only" in page.content


def test_refusals_are_one_line(db, capsys, tmp_path):
    assert "no-such" in refused(capsys, "letters", "build", "--framework", "no-such", "--year", "2025",
                                "--out", str(tmp_path))
    assert "--year" in refused(capsys, "letters", "build", "--framework", "apa-2008", "--out", str(tmp_path))
    (tmp_path / "a-file").write_text("")
    assert "is a file" in refused(capsys, "letters", "build", *APA_2008, "--out", str(tmp_path / "a-file"))
    assert "--workers" in refused(capsys, "letters", "build", *APA_2008, "--out", str(tmp_path), "--workers", "0")


def test_a_letter_is_written_only_while_public(db, published, tmp_path):
    from apa.errors import NotFound
    from apa.publication.letters import letter_file_write
    from apa.publication.selectors import result_of_assessment

    camden = result_of_assessment(assessment_id=published.assessments.get(authority__dfe_code="202").pk)
    with pytest.raises(NotFound):
        letter_file_write(result_id=camden.pk, directory=tmp_path)
    kent = result_of_assessment(assessment_id=published.assessments.get(authority__dfe_code="886").pk)
    with pytest.raises(NotFound):  # before it was published
        letter_file_write(result_id=kent.pk, directory=tmp_path, at=timezone.now() - timedelta(days=400))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("framework, year, inspected, title, subtitle", [
    ("apa-2007", 2007, None,
     "Annual performance assessment of services for children and young people in Kent 2007", ""),
    ("apa-2005", 2005, None, "Annual performance assessment of council children's services in Kent 2005", ""),
    ("rating-2009", 2011, None, "Children's services assessment 2011", "Kent"),
    ("ilacs-2018", None, "2022-07-05", "Inspection of Kent local authority children's services",
     "Inspection date: 5 July 2022"),
])
def test_each_framework_s_letters_are_titled_as_its_letters_were(framework, year, inspected, title, subtitle):
    from apa.publication.letters import letter_heading

    heading = letter_heading({"authority": {"dfe_code": "886", "name": "Kent"}, "year": year,
                              "framework": {"code": framework, "title": "A framework"}, "inspection_date": inspected})
    assert (heading["title"], heading["subtitle"]) == (title, subtitle)
