"""Evidence for judgements (issue 4 links findings to these): the indicators that are an authority's
strengths and concerns, grouped by the outcome they inform."""

import math
from dataclasses import dataclass

from apa.authorities.models import Authority

from . import ranking as bm
from .benchmark import benchmark_table, direction_of, float_or_none
from .models import Indicator
from .readers import outcome_codes
from .selectors import latest_periods, outcomes_of, period_rows


@dataclass
class EvidenceItem:
    indicator: Indicator
    period: str
    value: float | None
    band: str
    previous_period: str | None
    previous_band: str
    change: float | None
    direction: str | None
    worse_periods: int
    rank: int | None
    ranked: int
    reasons: list[str]

    def as_dict(self) -> dict:
        return {
            "indicator": self.indicator.code, "title": self.indicator.title, "period": self.period,
            "value": self.value, "quartile_band": self.band or None, "previous_period": self.previous_period,
            "previous_band": self.previous_band or None, "change": self.change, "direction": self.direction,
            "worse_periods": self.worse_periods, "rank": self.rank, "ranked": self.ranked, "reasons": self.reasons,
        }


def _end_year(sort_key: int) -> int:
    return sort_key // 1000 // 100  # see periods.period_place: ((end * 100 + month) * 100 + span) * 10 + status


def _evidence_periods(periods: list[tuple], period) -> dict[int, int]:
    """Indicator id → the period judged: with None each indicator's latest with values; with a label, the
    period of that label where an indicator has one; with a year, the latest period ending in or before it."""
    if period is None:
        return latest_periods(periods)
    text = str(period).strip()
    chosen: dict[int, int] = {}
    for pk, indicator_id, label, _status, sort_key, with_values in periods:
        if not with_values:
            continue
        if label == text or (text.isdigit() and len(text) == 4 and _end_year(sort_key) <= int(text)):
            chosen[indicator_id] = pk  # period order: the last match is the latest
    return chosen


def indicator_evidence(*, authority: Authority, period=None, neighbour_set: int | None = None) -> dict:
    """The indicators that are strengths and concerns for an authority, grouped by the outcome they inform.

    Strength: band A, and not worse than the previous period. Concern: band D; or down at least one band since
    the previous period; or worse in each of the last three periods (three changes in a row for the worse).
    Returns {outcome code: {"title", "strengths": [EvidenceItem], "concerns": [EvidenceItem]}} in the
    framework's order, with "none" last for indicators linked to no outcome."""
    periods = period_rows()
    chosen = _evidence_periods(periods, period)
    table = benchmark_table(period_ids=list(chosen.values()), history=3, periods=periods, only=authority,
                            neighbour_set=neighbour_set)
    col = table.column[authority.pk]
    row_of = {p: i for i, p in enumerate(table.period_id.tolist())}
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=list(chosen))}
    outcomes = outcomes_of(indicator_ids=list(chosen))
    titles = outcome_codes()
    found: dict[str, dict] = {code: {"title": title, "strengths": [], "concerns": []} for code, title in titles.items()}
    found["none"] = {"title": "Not linked to an outcome", "strengths": [], "concerns": []}
    for indicator_id, period_id in chosen.items():
        r = row_of[period_id]
        band, before = int(table.band[r, col]), int(table.previous_band[r, col])
        improvement = float(table.improvement[r, col])
        worse_run = int(table.worse_periods[r, col])
        reasons, kind = [], None
        if band == 1 and improvement != -1:
            kind, reasons = "strengths", ["band A" + (", not worse than the previous period"
                                                     if not math.isnan(improvement) else "")]
        else:
            if band == 4:
                reasons.append("band D")
            if band and before and band > before:
                reasons.append(f"down from band {bm.BANDS[before]} to {bm.BANDS[band]} since the previous period")
            if worse_run >= 3:
                reasons.append(f"worse in each of the last {worse_run} periods")
            kind = "concerns" if reasons else None
        if kind is None:
            continue
        previous = int(table.previous[r])
        item = EvidenceItem(
            indicator=indicators[indicator_id], period=table.labels[r], value=float_or_none(table.value[r, col]),
            band=bm.BANDS[band], previous_period=table.labels[previous] if previous >= 0 else None,
            previous_band=bm.BANDS[before], change=float_or_none(table.change[r, col]),
            direction=direction_of(improvement, int(table.polarity[r])), worse_periods=worse_run,
            rank=int(table.rank[r, col]) or None, ranked=int(table.ranked[r]), reasons=reasons,
        )
        for code in outcomes.get(indicator_id) or ["none"]:
            if code in found:
                found[code][kind].append(item)
    for group in found.values():
        for kind in ("strengths", "concerns"):
            group[kind].sort(key=lambda item: item.indicator.title)
    if not found["none"]["strengths"] and not found["none"]["concerns"]:
        del found["none"]
    return found
