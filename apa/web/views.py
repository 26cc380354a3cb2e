"""Public pages of published results. Views only call selectors; every rule lives there."""

import csv
from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apa.authorities.selectors import authority_detail as authority_get
from apa.authorities.selectors import authority_list as authorities_filtered
from apa.authorities.selectors import authority_resolve, neighbours_of
from apa.errors import ApaError, NotFound
from apa.frameworks.selectors import framework_get
from apa.frameworks.selectors import framework_list as frameworks_all
from apa.publication.selectors import (
    authorities_compared,
    authority_results,
    latest_year,
    national_table,
    result_changes,
    results_years,
)
from apa.tabular import parse_date

from .access import public
from .forms import AuthoritySearchForm, CompareForm


@public
def home(request):
    frameworks = list(frameworks_all())
    return render(request, "web/home.html", {"frameworks": frameworks, "form": AuthoritySearchForm()})


@public
def about_data(request):
    return render(request, "web/about_data.html", {})


@public
def authority_list(request):
    form = AuthoritySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = list(
        authorities_filtered(
            query=filters.get("q", ""), region=filters.get("region", ""), dfe_type=filters.get("type", ""),
            status=filters.get("status", ""),
        )
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            "authorities.csv",
            ["dfe_code", "name", "ons_code", "region", "london_area", "type", "start_date", "end_date"],
            [[a.dfe_code, a.name, a.current_ons_code, a.region, a.london_area, a.dfe_type,
              a.start_date or "", a.end_date or ""] for a in items],
        )
    return render(request, "web/authority_list.html", {"form": form, "authorities": items,
                                                          "query_string": request.GET.urlencode()})


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
        rows = []
        for group, label in (("all", "All authorities"), ("region", authority.region), ("neighbours", "Statistical neighbours")):
            rows.append((label, group, authorities_compared(
                framework=result.framework, authority=authority, year=result.year, group=group)))
        comparisons.append({"framework": result.framework, "year": result.year, "rows": rows})
    neighbours = neighbours_of(authority=authority)
    return render(request, "web/authority_detail.html", {
        "authority": authority, "entries": entries, "comparisons": comparisons, "neighbours": neighbours,
        "today": timezone.localdate(),
    })


@public
def framework_list(request):
    frameworks = []
    for framework in frameworks_all():
        frameworks.append({"framework": framework, "years": results_years(framework=framework)})
    return render(request, "web/framework_list.html", {"frameworks": frameworks})


def _framework_or_404(code: str):
    try:
        return framework_get(code=code)
    except NotFound:
        raise Http404("No framework with that code") from None


@public
def framework_detail(request, code: str):
    framework = _framework_or_404(code)
    return render(request, "web/framework_detail.html", {
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
    return render(request, "web/national_results.html", {
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
    return render(request, "web/compare.html", {"form": form, "comparison": comparison, "problems": problems,
                                                "query_string": request.GET.urlencode()})


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def error_403(request, exception=None):
    return render(request, "web/error.html", {"title": "You do not have access to this page",
                                              "message": "Sign in with an account that has access, or go back."}, status=403)


def error_404(request, exception=None):
    return render(request, "web/error.html", {"title": "Page not found",
                                              "message": "If you typed the web address, check it is correct."}, status=404)


def error_500(request):
    return render(request, "web/error.html", {"title": "Sorry, there is a problem with the service",
                                              "message": "Try again later."}, status=500)
