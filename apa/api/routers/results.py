"""Published results with their grades and every public version. Read only through the one visibility rule
(results_visible, versions_visible): a result under embargo or withheld is absent, and 404 at its own URL."""

from ninja import Query, Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.filters import results_filtered
from apa.api.links import authority_ref, letter_links, result_link
from apa.api.paging import Mapped, Paged
from apa.authorities.selectors import authority_detail
from apa.errors import NotFound, Problem
from apa.frameworks.selectors import grade_label
from apa.publication.selectors import results_visible, versions_visible

from . import responses

router = Router(tags=["results"])

RELATED = ("authority", "framework")
PREFETCH = ("grades__area", "grades__sources", "framework__grades")


def _versions(results) -> dict[tuple, list]:
    """(authority, framework, key) → its public versions, oldest first, for a page of results at once."""
    found: dict[tuple, list] = {}
    if not results:
        return found
    rows = versions_visible().filter(
        authority_id__in={r.authority_id for r in results}, framework_id__in={r.framework_id for r in results},
        key__in={r.key for r in results},
    ).select_related(*RELATED).order_by("version")
    for version in rows:
        found.setdefault((version.authority_id, version.framework_id, version.key), []).append(version)
    return found


def serialise(request, results) -> list[dict]:
    versions = _versions(results)
    items = []
    for r in results:
        items.append({
            "url": result_link(request, r), "authority": authority_ref(request, r.authority),
            "framework": r.framework.code, "year": r.year, "key": r.key, "inspection_date": r.inspection_date,
            "inspection_type": r.inspection_type, "publication_date": r.publication_date,
            "publication_basis": r.publication_basis, "counts_from": r.counts_from, "published_at": r.published_at,
            "version": r.version, "current": r.is_current, "correction_note": r.correction_note,
            "grades": [{"area": g.area.code, "area_title": g.area.title, "grade": g.grade,
                        "label": grade_label(framework=r.framework, value=g.grade),
                        "sources": [x.source for x in g.sources.all()]} for g in r.grades.all()],
            "letter": letter_links(request, r) if r.letter is not None else None,
            "versions": [{"version": v.version, "current": v.is_current, "url": result_link(request, v)}
                         for v in versions.get((r.authority_id, r.framework_id, r.key), [])],
        })
    return items


AS_OF = Query(None, description="only results published on or before this date")


@router.get("", response=responses(list[s.Result]), url_name="results", summary="List published results")
@paginate(Paged)
def results(request, framework: s.FrameworkCode | None = None, year: s.Year | None = None,
            authority: s.AuthorityText | None = None,
            as_of: s.IsoDate | None = AS_OF):
    """The current version of every published result, by authority (DfE code), framework and key. `as_of`
    counts a result from its publication date (31 December of its year when that is unknown), as comparisons do;
    it never shows a result before it is public."""
    items = results_filtered(results_visible(), framework=framework, year=year, authority=authority, on=as_of)
    if as_of is not None:
        items = items.filter(counts_from__lte=as_of)
    items = items.select_related(*RELATED).prefetch_related(*PREFETCH).order_by(
        "authority__dfe_code", "framework__first_year", "framework__code", "key")
    return Mapped(items, lambda page: serialise(request, page))


def _one(queryset, what: str):
    found = queryset.select_related(*RELATED).prefetch_related(*PREFETCH).first()
    if found is None:
        raise NotFound(Problem(f"no published {what}; see /api/v1/results for what is published"))
    return found


@router.get("/{dfe_code}/{code}/{key}", response=responses(s.Result), url_name="result",
            summary="A published result (its current version)")
def result(request, dfe_code: s.DfeCode, code: s.FrameworkCode, key: s.ResultKey):
    authority = authority_detail(dfe_code=dfe_code)
    found = _one(results_visible().filter(authority=authority, framework__code=code, key=key),
                 f"result of {authority.name} under {code} for {key}")
    return serialise(request, [found])[0]


@router.get("/{dfe_code}/{code}/{key}/versions/{version}", response=responses(s.Result),
            url_name="result_version", summary="One version of a published result")
def result_version(request, dfe_code: s.DfeCode, code: s.FrameworkCode, key: s.ResultKey, version: s.Version):
    """A version that is public, or was public before a correction replaced it (a version corrected while
    under embargo never was)."""
    authority = authority_detail(dfe_code=dfe_code)
    found = _one(versions_visible().filter(authority=authority, framework__code=code, key=key, version=version),
                 f"version {version} of the result of {authority.name} under {code} for {key}")
    return serialise(request, [found])[0]
