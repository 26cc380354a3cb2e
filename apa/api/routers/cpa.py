"""The CPA feed: each authority's children and young people block score, which is that year's published APA
overall grade (apa.publication.cpa), and where a printed CPA table disagrees with it."""

from ninja import Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.paging import Paged
from apa.authorities.selectors import authority_resolve
from apa.publication.cpa import cpa_disagreements, cpa_feed

from . import responses

router = Router(tags=["cpa"])


def _of(rows: list[dict], authority: str | None) -> list[dict]:
    if not authority:
        return rows
    code = authority_resolve(text=authority).dfe_code
    return [r for r in rows if r["dfe_code"] == code]


@router.get("", response=responses(list[s.CpaRow]), url_name="cpa", summary="The CPA feed")
@paginate(Paged)
def cpa(request, year: s.Year | None = None, authority: s.AuthorityText | None = None):
    """One row per authority and CPA year (2005-2008), by year and authority: the same rows as `apa results cpa`
    and /results/cpa/."""
    return _of(cpa_feed(year=year), authority)


@router.get("/disagreements", response=responses(list[s.CpaDisagreement]), url_name="cpa_disagreements",
            summary="Where a printed CPA score and APA's result differ")
@paginate(Paged)
def disagreements(request, year: s.Year | None = None, authority: s.AuthorityText | None = None):
    return _of(cpa_disagreements(year=year), authority)
