"""Pages of the assessment cycle. Views only parse forms and call services and selectors; refusals come
back as ApaError and are shown as GOV.UK error summaries, with what the person typed kept."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apa.accounts.models import Role, User
from apa.accounts.permissions import has_perm
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, NotFound
from apa.frameworks.selectors import framework_list
from apa.publication.jar import previous_for_review
from apa.ui.access import roles, signed_in
from apa.ui.posts import bad_request, posted_int
from apa.ui.responses import pdf_response

from . import evidence, selectors, services
from .forms import (
    AssignForm,
    CommentForm,
    CycleOpenForm,
    DecisionForm,
    DocumentForm,
    GradeChangeForm,
    JudgementForm,
    RepresentationForm,
    ScheduleForm,
    SelfAssessmentAreaForm,
    TransitionForm,
    VisitForm,
)
from .models import Cycle, Document, GradeChange, Judgement, Representation, SelfAssessmentArea, State
from .signals import self_assessment_context
from .workflow import allowed_for, assessment_transition

INSPECTORATE = (Role.INSPECTOR, Role.MODERATOR, Role.PUBLISHER)
EVERYONE_SIGNED_IN = (Role.INSPECTOR, Role.MODERATOR, Role.PUBLISHER, Role.AUTHORITY_OFFICER)


def _assessment(request, pk):
    try:
        return selectors.assessment_for_user(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such assessment") from None


def _cycle(request, pk) -> Cycle:
    cycle = selectors.cycles_for_user(user=request.user).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


@roles(*EVERYONE_SIGNED_IN, Role.ADMIN)
def cycle_list(request):
    cycles = list(selectors.cycles_for_user(user=request.user).distinct())
    form = None
    problems = []
    if has_perm("assessments.open_cycle", request.user):
        form = CycleOpenForm(request.POST or None, frameworks=framework_list())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                cycle = services.cycle_open(framework_code=data.pop("framework"), year=data.pop("year"),
                                            actor=request.user, **data)
                messages.success(request, f"Opened {cycle}")
                return redirect("cycle_detail", pk=cycle.pk)
            except ApaError as exc:
                problems = exc.lines
    elif request.method == "POST":
        raise PermissionDenied("Only an admin may open a cycle.")
    officer_assessments = []
    authority = request.user.authority
    if authority is not None and has_perm("assessments.view_assessment", request.user, authority):
        officer_assessments = list(authority.assessments.select_related("cycle__framework"))
    return render(request, "assessments/cycle_list.html", {"cycles": cycles, "form": form, "problems": problems,
                                                           "officer_assessments": officer_assessments})


@roles(*INSPECTORATE, Role.ADMIN)
def cycle_detail(request, pk):
    cycle = _cycle(request, pk)
    if not has_perm("assessments.view_cycle", request.user, cycle):
        raise Http404("No such cycle")
    problems = []
    schedule_form = ScheduleForm(prefix="schedule")
    assign_form = AssignForm(prefix="assign", inspectors=User.objects.filter(role=Role.INSPECTOR, is_active=True))
    if request.method == "POST":
        action = request.POST.get("action")
        needed = {"schedule": "assessments.schedule_publication", "assign": "assessments.assign_lead_inspector",
                  "publish": "assessments.publish_cycle"}.get(action)
        if needed is None:
            return bad_request(request)
        if not has_perm(needed, request.user, cycle):
            raise PermissionDenied("Your account cannot do that to this cycle.")
        try:
            if action == "schedule":
                schedule_form = ScheduleForm(request.POST, prefix="schedule")
                if schedule_form.is_valid():
                    services.cycle_schedule(cycle=cycle, publish_at=schedule_form.cleaned_data["publish_at"],
                                            actor=request.user)
                    messages.success(request, "Publication time set")
                    return redirect("cycle_detail", pk=cycle.pk)
            elif action == "assign":
                assign_form = AssignForm(request.POST, prefix="assign",
                                         inspectors=User.objects.filter(role=Role.INSPECTOR, is_active=True))
                if assign_form.is_valid():
                    services.cycle_assign(cycle=cycle, authority=authority_resolve(text=assign_form.cleaned_data["authority"]),
                                          inspector=User.objects.get(username=assign_form.cleaned_data["inspector"]),
                                          actor=request.user)
                    messages.success(request, "Lead inspector assigned")
                    return redirect("cycle_detail", pk=cycle.pk)
            elif action == "publish":
                published = services.cycle_publish(cycle=cycle, actor=request.user)
                messages.success(request, f"Published {len(published)} assessments")
                return redirect("cycle_detail", pk=cycle.pk)
        except ApaError as exc:
            problems = exc.lines
    state = request.GET.get("state", "")
    board = selectors.cycle_dashboard(cycle=cycle, viewer=request.user)
    rows = [r for r in board["rows"] if not state or r.assessment.state == state]
    if request.GET.get("overdue"):
        rows = [r for r in rows if r.overdue]
    return render(request, "assessments/cycle_detail.html", {
        "cycle": cycle, "board": board, "rows": rows, "state": state, "problems": problems,
        "schedule_form": schedule_form, "assign_form": assign_form, "states": State.choices,
    })


@roles(Role.MODERATOR)
def moderation(request, pk):
    cycle = _cycle(request, pk)
    problems = []
    grades = list(cycle.framework.grades.all())
    if request.method == "POST":
        try:
            if request.POST.get("action") == "agree":
                change = GradeChange.objects.get(pk=posted_int(request, "change"), judgement__assessment__cycle=cycle)
                services.grade_change_agree(change=change, actor=request.user)
                messages.success(request, "Grade change agreed and applied")
            else:
                form = GradeChangeForm(request.POST, grades=grades)
                if form.is_valid():
                    judgement = Judgement.objects.get(pk=form.cleaned_data["judgement"], assessment__cycle=cycle)
                    services.grade_change_propose(judgement=judgement, to_grade=form.cleaned_data["to_grade"],
                                                  reason=form.cleaned_data["reason"], actor=request.user)
                    messages.success(request, "Grade change proposed; it takes effect when another moderator agrees")
                else:
                    problems = [f"{f}: {e}" for f, errs in form.errors.items() for e in errs]
            if not problems:
                return redirect(request.get_full_path())
        except (ApaError, GradeChange.DoesNotExist, Judgement.DoesNotExist) as exc:
            problems = exc.lines if isinstance(exc, ApaError) else ["that grade is not in this cycle's moderation"]
    overview = selectors.moderation_overview(cycle=cycle)
    group = request.GET.get("by", "area")
    if group == "region":
        overview["rows"].sort(key=lambda r: (r["assessment"].authority.region, r["assessment"].authority.name))
    elif group == "inspector":
        overview["rows"].sort(key=lambda r: (getattr(r["assessment"].lead_inspector, "username", ""),
                                             r["assessment"].authority.name))
    pending = GradeChange.objects.filter(judgement__assessment__cycle=cycle, agreed_by__isnull=True, withdrawn=False
                                         ).select_related("judgement__assessment__authority", "judgement__area", "proposed_by")
    return render(request, "assessments/moderation.html", {
        "cycle": cycle, "overview": overview, "group": group, "pending": pending, "problems": problems,
        "grades": grades, "grade_form": GradeChangeForm(grades=grades),
    })


@roles(*EVERYONE_SIGNED_IN)
def assessment_detail(request, pk):
    assessment = _assessment(request, pk)
    problems = []
    if request.method == "POST":
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                assessment_transition(assessment=assessment, to=form.cleaned_data["to"], actor=request.user,
                                      reason=form.cleaned_data["reason"])
                messages.success(request, f"{assessment.authority.name} is now {State(form.cleaned_data['to']).label.lower()}")
                return redirect("assessment_detail", pk=assessment.pk)
            except ApaError as exc:
                problems = exc.lines
        else:
            problems = [f"{form.fields[name].label or 'State'}: {e}" if name in form.fields else e
                        for name, errs in form.errors.items() for e in errs]
    allowed = allowed_for(assessment=assessment, user=request.user)
    transitions = [(to, rule, TransitionForm(initial={"to": to}, prefix=to)) for to, rule in allowed]
    offered = {to for to, _ in allowed}
    return render(request, "assessments/assessment_detail.html", {
        "assessment": assessment, "transitions": transitions, "problems": problems,
        "may_represent": assessment.state == State.MODERATED and State.REPRESENTATION in offered,
        "may_decide_representation": assessment.state == State.REPRESENTATION
        and has_perm("assessments.decide_representation", request.user, assessment),
        "history": selectors.history_for_user(user=request.user, assessment=assessment),
        "can_see_judgements": selectors.can_see_judgements(user=request.user, assessment=assessment),
        "representations": assessment.representations.select_related("area", "made_by", "decided_by"),
    })


@roles(*EVERYONE_SIGNED_IN)
def self_assessment(request, pk):
    assessment = _assessment(request, pk)
    framework = assessment.cycle.framework
    areas = sorted(framework.areas.all(), key=lambda a: a.judging_order)
    rows = {r.area_id: r for r in SelfAssessmentArea.objects.filter(assessment=assessment)}
    editable = (has_perm("assessments.edit_self_assessment", request.user, assessment)
                and assessment.state in {State.NOT_STARTED, State.SELF_ASSESSMENT})
    grades = list(framework.grades.all())
    problems, bound = [], {}
    if request.method == "POST" and not editable:
        raise PermissionDenied("Only an officer of the authority may change its self-assessment, and only before it is submitted.")
    if request.method == "POST":
        if request.POST.get("action") == "document":
            document_form = DocumentForm(request.POST, request.FILES, areas=areas)
            if document_form.is_valid():
                data = document_form.cleaned_data
                try:
                    services.document_add(assessment=assessment, actor=request.user, title=data["title"],
                                          uploaded=data["file"],
                                          area=next((a for a in areas if a.code == data["area"]), None))
                    messages.success(request, "Document added")
                    return redirect("self_assessment", pk=assessment.pk)
                except ApaError as exc:
                    problems = exc.lines
            else:
                problems = [e for errs in document_form.errors.values() for e in errs]
        else:
            code = request.POST.get("area")
            area = next((a for a in areas if a.code == code), None)
            if area is None:
                return bad_request(request, "That is not one of this framework's judgement areas.")
            form = SelfAssessmentAreaForm(request.POST, prefix=code, grades=grades)
            bound[code] = form
            if area and form.is_valid():
                data = dict(form.cleaned_data)
                version = data.pop("version")
                try:
                    services.self_assessment_save(assessment=assessment, area=area, actor=request.user,
                                                  version=version, **data)
                    messages.success(request, f"Draft saved: {area.title}")
                    return redirect(reverse("self_assessment", args=[assessment.pk]) + f"#area-{area.code}")
                except ApaError as exc:
                    problems = exc.lines
            else:  # the hidden version's errors have no field on the page to show them
                problems = [f"{area.title}: {form.fields[name].label or name}: {e}"
                            for name, errs in form.errors.items() for e in errs]
    sections = []
    for area in areas:
        row = rows.get(area.pk)
        form = bound.get(area.code) or SelfAssessmentAreaForm(prefix=area.code, grades=grades, initial={
            "version": row.version if row else 0, "narrative": row.narrative if row else "",
            "own_grade": row.own_grade if row else None, "strengths": row.strengths if row else "",
            "areas_for_development": row.areas_for_development if row else "",
            "indicator_codes": row.indicator_codes if row else "",
        })
        sections.append({"area": area, "row": row, "form": form})
    return render(request, "assessments/self_assessment.html", {
        "assessment": assessment, "sections": sections, "editable": editable, "problems": problems,
        "documents": assessment.documents.all(), "document_form": DocumentForm(areas=areas),
        "can_submit": editable and assessment.state == State.SELF_ASSESSMENT,
        **self_assessment_context(user=request.user, assessment=assessment),
    })


@roles(*EVERYONE_SIGNED_IN)
def document_download(request, pk):
    """Documents are served only through this view, which checks who is asking."""
    document = Document.objects.select_related("assessment").filter(pk=pk).first()
    if document is None or not has_perm("assessments.view_document", request.user, document):
        raise Http404("No such document")
    content_type = document.content_type or mimetypes.guess_type(document.file.name)[0] or "application/octet-stream"
    response = FileResponse(document.file.open("rb"), content_type=content_type, as_attachment=True,
                            filename=document.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@roles(*INSPECTORATE)
def review(request, pk):
    assessment = _assessment(request, pk)
    framework = assessment.cycle.framework
    grades = list(framework.grades.all())
    documents = list(assessment.documents.all())
    editable = (has_perm("assessments.record_judgement", request.user, assessment)
                and assessment.state in services.EDITABLE_BY_INSPECTOR)
    judgements = selectors.judgements_of(assessment=assessment)
    problems, bound, conflict = [], {}, None
    visit = getattr(assessment, "visit", None) if hasattr(assessment, "visit") else None
    visit_form = VisitForm(prefix="visit", initial={"date_from": visit.date_from, "date_to": visit.date_to,
                                                    "notes": visit.notes} if visit else None)
    if request.method == "POST" and not editable:
        raise PermissionDenied("Only the lead inspector may change the review, and only while it is under review.")
    if request.method == "POST":
        if request.POST.get("action") == "visit":
            visit_form = VisitForm(request.POST, prefix="visit")
            if visit_form.is_valid():
                try:
                    services.visit_record(assessment=assessment, actor=request.user, **visit_form.cleaned_data)
                    messages.success(request, "Visit recorded")
                    return redirect("review", pk=assessment.pk)
                except ApaError as exc:
                    problems = exc.lines
        else:
            code = request.POST.get("area")
            area = next((j.area for j in judgements if j.area.code == code), None)
            if area is None:
                return bad_request(request, "That is not one of this assessment's judgement areas.")
            form = JudgementForm(request.POST, prefix=code, grades=grades, documents=documents)
            bound[code] = form
            if area and form.is_valid():
                data = form.cleaned_data
                try:
                    services.judgement_save(
                        assessment=assessment, area=area, actor=request.user, version=data["version"],
                        data=services.JudgementInput(
                            grade=data["grade"], rationale=data["rationale"], strengths=services.lines(data["strengths"]),
                            areas_for_development=services.lines(data["areas_for_development"]),
                            areas_for_focus=services.lines(data["areas_for_focus"]),
                            indicator_codes=services.lines(data["indicator_codes"].replace(";", "\n")),
                            document_ids=[int(d) for d in data["documents"]],
                            link_self_assessment=data["link_self_assessment"]))
                    messages.success(request, f"Saved: {area.title}")
                    return redirect(reverse("review", args=[assessment.pk]) + f"#area-{area.code}")
                except ApaError as exc:
                    problems = exc.lines
                    if exc.code == "conflict":
                        conflict = code
    self_rows = {r.area_id: r for r in SelfAssessmentArea.objects.filter(assessment=assessment)}
    periods = dict(assessment.cycle.periods.values_list("indicator_code", "period"))
    suggested = evidence.suggestions(authority=assessment.authority, period=str(assessment.cycle.year))
    sections = []
    for j in judgements:
        linked = [e for f in (j.findings.all() if j.pk else []) for e in f.evidence.all()]
        kinds = selectors.findings_by_kind(j)
        fresh = JudgementForm(prefix=j.area.code, grades=grades, documents=documents, initial={
            "version": j.version, "grade": j.grade, "rationale": j.rationale,
            "strengths": "\n".join(f.text for f in kinds["strength"]),
            "areas_for_development": "\n".join(f.text for f in kinds["development"]),
            "areas_for_focus": "\n".join(f.text for f in kinds["focus"]),
            "indicator_codes": "\n".join(sorted({e.indicator_code for e in linked if e.indicator_code})),
            "documents": sorted({str(e.document_id) for e in linked if e.document_id}),
            "link_self_assessment": any(e.self_assessment_area_id for e in linked),
        })
        sections.append({"judgement": j, "area": j.area, "form": bound.get(j.area.code) or fresh,
                         "current": fresh if conflict == j.area.code else None,
                         "self": self_rows.get(j.area_id), "suggested": suggested.get(j.area.code)})
    # The lead inspector sees last time's published result and its published joint area review beside it.
    previous = (previous_for_review(authority=assessment.authority, year=assessment.cycle.year)
                if has_perm("assessments.lead_review", request.user, assessment) else None)
    return render(request, "assessments/review.html", {
        "assessment": assessment, "sections": sections, "editable": editable, "problems": problems,
        "visit_form": visit_form, "visit": visit, "periods": periods, "conflict": conflict, "previous": previous,
    })


@roles(*EVERYONE_SIGNED_IN)
def draft_letter(request, pk):
    assessment = _assessment(request, pk)
    if not selectors.can_see_judgements(user=request.user, assessment=assessment):
        raise Http404("No draft letter yet")
    problems = []
    may_comment = (has_perm("assessments.comment_factual_accuracy", request.user, assessment)
                   and assessment.state == State.FACTUAL_ACCURACY)
    if request.method == "POST" and not may_comment:
        raise PermissionDenied("Only an officer of the authority may comment, during the factual accuracy check.")
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            judgement = Judgement.objects.filter(pk=form.cleaned_data["judgement"], assessment=assessment).first()
            finding_id = form.cleaned_data["finding"]
            finding = judgement.findings.filter(pk=finding_id).first() if judgement and finding_id is not None else None
            try:
                if judgement is None or (finding_id is not None and finding is None):
                    raise Http404("No such judgement or finding")
                services.factual_accuracy_comment(finding=finding, judgement=judgement, actor=request.user,
                                                  text=form.cleaned_data["text"])
                messages.success(request, "Comment sent to the lead inspector")
                return redirect("draft_letter", pk=assessment.pk)
            except ApaError as exc:
                problems = exc.lines
        else:
            problems = ["Write your comment before sending it"]
    return render(request, "publication/letter.html", {
        "letter": selectors.letter(assessment=assessment, draft=True), "assessment": assessment, "draft": True,
        "may_comment": may_comment, "problems": problems, "pdf_url": reverse("draft_letter_pdf", args=[assessment.pk]),
    })




@roles(*EVERYONE_SIGNED_IN)
def draft_letter_pdf(request, pk):
    assessment = _assessment(request, pk)
    if not selectors.can_see_judgements(user=request.user, assessment=assessment):
        raise Http404("No draft letter yet")
    return pdf_response(request, "publication/letter_print.html",
                        {"letter": selectors.letter(assessment=assessment, draft=True), "assessment": assessment, "draft": True},
                        f"draft-letter-{assessment.authority.dfe_code}.pdf", stylesheet="publication/letter.css",
                        private=True)


@roles(*EVERYONE_SIGNED_IN)
def representation(request, pk):
    assessment = _assessment(request, pk)
    areas = sorted(assessment.cycle.framework.areas.all(), key=lambda a: a.display_order)
    grades = list(assessment.cycle.framework.grades.all())
    problems = []
    offered = {to for to, _ in allowed_for(assessment=assessment, user=request.user)}
    officer = assessment.state == State.MODERATED and State.REPRESENTATION in offered
    moderator = (assessment.state == State.REPRESENTATION
                 and has_perm("assessments.decide_representation", request.user, assessment))
    form = RepresentationForm(request.POST or None, areas=areas) if officer else None
    decision_form = DecisionForm(request.POST or None, grades=grades) if moderator else None
    if request.method == "POST":
        try:
            if officer and form.is_valid():
                data = form.cleaned_data
                services.representation_make(assessment=assessment, actor=request.user, kind=data["kind"], text=data["text"],
                                             area=next((a for a in areas if a.code == data["area"]), None))
                messages.success(request, "Representation made; publication of your letter waits for the decision")
                return redirect("assessment_detail", pk=assessment.pk)
            if moderator and decision_form.is_valid():
                data = decision_form.cleaned_data
                rep = Representation.objects.get(pk=data["representation"], assessment=assessment)
                services.representation_decide(representation=rep, actor=request.user, decision=data["decision"],
                                               reason=data["reason"], new_grade=data["new_grade"])
                messages.success(request, "Representation decided")
                return redirect("assessment_detail", pk=assessment.pk)
        except (ApaError, Representation.DoesNotExist) as exc:
            problems = exc.lines if isinstance(exc, ApaError) else ["no such representation"]
    if not (officer or moderator):
        raise Http404("No representation can be made or decided now")
    open_rep = assessment.representations.filter(decision="").first()
    return render(request, "assessments/representation.html", {
        "assessment": assessment, "form": form, "decision_form": decision_form, "problems": problems, "open": open_rep,
    })






@signed_in
def my_work(request):
    """Where a signed-in person starts: their cycles and assessments."""
    return redirect("cycle_list")
