"""Frameworks: their judgement areas and grade scales."""

from ninja import Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.links import api_link
from apa.api.paging import Mapped, Paged
from apa.frameworks.selectors import framework_get, framework_list
from apa.publication.selectors import results_years

from . import responses

router = Router(tags=["frameworks"])


def summary(request, framework) -> dict:
    return {"code": framework.code, "title": framework.title, "yearly": framework.yearly,
            "first_year": framework.first_year, "last_year": framework.last_year,
            "default_score": framework.default_score, "url": api_link(request, "framework", code=framework.code)}


@router.get("", response=responses(list[s.FrameworkSummary]), url_name="frameworks", summary="List frameworks")
@paginate(Paged)
def frameworks(request):
    """Every framework results were published under, oldest first."""
    return Mapped(list(framework_list()), lambda items: [summary(request, f) for f in items])


@router.get("/{code}", response=responses(s.Framework), url_name="framework", summary="A framework")
def framework(request, code: s.FrameworkCode):
    """A framework's grade scale (highest first), its judgement areas in display order, the national
    publication dates of its letters, and the years with published results."""
    f = framework_get(code=code)
    return {
        **summary(request, f), "description": f.description, "source": f.source,
        "grades": [{"value": g.value, "label": g.label, "descriptor": g.descriptor} for g in f.grades.all()],
        "areas": [{"code": a.code, "title": a.title, "short_title": a.short_title, "kind": a.kind,
                   "display_order": a.display_order, "required": a.required, "graded_from": a.graded_from,
                   "continues": f"{a.continues.framework.code}:{a.continues.code}" if a.continues else None}
                  for a in f.areas.all()],
        "national_publications": [{"year": p.year, "date": p.date, "source": p.source}
                                  for p in f.national_publications.all()],
        "years_with_results": results_years(framework=f),
    }
