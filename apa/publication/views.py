"""Public pages of published results. Views only call selectors; every rule lives there."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
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
from apa.ui.cache import cached_for_public
from apa.ui.posts import bad_request
from apa.ui.responses import csv_response

from .charts import release_charts
from .forms import CompareForm, CorrectionForm
from .letters import letter_context, letter_file_name, letter_pdf
from .release import area_of, national_release, release_table
from .selectors import (
    authorities_compared,
    authority_record,
    corrections_pending,
    latest_year,
    publication_state,
    result_for_correction,
    results_years,
)
from .selectors import published_letter as letter_version_find
from .services import result_correction_agree, result_correction_propose, result_correction_withdraw


@public
def home(request):
    frameworks = list(frameworks_all())
    return render(request, "publication/home.html", {"frameworks": frameworks, "form": AuthoritySearchForm()})


@public
def about_data(request):
    return render(request, "publication/about_data.html", {})


@public
@cached_for_public(publication_state)
def authority_detail(request, dfe_code: str):
    try:
        authority = authority_get(dfe_code=dfe_code)
    except NotFound:
        raise Http404("No authority with that DfE code") from None
    record = authority_record(authority=authority)
    neighbours = neighbours_of(authority=authority)
    return render(request, "publication/authority_detail.html", {
        "authority": authority, "entries": record["entries"], "comparisons": record["comparisons"],
        "neighbours": neighbours,
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


def _bad_request(message: str) -> HttpResponse:
    """A download refused with a sentence (never a page of figures for another question than the one asked)."""
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


@public
@cached_for_public(publication_state)
def national_results(request, code: str, year: int | None = None):
    """The national release of a framework's year as published by ?as_of= (apa/publication/release.py), with
    its charts; every table as CSV with ?format=csv&table=NAME."""
    framework = _framework_or_404(code)
    if not framework.yearly and year is not None:
        raise Http404("This framework has no years")
    as_of, as_of_error = _as_of(request)
    wants_csv = request.GET.get("format") == "csv"
    if as_of_error and wants_csv:
        return _bad_request(f"{as_of_error}. Nothing was downloaded.")
    if framework.yearly and year is None:
        year = latest_year(framework=framework, as_of=as_of)
    sort = request.GET.get("sort", "")
    release = national_release(framework=framework, year=year, as_of=as_of, sort=sort)
    if wants_csv:
        name = request.GET.get("table", "").strip() or "authorities"
        try:
            header, rows = release_table(release, name)
        except ApaError as exc:
            return _bad_request(f"{'; '.join(exc.lines)}. Nothing was downloaded.")
        part = "" if name == "authorities" else f"{name}-"
        return csv_response(f"{framework.code}-{year or 'all'}-{part}as-of-{as_of}.csv", header, rows)
    area_error = ""
    try:
        area = area_of(release, request.GET.get("area", "").strip())
    except ApaError as exc:
        area_error, area = "; ".join(exc.lines), area_of(release, "")
    # The downloads keep the date and the order, but not a date that could not be read.
    kept = {key: value for key, value in (("as_of", "" if as_of_error else request.GET.get("as_of", "")),
                                          ("sort", sort)) if value}
    return render(request, "publication/national_results.html", {
        "framework": framework, "year": year, "years": results_years(framework=framework), "as_of": as_of,
        "as_of_text": request.GET.get("as_of", ""), "as_of_error": as_of_error, "table": release.table,
        "sort": sort, "grades": release.grades, "release": release, "area": area, "area_error": area_error,
        "national": [(d["area"].short_title, d) for d in release.distribution],
        "regions": [(g.label, d) for g, d in release.by_group("regions", area)],
        "types": [(g.label, d) for g, d in release.by_group("types", area)],
        "charts": release_charts(release, area), "csv_prefix": urlencode(kept) + "&" if kept else "",
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
@cached_for_public(publication_state)
def published_letter(request, dfe_code: str, code: str, key: str, version: int | None = None):
    """A published letter, read from its version's snapshot (an imported result's is grades-only), found only
    through the one visibility rule: the current version, or version N at its permalink (marked superseded,
    with a link, once corrected). The PDF is the same template with the print CSS, byte for byte the file
    `apa letters build` writes."""
    try:
        authority = authority_resolve(text=dfe_code)
        result = letter_version_find(authority=authority, framework_code=code, key=key, version=version)
    except ApaError:
        raise Http404("No published letter") from None
    if request.path.endswith(".pdf"):
        response = HttpResponse(letter_pdf(result), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter_file_name(result)}"'
        return response
    return render(request, "publication/letter.html", letter_context(result))


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
            if action not in ("propose", "agree", "withdraw"):
                return bad_request(request)
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
            problems = [f"{form.fields[name].label}: {e}" for name, errs in form.errors.items() for e in errs]
        except ApaError as exc:
            problems = exc.lines
    return render(request, "publication/correction.html", {
        "result": result, "form": form, "problems": problems, "pending": pending,
        "rows": [(a, current.get(a.pk)) for a in areas], "grades": list(result.framework.grades.all()),
    })
