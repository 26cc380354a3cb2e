"""Pages of the improvement plan and the alerts page. The plan is for the authority's officers only
(plans.view_plan): another authority's officer finds nothing there (404), other roles are refused, and the role
check sends the public to sign in. The forms post the version of the line or action they were opened at."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apa.accounts.models import Role
from apa.accounts.permissions import has_perm
from apa.authorities.selectors import authority_detail
from apa.councils.models import Meeting
from apa.errors import ApaError, NotFound
from apa.publication.selectors import results_visible
from apa.ui.access import roles, signed_in
from apa.ui.responses import csv_response, pdf_response

from . import alerts as alerts_module
from . import selectors, services
from .forms import ActionForm, ActionUpdateForm, ClinicForm, LineForm, NoteForm, ProgressReportForm
from .models import Clinic, PlanLine


def _authority(request, dfe_code):
    try:
        authority = authority_detail(dfe_code=dfe_code)
    except NotFound:
        raise Http404("No such authority") from None
    if not has_perm("plans.view_plan", request.user, authority):
        raise Http404("No such improvement plan")
    return authority


def _line(request, pk):
    try:
        return selectors.plan_line_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such line") from None


def _action(request, pk):
    try:
        return selectors.plan_action_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such action") from None


def _owner(owners, value):
    return next((u for u in owners if str(u.pk) == value), None) if value else None


@roles(Role.AUTHORITY_OFFICER)
def plan_home(request, dfe_code):
    authority = _authority(request, dfe_code)
    results = list(results_visible().filter(authority=authority).select_related("framework").order_by("-counts_from"))
    line_form = LineForm(prefix="line", results=results)
    problems = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "from_result":
                result = next((r for r in results if str(r.pk) == request.POST.get("result")), None)
                if result is None:
                    raise Http404("No such result")
                created = services.plan_lines_from_result(result=result, actor=request.user)
                messages.success(request, f"Added {len(created)} lines from {result.label}")
                return redirect("plan_home", dfe_code=authority.dfe_code)
            line_form = LineForm(request.POST, prefix="line", results=results)
            if line_form.is_valid():
                data = line_form.cleaned_data
                line = services.plan_line_add(
                    authority=authority, actor=request.user, text=data["text"], kind=data["kind"], area=data["area"],
                    result=next((r for r in results if str(r.pk) == data["result"]), None), reason=data["reason"])
                messages.success(request, "Line added: now agree its actions")
                return redirect("plan_line", pk=line.pk)
        except ApaError as exc:
            problems = exc.lines
    context = selectors.plan_home(authority=authority, today=timezone.localdate())
    context.update({"authority": authority, "line_form": line_form, "problems": problems})
    return render(request, "plans/home.html", context)


@roles(Role.AUTHORITY_OFFICER)
def plan_line(request, pk):
    line = _line(request, pk)
    authority = line.authority
    owners = selectors.owner_choices(authority=authority)
    form = ActionForm(prefix="action", owners=owners, initial={"version": line.version})
    problems = []
    if request.method == "POST":
        form = ActionForm(request.POST, prefix="action", owners=owners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_add(line=line, actor=request.user, version=data["version"], description=data["description"],
                                    due_date=data["due_date"], owner=_owner(owners, data["owner"]),
                                    owner_name=data["owner_name"], status=data["status"])
                messages.success(request, "Action added")
                return redirect("plan_line", pk=line.pk)
            except ApaError as exc:
                problems = exc.lines
    today = timezone.localdate()
    line = selectors.plan_lines(authority=authority, today=today, lines=PlanLine.objects.filter(pk=line.pk))[0]
    return render(request, "plans/line.html", {
        "authority": authority, "line": line, "form": form, "problems": problems,
        "history": selectors.plan_history(authority=authority, entity="plan_line", entity_id=line.pk),
    })


@roles(Role.AUTHORITY_OFFICER)
def plan_action(request, pk):
    action = _action(request, pk)
    authority = action.line.authority
    owners = selectors.owner_choices(authority=authority)
    today = timezone.localdate()
    initial = {"version": action.version, "description": action.description, "owner": str(action.owner_id or ""),
               "owner_name": action.owner_name, "due_date": action.due_date, "status": action.status}
    form = ActionUpdateForm(prefix="action", owners=owners, initial=initial)
    note_form = NoteForm(prefix="note")
    problems = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "note":
                note_form = NoteForm(request.POST, prefix="note")
                if note_form.is_valid():
                    services.progress_note_add(action=action, actor=request.user, text=note_form.cleaned_data["text"],
                                               on=note_form.cleaned_data["date"], today=today)
                    messages.success(request, "Progress note added")
                    return redirect("plan_action", pk=action.pk)
            else:
                form = ActionUpdateForm(request.POST, prefix="action", owners=owners)
                if form.is_valid():
                    data = form.cleaned_data
                    services.action_update(action=action, actor=request.user, version=data["version"], reason=data["reason"],
                                           description=data["description"], owner=_owner(owners, data["owner"]),
                                           owner_name=data["owner_name"], due_date=data["due_date"], status=data["status"])
                    messages.success(request, "Action saved")
                    return redirect("plan_action", pk=action.pk)
        except ApaError as exc:
            problems = exc.lines
    line = selectors.plan_lines(authority=authority, today=today, lines=PlanLine.objects.filter(pk=action.line_id))[0]
    action = next(a for a in line.action_list if a.pk == action.pk)
    return render(request, "plans/action.html", {
        "authority": authority, "line": line, "action": action, "form": form, "note_form": note_form,
        "problems": problems, "history": selectors.plan_history(authority=authority, entity="action", entity_id=action.pk),
    })


@roles(Role.AUTHORITY_OFFICER)
def plan_clinic(request, dfe_code):
    authority = _authority(request, dfe_code)
    today = timezone.localdate()
    form = ClinicForm(prefix="clinic", initial={"held_on": today})
    problems = []
    if request.method == "POST":
        form = ClinicForm(request.POST, prefix="clinic")
        if form.is_valid():
            try:
                clinic = services.clinic_record(authority=authority, actor=request.user, today=today, **form.cleaned_data)
                messages.success(request, f"Improvement clinic of {clinic.held_on:%-d %B %Y} recorded; "
                                          "changes from now on show at the next one")
                return redirect("plan_clinic", dfe_code=authority.dfe_code)
            except ApaError as exc:
                problems = exc.lines
    since = None
    if request.GET.get("since"):
        since = Clinic.objects.filter(authority=authority, pk=request.GET["since"]).first() if request.GET["since"].isdigit() else None
        if since is None:
            raise Http404("No such clinic")
    context = selectors.clinic_view(authority=authority, today=today, since=since)
    context.update({"authority": authority, "form": form, "problems": problems})
    return render(request, "plans/clinic.html", context)


def _report_url(pk) -> str:
    try:
        return reverse("report_detail", args=[pk])
    except NoReverseMatch:  # the reports pages are not installed
        return ""


@roles(Role.AUTHORITY_OFFICER)
def plan_progress(request, dfe_code):
    authority = _authority(request, dfe_code)
    today = timezone.localdate()
    meetings = list(Meeting.objects.filter(authority=authority, date__gte=today).order_by("date"))
    form = ProgressReportForm(prefix="report", meetings=meetings)
    problems = []
    if request.method == "POST":
        form = ProgressReportForm(request.POST, prefix="report", meetings=meetings)
        if form.is_valid():
            try:
                meeting = next((m for m in meetings if str(m.pk) == form.cleaned_data["meeting"]), None)
                report = services.progress_report_draft(authority=authority, actor=request.user, today=today, meeting=meeting)
                messages.success(request, "Draft progress report created: edit it, then issue it to the committee")
                url = _report_url(report.pk)
                return redirect(url) if url else redirect("plan_progress", dfe_code=authority.dfe_code)
            except ApaError as exc:
                problems = exc.lines
    context = selectors.progress_report(authority=authority, today=today)
    context.update({"form": form, "problems": problems})
    return render(request, "plans/progress.html", context)


@roles(Role.AUTHORITY_OFFICER)
def plan_progress_pdf(request, dfe_code):
    """The progress report's own HTML body through WeasyPrint with print CSS."""
    authority = _authority(request, dfe_code)
    today = timezone.localdate()
    return pdf_response(request, "plans/progress_print.html", selectors.progress_report(authority=authority, today=today),
                        f"improvement-plan-{authority.dfe_code}-{today.isoformat()}.pdf",
                        stylesheet="plans/progress_print.css", private=True)


@roles(Role.AUTHORITY_OFFICER)
def plan_progress_csv(request, dfe_code):
    authority = _authority(request, dfe_code)
    today = timezone.localdate()
    data = selectors.progress_report(authority=authority, today=today)
    response = csv_response(f"improvement-plan-{authority.dfe_code}-{today.isoformat()}.csv", selectors.CSV_HEADER,
                            selectors.progress_report_rows(data))
    response["Cache-Control"] = "private, no-store"
    return response


@roles(Role.AUTHORITY_OFFICER)
def plan_history(request, dfe_code):
    authority = _authority(request, dfe_code)
    return render(request, "plans/history.html", {
        "authority": authority, "history": selectors.plan_history(authority=authority)})


@signed_in
def alerts(request):
    today = timezone.localdate()
    found = alerts_module.alerts_for_user(user=request.user, today=today)
    emailed = alerts_module.alerts_sent(user=request.user, alerts=found)
    groups: dict[str, list] = {}
    for alert in found:
        groups.setdefault(alert.heading, []).append({"alert": alert, "emailed": alert.key in emailed})
    return render(request, "plans/alerts.html", {"groups": list(groups.items()), "count": len(found),
                                                 "today": today})
