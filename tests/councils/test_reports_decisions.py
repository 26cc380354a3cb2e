"""Reports drafted from a published result, issued and frozen; decision records with their call-in deadline;
call-ins; permissions and history; exports from the same content."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from apa.councils import services
from apa.councils.models import CouncilLog, DecisionRecord, Report
from apa.councils.reporting import decision_state
from apa.errors import ApaError, PermissionDenied
from apa.publication.models import DateBasis, Result, ResultGrade

LONDON = ZoneInfo("Europe/London")


def latest(record) -> int:
    """The record's version as a page opened now would post it."""
    record.refresh_from_db(fields=["version"])
    return record.version


def test_cabinet_report_from_kents_2007_result(kent_2007, council_users):
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=council_users["kent_officer"],
                                   report_date=date(2007, 12, 17))
    headings = [s["heading"] for s in report.sections]
    assert headings == ["Summary", "Introduction", "Results", "Comparison with other authorities",
                        "Links to the Joint Area Review and the Comprehensive Performance Assessment",
                        "Recommendation", "Contact officer", "Background documents"]
    text = {s["key"]: s["text"] for s in report.sections}
    assert "first Cabinet meeting following their publication" in text["introduction"]
    assert "Capacity to improve, including the management of children's services: 4 (Outstanding), the same as last time." in text["results"]
    assert "not available" in text["results"]  # an imported result has no findings
    assert text["recommendation"] == "Cabinet is asked TO NOTE the 2007 results of the Annual Performance Assessment (APA)."
    assert report.score == "overall_effectiveness+capacity_to_improve"


def test_scrutiny_layout_has_southwarks_headings(kent_2007, council_users):
    report = services.report_draft(result=kent_2007, layout="scrutiny", actor=council_users["kent_officer"])
    assert [s["key"] for s in report.sections] == ["recommendation", "key_issues", "strengths", "areas_for_improvement",
                                                   "areas_for_focus", "next_steps", "audit_trail"]


def test_only_the_authoritys_officers_draft(kent_2007, council_users):
    for name in ("surrey_officer", "kent_democratic", "admin"):
        with pytest.raises(PermissionDenied, match="only an officer of Kent may draft reports"):
            services.report_draft(result=kent_2007, layout="cabinet", actor=council_users[name])


def test_issue_freezes_the_comparison_and_is_never_edited(kent_2007, council_users):
    officer = council_users["kent_officer"]
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=officer, report_date=date(2026, 1, 5))
    report = services.report_update(report=report, actor=officer, version=report.version,
                                    sections={"recommendation": "Cabinet is asked TO NOTE and to congratulate staff."})
    issued = services.report_issue(report=report, actor=officer, version=report.version)
    national = issued.frozen["comparisons"][0]
    assert (national["group"], national["compared"], national["rank"]) == ("all", 2, 2)  # Kent 7, Stockton 8
    # A result published later does not move the issued report's figures.
    newcomer = Result.objects.create(authority_id=kent_2007.authority_id + 1, framework=kent_2007.framework, year=2007,
                                     key="2007", publication_date=date(2007, 11, 30), counts_from=date(2007, 11, 30),
                                     publication_basis=DateBasis.GIVEN)
    for area_code in ("overall_effectiveness", "capacity_to_improve"):
        ResultGrade.objects.create(result=newcomer, area=kent_2007.framework.areas.get(code=area_code), grade=4)
    issued.refresh_from_db()
    assert issued.frozen["comparisons"][0]["compared"] == 2
    with pytest.raises(ApaError, match="never edited"):
        services.report_update(report=issued, actor=officer, version=issued.version, title="Changed")
    assert CouncilLog.objects.filter(entity="report", entity_id=issued.pk, action="edited", field="recommendation").exists()


def test_conflicting_edits_are_refused(kent_2007, council_users):
    officer = council_users["kent_officer"]
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=officer)
    opened = report.version
    services.report_update(report=report, actor=officer, version=opened, title="First")
    with pytest.raises(ApaError, match="this report was changed by kent_officer at .* since you opened it: "
                                       "title now 'First'"):
        services.report_update(report=report, actor=officer, version=opened, title="Second")


def test_public_sees_issued_reports_only_and_never_exempt_ones(kent_2007, council_users, client):
    officer = council_users["kent_officer"]
    draft = services.report_draft(result=kent_2007, layout="cabinet", actor=officer)
    assert client.get(f"/reports/{draft.pk}/").status_code == 404
    exempt = services.report_draft(result=kent_2007, layout="scrutiny", actor=officer)
    services.report_update(report=exempt, actor=officer, version=exempt.version, exempt=True, exempt_paragraph="3",
                           title="Staffing implications of the improvement plan")
    services.report_issue(report=exempt, actor=officer, version=latest(exempt))
    assert client.get(f"/reports/{exempt.pk}/").status_code == 404
    assert client.get(f"/reports/{exempt.pk}/report.pdf").status_code == 404
    services.report_issue(report=draft, actor=officer, version=draft.version)
    page = client.get(f"/reports/{draft.pk}/")
    assert page.status_code == 200 and b"Cabinet is asked TO NOTE" in page.content
    listing = client.get("/councils/886/").content.decode()
    assert escape(draft.title) in listing and "Staffing implications" not in listing
    client.force_login(council_users["surrey_officer"])
    assert client.get(f"/reports/{exempt.pk}/").status_code == 404


def test_exports_pdf_and_docx_from_the_same_content(kent_2007, council_users, client):
    from docx import Document

    officer = council_users["kent_officer"]
    report = services.report_draft(result=kent_2007, layout="cabinet", actor=officer)
    services.report_issue(report=report, actor=officer, version=report.version)
    pdf = client.get(f"/reports/{report.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/reports/{report.pk}/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert report.title in text and "Cabinet is asked TO NOTE" in text and "Links to the Joint Area Review" in text


def test_withdrawn_and_superseded_reports_carry_their_note(kent_2007, council_users):
    officer = council_users["kent_officer"]
    first = services.report_issue(report=services.report_draft(result=kent_2007, layout="cabinet", actor=officer),
                                  actor=officer, version=0)
    second = services.report_redraft(report=first, actor=officer, version=first.version)
    services.report_issue(report=second, actor=officer, version=second.version, supersedes_note="Recommendation reworded")
    first.refresh_from_db()
    assert (first.status, first.status_note, first.superseded_by_id) == ("superseded", "Recommendation reworded", second.pk)
    services.report_withdraw(report=second, actor=officer, version=latest(second), note="Wrong meeting")
    second.refresh_from_db()
    assert (second.status, second.status_note) == ("withdrawn", "Wrong meeting")


def test_corrected_result_shows_a_notice(kent_2007, council_users, client):
    from tests.factories import correct

    officer = council_users["kent_officer"]
    report = services.report_issue(report=services.report_draft(result=kent_2007, layout="cabinet", actor=officer),
                                   actor=officer, version=0)
    correct(kent_2007, {"being_healthy": 4}, "Being healthy was misreported")
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "has since been corrected: Being healthy was misreported" in page


def _decision(council_users, **extra):
    fields = dict(title="2007 Annual Performance Assessment of Services for Children and Young People",
                  decision="Cabinet noted the outcome of the assessment.", reasons="Must be reported to Cabinet",
                  alternatives_rejected="None", conflicts="None", dispensations="Not applicable",
                  decision_date=date(2007, 12, 20))
    fields.update(extra)
    from apa.authorities.models import Authority

    return services.decision_save(authority=Authority.objects.get(dfe_code="808"), actor=council_users["stockton_democratic"],
                                  **fields)


def test_stocktons_decision_record_deadline(council_users):
    services.callin_rule_set(authority=_decision(council_users).authority, actor=council_users["stockton_democratic"],
                             version=0, working_days=6, count_from="publication", deadline_time="midnight")
    decision = _decision(council_users)
    published = services.decision_publish(decision=decision, actor=council_users["stockton_democratic"],
                                          version=decision.version, publication_date=date(2007, 12, 21))
    assert timezone.localtime(published.callin_deadline).isoformat() == "2008-01-03T23:59:59+00:00"
    assert published.effective_from == date(2008, 1, 4)
    assert published.deadline_rule["working_days"] == 6
    # A later change of rule does not move it; democratic services may recompute it, in the history.
    services.callin_rule_set(authority=decision.authority, actor=council_users["stockton_democratic"], version=1,
                             working_days=3,
                             count_from="publication", deadline_time="16:00")
    published.refresh_from_db()
    assert timezone.localtime(published.callin_deadline).date() == date(2008, 1, 3)
    for refused in ("admin", "kent_democratic"):
        with pytest.raises(PermissionDenied, match="only democratic services of Stockton-on-Tees may recompute"):
            services.decision_recompute(decision=published, actor=council_users[refused], version=published.version,
                                        reason="rule changed")
    published = services.decision_recompute(decision=published, actor=council_users["stockton_democratic"],
                                            version=published.version, reason="Rule corrected")
    assert timezone.localtime(published.callin_deadline).isoformat() == "2007-12-28T16:00:00+00:00"
    assert CouncilLog.objects.filter(entity="decision", entity_id=published.pk, action="deadline_recomputed").exists()


def test_deadline_published_by_the_council_is_kept_as_given(council_users):
    given = datetime(2008, 1, 3, 23, 59, 59, tzinfo=LONDON)
    decision = services.decision_publish(decision=_decision(council_users), actor=council_users["stockton_democratic"],
                                         version=0, publication_date=date(2007, 12, 21), given_deadline=given)
    assert decision.deadline_as_given and decision.callin_deadline == given and decision.deadline_rule is None
    with pytest.raises(ApaError, match="kept as given"):
        services.decision_recompute(decision=decision, actor=council_users["stockton_democratic"],
                                    version=decision.version, reason="x")


def test_callin_while_open_then_outcome(council_users):
    actor = council_users["stockton_democratic"]
    today = timezone.localdate()
    decision = services.decision_publish(decision=_decision(council_users, decision_date=today), actor=actor,
                                         version=0, publication_date=today)
    assert decision_state(decision)[0] == "open"
    callin = services.callin_record(decision=decision, actor=actor, members=["Cllr A Smith", "Cllr B Jones"],
                                    reason="Wants scrutiny of the improvement plan")
    assert decision_state(decision)[0] == "called_in"
    services.callin_outcome(callin=callin, actor=actor, version=callin.version, outcome="no_further_action", on=today)
    assert decision_state(decision)[0] == "in_effect"


def test_no_callin_after_the_deadline_or_on_urgent_decisions(council_users):
    actor = council_users["stockton_democratic"]
    decision = services.decision_publish(decision=_decision(council_users), actor=actor, version=0,
                                         publication_date=date(2007, 12, 21))
    with pytest.raises(ApaError, match="call-in period ended"):
        services.callin_record(decision=decision, actor=actor, members=["Cllr A"], reason="late")
    urgent = services.decision_publish(decision=_decision(council_users, urgent=True, urgent_reason="Statutory deadline"),
                                       actor=actor, version=0, publication_date=date(2007, 12, 21))
    assert urgent.callin_deadline is None and decision_state(urgent)[0] == "urgent"
    with pytest.raises(ApaError, match="exempt from call-in"):
        services.callin_record(decision=urgent, actor=actor, members=["Cllr A"], reason="x")
    with pytest.raises(ApaError, match="needs the reason"):
        _decision(council_users, urgent=True)


def test_decision_pages(council_users, client):
    actor = council_users["stockton_democratic"]
    draft = _decision(council_users)
    assert client.get(f"/decisions/{draft.pk}/").status_code == 404
    services.decision_publish(decision=draft, actor=actor, version=draft.version,
                              publication_date=timezone.localdate() - timedelta(days=1))
    page = client.get(f"/decisions/{draft.pk}/").content.decode()
    assert "Open for call-in until midnight" in page and "Cabinet noted the outcome" in page
    assert DecisionRecord.objects.get(pk=draft.pk).status == "published"


def test_only_democratic_services_set_the_rule(council_users):
    from apa.authorities.models import Authority

    kent = Authority.objects.get(dfe_code="886")
    for refused in ("kent_officer", "stockton_democratic", "admin"):
        with pytest.raises(PermissionDenied, match="only democratic services of Kent may set the call-in rule"):
            services.callin_rule_set(authority=kent, actor=council_users[refused], version=0, working_days=5,
                                     count_from="publication", deadline_time="midnight")
    with pytest.raises(ApaError) as bad:
        services.callin_rule_set(authority=kent, actor=council_users["kent_democratic"], version=0, working_days=0,
                                 count_from="whenever", deadline_time="4pm")
    assert len(bad.value.lines) == 3


def test_report_pages_for_the_officer(kent_2007, council_users, client):
    client.force_login(council_users["kent_officer"])
    response = client.post("/councils/886/reports/new/", {"result": kent_2007.pk, "layout": "cabinet", "score": "",
                                                           "report_date": "2007-12-17", "meeting": ""})
    assert response.status_code == 302
    report = Report.objects.get(authority__dfe_code="886")
    page = client.get(response["Location"])
    assert b"Edit the draft" in page.content
    data = {"action": "save", "version": report.version, "title": report.title, "exempt_paragraph": ""}
    data.update({f"section_{s['key']}": s["text"] for s in report.sections})
    data["section_recommendation"] = "Cabinet is asked TO NOTE the 2006/7 results of the APA of Children's Services."
    assert client.post(f"/reports/{report.pk}/", data).status_code == 302
    assert client.post(f"/reports/{report.pk}/", {"action": "issue", "version": latest(report)}).status_code == 302
    client.logout()
    assert b"the 2006/7 results of the APA" in client.get(f"/reports/{report.pk}/").content


def test_a_progress_report_without_a_result_opens_issues_and_exports(council_users, client):
    from apa.authorities.models import Authority

    officer = council_users["kent_officer"]
    report = Report.objects.create(authority=Authority.objects.get(dfe_code="886"), layout="progress",
                                   title="Improvement plan: progress", report_date=date(2026, 3, 1), score="",
                                   sections=[{"key": "progress", "heading": "Progress", "text": "Nine of twelve actions are green."}])
    client.force_login(officer)
    assert b"Nine of twelve actions are green." in client.get(f"/reports/{report.pk}/").content
    services.report_issue(report=report, actor=officer, version=report.version)
    client.logout()
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code == 200 and b"Appendix" not in page.content
    assert client.get(f"/reports/{report.pk}/report.pdf").content.startswith(b"%PDF")
    assert client.get(f"/reports/{report.pk}/report.docx").status_code == 200
