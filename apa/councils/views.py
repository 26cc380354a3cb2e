"""Council pages: as a committee system would show them. Public pages show only issued, non-exempt reports and
published decisions; officers and democratic services see their own authority's drafts, as the named
permissions say (apa.accounts.permissions). Every form posts the version of the record it was opened at."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from apa.accounts.models import Role
from apa.accounts.permissions import has_perm
from apa.authorities.selectors import authority_detail
from apa.errors import ApaError, NotFound, Problem
from apa.publication.selectors import authority_results
from apa.ui.access import public, roles
from apa.ui.posts import bad_request, posted_text
from apa.ui.responses import pdf_response

from . import reporting, selectors, services
from .forms import (
    AgendaItemForm,
    CallInForm,
    DecisionEditForm,
    DecisionForm,
    MeetingForm,
    NoteForm,
    OutcomeForm,
    PublishForm,
    ReportEditForm,
    ReportNewForm,
    RuleForm,
)
from .models import CallInRule, DecisionRecord, Meeting, Report


def _authority(dfe_code):
    try:
        return authority_detail(dfe_code=dfe_code)
    except NotFound:
        raise Http404("No such authority") from None


@public
def council_home(request, dfe_code):
    authority = _authority(dfe_code)
    user = request.user
    meeting_form = None
    problems = []
    if has_perm("councils.manage_meetings", user, authority):
        meeting_form = MeetingForm(request.POST or None)
        if request.method == "POST" and meeting_form.is_valid():
            try:
                meeting = services.meeting_create(authority=authority, actor=user, **meeting_form.cleaned_data)
                messages.success(request, f"Added {meeting}")
                return redirect("meeting_detail", pk=meeting.pk)
            except ApaError as exc:
                problems = exc.lines
    elif request.method == "POST":
        raise Http404("Nothing to do here")
    return render(request, "councils/council_home.html", {
        "authority": authority, "meetings": selectors.meetings_for(authority=authority),
        "reports": selectors.reports_for(user=user, authority=authority),
        "decisions": selectors.decisions_for(user=user, authority=authority),
        "rule": CallInRule.objects.filter(authority=authority).first(),
        "rule_spec": services.rule_spec_for(authority=authority),
        "meeting_form": meeting_form, "problems": problems,
    })


@roles(Role.DEMOCRATIC_SERVICES)
def rule_edit(request, dfe_code):
    authority = _authority(dfe_code)
    if not has_perm("councils.set_callin_rule", request.user, authority):
        raise Http404("Not your council")
    spec = services.rule_spec_for(authority=authority)
    form = RuleForm(request.POST or None, initial={
        "version": services.callin_rule_version(authority=authority),
        "working_days": spec.working_days, "count_from": spec.count_from, "deadline_time": spec.deadline_time,
        "closures": "\n".join(d.isoformat() for d in spec.closures)})
    problems = []
    if request.method == "POST" and form.is_valid():
        from apa.tabular import parse_date

        data = form.cleaned_data
        try:
            closures = [parse_date(line) for line in data["closures"].split() if line.strip()]
        except ValueError as exc:
            problems = [f"Closure days: {exc}"]
        if not problems:
            try:
                services.callin_rule_set(authority=authority, actor=request.user, version=data["version"],
                                         working_days=data["working_days"],
                                         count_from=data["count_from"], deadline_time=data["deadline_time"],
                                         closures=closures, reason=data["reason"])
                messages.success(request, "Call-in rule saved; deadlines already published do not move")
                return redirect("council_home", dfe_code=authority.dfe_code)
            except ApaError as exc:
                problems = exc.lines
    return render(request, "councils/rule_edit.html", {"authority": authority, "form": form, "problems": problems})


@public
def meeting_detail(request, pk):
    meeting = Meeting.objects.select_related("authority").filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    user = request.user
    form, problems = None, []
    visible = selectors.reports_for(user=user, authority=meeting.authority)
    if has_perm("councils.manage_meetings", user, meeting):
        form = AgendaItemForm(request.POST or None, reports=visible, initial={"version": meeting.version})
        if request.method == "POST" and form.is_valid():
            try:
                report = visible.filter(pk=form.cleaned_data["report"]).first() if form.cleaned_data["report"] else None
                services.agenda_item_add(meeting=meeting, actor=user, version=form.cleaned_data["version"],
                                         title=form.cleaned_data["title"], report=report)
                return redirect("meeting_detail", pk=meeting.pk)
            except ApaError as exc:
                problems = exc.lines
    elif request.method == "POST":
        raise Http404("Nothing to do here")
    visible_ids = set(visible.values_list("pk", flat=True))
    items = [(item, item.report if item.report_id in visible_ids else None) for item in meeting.items.select_related("report")]
    return render(request, "councils/meeting_detail.html", {"meeting": meeting, "items": items, "form": form,
                                                            "problems": problems,
                                                            "decisions": selectors.decisions_for(user=user, authority=meeting.authority).filter(meeting=meeting)})


@roles(Role.AUTHORITY_OFFICER)
def report_new(request, dfe_code):
    authority = _authority(dfe_code)
    if not has_perm("councils.draft_report", request.user, authority):
        raise Http404("Not your authority")
    results = authority_results(authority=authority)
    meetings = list(Meeting.objects.filter(authority=authority))
    form = ReportNewForm(request.POST or None, results=results, meetings=meetings,
                         initial={"result": request.GET.get("result", ""), "report_date": timezone.localdate()})
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = next(r for r in results if str(r.pk) == data["result"])
            meeting = next((m for m in meetings if str(m.pk) == data["meeting"]), None)
            report = services.report_draft(result=result, layout=data["layout"], actor=request.user,
                                           report_date=data["report_date"], score=data["score"] or None, meeting=meeting)
            messages.success(request, "Draft report created from the published result")
            return redirect("report_detail", pk=report.pk)
        except ApaError as exc:
            problems = exc.lines
    return render(request, "councils/report_new.html", {"authority": authority, "form": form, "problems": problems})


def _posted_version(request):
    """The version a one-button form (issue, withdraw, publish...) was opened at; services refuse a missing one."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _report(request, pk) -> Report:
    try:
        return selectors.report_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such report") from None


def _report_context(report, request=None) -> dict:
    figures = reporting.report_figures(report)
    return {"report": report, "figures": figures, "correction": reporting.correction_of(report),
            "sections": report.sections, "result": report.result}


@public
def report_detail(request, pk):
    report = _report(request, pk)
    user = request.user
    may_manage = has_perm("councils.draft_report", user, report)
    may_edit = may_manage and report.status == "draft"
    problems, form = [], None
    if may_edit:
        form = ReportEditForm(request.POST or None, sections=report.sections, initial={
            "version": report.version, "title": report.title, "exempt": report.exempt, "exempt_paragraph": report.exempt_paragraph})
    if request.method == "POST":
        if not may_manage:
            raise Http404("Nothing to do here")
        action = request.POST.get("action", "save")
        if action not in ("save", "issue", "withdraw", "redraft"):
            return bad_request(request)
        try:
            if action == "save" and form is None:
                raise ApaError(Problem("only a draft report can be edited"), code="conflict")
            if action == "save" and form.is_valid():
                data = form.cleaned_data
                sections = {s["key"]: data.get(f"section_{s['key']}", s["text"]) for s in report.sections}
                services.report_update(report=report, actor=user, version=data["version"], sections=sections,
                                       title=data["title"], exempt=data["exempt"], exempt_paragraph=data["exempt_paragraph"])
                messages.success(request, "Draft saved")
                return redirect("report_detail", pk=report.pk)
            version = _posted_version(request)
            if action == "issue":
                services.report_issue(report=report, actor=user, version=version,
                                      supersedes_note=posted_text(request, "note", "Note"))
                messages.success(request, "Report issued" + ("" if report.exempt else ": it is now public"))
                return redirect("report_detail", pk=report.pk)
            if action == "withdraw":
                services.report_withdraw(report=report, actor=user, version=version, note=posted_text(request, "note", "Note"))
                messages.success(request, "Report withdrawn")
                return redirect("report_detail", pk=report.pk)
            if action == "redraft":
                new = services.report_redraft(report=report, actor=user, version=version)
                return redirect("report_detail", pk=new.pk)
        except ApaError as exc:
            problems = exc.lines
    context = _report_context(report)
    context.update({"form": form, "may_edit": may_edit, "may_manage": may_manage, "problems": problems,
                    "note_form": NoteForm(),
                    "history": selectors.report_history(user=user, report=report),
                    "decisions": selectors.decisions_for(user=user, authority=report.authority).filter(report=report)})
    return render(request, "councils/report_detail.html", context)


@public
def report_pdf(request, pk):
    """The same HTML as the page's report body, through WeasyPrint with print CSS."""
    report = _report(request, pk)
    return pdf_response(request, "councils/report_print.html", _report_context(report), f"report-{report.pk}.pdf",
                        stylesheet="councils/report_print.css", private=not report.is_public)


@public
def report_docx(request, pk):
    from .exports import report_docx_bytes

    report = _report(request, pk)
    data = report_docx_bytes(**_report_context(report))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}.docx"'
    if not report.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@roles(Role.DEMOCRATIC_SERVICES)
def decision_new(request, dfe_code):
    authority = _authority(dfe_code)
    if not has_perm("councils.record_decision", request.user, authority):
        raise Http404("Not your council")
    reports = selectors.reports_for(user=request.user, authority=authority)
    meetings = Meeting.objects.filter(authority=authority)
    form = DecisionForm(request.POST or None, reports=reports, meetings=meetings,
                        initial={"report": request.GET.get("report", ""), "meeting": request.GET.get("meeting", "")})
    problems = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["report"] = reports.filter(pk=data["report"]).first() if data["report"] else None
        data["meeting"] = meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None
        try:
            decision = services.decision_save(authority=authority, actor=request.user, **data)
            messages.success(request, "Decision recorded as a draft")
            return redirect("decision_detail", pk=decision.pk)
        except ApaError as exc:
            problems = exc.lines
    return render(request, "councils/decision_new.html", {"authority": authority, "form": form, "problems": problems})


def _decision_fields(decision) -> dict:
    return {"version": decision.version, "title": decision.title, "decision": decision.decision,
            "reasons": decision.reasons, "alternatives_rejected": decision.alternatives_rejected,
            "conflicts": decision.conflicts, "dispensations": decision.dispensations,
            "key_decision": decision.key_decision, "urgent": decision.urgent, "urgent_reason": decision.urgent_reason,
            "decision_date": decision.decision_date, "report": str(decision.report_id or ""),
            "meeting": str(decision.meeting_id or "")}


@public
def decision_detail(request, pk):
    try:
        decision = selectors.decision_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such decision") from None
    user = request.user
    may_record = has_perm("councils.record_decision", user, decision)
    may_publish = has_perm("councils.publish_decision", user, decision)
    may_callin = has_perm("councils.record_callin", user, decision)
    callin = decision.callins.first()
    problems = []
    action = request.POST.get("action")
    edit_form = None
    if may_record and decision.status == DecisionRecord.Status.DRAFT:
        reports = selectors.reports_for(user=user, authority=decision.authority)
        meetings = Meeting.objects.filter(authority=decision.authority)
        edit_form = DecisionEditForm(request.POST if action == "edit" else None, reports=reports, meetings=meetings,
                                     initial=_decision_fields(decision), prefix="edit")
    publish_form = PublishForm(request.POST if action == "publish" else None,
                               initial={"publication_date": timezone.localdate(), "version": decision.version})
    callin_form = CallInForm(request.POST if action == "callin" else None,
                             initial={"date": timezone.localdate()})
    outcome_form = OutcomeForm(request.POST if action == "outcome" else None,
                               initial={"date": timezone.localdate(), "version": callin.version if callin else 0})
    if request.method == "POST":
        if not (may_record or may_publish or may_callin):
            raise Http404("Nothing to do here")
        if action not in ("edit", "publish", "callin", "outcome", "recompute"):
            return bad_request(request)
        try:
            if action == "edit" and edit_form is None:
                raise ApaError(Problem("only a draft decision can be edited"), code="conflict")
            if action == "outcome" and callin is None:
                raise ApaError(Problem("no call-in has been recorded on this decision"), code="conflict")
            if action == "callin" and (decision.status != DecisionRecord.Status.PUBLISHED or callin is not None):
                raise ApaError(Problem("a call-in is recorded on a published decision, once"), code="conflict")
            if action == "edit" and edit_form is not None and edit_form.is_valid():
                data = dict(edit_form.cleaned_data)
                version = data.pop("version")
                data["report"] = reports.filter(pk=data["report"]).first() if data["report"] else None
                data["meeting"] = meetings.filter(pk=data["meeting"]).first() if data["meeting"] else None
                services.decision_save(authority=decision.authority, actor=user, record=decision, version=version, **data)
                messages.success(request, "Draft decision saved")
                return redirect("decision_detail", pk=decision.pk)
            if action == "publish" and publish_form.is_valid():
                services.decision_publish(decision=decision, actor=user, version=publish_form.cleaned_data["version"],
                                          publication_date=publish_form.cleaned_data["publication_date"],
                                          given_deadline=publish_form.cleaned_data["given_deadline"])
                messages.success(request, "Decision published")
                return redirect("decision_detail", pk=decision.pk)
            if action == "callin" and callin_form.is_valid():
                services.callin_record(decision=decision, actor=user, members=callin_form.cleaned_data["members"].splitlines(),
                                       reason=callin_form.cleaned_data["reason"], on=callin_form.cleaned_data["date"])
                messages.success(request, "Call-in recorded")
                return redirect("decision_detail", pk=decision.pk)
            if action == "outcome" and outcome_form.is_valid():
                services.callin_outcome(callin=callin, actor=user, version=outcome_form.cleaned_data["version"],
                                        outcome=outcome_form.cleaned_data["outcome"], on=outcome_form.cleaned_data["date"])
                return redirect("decision_detail", pk=decision.pk)
            if action == "recompute":
                services.decision_recompute(decision=decision, actor=user, version=_posted_version(request),
                                            reason=posted_text(request, "reason", "Reason"))
                return redirect("decision_detail", pk=decision.pk)
        except ApaError as exc:
            problems = exc.lines
    state = reporting.decision_state(decision) if decision.status == DecisionRecord.Status.PUBLISHED else ("draft", "Draft: not published")
    return render(request, "councils/decision_detail.html", {
        "decision": decision, "state": state, "problems": problems, "edit_form": edit_form,
        "publish_form": publish_form, "callin_form": callin_form, "outcome_form": outcome_form,
        "callin": callin, "history": selectors.decision_history(user=user, decision=decision),
    })
