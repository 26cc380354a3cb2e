"""Issue 10 on the inspectorate's side, as a person would try it: the cycle dashboard on the command line, what an
admin may not do, and another authority's assessment answering exactly as a missing one."""

import re

import pytest

from apa.assessments import services
from apa.assessments.models import ChangeLog, Document, State
from apa.cli import main
from apa.errors import PermissionDenied
from tests.factories import refused, run

from .conftest import grade_all, judge, put_in_state

CYCLE = ["--framework", "apa-2008", "--year", "2025"]


def test_cycle_status_on_the_command_line_is_the_dashboards_permission(kent, capsys):
    for who in ("kent_officer", "surrey_officer"):
        line = refused(capsys, "cycle", "status", *CYCLE, "--as", who)
        assert "only the inspectorate and admins may see a cycle's dashboard" in line
        assert "Kent" not in line and "Surrey" not in line and "overdue" not in line.split(" may ")[0]
    with pytest.raises(SystemExit) as done:  # no person at all: argparse's usage error
        main(["cycle", "status", *CYCLE])
    assert done.value.code == 2 and "--as" in capsys.readouterr().err
    for who in ("inspector", "moderator", "publisher", "admin"):
        code, out, _ = run(capsys, "cycle", "status", *CYCLE, "--as", who)
        assert code == 0 and out.startswith("not_started: ") and "overdue: Kent" in out, who


def test_the_dashboard_page_agrees_with_the_command(kent, users, client):
    for who, status in (("kent_officer", 403), ("inspector", 200), ("admin", 200)):
        client.force_login(users[who])
        assert client.get(f"/cycles/{kent.cycle_id}/").status_code == status, who


@pytest.mark.parametrize("action", ["judge", "propose", "publish", "read_drafts", "self_assess"])
def test_an_admin_does_not_act_for_the_inspectorate_or_the_authority(kent, users, client, action):
    admin = users["admin"]
    history = ChangeLog.objects.filter(assessment=kent).count()
    if action == "judge":
        put_in_state(kent, State.UNDER_REVIEW)
        with pytest.raises(PermissionDenied, match="lead inspector"):
            judge(kent, admin, "being_healthy", grade=3)
    elif action == "propose":
        grade_all(kent)
        put_in_state(kent, State.MODERATION)
        history = ChangeLog.objects.filter(assessment=kent).count()
        judgement = kent.judgements.first()
        with pytest.raises(PermissionDenied, match="moderators"):
            services.grade_change_propose(judgement=judgement, to_grade=2, reason="Seen nationally", actor=admin)
    elif action == "publish":
        grade_all(kent)
        put_in_state(kent, State.MODERATED)
        history = ChangeLog.objects.filter(assessment=kent).count()
        with pytest.raises(PermissionDenied, match="publishers"):
            services.cycle_publish(cycle=kent.cycle, actor=admin)
    elif action == "read_drafts":
        client.force_login(admin)
        for url in (f"/assessments/{kent.pk}/", f"/assessments/{kent.pk}/letter/", f"/assessments/{kent.pk}/review/"):
            assert client.get(url).status_code == 403, url
    else:
        area = kent.cycle.framework.areas.get(code="being_healthy")
        with pytest.raises(PermissionDenied, match="officer of Kent"):
            services.self_assessment_save(assessment=kent, area=area, actor=admin, narrative="Written by the admin")
    kent.refresh_from_db()
    assert ChangeLog.objects.filter(assessment=kent).count() == history, "a refusal writes nothing"


def _body(response, pk) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return text.replace(f"/{pk}/", "/<pk>/")


def test_another_authoritys_assessment_and_document_answer_as_missing_ones(kent, users, client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    put_in_state(kent, State.SELF_ASSESSMENT)
    document = services.document_add(assessment=kent, actor=users["kent_officer"], title="Children's plan",
                                      uploaded=SimpleUploadedFile("plan.txt", b"Kent's plan"))
    missing = max(kent.pk, document.pk) + 1000
    client.force_login(users["surrey_officer"])
    for url in ("/assessments/{}/", "/assessments/{}/self-assessment/", "/assessments/{}/letter/",
                "/assessments/{}/representation/", "/documents/{}/"):
        pk = document.pk if url.startswith("/documents") else kent.pk
        theirs, absent = client.get(url.format(pk)), client.get(url.format(missing))
        assert theirs.status_code == absent.status_code == 404, url
        assert _body(theirs, pk) == _body(absent, missing), url
    client.force_login(users["kent_officer"])
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert Document.objects.filter(pk=document.pk).exists()
