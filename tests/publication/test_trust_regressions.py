"""Regressions of the published record's trust, one per case, done as the people would do them: through the pages
(the test client, signed in as the persona) and the command line (`apa ...`, refusals exit 2 with one `error:`
line). What they guard: a correction keeps an embargo; no grade change is left pending or agreed out of its
state; the letter is public once its time has passed, with no write on reading and no representation any more;
corrections are new versions at their permalinks, agreed by a second moderator; the database itself freezes a
released version and keeps one current version; and nothing outside apa/publication reads the store's embargo
fields."""

import ast
import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import Assessment, ChangeLog, GradeChange, Judgement, Representation, State
from apa.errors import ApaError, PermissionDenied
from apa.publication.models import Result, ResultCorrection, ResultGrade
from apa.publication.services import (
    result_correction_agree,
    result_correction_propose,
    result_correction_withdraw,
)
from tests.factories import refused, run

from .conftest import journey, put_in_state

LETTER = "/letters/886/apa-2008/2025/"
NATIONAL_CSV = "/results/apa-2008/2025/?format=csv"
CLI_CYCLE = ["--framework", "apa-2008", "--year", "2025"]


def grade_on(page: bytes | str, title: str) -> int:
    """The grade a letter page shows in an area's section heading."""
    page = page.decode() if isinstance(page, bytes) else page
    found = re.search(rf'<h2 class="govuk-heading-m">{re.escape(title)}: <span class="apa-grade apa-grade--(\d)">', page)
    assert found, f"no {title} section on the page"
    return int(found.group(1))


def main_of(page: bytes) -> str:
    return re.search(r"<main.*?</main>", page.decode(), re.S).group(0)


def national_rows(client, url=NATIONAL_CSV) -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return {row["dfe_code"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def current(assessment) -> Result:
    return Result.objects.get(assessment=assessment, is_current=True)


def propose_and_agree(client, users, result, grades: dict, note="Health data were mis-keyed"):
    """Two moderators through /corrections/<pk>/: one proposes, the other agrees."""
    client.force_login(users["moderator"])
    response = client.post(f"/corrections/{result.pk}/", {
        "action": "propose", "note": note, **{f"grade-{code}": str(grade) for code, grade in grades.items()}})
    assert response.status_code == 302, response.content.decode()
    proposal = ResultCorrection.objects.get(result=result, agreed_by__isnull=True, withdrawn=False)
    client.force_login(users["moderator_2"])
    response = client.post(f"/corrections/{result.pk}/", {"action": "agree", "correction": proposal.pk})
    assert response.status_code == 302, response.content.decode()
    client.logout()
    return Result.objects.get(previous=result)


@pytest.fixture
def scheduled(kent, cycle, users):
    """Kent moderated (being healthy graded 3), the cycle to publish in a week."""
    journey(kent, State.MODERATED, users=users)
    publish_at = timezone.now() + timedelta(days=7)
    services.cycle_schedule(cycle=cycle, publish_at=publish_at, actor=users["publisher"])
    return publish_at


@pytest.fixture
def published(kent, cycle, users):
    """Kent published by the publisher (being healthy graded 3)."""
    journey(kent, State.PUBLISHED, users=users)
    return current(kent)


# ---- a. a correction under embargo keeps the embargo ----------------------------------------------------------


@pytest.mark.parametrize("embargo", ["scheduled for later", "withheld during a representation"])
def test_a_correction_under_embargo_does_not_publish_it(embargo, kent, cycle, users, scheduled, client):
    if embargo == "withheld during a representation":
        rep = services.representation_make(assessment=kent, actor=users["kent_officer"], kind="factual",
                                           text="The visit dates are wrong")
    first = current(kent)
    second = propose_and_agree(client, users, first, {"being_healthy": 1})
    assert second.version == 2 and second.correction_note == "Health data were mis-keyed"
    for url in (LETTER, LETTER + "letter.pdf", LETTER + "v1/", LETTER + "v2/", LETTER + "v2/letter.pdf"):
        assert client.get(url).status_code == 404, f"{url} is public under embargo ({embargo})"
    assert "886" not in national_rows(client)
    assert "886" not in national_rows(client, NATIONAL_CSV + "&as_of=2099-12-31")
    if embargo == "withheld during a representation":
        services.representation_decide(representation=rep, actor=users["moderator"], decision="not_upheld",
                                       reason="The dates are those of the visit")
        assert client.get(LETTER).status_code == 404
        assert "886" not in national_rows(client)

    with mock.patch("django.utils.timezone.now", return_value=scheduled + timedelta(minutes=1)):
        page = client.get(LETTER)
        assert page.status_code == 200 and grade_on(page.content, "Being healthy") == 1
        assert b"Corrected: Health data were mis-keyed" in page.content
        assert national_rows(client)["886"]["being_healthy"] == "1"
        assert client.get(LETTER + "v1/").status_code == 404, "the version corrected under embargo was never public"
        assert grade_on(client.get(LETTER + "v2/").content, "Being healthy") == 1


# ---- b. no grade change pending or agreed out of its state; public pages change only with a new version ------


def test_a_grade_change_left_pending_in_a_representation_blocks_its_decision(kent, cycle, users, scheduled, client,
                                                                             capsys):
    rep = services.representation_make(assessment=kent, actor=users["kent_officer"], kind="grade",
                                       area=cycle.framework.areas.get(code="staying_safe"),
                                       text="Timeliness improved since April")
    judgement = kent.judgements.get(area__code="staying_safe")
    client.force_login(users["moderator"])
    response = client.post(f"/cycles/{cycle.pk}/moderation/", {"judgement": judgement.pk, "to_grade": 4,
                                                                "reason": "Timeliness data since April"})
    assert response.status_code == 302
    change = GradeChange.objects.get(judgement=judgement, agreed_by__isnull=True)

    client.force_login(users["moderator_2"])
    response = client.post(f"/assessments/{kent.pk}/representation/", {
        "representation": rep.pk, "decision": "not_upheld", "reason": "Not borne out"})
    assert response.status_code == 200
    assert "awaits a second moderator" in response.content.decode() and "Staying safe" in response.content.decode()
    with pytest.raises(ApaError, match=r"awaits a second moderator.*Staying safe"):
        services.representation_decide(representation=rep, actor=users["moderator_2"], decision="upheld",
                                       reason="Borne out", new_grade=4)
    line = refused(capsys, "assessment", "transition", *CLI_CYCLE, "--authority", "886", "--to",
                             "moderated", "--reason", "Not borne out", "--as", "moderator")
    assert "awaits a second moderator" in line and "Staying safe" in line
    kent.refresh_from_db()
    rep.refresh_from_db()
    assert kent.state == State.REPRESENTATION and rep.decision == "" and judgement.grade == 3
    assert Judgement.objects.get(pk=judgement.pk).grade == 3
    assert GradeChange.objects.get(pk=change.pk).agreed_by is None


@pytest.mark.parametrize("state", [State.MODERATED, State.PUBLISHED])
def test_a_grade_change_cannot_be_agreed_outside_moderation_or_representation(state, kent, cycle, users, scheduled,
                                                                              client):
    services.representation_make(assessment=kent, actor=users["kent_officer"], kind="factual", text="Dates")
    judgement = kent.judgements.get(area__code="staying_safe")
    change = services.grade_change_propose(judgement=judgement, to_grade=4, reason="Timeliness",
                                           actor=users["moderator"])
    put_in_state(kent, state)  # should a pending change ever outlive its state
    client.force_login(users["moderator_2"])
    response = client.post(f"/cycles/{cycle.pk}/moderation/", {"action": "agree", "change": change.pk})
    assert response.status_code == 200 and "grades can be changed in moderation" in response.content.decode()
    with pytest.raises(ApaError, match="grades can be changed in moderation"):
        services.grade_change_agree(change=change, actor=users["moderator_2"])
    assert Judgement.objects.get(pk=judgement.pk).grade == 3
    assert GradeChange.objects.get(pk=change.pk).agreed_by is None
    with pytest.raises(ApaError, match="grades can be changed in moderation"):
        services.grade_change_propose(judgement=kent.judgements.get(area__code="being_healthy"), to_grade=1,
                                      reason="Late second thoughts", actor=users["moderator"])


def test_the_public_letter_pdf_and_table_change_only_with_a_new_version(kent, cycle, users, published, client,
                                                                        capsys):
    def public_record():
        client.logout()
        return (main_of(client.get(LETTER).content), client.get(LETTER + "letter.pdf").content,
                main_of(client.get(LETTER + "v1/").content), national_rows(client)["886"])

    before = public_record()
    assert grade_on(before[0], "Being healthy") == 3 and before[1].startswith(b"%PDF")
    # Every route to change a published grade in place is refused...
    with pytest.raises(ApaError, match="grades can be changed in moderation"):
        services.grade_change_propose(judgement=kent.judgements.get(area__code="being_healthy"), to_grade=1,
                                      reason="Second thoughts", actor=users["moderator"])
    refused(capsys, "assessment", "transition", *CLI_CYCLE, "--authority", "886", "--to",
                      "representation", "--as", "kent_officer")
    client.force_login(users["kent_officer"])
    client.post(f"/assessments/{kent.pk}/representation/", {"kind": "factual", "text": "Dates"})
    assert not Representation.objects.filter(assessment=kent).exists()
    # ...and even the cycle's live rows changing behind it does not reach the published letter.
    Judgement.objects.filter(assessment=kent).update(grade=1, rationale="Rewritten after publication")
    assert public_record() == before

    second = propose_and_agree(client, users, current(kent), {"being_healthy": 2})
    after = public_record()
    assert second.version == 2
    assert grade_on(after[0], "Being healthy") == 2 and after[3]["being_healthy"] == "2"
    assert after[1] != before[1], "the current PDF is the corrected version's"
    assert "Rewritten after publication" not in after[0], "a correction changes grades, never the letter's text"
    assert grade_on(after[2], "Being healthy") == 3, "v1 stays as it was published"


# ---- c. the publication time has passed, `publish-due` has not run ------------------------------------------


def test_after_the_publication_time_the_letter_is_public_reading_writes_nothing_and_no_representation(
        kent, cycle, users, scheduled, client, capsys):
    later = scheduled + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        def writes():
            return (ChangeLog.objects.count(), Result.objects.count(), ResultGrade.objects.count(),
                    Representation.objects.count(), list(Result.objects.filter(assessment=kent).values()),
                    list(Assessment.objects.filter(pk=kent.pk).values("state", "updated_at")))

        before = writes()
        client.logout()
        for url in (LETTER, LETTER + "letter.pdf", LETTER + "v1/", "/authorities/886/", "/results/apa-2008/2025/",
                    NATIONAL_CSV, "/compare/?framework=apa-2008&authority=886&year=2025&group=all"):
            assert client.get(url).status_code == 200, url
        assert "886" in national_rows(client)
        for who, urls in (("kent_officer", [f"/assessments/{kent.pk}/", f"/assessments/{kent.pk}/letter/",
                                            f"/assessments/{kent.pk}/letter.pdf", "/councils/886/"]),
                          ("moderator", [f"/cycles/{cycle.pk}/", f"/cycles/{cycle.pk}/moderation/",
                                         f"/assessments/{kent.pk}/", f"/corrections/{current(kent).pk}/"]),
                          ("publisher", [f"/cycles/{cycle.pk}/", f"/assessments/{kent.pk}/"])):
            client.force_login(users[who])
            for url in urls:
                assert client.get(url).status_code == 200, f"{who} {url}"
        code, out, _ = run(capsys, "cycle", "status", *CLI_CYCLE, "--as", "publisher")
        assert code == 0 and "moderated: 1" in out
        assert writes() == before, "a page or command that only reads wrote something"
        kent.refresh_from_db()
        assert kent.state == State.MODERATED

        # The officer can no longer make a representation: by posting either page, nor by command.
        client.force_login(users["kent_officer"])
        page = client.post(f"/assessments/{kent.pk}/representation/", {"kind": "factual", "text": "Dates"})
        assert page.status_code == 404  # the representation page is no longer offered at all
        response = client.post(f"/assessments/{kent.pk}/", {"to": "representation", "reason": "Dates"})
        assert response.status_code == 200 and "its result is published" in response.content.decode()
        capsys.readouterr()  # Django logs the 404 to stderr; the command's own lines follow
        line = refused(capsys, "assessment", "transition", *CLI_CYCLE, "--authority", "886", "--to", "representation",
                       "--as", "kent_officer")
        assert "its result is published" in line
        kent.refresh_from_db()
        assert kent.state == State.MODERATED and not Representation.objects.filter(assessment=kent).exists()
        client.logout()
        assert client.get(LETTER).status_code == 200 and "886" in national_rows(client)


def test_after_the_publication_time_no_page_offers_a_representation(kent, users, scheduled, client):
    with mock.patch("django.utils.timezone.now", return_value=scheduled + timedelta(minutes=1)):
        client.force_login(users["kent_officer"])
        detail = client.get(f"/assessments/{kent.pk}/").content.decode()
        page = client.get(f"/assessments/{kent.pk}/representation/")
        assert "Make a representation" not in detail and page.status_code == 404


# ---- d. a correction of a published letter: new version, old one superseded at its permalink --------------------


def test_a_corrected_letter_shows_the_new_grade_and_v1_is_marked_superseded(kent, users, published, client):
    propose_and_agree(client, users, published, {"being_healthy": 1}, note="Health data were mis-keyed")
    page = client.get(LETTER)
    assert page.status_code == 200 and grade_on(page.content, "Being healthy") == 1
    assert b"Corrected: Health data were mis-keyed" in page.content and b"superseded" not in page.content
    for url in (LETTER + "letter.pdf", LETTER + "v1/letter.pdf", LETTER + "v2/letter.pdf"):
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(LETTER + "letter.pdf").content == client.get(LETTER + "v2/letter.pdf").content
    assert client.get(LETTER + "letter.pdf").content != client.get(LETTER + "v1/letter.pdf").content
    old = client.get(LETTER + "v1/").content.decode()
    assert grade_on(old, "Being healthy") == 3
    assert "superseded by" in old and f'href="{LETTER}v2/"' in old
    new = client.get(LETTER + "v2/").content.decode()
    assert grade_on(new, "Being healthy") == 1 and "superseded" not in new
    assert client.get(LETTER + "v3/").status_code == 404


# ---- e. a correction needs a second moderator ------------------------------------------------------------------


def test_a_correction_needs_a_second_moderator(kent, users, published, client):
    url = f"/corrections/{published.pk}/"
    client.logout()
    letter_before = main_of(client.get(LETTER).content)
    assert client.get(url).status_code == 302  # to sign in
    for who in ("kent_officer", "surrey_officer", "inspector", "publisher"):
        client.force_login(users[who])
        assert client.get(url).status_code == 403, who
        assert client.post(url, {"action": "propose", "note": "x", "grade-being_healthy": "1"}).status_code == 403, who
    with pytest.raises(PermissionDenied):
        result_correction_propose(result=published, grades={"being_healthy": 1}, note="x", actor=users["inspector"])
    assert not ResultCorrection.objects.exists()

    client.force_login(users["moderator"])
    assert client.post(url, {"action": "propose", "note": "Health data were mis-keyed",
                             "grade-being_healthy": "1"}).status_code == 302
    proposal = ResultCorrection.objects.get()
    page = client.get(url).content.decode()
    assert "Health data were mis-keyed" in page and 'value="agree"' not in page, "the proposer is offered no agree"
    response = client.post(url, {"action": "agree", "correction": proposal.pk})
    assert response.status_code == 200 and "a different moderator must agree" in response.content.decode()
    with pytest.raises(PermissionDenied, match="different moderator"):
        result_correction_agree(correction=proposal, actor=users["moderator"])
    for who in ("publisher", "kent_officer"):
        client.force_login(users[who])
        assert client.post(url, {"action": "agree", "correction": proposal.pk}).status_code == 403, who
    client.force_login(users["admin"])  # an admin keeps accounts, cycles and reference data; it does not moderate
    assert client.post(url, {"action": "agree", "correction": proposal.pk}).status_code == 403
    with pytest.raises(PermissionDenied, match="may agree a correction"):
        result_correction_agree(correction=proposal, actor=users["admin"])

    client.logout()
    assert Result.objects.filter(assessment=kent).count() == 1 and current(kent).pk == published.pk
    assert ResultCorrection.objects.get().agreed_by is None
    assert main_of(client.get(LETTER).content) == letter_before and national_rows(client)["886"]["being_healthy"] == "3"

    client.force_login(users["moderator_2"])
    assert client.post(url, {"action": "agree", "correction": proposal.pk}).status_code == 302
    client.logout()
    assert current(kent).version == 2 and grade_on(client.get(LETTER).content, "Being healthy") == 1
    assert ResultCorrection.objects.get().agreed_by == users["moderator_2"]


def test_an_admin_cannot_propose_or_withdraw_a_correction(kent, users, published, client):
    """Regression (issue 10): the page let admins through every role check. An admin does not correct results."""
    url = f"/corrections/{published.pk}/"
    client.force_login(users["admin"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "propose", "note": "x", "grade-being_healthy": "1"}).status_code == 403
    with pytest.raises(PermissionDenied, match="may propose a correction"):
        result_correction_propose(result=published, grades={"being_healthy": 1}, note="x", actor=users["admin"])
    assert not ResultCorrection.objects.exists()
    proposal = result_correction_propose(result=published, grades={"being_healthy": 1}, note="Mis-keyed",
                                         actor=users["moderator"])
    assert client.post(url, {"action": "withdraw", "correction": proposal.pk}).status_code == 403
    with pytest.raises(PermissionDenied, match="may withdraw a proposed correction"):
        result_correction_withdraw(correction=proposal, actor=users["admin"])
    proposal.refresh_from_db()
    assert not proposal.withdrawn
    assert "Correct this result" not in client.get("/authorities/886/").content.decode()
    client.force_login(users["moderator_2"])
    assert "Correct this result" in client.get("/authorities/886/").content.decode()


# ---- f. g. the database keeps a released version as it was, and one current version ---------------------------


def _refused(query_update):
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        query_update()


@pytest.mark.parametrize("released", ["published", "scheduled for later"])
def test_the_database_refuses_to_change_a_released_version(released, kent, cycle, users, client):
    if released == "published":
        journey(kent, State.PUBLISHED, users=users)
    else:
        journey(kent, State.MODERATED, users=users)
        services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=users["publisher"])
    result = current(kent)
    assert not result.withheld
    letter = result.letter
    _refused(lambda: Result.objects.filter(pk=result.pk).update(letter={"sections": []}))
    _refused(lambda: ResultGrade.objects.filter(result=result).update(grade=1))
    _refused(lambda: Result.objects.filter(pk=result.pk).update(key="2026"))
    _refused(lambda: ResultGrade.objects.create(result=result, area=cycle.framework.areas.get(code="social_care_contribution"),
                                                grade=1))
    result.refresh_from_db()
    assert result.letter == letter and set(result.grades.values_list("grade", flat=True)) <= {2, 3}
    assert not result.grades.filter(area__code="social_care_contribution").exists()


def test_the_database_refuses_to_withhold_or_reschedule_a_public_version(kent, cycle, users):
    # Published an hour ago, so that the database's own clock (PostgreSQL's is the transaction's start) agrees.
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(hours=1)):
        journey(kent, State.PUBLISHED, users=users)
    result = current(kent)
    _refused(lambda: Result.objects.filter(pk=result.pk).update(withheld=True))
    _refused(lambda: Result.objects.filter(pk=result.pk).update(visible_from=timezone.now() + timedelta(days=7)))
    result.refresh_from_db()
    assert not result.withheld and result.visible_from < timezone.now()


def test_a_withheld_version_can_still_be_edited(kent, cycle, users, scheduled):
    services.representation_make(assessment=kent, actor=users["kent_officer"], kind="factual", text="Dates")
    result = current(kent)
    assert result.withheld
    with transaction.atomic():
        Result.objects.filter(pk=result.pk).update(letter={**result.letter, "year": 2025})
        assert ResultGrade.objects.filter(result=result, area__code="being_healthy").update(grade=1) == 1
    assert ResultGrade.objects.get(result=result, area__code="being_healthy").grade == 1


def test_one_current_version_per_authority_framework_and_key(kent, users, published):
    _refused(lambda: Result.objects.create(
        authority=published.authority, framework=published.framework, year=2025, key="2025", version=2,
        is_current=True, counts_from=date(2025, 12, 31), withheld=True))
    imported = Result.objects.get(authority__dfe_code="886", framework__code="apa-2007", key="2007", is_current=True)
    _refused(lambda: Result.objects.create(
        authority=imported.authority, framework=imported.framework, year=2007, key="2007", version=imported.version + 1,
        is_current=True, counts_from=date(2007, 12, 31)))
    second = result_correction_agree(correction=result_correction_propose(
        result=published, grades={"being_healthy": 1}, note="Mis-keyed", actor=users["moderator"]),
        actor=users["moderator_2"])
    _refused(lambda: Result.objects.filter(pk=published.pk).update(is_current=True))
    assert list(Result.objects.filter(assessment=kent, is_current=True)) == [second]


# ---- h. no module outside apa/publication reads the store or its embargo fields -----------------------------------

APA = Path(__file__).resolve().parents[2] / "apa"
EMBARGO_FIELDS = ("visible_from", "withheld", "superseded_at")
LOOKUP = re.compile(r"(?:\w+__)*(?:" + "|".join(EMBARGO_FIELDS) + r")(?:__\w+)*")


def _offences(path: Path, root: Path = APA) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = {"Result"} | {a.asname for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                            for a in node.names if a.name == "Result" and a.asname}
    where = path.relative_to(root.parent)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and (
                isinstance(node.value, ast.Name) and node.value.id in aliases
                or isinstance(node.value, ast.Attribute) and node.value.attr == "Result"):
            name = node.value.id if isinstance(node.value, ast.Name) else "Result"
            found.append(f"{where}:{node.lineno}: {name}.objects")
        elif isinstance(node, ast.Attribute) and node.attr in EMBARGO_FIELDS:
            found.append(f"{where}:{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg and LOOKUP.fullmatch(node.arg):
            found.append(f"{where}:{node.lineno}: {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and LOOKUP.fullmatch(node.value):
            found.append(f"{where}:{node.lineno}: {node.value!r}")
    return found


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "apa" / "sample.py"
    sample.parent.mkdir()
    sample.write_text("from apa.publication.models import Result as R\nR.objects.all()\nx.withheld\n"
                      "q.filter(visible_from__lte=now, result__superseded_at__isnull=True)\n"
                      "q.order_by('visible_from')\n'''visible_from in a docstring is no lookup'''\n")
    assert sorted(o.split(": ", 1)[1] for o in _offences(sample, root=sample.parent)) == sorted([
        "R.objects", ".withheld", "visible_from__lte=", "result__superseded_at__isnull=", "'visible_from'"])


def test_nothing_outside_publication_names_the_store_or_its_embargo_fields():
    files = [p for p in sorted(APA.rglob("*.py"))
             if "migrations" not in p.parts and (APA / "publication") not in p.parents]
    assert len(files) > 50
    offences = [o for p in files for o in _offences(p)]
    assert not offences, "outside apa/publication:\n" + "\n".join(offences)
