"""What the assessment cycle takes from the indicators: the periods a cycle judges by, benchmarks to link to
findings, and the suggested strengths and concerns. One adapter, so the cycle never re-implements a rule."""

from datetime import date


def latest_periods(*, on: date) -> dict[str, str]:
    """Each indicator's latest period that had ended by `on` (a period's sort key starts with the year and
    month it ends: see apa/indicators/periods.py)."""
    from apa.indicators.models import IndicatorPeriod

    limit = on.year * 100 + on.month
    chosen: dict[str, tuple[int, str]] = {}
    rows = IndicatorPeriod.objects.values_list("indicator__code", "sort_key", "label")
    for code, sort_key, label in rows:
        if sort_key // 1000 > limit:
            continue
        best = chosen.get(code)
        if best is None or sort_key > best[0]:
            chosen[code] = (sort_key, label)
    return {code: label for code, (_, label) in chosen.items()}


def unknown_periods(periods: dict[str, str]) -> list[tuple[str, str]]:
    """The (code, label) pairs that name no stored indicator period."""
    from apa.indicators.models import IndicatorPeriod

    known = set(IndicatorPeriod.objects.filter(indicator__code__in=list(periods)).values_list("indicator__code", "label"))
    return [(code, label) for code, label in periods.items() if (code, label) not in known]


def unknown_codes(codes: list[str]) -> list[str]:
    if not codes:
        return []
    from apa.indicators.models import Indicator

    known = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    return [c for c in codes if c not in known]


def benchmark_snapshot(*, code: str, authority, period: str | None) -> dict:
    """The indicator's benchmark for the authority, as JSON, to keep beside a finding. An indicator with no
    such period still links, without figures."""
    from apa.errors import ApaError
    from apa.indicators import benchmark

    try:
        return benchmark.benchmark_json(code=code, authority=authority, period=period)
    except ApaError:
        return {"indicator": code, "period": period}


def suggestions(*, authority, period: str | None = None) -> dict:
    """Suggested strengths and concerns for an authority, grouped by outcome code, as plain dicts."""
    from apa.indicators.evidence import indicator_evidence

    found = indicator_evidence(authority=authority, period=period)
    return {
        code: {"title": group["title"],
               "strengths": [item.as_dict() for item in group["strengths"]],
               "concerns": [item.as_dict() for item in group["concerns"]]}
        for code, group in found.items()
    }
