"""Public pages of published results. Views only call selectors; every rule lives there."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apa.accounts.models import Role
from apa.authorities.forms import AuthoritySearchForm
from apa.authorities.selectors import authority_detail as authority_get
from apa.authorities.selectors import authority_resolve, neighbours_of
from apa.errors import ApaError, NotFound, Problem
from apa.frameworks.selectors import framework_get
from apa.frameworks.selectors import framework_list as frameworks_all
from apa.tabular import parse_date
from apa.ui.access import public, roles
from apa.ui.responses import csv_response, pdf_response

from .forms import CompareForm, CorrectionForm
from .selectors import (
    authorities_compared,
    authority_comparisons,
    authority_results,
    corrections_pending,
    latest_year,
    national_table,
    result_changes,
    result_for_correction,
    results_years,
    successor_of,
)
from .selectors import published_letter as published_letter_of
from .services import result_correction_agree, result_correction_propose, result_correction_withdraw


@public
def home(request):
    frameworks = list(frameworks_all())
    return render(request, "publication/home.html", {"frameworks": frameworks, "form": AuthoritySearchForm()})


@public
def about_data(request):
    return render(request, "publication/about_data.html", {})


@public
def authority_detail(request, dfe_code: str):
    try:
        authority = authority_get(dfe_code=dfe_code)
    except NotFound:
        raise Http404("No authority with that DfE code") from None
    results = authority_results(authority=authority)
    history = list(results)
    entries = []
    for result in results:
        entries.append({"result": result, "changes": result_changes(result=result, history=history)})
    # Compare the latest result of each framework with all authorities, the region and the neighbours.
    comparisons = []
    seen = set()
    for result in results:
        if result.framework_id in seen:
            continue
        seen.add(result.framework_id)
        labels = {"all": "All authorities", "region": authority.region, "neighbours": "Statistical neighbours"}
        compared = authority_comparisons(framework=result.framework, authority=authority, year=result.year,
                                         groups=tuple(labels))
        rows = [(label, group, compared[group]) for group, label in labels.items()]
        comparisons.append({"framework": result.framework, "year": result.year, "rows": rows})
    neighbours = neighbours_of(authority=authority)
    return render(request, "publication/authority_detail.html", {
        "authority": authority, "entries": entries, "comparisons": comparisons, "neighbours": neighbours,
        "today": timezone.localdate(),
    })


@public
def framework_list(request):
    frameworks = []
    for framework in frameworks_all():
        frameworks.append({"framework": framework, "years": results_years(framework=framework)})
    return render(request, "publication/framework_list.html", {"frameworks": frameworks})


def _framework_or_404(code: str):
    try:
        return framework_get(code=code)
    except NotFound:
        raise Http404("No framework with that code") from None


@public
def framework_detail(request, code: str):
    framework = _framework_or_404(code)
    return render(request, "publication/framework_detail.html", {
        "framework": framework, "years": results_years(framework=framework),
    })


def _as_of(request) -> tuple[date, str]:
    text = request.GET.get("as_of", "").strip()
    if not text:
        return timezone.localdate(), ""
    try:
        return parse_date(text), ""
    except ValueError as exc:
        return timezone.localdate(), str(exc)


@public
def national_results(request, code: str, year: int | None = None):
    framework = _framework_or_404(code)
    as_of, as_of_error = _as_of(request)
    if framework.yearly and year is None:
        year = latest_year(framework=framework, as_of=as_of)
    if not framework.yearly and year is not None:
        raise Http404("This framework has no years")
    sort = request.GET.get("sort", "")
    table = national_table(framework=framework, year=year, as_of=as_of, sort=sort)
    if request.GET.get("format") == "csv":
        header = ["dfe_code", "authority", "region", "year", "inspection_date", "publication_date",
                  "publication_date_basis"] + [a.code for a in table["areas"]]
        rows = [[r["authority"].dfe_code, r["authority"].name, r["authority"].region, r["result"].year or "",
                 r["result"].inspection_date or "", r["result"].publication_date or "",
                 r["result"].publication_basis] + [g if g is not None else "" for g in r["grades"]]
                for r in table["rows"]]
        return csv_response(f"{framework.code}-{year or 'all'}-as-of-{as_of}.csv", header, rows)
    return render(request, "publication/national_results.html", {
        "framework": framework, "year": year, "years": results_years(framework=framework), "as_of": as_of,
        "as_of_text": request.GET.get("as_of", ""), "as_of_error": as_of_error, "table": table, "sort": sort,
        "grades": list(framework.grades.all()),
    })


@public
def compare(request):
    frameworks = list(frameworks_all())
    form = CompareForm(request.GET or None, frameworks=frameworks)
    comparison = None
    problems = []
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            framework = framework_get(code=data["framework"])
            authority = authority_resolve(text=data["authority"])
            comparison = authorities_compared(
                framework=framework, authority=authority, score=data["score"] or None,
                year=data["year"] if framework.yearly else None, as_of=data["as_of"], group=data["group"],
            )
        except ApaError as exc:
            problems = exc.lines
    if comparison and request.GET.get("format") == "csv":
        return csv_response(
            "comparison.csv", ["rank", "dfe_code", "authority", "score"],
            [[rank, a.dfe_code, a.name, score] for a, score, rank in comparison.table],
        )
    return render(request, "publication/compare.html", {"form": form, "comparison": comparison, "problems": problems,
                                                "query_string": request.GET.urlencode()})


@public
def published_letter(request, dfe_code: str, code: str, key: str, version: int | None = None):
    """A published letter, read from its version's snapshot, found only through the one visibility rule: the
    current version, or version N at its permalink (marked superseded, with a link, once corrected)."""
    try:
        authority = authority_resolve(text=dfe_code)
        result = published_letter_of(authority=authority, framework_code=code, key=key, version=version)
    except ApaError:
        raise Http404("No published letter") from None
    context = {"letter": result.letter, "draft": False, "result": result,
               "superseded_by": None if result.is_current else successor_of(result=result)}
    if request.path.endswith(".pdf"):
        return pdf_response(request, "publication/letter_print.html", context,
                            f"apa-letter-{authority.dfe_code}-{key}-v{result.version}.pdf")
    context["pdf_url"] = reverse("letter_version_pdf", args=[authority.dfe_code, code, key, result.version])
    context["permalink"] = reverse("letter_version", args=[authority.dfe_code, code, key, result.version])
    return render(request, "publication/letter.html", context)


@roles(Role.MODERATOR)
def result_correction(request, pk):
    """Propose a correction of a result's current version, or agree or withdraw another moderator's."""
    try:
        result = result_for_correction(pk=pk)
    except NotFound:
        raise Http404("No such current result") from None
    areas = list(result.framework.areas.all())
    current = {g.area_id: g.grade for g in result.grades.all()}
    pending = list(corrections_pending(result=result))
    form = CorrectionForm(request.POST or None)
    problems = []
    if request.method == "POST":
        try:
            action = request.POST.get("action", "propose")
            if action in ("agree", "withdraw"):
                correction = next((c for c in pending if str(c.pk) == request.POST.get("correction", "")), None)
                if correction is None:
                    raise ApaError(Problem("that correction is no longer waiting"))
                if action == "agree":
                    new = result_correction_agree(correction=correction, actor=request.user)
                    messages.success(request, f"Correction published as version {new.version}")
                    return redirect("authority_detail", dfe_code=result.authority.dfe_code)
                result_correction_withdraw(correction=correction, actor=request.user)
                messages.success(request, "Correction withdrawn")
                return redirect("result_correction", pk=result.pk)
            if form.is_valid():
                grades = {a.code: request.POST.get(f"grade-{a.code}") for a in areas if request.POST.get(f"grade-{a.code}")}
                result_correction_propose(result=result, grades=grades, note=form.cleaned_data["note"], actor=request.user)
                messages.success(request, "Correction proposed: it takes effect when a second moderator agrees")
                return redirect("result_correction", pk=result.pk)
        except ApaError as exc:
            problems = exc.lines
    return render(request, "publication/correction.html", {
        "result": result, "form": form, "problems": problems, "pending": pending,
        "rows": [(a, current.get(a.pk)) for a in areas], "grades": list(result.framework.grades.all()),
    })
