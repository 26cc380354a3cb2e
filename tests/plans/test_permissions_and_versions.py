"""The improvement plan's permissions and versions: an admin changes nothing of it; another authority's line or
action answers exactly as a missing one does; a progress report drafted from the plan stays with the officers
until issued; a line (its actions) and an action refuse a save from an older version, saying who changed what,
and write nothing, through the services and through the pages."""

import re
from datetime import date

import pytest
from django.urls import reverse

from apa.councils.models import CouncilLog
from apa.errors import ApaError, PermissionDenied
from apa.plans import services
from apa.plans.models import PlanAction

from .fixtures import *  # noqa: F403 (the fixtures)
from .fixtures import DEVELOPMENT, add_action


def action_form(action, **changes) -> dict:
    form = {"action": "update", "action-version": action.version, "action-description": action.description,
            "action-owner": str(action.owner_id or ""), "action-owner_name": action.owner_name,
            "action-due_date": action.due_date.isoformat(), "action-status": action.status, "action-reason": ""}
    form.update({f"action-{k}": v for k, v in changes.items()})
    return form


# ---- admins ------------------------------------------------------------------------------------------------


def test_an_admin_may_not_change_a_plan_action(client, kent_plan, plan_users):
    admin, action = plan_users["admin"], kent_plan["soon"]
    with pytest.raises(PermissionDenied, match="only an officer of Kent may change the improvement plan"):
        services.action_update(action=action, actor=admin, version=action.version, status="red")
    with pytest.raises(PermissionDenied):
        services.progress_note_add(action=action, actor=admin, text="An admin's note")
    client.force_login(admin)
    url = reverse("plan_action", args=[action.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, action_form(action, status="red")).status_code == 403
    assert PlanAction.objects.get(pk=action.pk).status == "green"
    assert not CouncilLog.objects.filter(entity="action", entity_id=action.pk, action="updated").exists()


# ---- another authority's plan answers as missing ----------------------------------------------------------


def _page(response, pk) -> str:
    text = response.content.decode().replace(f"/{pk}/", "/<pk>/")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


@pytest.mark.parametrize("name", ["plan_line", "plan_action"])
def test_another_authoritys_line_or_action_is_as_missing(client, kent_plan, plan_users, name):
    pk = kent_plan["lines"][0].pk if name == "plan_line" else kent_plan["overdue"].pk
    missing = pk + 1000
    client.force_login(plan_users["surrey_officer"])
    theirs, nothing = client.get(reverse(name, args=[pk])), client.get(reverse(name, args=[missing]))
    assert theirs.status_code == nothing.status_code == 404
    assert _page(theirs, pk) == _page(nothing, missing)
    posted = client.post(reverse(name, args=[pk]), action_form(kent_plan["overdue"], status="complete"))
    assert posted.status_code == 404 and _page(posted, pk) == _page(nothing, missing)
    assert PlanAction.objects.get(pk=kent_plan["overdue"].pk).status == "red"


# ---- the progress report and democratic services ------------------------------------------------------------


def test_a_progress_report_drafted_from_the_plan_stays_with_the_officers(client, kent_plan, plan_users):
    from apa.councils import services as councils

    officer = kent_plan["officer"]
    report = services.progress_report_draft(authority=officer.authority, actor=officer, today=kent_plan["today"])
    urls = [reverse("report_detail", args=[report.pk]), reverse("report_docx", args=[report.pk]),
            reverse("report_pdf", args=[report.pk])]
    client.force_login(plan_users["kent_clerk"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404 and DEVELOPMENT[0].encode() not in response.content, url
    assert report.title not in client.get(reverse("council_home", args=["886"])).content.decode()
    councils.report_issue(report=report, actor=officer, version=report.version)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert DEVELOPMENT[0].encode() in client.get(urls[0]).content


# ---- no lost update -----------------------------------------------------------------------------------------


def test_plan_action_two_saves_from_one_version(kent_plan, plan_users):
    action = kent_plan["soon"]
    opened = action.version
    services.action_update(action=action, actor=plan_users["kent_officer_2"], version=opened, status="complete")
    with pytest.raises(ApaError) as refused:
        services.action_update(action=action, actor=plan_users["kent_officer"], version=opened,
                               description="Audit every repeat referral", status="red")
    assert refused.value.code == "conflict"
    assert re.match(r"this action was changed by kent_officer_2 at \d\d:\d\d since you opened it: "
                    r"status now 'complete'; nothing was saved\. Reload to see the changes$", str(refused.value))
    action.refresh_from_db()
    assert (action.description, action.status, action.version) == ("Audit repeat referrals", "complete", 1)
    rows = CouncilLog.objects.filter(entity="action", entity_id=action.pk, action="updated")
    assert list(rows.values_list("actor_label", "field", "after")) == [("kent_officer_2", "status", "complete")]


def test_plan_line_two_saves_from_one_version(kent_plan, plan_users):
    """Adding an action changes the line: two officers looking at the same line cannot both add one unseen."""
    line = kent_plan["lines"][0]
    line.refresh_from_db()
    opened = line.version
    services.action_add(line=line, actor=plan_users["kent_officer_2"], version=opened,
                        description="Train school nurses", due_date=date(2026, 6, 30), owner_name="Jo Bloggs")
    with pytest.raises(ApaError) as refused:
        services.action_add(line=line, actor=plan_users["kent_officer"], version=opened,
                            description="Train the school nurses", due_date=date(2026, 6, 30), owner_name="Jo Bloggs")
    assert refused.value.code == "conflict"
    assert re.match(r"this line of the plan was changed by kent_officer_2 at \d\d:\d\d since you opened it: "
                    r"action added 'Train school nurses'", str(refused.value))
    assert list(line.actions.values_list("description", flat=True).order_by("pk")) == [
        "Run the sexual health campaign", "Train school nurses"]
    created = CouncilLog.objects.filter(entity="action", action="created", reason=f"for line {line.pk}")
    assert created.count() == 2  # the fixture's action and the first save's, not the second's
    assert CouncilLog.objects.filter(entity="plan_line", entity_id=line.pk, action="action_added",
                                     version__gt=opened).count() == 1


def test_a_save_that_read_the_action_before_another_wrote_it_is_refused(kent_plan, monkeypatch):
    action, officer = kent_plan["soon"], kent_plan["officer"]
    real = services.version_expect

    def read_then_lose_the_race(record, version, refuse):
        checked = real(record, version, refuse)
        PlanAction.objects.filter(pk=record.pk).update(version=checked + 1)  # another save, between read and write
        return checked

    monkeypatch.setattr(services, "version_expect", read_then_lose_the_race)
    with pytest.raises(ApaError, match="since you opened it"):
        services.action_update(action=action, actor=officer, version=action.version, status="red")
    assert PlanAction.objects.get(pk=action.pk).status == "green"
    assert not CouncilLog.objects.filter(entity="action", entity_id=action.pk, action="updated").exists()


def test_plan_action_form_refuses_a_stale_save_and_keeps_the_input(client, kent_plan, plan_users):
    action = kent_plan["overdue"]
    url = reverse("plan_action", args=[action.pk])
    opened = action_form(action)
    client.force_login(plan_users["kent_officer"])
    assert f'name="action-version" value="{action.version}"' in client.get(url).content.decode()
    client.force_login(plan_users["kent_officer_2"])
    assert client.post(url, {**opened, "action-status": "complete"}).status_code == 302
    client.force_login(plan_users["kent_officer"])
    response = client.post(url, {**opened, "action-description": "Run the campaign in every secondary school",
                                 "action-status": "amber"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "this action was changed by kent_officer_2 at" in page and "status now &#x27;complete&#x27;" in page
    assert "Run the campaign in every secondary school" in page  # what they typed is kept
    action.refresh_from_db()
    assert (action.description, action.status, action.version) == ("Run the sexual health campaign", "complete", 1)
    assert list(CouncilLog.objects.filter(entity="action", entity_id=action.pk, action="updated")
                .values_list("actor_label", flat=True)) == ["kent_officer_2"]


def test_plan_line_form_refuses_a_stale_action(client, kent_plan, plan_users):
    line = kent_plan["lines"][0]
    line.refresh_from_db()
    url = reverse("plan_line", args=[line.pk])
    form = {"action-version": line.version, "action-description": "Train school nurses", "action-owner": "",
            "action-owner_name": "Jo Bloggs", "action-due_date": "2026-06-30", "action-status": "amber"}
    client.force_login(plan_users["kent_officer_2"])
    assert client.post(url, form).status_code == 302
    client.force_login(plan_users["kent_officer"])
    response = client.post(url, {**form, "action-description": "Train the school nurses"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and "action added" in page
    assert "Train the school nurses" in page
    assert line.actions.count() == 2


def test_each_save_from_the_current_version_goes_through(kent_plan, plan_users):
    line = kent_plan["lines"][0]
    line.refresh_from_db()
    opened = line.version
    add_action(line, actor=plan_users["kent_officer"], description="One", due_date=date(2026, 1, 1), owner_name="A")
    add_action(line, actor=plan_users["kent_officer_2"], description="Two", due_date=date(2026, 1, 1), owner_name="B")
    line.refresh_from_db()
    assert (line.version, line.actions.count()) == (opened + 2, 3)
