"""The `apa compare` question: an authority's rank and quartile among the authorities published so far."""

from typing import Literal

from ninja import Query, Router

from apa.api import schemas as s
from apa.api.links import authority_ref
from apa.authorities.selectors import authority_resolve
from apa.frameworks.selectors import framework_get
from apa.publication.selectors import GROUPS, authorities_compared

from . import responses

router = Router(tags=["comparisons"])


YEAR = Query(None, description="yearly frameworks only (default: the latest)")
AS_OF = Query(None, description="count results published on or before this date (default today)")


@router.get("", response=responses(s.Comparison), url_name="comparison", summary="Compare an authority")
def comparison(request, framework: s.FrameworkCode, authority: s.AuthorityText, score: s.Score | None = None,
               year: s.Year | None = YEAR, as_of: s.IsoDate | None = AS_OF,
               group: Literal[GROUPS] = "all"):
    """The same answer as `apa compare --format json` and the compare page: the authority's score, its
    competition rank among the group's authorities that have a score, how many scored more highly, its quartile,
    every authority's score and rank, and how many had each score. The method is in docs/comparisons.md."""
    c = authorities_compared(framework=framework_get(code=framework), authority=authority_resolve(text=authority),
                             score=score, year=year, as_of=as_of, group=group)
    return {
        "framework": c.framework.code, "year": c.year, "authority": authority_ref(request, c.authority),
        "score_areas": [a.code for a in c.areas], "as_of": c.as_of, "group": c.group, "score": c.score,
        "rank": c.rank, "compared": c.compared, "higher": c.higher, "quartile": c.quartile,
        "table": [{"rank": rank, "authority": authority_ref(request, a), "score": score_}
                  for a, score_, rank in c.table],
        "distribution": [{"score": k, "authorities": n} for k, n in c.distribution.items()],
    }
