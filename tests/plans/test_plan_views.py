"""The improvement plan pages through Django's test client: who may open them (Kent's officers; another
authority's officer finds nothing, democratic services, the inspectorate and admins are refused, the public is
sent to sign in), the forms, the PDF and CSV, the committee report, and the next self-assessment."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from apa.assessments.models import Assessment, Cycle, State
from apa.councils.models import CouncilLog, Report
from apa.plans.models import Clinic, PlanAction, PlanLine, ProgressNote

from .fixtures import *  # noqa: F403 (the fixtures)
from .fixtures import DEVELOPMENT

SIGN_IN = "/account/sign-in/"


def plan_urls(kent_plan) -> list[str]:
    return [
        reverse("plan_home", args=["886"]), reverse("plan_clinic", args=["886"]),
        reverse("plan_progress", args=["886"]), reverse("plan_progress_pdf", args=["886"]),
        reverse("plan_progress_csv", args=["886"]), reverse("plan_history", args=["886"]),
        reverse("plan_line", args=[kent_plan["lines"][0].pk]), reverse("plan_action", args=[kent_plan["overdue"].pk]),
    ]


def test_the_public_is_sent_to_sign_in(client, kent_plan):
    for url in plan_urls(kent_plan) + [reverse("alerts")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SIGN_IN), url


def test_another_authoritys_officer_finds_nothing(client, kent_plan, plan_users):
    client.force_login(plan_users["surrey_officer"])
    for url in plan_urls(kent_plan):
        response = client.get(url)
        assert response.status_code == 404, url
        assert DEVELOPMENT[0].encode() not in response.content
    response = client.post(reverse("plan_action", args=[kent_plan["overdue"].pk]),
                           {"action": "note", "note-text": "Sneaky"})
    assert response.status_code == 404
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize("who", ["kent_clerk", "inspector", "admin"])
def test_democratic_services_inspectors_and_admins_cannot_see_the_plan(client, kent_plan, plan_users, who):
    client.force_login(plan_users[who])
    for url in plan_urls(kent_plan):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert DEVELOPMENT[0].encode() not in response.content


@pytest.mark.parametrize("who", ["kent_officer", "kent_officer_2"])
def test_kents_officers_see_the_plan(client, kent_plan, plan_users, who):
    client.force_login(plan_users[who])
    for url in plan_urls(kent_plan):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("plan_home", args=["886"])).content.decode()
    assert DEVELOPMENT[0] in page and "Run the sexual health campaign" in page
    assert "1 action overdue" in page and "apa-overdue" in page


def test_officer_builds_the_plan_through_the_pages(client, kent_cycle_result, plan_users):
    client.force_login(plan_users["kent_officer"])
    home = reverse("plan_home", args=["886"])
    page = client.get(home).content.decode()
    assert "3 areas for development or focus not yet in the plan" in page
    for _ in range(2):  # pressing the button twice adds the lines once
        assert client.post(home, {"action": "from_result", "result": kent_cycle_result.pk}).status_code == 302
    assert PlanLine.objects.filter(authority__dfe_code="886").count() == 3

    response = client.post(home, {"action": "line", "line-text": "Recruit more foster carers", "line-area": "Staying safe",
                                  "line-kind": "other", "line-result": "", "line-reason": "Cabinet asked for it"})
    line = PlanLine.objects.get(text="Recruit more foster carers")
    assert response["Location"] == reverse("plan_line", args=[line.pk])

    response = client.post(reverse("plan_line", args=[line.pk]), {
        "action-version": line.version, "action-description": "Launch a recruitment campaign",
        "action-owner": str(plan_users["kent_officer_2"].pk),
        "action-owner_name": "", "action-due_date": "2026-03-31", "action-status": "green"})
    assert response.status_code == 302
    action = PlanAction.objects.get(line=line)
    assert (action.owner, action.due_date, action.status) == (plan_users["kent_officer_2"], date(2026, 3, 31), "green")

    # Another authority's officer is not offered, and a typed-in choice is refused by the form.
    page = client.get(reverse("plan_line", args=[line.pk])).content.decode()
    assert "surrey_officer" not in page
    line.refresh_from_db()
    response = client.post(reverse("plan_line", args=[line.pk]), {
        "action-version": line.version, "action-description": "x", "action-owner": str(plan_users["surrey_officer"].pk),
        "action-owner_name": "",
        "action-due_date": "2026-03-31", "action-status": "green"})
    assert response.status_code == 200 and PlanAction.objects.filter(line=line).count() == 1

    url = reverse("plan_action", args=[action.pk])
    update = {"action": "update", "action-version": action.version, "action-description": action.description,
              "action-owner": "",
              "action-owner_name": "Sam Carer, Fostering Manager", "action-due_date": "2026-06-30",
              "action-status": "amber", "action-reason": ""}
    response = client.post(url, update)
    assert response.status_code == 200 and "say why the due date moves" in response.content.decode()
    response = client.post(url, {**update, "action-reason": "Campaign agency changed"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.owner_name, action.due_date, action.status) == (
        None, "Sam Carer, Fostering Manager", date(2026, 6, 30), "amber")
    assert client.post(url, {"action": "note", "note-text": "Leaflets printed", "note-date": ""}).status_code == 302
    page = client.get(url).content.decode()
    assert "Leaflets printed" in page and "Campaign agency changed" in page
    fields = set(CouncilLog.objects.filter(entity="action", entity_id=action.pk, private=True).values_list("field", flat=True))
    assert {"owner", "due_date", "status", "progress"} <= fields
    history = client.get(reverse("plan_history", args=["886"])).content.decode()
    assert "Cabinet asked for it" in history and "kent_officer" in history


def test_clinic_page_shows_changes_and_records_a_clinic(client, kent_plan, plan_users):
    client.force_login(plan_users["kent_officer"])
    url = reverse("plan_clinic", args=["886"])
    page = client.get(url).content.decode()
    assert "since the plan began" in page and "New actions" in page
    today = kent_plan["today"]
    response = client.post(url, {"clinic-held_on": today.isoformat(), "clinic-notes": "Reviewed all red actions"})
    assert response.status_code == 302
    clinic = Clinic.objects.get()
    page = client.get(url).content.decode()
    assert "Nothing has changed" in page and "Reviewed all red actions" in page
    client.post(reverse("plan_action", args=[kent_plan["overdue"].pk]), {
        "action": "update", "action-version": kent_plan["overdue"].version,
        "action-description": "Run the sexual health campaign",
        "action-owner": str(plan_users["kent_officer_2"].pk), "action-owner_name": "",
        "action-due_date": kent_plan["overdue"].due_date.isoformat(), "action-status": "complete", "action-reason": ""})
    page = client.get(url).content.decode()
    assert "Completed actions" in page and "Run the sexual health campaign" in page
    assert client.get(url, {"since": clinic.pk}).status_code == 200
    assert client.get(url, {"since": "999999"}).status_code == 404
    future = client.post(url, {"clinic-held_on": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 200 and Clinic.objects.count() == 1


def test_progress_report_exports_pdf_and_csv(client, kent_plan, plan_users):
    client.force_login(plan_users["kent_officer"])
    pdf = client.get(reverse("plan_progress_pdf", args=["886"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    response = client.get(reverse("plan_progress_csv", args=["886"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["line", "kind", "area"]
    assert len(rows) == 1 + 3
    page = client.get(reverse("plan_progress", args=["886"])).content.decode()
    assert "Improvement plan: progress report" in page and "Run the sexual health campaign" in page


def test_progress_report_is_drafted_for_a_committee(client, kent_plan, plan_users):
    client.force_login(plan_users["kent_officer"])
    response = client.post(reverse("plan_progress", args=["886"]), {"report-meeting": ""})
    assert response.status_code == 302
    report = Report.objects.get(layout="progress")
    assert report.status == "draft"
    assert response["Location"] in (reverse("report_detail", args=[report.pk]), reverse("plan_progress", args=["886"]))


def test_self_assessment_opens_with_last_times_plan_for_officers_only(client, kent_plan, plan_users):
    cycle = Cycle.objects.create(framework=kent_plan["lines"][0].result.framework, year=2026,
                                 self_assessment_due=date(2026, 5, 29), data_lock=date(2026, 6, 30),
                                 visits_from=date(2026, 7, 1), visits_to=date(2026, 7, 31), moderation_by=date(2026, 10, 31))
    assessment = Assessment.objects.create(cycle=cycle, authority=kent_plan["officer"].authority,
                                           state=State.SELF_ASSESSMENT, lead_inspector=plan_users["inspector"])
    url = reverse("self_assessment", args=[assessment.pk])
    client.force_login(plan_users["kent_officer"])
    page = client.get(url).content.decode()
    assert "Last time's areas for development and what was done" in page
    assert DEVELOPMENT[0] in page and "Run the sexual health campaign" in page
    client.force_login(plan_users["inspector"])
    page = client.get(url).content.decode()
    assert client.get(url).status_code == 200 and "previous-plan" not in page and DEVELOPMENT[0] not in page


def test_alerts_page_and_header_link(client, kent_plan, plan_users):
    client.force_login(plan_users["kent_officer"])
    page = client.get(reverse("alerts")).content.decode()
    assert "Overdue actions" in page and "Run the sexual health campaign" in page
    assert f'href="{reverse("alerts")}"' in page
    client.force_login(plan_users["inspector"])
    page = client.get(reverse("alerts")).content.decode()
    assert "Nothing is due for you" in page
