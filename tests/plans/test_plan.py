"""The improvement plan through its services: lines from a published result (once), lines by hand, actions with
owners and reasons, overdue flags, clinics with what changed, the progress report (CSV, committee draft) and
the next self-assessment. Every change is a private history row."""

import csv
import io
from datetime import date, timedelta

import pytest

from apa.accounts.permissions import has_perm
from apa.assessments.models import Assessment, Cycle, State
from apa.councils.models import CouncilLog, Report
from apa.errors import ApaError, PermissionDenied
from apa.plans import selectors, services
from apa.plans.models import PlanAction, PlanLine
from apa.publication.selectors import results_visible

from .fixtures import *  # noqa: F403 (the fixtures)
from .fixtures import DEVELOPMENT, FOCUS, add_action, update_action


def plan_rows(authority, **filters):
    return CouncilLog.objects.filter(authority=authority, entity__in=selectors.PLAN_ENTITIES, **filters)


def test_every_area_for_development_and_focus_becomes_a_line_once(kent_cycle_result, plan_users):
    officer = plan_users["kent_officer"]
    lines = services.plan_lines_from_result(result=kent_cycle_result, actor=officer)
    assert sorted((line.kind, line.area, line.text) for line in lines) == sorted([
        ("development", "Being healthy", DEVELOPMENT[0]),
        ("development", "Staying safe", DEVELOPMENT[1]),
        ("focus", "Being healthy", FOCUS[0]),
    ])
    assert all(line.result_id == kent_cycle_result.pk and line.finding_id for line in lines)
    assert services.plan_lines_from_result(result=kent_cycle_result, actor=plan_users["kent_officer_2"]) == []
    assert PlanLine.objects.filter(authority=kent_cycle_result.authority).count() == 3
    rows = plan_rows(kent_cycle_result.authority, entity="plan_line")
    assert rows.count() == 3
    assert {(r.actor_label, r.action, r.private) for r in rows} == {("kent_officer", "created", True)}
    assert all("from the published result" in r.reason for r in rows)
    assert selectors.plan_results_pending(authority=kent_cycle_result.authority) == []


def test_imported_result_has_no_findings_so_lines_are_added_by_hand(plan_users):
    officer = plan_users["kent_officer"]
    imported = results_visible().get(authority__dfe_code="886", framework__code="apa-2007")
    assert imported.assessment_id is None
    assert services.plan_lines_from_result(result=imported, actor=officer) == []
    line = services.plan_line_add(authority=imported.authority, actor=officer, text="Attainment of looked after children",
                                  kind="development", area="Enjoying and achieving", result=imported,
                                  reason="From the letter of 29 November 2007")
    assert (line.kind, line.result_id, line.finding_id) == ("development", imported.pk, None)
    row = plan_rows(imported.authority).get()
    assert (row.entity, row.entity_id, row.action, row.reason, row.private) == (
        "plan_line", line.pk, "created", "From the letter of 29 November 2007", True)
    surrey = results_visible().filter(authority__dfe_code="936").first()
    with pytest.raises(ApaError, match="not a published result of this authority"):
        services.plan_line_add(authority=imported.authority, actor=officer, text="x", result=surrey)
    with pytest.raises(ApaError, match="write what needs to improve"):
        services.plan_line_add(authority=imported.authority, actor=officer, text="  ")


@pytest.mark.parametrize("who", ["surrey_officer", "kent_clerk", "inspector", "publisher", "admin"])
def test_only_the_authoritys_officers_run_the_plan(kent_plan, kent_cycle_result, plan_users, who):
    actor = plan_users[who]
    line = kent_plan["lines"][0]
    with pytest.raises(PermissionDenied):
        services.plan_lines_from_result(result=kent_cycle_result, actor=actor)
    with pytest.raises(PermissionDenied):
        services.plan_line_add(authority=line.authority, actor=actor, text="x")
    with pytest.raises(PermissionDenied):
        add_action(line, actor=actor, description="x", due_date=date(2026, 1, 1), owner_name="A N Other")
    with pytest.raises(PermissionDenied):
        update_action(kent_plan["soon"], actor=actor, status="red")
    with pytest.raises(PermissionDenied):
        services.progress_note_add(action=kent_plan["soon"], actor=actor, text="x")
    with pytest.raises(PermissionDenied):
        services.clinic_record(authority=line.authority, actor=actor, held_on=date(2025, 1, 1))
    assert not has_perm("plans.view_plan", actor, line.authority)
    with pytest.raises(Exception, match="no such"):
        selectors.plan_line_for_user(user=actor, pk=line.pk)


def test_any_officer_of_the_authority_may_run_the_plan(kent_plan, plan_users):
    second = plan_users["kent_officer_2"]
    action = add_action(kent_plan["lines"][0], actor=second, description="Commission a review",
                        due_date=date(2026, 3, 31), owner_name="External reviewer")
    assert action.owner_label == "External reviewer"
    assert plan_rows(action.line.authority, entity="action", entity_id=action.pk).get().actor_label == "kent_officer_2"


def test_owner_is_an_officer_of_the_authority_or_a_named_person(kent_plan, plan_users):
    officer, line = plan_users["kent_officer"], kent_plan["lines"][0]
    add = dict(line=line, actor=officer, description="Train staff", due_date=date(2026, 1, 31))
    with pytest.raises(ApaError, match="not an officer of Kent"):
        add_action(**add, owner=plan_users["surrey_officer"])
    with pytest.raises(ApaError, match="not an officer of Kent"):
        add_action(**add, owner=plan_users["kent_clerk"])
    with pytest.raises(ApaError, match="not both"):
        add_action(**add, owner=officer, owner_name="Jo Bloggs")
    with pytest.raises(ApaError, match="name the owner"):
        add_action(**add)
    assert add_action(**add, owner=plan_users["kent_officer_2"]).owner_label == "kent_officer_2"
    assert add_action(**add, owner_name=" Jo Bloggs ").owner_label == "Jo Bloggs"


def test_changes_are_kept_with_who_what_and_why(kent_plan, plan_users):
    officer, action = plan_users["kent_officer"], kent_plan["soon"]
    old_due = action.due_date
    with pytest.raises(ApaError, match="say why the due date moves"):
        update_action(action, actor=officer, due_date=old_due + timedelta(days=30))
    update_action(action, actor=officer, due_date=old_due + timedelta(days=30), status="amber",
                           reason="Waiting for the new case system")
    rows = list(plan_rows(action.line.authority, entity="action", entity_id=action.pk, action="updated").order_by("pk"))
    assert [(r.field, r.before, r.after, r.reason, r.private) for r in rows] == [
        ("due_date", old_due.isoformat(), (old_due + timedelta(days=30)).isoformat(), "Waiting for the new case system", True),
        ("status", "green", "amber", "Waiting for the new case system", True),
    ]
    update_action(action, actor=officer, owner=plan_users["kent_officer_2"], owner_name="")
    row = plan_rows(action.line.authority, field="owner").get()
    assert (row.before, row.after) == ("Jo Bloggs, Head of Safeguarding", "kent_officer_2")
    done = kent_plan["done"]
    with pytest.raises(ApaError, match="reopened"):
        update_action(done, actor=officer, status="amber")
    with pytest.raises(ApaError, match="cannot change"):
        update_action(done, actor=officer, line=kent_plan["lines"][0])


def test_overdue_actions_are_flagged(kent_plan):
    today, authority = kent_plan["today"], kent_plan["officer"].authority
    assert [a.pk for a in selectors.plan_overdue(authority=authority, today=today)] == [kent_plan["overdue"].pk]
    actions = {a.pk: a for line in selectors.plan_lines(authority=authority, today=today) for a in line.action_list}
    assert actions[kent_plan["overdue"].pk].overdue and not actions[kent_plan["overdue"].pk].due_soon
    assert actions[kent_plan["soon"].pk].due_soon and not actions[kent_plan["soon"].pk].overdue
    assert not actions[kent_plan["done"].pk].overdue
    # A complete action is never overdue, whatever its date.
    assert not list(selectors.plan_overdue(authority=authority, today=today + timedelta(days=365))
                    .filter(pk=kent_plan["done"].pk))
    update_action(kent_plan["overdue"], actor=kent_plan["officer"], status="complete")
    assert not selectors.plan_overdue(authority=authority, today=today).exists()


def test_progress_notes_are_dated_and_kept(kent_plan):
    officer, action = kent_plan["officer"], kent_plan["overdue"]
    today = kent_plan["today"]
    with pytest.raises(ApaError, match="future"):
        services.progress_note_add(action=action, actor=officer, text="Planned", on=today + timedelta(days=1), today=today)
    services.progress_note_add(action=action, actor=officer, text="Campaign launched in 12 schools",
                               on=today - timedelta(days=2), today=today)
    note = services.progress_note_add(action=action, actor=officer, text="Clinics extended to Saturdays", today=today)
    assert note.date == today
    line = selectors.plan_lines(authority=officer.authority, today=today, lines=PlanLine.objects.filter(pk=action.line_id))[0]
    assert line.action_list[0].latest_note.text == "Clinics extended to Saturdays"
    rows = plan_rows(officer.authority, action="note_added")
    assert [r.after for r in rows.order_by("pk")] == [
        f"{(today - timedelta(days=2)).isoformat()}: Campaign launched in 12 schools",
        f"{today.isoformat()}: Clinics extended to Saturdays"]


def test_clinic_shows_what_changed_since_the_last_one(kent_plan, plan_users):
    officer, authority, today = kent_plan["officer"], kent_plan["officer"].authority, kent_plan["today"]
    first = selectors.clinic_view(authority=authority, today=today)
    assert first["since"] is None
    assert (len(first["changes"]["new_lines"]), len(first["changes"]["new_actions"])) == (3, 3)

    clinic = services.clinic_record(authority=authority, actor=officer, held_on=today, notes="Agreed the actions")
    assert selectors.clinic_view(authority=authority, today=today)["changes"]["count"] == 0
    with pytest.raises(ApaError, match="on or after the day"):
        services.clinic_record(authority=authority, actor=officer, held_on=today + timedelta(days=1), today=today)

    update_action(kent_plan["soon"], actor=officer, status="amber", reason="Case system late")
    update_action(kent_plan["overdue"], actor=officer, status="complete")
    services.progress_note_add(action=kent_plan["soon"], actor=officer, text="Half the cases audited")
    update_action(kent_plan["soon"], actor=officer, description="Audit every repeat referral")
    extra = services.plan_line_add(authority=authority, actor=officer, text="Recruit foster carers")

    view = selectors.clinic_view(authority=authority, today=today)
    changes = view["changes"]
    assert view["since"] == clinic
    assert [c["line"].pk for c in changes["new_lines"]] == [extra.pk]
    assert [(c["action"].pk, c["before"], c["after"], c["row"].reason) for c in changes["status_changes"]] == [
        (kent_plan["soon"].pk, "Green", "Amber", "Case system late")]
    assert [(c["action"].pk, c["before"]) for c in changes["completed"]] == [(kent_plan["overdue"].pk, "Red")]
    assert [c["row"].after.split(": ", 1)[1] for c in changes["notes"]] == ["Half the cases audited"]
    assert [c["row"].field for c in changes["other"]] == ["description"]
    assert changes["new_actions"] == []
    assert changes["count"] == 5

    second = services.clinic_record(authority=authority, actor=officer, held_on=today)
    assert selectors.clinic_view(authority=authority, today=today)["changes"]["count"] == 0
    # Asked for, an earlier clinic still shows everything since it.
    assert selectors.clinic_view(authority=authority, today=today, since=clinic)["changes"]["count"] == 5
    assert plan_rows(authority, entity="clinic").count() == 2 and second.pk != clinic.pk


def test_progress_report_csv_has_a_header_and_one_row_per_action(kent_plan):
    authority = kent_plan["officer"].authority
    services.plan_line_add(authority=authority, actor=kent_plan["officer"], text="A line with no action yet")
    rows = list(csv.DictReader(io.StringIO(selectors.progress_report_csv(
        selectors.progress_report(authority=authority, today=kent_plan["today"])))))
    assert list(rows[0]) == selectors.CSV_HEADER
    assert len(rows) == PlanAction.objects.filter(line__authority=authority).count() == 3
    by_action = {int(r["action"]): r for r in rows}
    overdue = by_action[kent_plan["overdue"].pk]
    assert (overdue["status"], overdue["overdue"], overdue["owner"], overdue["area_text"]) == (
        "red", "yes", "kent_officer_2", DEVELOPMENT[0])
    assert by_action[kent_plan["soon"].pk]["owner"] == "Jo Bloggs, Head of Safeguarding"
    assert by_action[kent_plan["done"].pk]["overdue"] == "no"


def test_progress_report_becomes_a_draft_committee_report(kent_plan, plan_users):
    officer, authority = kent_plan["officer"], kent_plan["officer"].authority
    with pytest.raises(PermissionDenied):
        services.progress_report_draft(authority=authority, actor=plan_users["kent_clerk"])
    report = services.progress_report_draft(authority=authority, actor=officer, today=kent_plan["today"])
    assert (report.layout, report.status, report.authority_id, report.is_public) == ("progress", "draft", authority.pk, False)
    sections = {s["key"]: s for s in report.sections}
    assert list(sections) == ["recommendation", "summary", "progress", "overdue", "next_steps"]
    assert "3 lines" in sections["summary"]["text"] and "1 action is overdue." in sections["summary"]["text"]
    assert "- Run the sexual health campaign (kent_officer_2" in sections["overdue"]["text"]
    assert DEVELOPMENT[1] in sections["progress"]["text"]
    row = CouncilLog.objects.get(authority=authority, entity="report", entity_id=report.pk)
    assert row.action == "drafted"
    assert Report.objects.filter(layout="progress").count() == 1


def test_a_plan_without_lines_is_not_reported(plan_users, kent_authority):
    with pytest.raises(ApaError, match="no lines"):
        services.progress_report_draft(authority=kent_authority, actor=plan_users["kent_officer"])


def test_next_self_assessment_opens_with_last_times_plan(kent_plan, plan_users):
    officer, authority = kent_plan["officer"], kent_plan["officer"].authority
    services.progress_note_add(action=kent_plan["soon"], actor=officer, text="Audit half done")
    hand = services.plan_line_add(authority=authority, actor=officer, text="Our own priority")
    framework = kent_plan["lines"][0].result.framework
    cycle = Cycle.objects.create(framework=framework, year=2026, self_assessment_due=date(2026, 5, 29),
                                 data_lock=date(2026, 6, 30), visits_from=date(2026, 7, 1), visits_to=date(2026, 7, 31),
                                 moderation_by=date(2026, 10, 31))
    assessment = Assessment.objects.create(cycle=cycle, authority=authority, state=State.SELF_ASSESSMENT)
    groups = selectors.plan_for_self_assessment(user=officer, assessment=assessment)
    assert [g["label"] for g in groups] == [kent_plan["lines"][0].result.label, "Added by the authority"]
    assert [line.text for line in groups[0]["lines"]] == [line.text for line in kent_plan["lines"]]
    assert [line.pk for line in groups[1]["lines"]] == [hand.pk]
    actions = {a.pk: a for line in groups[0]["lines"] for a in line.action_list}
    assert actions[kent_plan["soon"].pk].latest_note.text == "Audit half done"
    # Inspectors read the self-assessment but not the plan; another authority's officer sees nothing of it.
    for who in ("inspector", "surrey_officer", "kent_clerk"):
        assert selectors.plan_for_self_assessment(user=plan_users[who], assessment=assessment) == []
    # The cycle's own year is not "last time".
    same_year = Assessment.objects.get(pk=kent_plan["lines"][0].result.assessment_id)
    assert [g["label"] for g in selectors.plan_for_self_assessment(user=officer, assessment=same_year)] == [
        "Added by the authority"]
