"""Who may act on the council side, as the named permissions say (apa.accounts.permissions), and no lost update.

- Democratic services never read the improvement plan through a draft (or exempt) progress report, its Word
  file or its PDF, nor find it in their lists; issued and not exempt, it is public like any report.
- An admin acts on nothing of the council's: no drafting, no decision, no meeting, no rule, no recompute.
- Another authority's report draft or decision draft answers exactly as a missing one does.
- Each record edited through a form (report, decision record, call-in outcome, call-in rule, meeting agenda)
  refuses a save from an older version, saying who changed what, and writes nothing; two saves from the same
  version cannot both win, even when the second read the row before the first wrote it.
- The command line checks the same permission as the page.
"""

import re
from datetime import date

import pytest
from django.utils import timezone
from django.utils.html import escape

from apa.accounts.services import user_add
from apa.authorities.models import Authority
from apa.cli import main
from apa.councils import services
from apa.councils.models import AgendaItem, CallIn, CallInRule, CouncilLog, DecisionRecord, Meeting, Report
from apa.errors import ApaError, NotFound, PermissionDenied
from apa.versions import version_claim

PLAN_TEXT = "Nine of twelve improvement plan actions are green"
PROGRESS_TITLE = "Improvement plan: progress report to Cabinet"


@pytest.fixture
def kent(db) -> Authority:
    return Authority.objects.get(dfe_code="886")


@pytest.fixture
def stockton(db) -> Authority:
    return Authority.objects.get(dfe_code="808")


def progress_report(authority, **extra) -> Report:
    """A progress report as apa.plans drafts it: its sections hold the plan."""
    return Report.objects.create(authority=authority, layout=Report.Layout.PROGRESS, title=PROGRESS_TITLE,
                                 report_date=date(2026, 3, 1), score="",
                                 sections=[{"key": "progress", "heading": "Progress against the plan", "text": PLAN_TEXT}],
                                 **extra)


def decision_fields(**extra) -> dict:
    fields = dict(title="2007 Annual Performance Assessment", decision="Cabinet noted the outcome of the assessment.",
                  reasons="Must be reported to Cabinet", decision_date=date(2007, 12, 20))
    fields.update(extra)
    return fields


def report_urls(pk) -> list[str]:
    return [f"/reports/{pk}/", f"/reports/{pk}/report.docx", f"/reports/{pk}/report.pdf"]


# ---- democratic services and the improvement plan ---------------------------------------------------------


def test_democratic_services_never_read_a_draft_progress_report(kent, kent_2007, council_users, client):
    officer, clerk = council_users["kent_officer"], council_users["kent_democratic"]
    report = progress_report(kent)
    cabinet = services.report_draft(result=kent_2007, layout="cabinet", actor=officer)
    meeting = services.meeting_create(authority=kent, actor=clerk, committee="Cabinet", date=date(2026, 3, 16))

    client.force_login(clerk)
    for url in report_urls(report.pk):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PLAN_TEXT.encode() not in response.content, url
    for url in ("/councils/886/", f"/meetings/{meeting.pk}/", "/councils/886/decisions/new/"):
        page = client.get(url).content.decode()
        assert PROGRESS_TITLE not in page, url
        assert escape(cabinet.title) in page, url  # the clerk does read the council's other drafts
    assert client.get(f"/reports/{cabinet.pk}/").status_code == 200
    # Nor can a stale or hand-made form put it on an agenda or under a decision.
    with pytest.raises(NotFound):
        services.agenda_item_add(meeting=meeting, actor=clerk, version=meeting.version, title="Progress", report=report)
    with pytest.raises(NotFound):
        services.decision_save(authority=kent, actor=clerk, **decision_fields(report=report))

    # The authority's officer reads it; issued and not exempt, it is public like any report.
    client.force_login(officer)
    assert PLAN_TEXT.encode() in client.get(f"/reports/{report.pk}/").content
    services.report_issue(report=report, actor=officer, version=report.version)
    client.force_login(clerk)
    for url in report_urls(report.pk):
        assert client.get(url).status_code == 200, url
    assert PLAN_TEXT.encode() in client.get(f"/reports/{report.pk}/").content
    assert PROGRESS_TITLE in client.get("/councils/886/").content.decode()
    client.logout()
    assert PLAN_TEXT.encode() in client.get(f"/reports/{report.pk}/").content


def test_an_exempt_progress_report_stays_with_the_officers(kent, council_users, client):
    officer = council_users["kent_officer"]
    report = progress_report(kent, exempt=True, exempt_paragraph="3")
    services.report_issue(report=report, actor=officer, version=report.version)
    client.force_login(council_users["kent_democratic"])
    for url in report_urls(report.pk):
        response = client.get(url)
        assert response.status_code == 404 and PLAN_TEXT.encode() not in response.content, url
    assert PROGRESS_TITLE not in client.get("/councils/886/").content.decode()
    client.force_login(officer)
    response = client.get(f"/reports/{report.pk}/report.pdf")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


# ---- admins ------------------------------------------------------------------------------------------------


def test_an_admin_acts_on_nothing_of_the_councils(kent, stockton, kent_2007, council_users, client):
    admin = council_users["admin"]
    with pytest.raises(PermissionDenied, match="only an officer of Kent may draft reports"):
        services.report_draft(result=kent_2007, layout="cabinet", actor=admin)
    with pytest.raises(PermissionDenied, match="only democratic services of Stockton-on-Tees may record decisions"):
        services.decision_save(authority=stockton, actor=admin, **decision_fields())
    with pytest.raises(PermissionDenied):
        services.meeting_create(authority=kent, actor=admin, committee="Cabinet", date=date(2026, 3, 16))
    with pytest.raises(PermissionDenied):
        services.callin_rule_set(authority=kent, actor=admin, version=0, working_days=3, count_from="publication",
                                 deadline_time="midnight")
    draft = services.report_draft(result=kent_2007, layout="cabinet", actor=council_users["kent_officer"])
    with pytest.raises(PermissionDenied):
        services.report_update(report=draft, actor=admin, version=draft.version, title="An admin's title")
    with pytest.raises(PermissionDenied):
        services.report_issue(report=draft, actor=admin, version=draft.version)

    client.force_login(admin)
    response = client.post("/councils/886/reports/new/", {"result": kent_2007.pk, "layout": "cabinet", "score": "",
                                                           "report_date": "2007-12-17", "meeting": ""})
    assert response.status_code == 403
    response = client.post("/councils/808/decisions/new/", {"title": "An admin's decision", "decision": "Noted",
                                                            "decision_date": "2007-12-20", "report": "", "meeting": ""})
    assert response.status_code == 403
    assert client.get("/councils/808/call-in-rule/").status_code == 403
    assert client.get(f"/reports/{draft.pk}/").status_code == 404
    assert client.post(f"/reports/{draft.pk}/", {"action": "issue", "version": draft.version}).status_code == 404
    home = client.get("/councils/886/").content.decode()
    assert "Draft a report" not in home and "Record a decision" not in home and "Add a meeting" not in home
    assert list(Report.objects.filter(authority=kent).values_list("status", flat=True)) == ["draft"]
    assert not DecisionRecord.objects.exists() and not Meeting.objects.exists()


# ---- another authority's drafts answer as missing ones ------------------------------------------------------


def _page(response, pk) -> str:
    text = response.content.decode().replace(f"/{pk}/", "/<pk>/")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', text)


def assert_as_missing(client, url_of, pk: int, missing: int) -> None:
    for url, missing_url in zip(url_of(pk), url_of(missing), strict=True):
        theirs, nothing = client.get(url), client.get(missing_url)
        assert theirs.status_code == nothing.status_code == 404, url
        assert _page(theirs, pk) == _page(nothing, missing), url


def test_another_authoritys_report_draft_is_as_missing(kent, kent_2007, council_users, client):
    draft = services.report_draft(result=kent_2007, layout="cabinet", actor=council_users["kent_officer"])
    missing = Report.objects.order_by("-pk").first().pk + 1000
    for who in ("surrey_officer", "stockton_democratic"):
        client.force_login(council_users[who])
        assert_as_missing(client, report_urls, draft.pk, missing)


def test_another_councils_decision_draft_is_as_missing(stockton, council_users, client):
    draft = services.decision_save(authority=stockton, actor=council_users["stockton_democratic"], **decision_fields())
    missing = draft.pk + 1000
    for who in ("kent_democratic", "kent_officer"):
        client.force_login(council_users[who])
        assert_as_missing(client, lambda pk: [f"/decisions/{pk}/"], draft.pk, missing)
    client.force_login(council_users["stockton_democratic"])
    assert client.get(f"/decisions/{draft.pk}/").status_code == 200


# ---- no lost update: two saves from the same version --------------------------------------------------------


def conflict_of(raised) -> str:
    assert raised.value.code == "conflict"
    return str(raised.value)


def test_report_two_saves_from_one_version(kent_2007, council_users):
    first, second = council_users["kent_officer"], user_add(username="kent_officer_b", role="authority_officer",
                                                            authority="886", password="correct-horse-battery-staple")[0]
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=first)
    opened = report.version
    services.report_update(report=report, actor=first, version=opened, title="Annual performance assessment 2007")
    with pytest.raises(ApaError) as refused:
        services.report_update(report=report, actor=second, version=opened, title="APA 2007",
                               sections={"recommendation": "Cabinet is asked to congratulate staff."})
    message = conflict_of(refused)
    assert re.match(r"this report was changed by kent_officer at \d\d:\d\d since you opened it: "
                    r"title now 'Annual performance assessment 2007'; nothing was saved\. Reload", message), message
    report.refresh_from_db()
    assert report.title == "Annual performance assessment 2007" and "congratulate" not in str(report.sections)
    edits = CouncilLog.objects.filter(entity="report", entity_id=report.pk, action="edited")
    assert [(r.actor_label, r.field) for r in edits] == [("kent_officer", "title")]
    # Issuing from the old version is refused too: nobody issues text they have not read.
    with pytest.raises(ApaError, match="since you opened it"):
        services.report_issue(report=report, actor=second, version=opened)
    assert Report.objects.get(pk=report.pk).status == "draft"


def test_decision_record_two_saves_from_one_version(stockton, council_users):
    clerk = council_users["stockton_democratic"]
    other, _ = user_add(username="stockton_democratic_2", role="democratic_services", authority="808",
                        password="correct-horse-battery-staple")
    record = services.decision_save(authority=stockton, actor=clerk, **decision_fields())
    opened = record.version
    services.decision_save(authority=stockton, actor=clerk, record=record, version=opened,
                           decision="Cabinet noted the outcome and thanked staff.")
    with pytest.raises(ApaError) as refused:
        services.decision_save(authority=stockton, actor=other, record=record, version=opened, title="Changed title")
    assert re.match(r"this decision record was changed by stockton_democratic at \d\d:\d\d since you opened it: "
                    r"decision now 'Cabinet noted the outcome and thanked staff\.'", conflict_of(refused))
    record.refresh_from_db()
    assert (record.title, record.decision) == ("2007 Annual Performance Assessment",
                                               "Cabinet noted the outcome and thanked staff.")
    assert list(CouncilLog.objects.filter(entity="decision", entity_id=record.pk, action="edited")
                .values_list("actor_label", "field")) == [("stockton_democratic", "decision")]
    with pytest.raises(ApaError, match="since you opened it"):
        services.decision_publish(decision=record, actor=other, version=opened, publication_date=date(2007, 12, 21))
    assert DecisionRecord.objects.get(pk=record.pk).status == "draft"


def test_callin_outcome_two_saves_from_one_version(stockton, council_users):
    clerk = council_users["stockton_democratic"]
    today = timezone.localdate()
    record = services.decision_save(authority=stockton, actor=clerk, **decision_fields(decision_date=today))
    record = services.decision_publish(decision=record, actor=clerk, version=record.version, publication_date=today)
    callin = services.callin_record(decision=record, actor=clerk, members=["Cllr A Smith"], reason="Scrutiny")
    opened = callin.version
    services.callin_outcome(callin=callin, actor=clerk, version=opened, outcome="referred_back", on=today)
    with pytest.raises(ApaError) as refused:
        services.callin_outcome(callin=callin, actor=clerk, version=opened, outcome="no_further_action", on=today)
    assert "this call-in was changed by stockton_democratic" in conflict_of(refused)
    assert "Referred back to the decision-maker" in str(refused.value)
    assert CallIn.objects.get(pk=callin.pk).outcome == "referred_back"
    assert CouncilLog.objects.filter(entity="decision", entity_id=record.pk, action="callin_outcome").count() == 1


def test_callin_rule_two_saves_from_one_version(kent, council_users):
    clerk = council_users["kent_democratic"]
    opened = services.callin_rule_version(authority=kent)
    assert opened == 0
    services.callin_rule_set(authority=kent, actor=clerk, version=opened, working_days=6, count_from="publication",
                             deadline_time="midnight", closures=[date(2025, 12, 29)])
    with pytest.raises(ApaError) as refused:
        services.callin_rule_set(authority=kent, actor=clerk, version=opened, working_days=3, count_from="decision",
                                 deadline_time="16:00", closures=[])
    message = conflict_of(refused)
    assert "the call-in rule was changed by kent_democratic" in message
    assert "rule now '6 working days from publication, midnight'" in message and "closure days now '2025-12-29'" in message
    rule = CallInRule.objects.get(authority=kent)
    assert (rule.working_days, rule.count_from, rule.deadline_time, rule.version) == (6, "publication", "midnight", 1)
    assert list(kent.closure_days.values_list("date", flat=True)) == [date(2025, 12, 29)]
    assert CouncilLog.objects.filter(entity="rule", action="rule_set").count() == 1


def test_meeting_agenda_two_saves_from_one_version(kent, kent_2007, council_users):
    clerk = council_users["kent_democratic"]
    meeting = services.meeting_create(authority=kent, actor=clerk, committee="Cabinet", date=date(2026, 3, 16))
    opened = meeting.version
    services.agenda_item_add(meeting=meeting, actor=clerk, version=opened, title="Annual performance assessment")
    with pytest.raises(ApaError) as refused:
        services.agenda_item_add(meeting=meeting, actor=clerk, version=opened, title="Annual performance assessment")
    assert re.match(r"this meeting's agenda was changed by kent_democratic at \d\d:\d\d since you opened it: "
                    r"item added '1\. Annual performance assessment'", conflict_of(refused))
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("number", flat=True)) == [1]
    assert CouncilLog.objects.filter(entity="meeting", entity_id=meeting.pk, action="agenda_item").count() == 1


def test_two_claims_of_one_version_cannot_both_win(kent, council_users):
    meeting = services.meeting_create(authority=kent, actor=council_users["kent_democratic"], committee="Cabinet",
                                      date=date(2026, 3, 16))

    def refuse():
        return ApaError("lost")

    assert version_claim(Meeting, pk=meeting.pk, version=0, refuse=refuse) == 1
    with pytest.raises(ApaError, match="lost"):
        version_claim(Meeting, pk=meeting.pk, version=0, refuse=refuse)


def test_a_save_that_read_the_row_before_another_wrote_it_is_refused(kent_2007, council_users, monkeypatch):
    """The second save read version 0 and passed the check; the first wrote before it did: the conditional UPDATE
    refuses it, and nothing of it is written (here the "first" write is in the same transaction, so it goes too)."""
    from apa import versions as history

    officer = council_users["kent_officer"]
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=officer)
    real = history.version_expect

    def read_then_lose_the_race(record, version, refuse):
        checked = real(record, version, refuse)
        Report.objects.filter(pk=record.pk).update(version=checked + 1, title="Saved by the other editor")
        return checked

    monkeypatch.setattr(services, "version_expect", read_then_lose_the_race)
    with pytest.raises(ApaError, match="since you opened it"):
        services.report_update(report=report, actor=officer, version=0, title="Mine")
    report.refresh_from_db()
    assert report.title != "Mine" and report.version == 0
    assert not CouncilLog.objects.filter(entity="report", entity_id=report.pk, action="edited").exists()


# ---- the decision record form, through the pages ------------------------------------------------------------


def test_decision_form_refuses_a_stale_save_and_keeps_the_input(stockton, council_users, client):
    clerk = council_users["stockton_democratic"]
    record = services.decision_save(authority=stockton, actor=clerk, **decision_fields())
    url = f"/decisions/{record.pk}/"
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "Edit the draft" in page and f'name="edit-version" value="{record.version}"' in page
    form = {"action": "edit", "edit-version": record.version, "edit-title": record.title,
            "edit-decision": "Cabinet noted the outcome and thanked staff.", "edit-reasons": record.reasons,
            "edit-alternatives_rejected": "", "edit-conflicts": "", "edit-dispensations": "",
            "edit-urgent_reason": "", "edit-decision_date": "2007-12-20", "edit-report": "", "edit-meeting": ""}
    assert client.post(url, form).status_code == 302
    stale = {**form, "edit-decision": "Cabinet deferred the item to January."}
    response = client.post(url, stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "this decision record was changed by stockton_democratic" in page
    assert "Cabinet deferred the item to January." in page  # what they typed is kept
    record.refresh_from_db()
    assert (record.decision, record.version) == ("Cabinet noted the outcome and thanked staff.", 1)
    assert CouncilLog.objects.filter(entity="decision", entity_id=record.pk, action="edited").count() == 1
    # Publishing from the page as first opened is refused the same way; from the current version it publishes.
    response = client.post(url, {"action": "publish", "version": 0, "publication_date": "2007-12-21"})
    assert response.status_code == 200 and "since you opened it" in response.content.decode()
    assert client.post(url, {"action": "publish", "version": 1, "publication_date": "2007-12-21"}).status_code == 302
    assert DecisionRecord.objects.get(pk=record.pk).status == "published"


def test_meeting_page_refuses_a_stale_agenda_item(kent, council_users, client):
    clerk = council_users["kent_democratic"]
    meeting = services.meeting_create(authority=kent, actor=clerk, committee="Cabinet", date=date(2026, 3, 16))
    client.force_login(clerk)
    url = f"/meetings/{meeting.pk}/"
    assert client.post(url, {"version": 0, "title": "Apologies", "report": ""}).status_code == 302
    response = client.post(url, {"version": 0, "title": "Minutes of the last meeting", "report": ""})
    assert response.status_code == 200 and "item added &#x27;1. Apologies&#x27;" in response.content.decode()
    assert list(meeting.items.values_list("title", flat=True)) == ["Apologies"]


# ---- the command line -----------------------------------------------------------------------------------------


def test_the_rule_command_checks_the_pages_permission(kent, council_users, capsys):
    rule = ["councils", "rule", "--authority", "886", "--working-days", "3", "--count-from", "publication",
            "--deadline-time", "16:00"]
    for who in ("kent_officer", "stockton_democratic", "admin"):
        assert main([*rule, "--as", who]) == 2, who
        assert capsys.readouterr().err.splitlines() == ["error: only democratic services of Kent may set the call-in rule"]
    assert not CallInRule.objects.filter(authority=kent).exists()
    assert main([*rule, "--as", "kent_democratic"]) == 0
    assert main([*rule[:5], "5", *rule[6:], "--as", "kent_democratic"]) == 0  # from the current version each time
    assert "5 working days from publication" in capsys.readouterr().out
    assert CallInRule.objects.get(authority=kent).version == 2


def test_only_the_councils_democratic_services_recompute_a_deadline(stockton, council_users, client):
    clerk = council_users["stockton_democratic"]
    record = services.decision_save(authority=stockton, actor=clerk, **decision_fields())
    record = services.decision_publish(decision=record, actor=clerk, version=record.version,
                                       publication_date=date(2007, 12, 21))
    client.force_login(clerk)
    page = client.get(f"/decisions/{record.pk}/").content.decode()
    assert "Recompute the deadline" in page
    client.force_login(council_users["admin"])
    page = client.get(f"/decisions/{record.pk}/").content.decode()
    assert "Recompute the deadline" not in page
    response = client.post(f"/decisions/{record.pk}/", {"action": "recompute", "version": record.version,
                                                        "reason": "An admin's reason"})
    assert response.status_code == 404
    assert not CouncilLog.objects.filter(action="deadline_recomputed").exists()
    assert DecisionRecord.objects.get(pk=record.pk).callin_deadline == record.callin_deadline
