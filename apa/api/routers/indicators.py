"""Indicators: the catalogue, every authority's values in a period with their benchmarks, and the
`apa benchmark` question for one authority. Codes are LAIT's exactly as published, so they may hold '/', '%',
',' or spaces: URL-encode them."""

from ninja import Query, Router
from ninja.pagination import paginate

from apa.api import schemas as s
from apa.api.links import api_link
from apa.api.paging import Mapped, Paged
from apa.authorities.selectors import authority_resolve
from apa.indicators.benchmark import benchmark_for
from apa.indicators.pages import indicator_page
from apa.indicators.selectors import indicator_get, indicator_list, indicator_periods, period_get

from . import responses

router = Router(tags=["indicators"])

PERIOD = Query(None, description="the period's label as published, e.g. '2025 (Rev)' (default: the latest with "
               "values)")
OUTCOME = Query("", description="an outcome code such as staying_safe, or none")
WORDS = Query("", description="words in the code or title")
NEIGHBOUR_SET = Query(None, description="statistical neighbour set (default: the latest that lists the authority)")


def summary(request, i) -> dict:
    return {"code": i.code, "title": i.title, "topics": [t.name for t in i.topics.all()],
            "outcomes": [o.outcome for o in i.outcomes.all()], "polarity": i.polarity, "unit": i.unit,
            "year_type": i.year_type, "url": api_link(request, "indicator", code=i.code)}


@router.get("", response=responses(list[s.IndicatorSummary]), url_name="indicators", summary="List indicators")
@paginate(Paged)
def indicators(request, topic: s.Text = "", outcome: s.Text = OUTCOME, q: s.Text = WORDS):
    """The indicator catalogue, by title."""
    return Mapped(indicator_list(topic=topic, outcome=outcome, query=q),
                  lambda page: [summary(request, i) for i in page])


# Django tries the routes in order and a code may contain '/', so the longer routes come first.
@router.get("/{path:code}/benchmark", response=responses(s.Benchmark), url_name="benchmark",
            summary="Benchmark an indicator for an authority")
def benchmark(request, code: s.IndicatorCode, authority: s.AuthorityText, period: s.Text | None = PERIOD,
              neighbour_set: s.Year | None = NEIGHBOUR_SET):
    """The same answer as `apa benchmark CODE --authority A --format json`: the value, its rank among the
    authorities with a value (ties share the lowest rank), quartile band A–D respecting polarity, the cut points,
    England's, the region's and the statistical neighbours' average, and the change since the previous period.
    The method is in docs/indicators.md."""
    return benchmark_for(indicator=indicator_get(code=code), authority=authority_resolve(text=authority),
                         period=period, neighbour_set=neighbour_set)


@router.get("/{path:code}/values", response=responses(s.Values), url_name="values",
            summary="Every authority's value in one period")
def values(request, code: s.IndicatorCode, period: s.Text | None = PERIOD):
    """Every stored value of the period — a number, or the reason there is none — with each authority's rank,
    band, neighbours' average and change, by DfE code; and England's and the regions' values as published."""
    indicator = indicator_get(code=code)
    chosen = period_get(indicator=indicator, label=period)
    page = indicator_page(indicator=indicator, period=chosen, authority=None, sort="name")
    rows = sorted(page["rows"], key=lambda c: c["authority"])
    first = rows[0] if rows else {}
    return {
        "indicator": indicator.code, "period": chosen.label, "period_status": chosen.status or None,
        "ranked": page["ranked"], "quartiles": first.get("quartiles"), "england": page["england"],
        "areas": [{"area": area, "value": value} for area, value in page["areas"].items()],
        "values": [{"authority": c["authority"], "authority_name": c["authority_name"], "value": c["value"],
                    "missing_reason": (c["value_text"] or None) if c["value"] is None else None,
                    "rank": c["rank"], "quartile_band": c["quartile_band"],
                    "neighbour_average": c["neighbour_average"], "change": c["change"], "direction": c["direction"]}
                   for c in rows],
    }


@router.get("/{path:code}", response=responses(s.Indicator), url_name="indicator", summary="An indicator")
def indicator(request, code: s.IndicatorCode):
    """An indicator's definition, the judgement areas it informs and its periods in order."""
    i = indicator_get(code=code)
    return {**summary(request, i), "description": i.description, "decimal_places": i.decimal_places,
            "quartile_bands": i.banded, "source": i.source, "outcomes_edited": i.outcomes_edited,
            "periods": [{"label": p.label, "status": p.status or None} for p in indicator_periods(indicator=i)]}
