"""What the indicator pages show: an authority's profile (every indicator's latest benchmark, grouped by
outcome and topic) and an indicator's page (every authority's benchmark in one period, sortable, with the
chosen authority's series)."""

import math
from dataclasses import dataclass

import numpy as np

from apa.authorities.models import Authority

from . import ranking as bm
from .benchmark import benchmark_cell, benchmark_table, direction_of, float_or_none
from .models import AreaValue, Flag, FlagStatus, Indicator, IndicatorPeriod, Value
from .readers import outcome_codes
from .selectors import latest_periods, outcomes_of, period_rows, sql_rows, value_text


@dataclass
class ProfileRow:
    indicator: Indicator
    period: str
    period_status: str
    value: float | None
    value_text: str
    missing: str
    band: str
    rank: int | None
    ranked: int
    neighbour_average: float | None
    england: float | None
    region: float | None
    previous_period: str | None
    change: float | None
    direction: str | None
    trend: list  # (period label, value) oldest first
    flagged: bool = False

    def text(self, number) -> str:
        return value_text(number, "", self.indicator.decimal_places)


def _own_values(authority: Authority) -> list[tuple]:
    """(period id, value, missing reason) of every value an authority has."""
    return sql_rows(f"SELECT period_id, value, missing FROM {Value._meta.db_table} WHERE authority_id = %s",
                [authority.pk])


def authority_profile(*, authority: Authority, outcome: str = "", topic: str = "") -> dict:
    """Every indicator's latest benchmark for one authority, grouped by outcome and then topic."""
    indicators = {i.pk: i for i in Indicator.objects.only("pk", "code", "title", "polarity", "decimal_places",
                                                          "unit", "quartiles")}
    periods = period_rows()
    latest = latest_periods(periods)
    table = benchmark_table(period_ids=list(latest.values()), history=1, periods=periods, only=authority)
    col = table.column[authority.pk]
    row_of = {p: i for i, p in enumerate(table.period_id.tolist())}

    # The authority's own values over every period, for the trend lines.
    own: dict[int, tuple] = {p: (v, m) for p, v, m in _own_values(authority)}
    trends: dict[int, list] = {}
    for pk, indicator_id, label, *_ in periods:
        if pk in own:
            trends.setdefault(indicator_id, []).append((label, own[pk][0]))
    flagged = set(Flag.objects.filter(value__authority=authority, status=FlagStatus.OPEN).values_list(
        "value__period_id", flat=True))

    rows: dict[int, ProfileRow] = {}
    for indicator_id, period_id in latest.items():
        r = row_of[period_id]
        indicator = indicators[indicator_id]
        value = float_or_none(table.value[r, col])
        previous = int(table.previous[r])
        reason = own.get(period_id, (None, ""))[1]
        rows[indicator_id] = ProfileRow(
            indicator=indicator, period=table.labels[r], period_status=table.statuses[r],
            value=value, value_text=value_text(value, reason, indicator.decimal_places), missing=reason,
            band=bm.BANDS[table.band[r, col]], rank=int(table.rank[r, col]) or None, ranked=int(table.ranked[r]),
            neighbour_average=float_or_none(table.neighbour_average[r, col]),
            england=float_or_none(table.england[r]), region=float_or_none(table.region[r, col]),
            previous_period=table.labels[previous] if previous >= 0 else None,
            change=float_or_none(table.change[r, col]),
            direction=direction_of(table.improvement[r, col], int(table.polarity[r])),
            trend=trends.get(indicator_id, []), flagged=period_id in flagged,
        )

    # Group: outcome, then topic. An indicator under two outcomes or topics is listed under each.
    titles = dict(outcome_codes())
    outcomes = outcomes_of(indicator_ids=list(rows))
    topics: dict[int, list[str]] = {}
    for indicator_id, name in Indicator.topics.through.objects.values_list("indicator_id", "topic__name"):
        topics.setdefault(indicator_id, []).append(name)
    groups: dict[str, dict[str, list]] = {code: {} for code in [*titles, ""]}
    for indicator_id, row in rows.items():
        for code in outcomes.get(indicator_id) or [""]:
            if outcome and code != (outcome if outcome != "none" else ""):
                continue
            for name in topics.get(indicator_id) or ["Other"]:
                if topic and name != topic:
                    continue
                groups[code].setdefault(name, []).append(row)
    ordered = []
    for code, by_topic in groups.items():
        if not by_topic:
            continue
        ordered.append({
            "code": code or "none", "title": titles.get(code, "Not linked to an outcome"),
            "topics": [{"name": name, "rows": sorted(items, key=lambda x: x.indicator.title)}
                       for name, items in sorted(by_topic.items())],
            "count": sum(len(items) for items in by_topic.values()),
        })
    return {"groups": ordered, "rows": sorted(rows.values(), key=lambda x: x.indicator.code),
            "neighbour_set": table.neighbour_set.get(authority.pk), "outcomes": titles}


def indicator_page(*, indicator: Indicator, period: IndicatorPeriod, authority: Authority | None,
                   sort: str = "rank") -> dict:
    """The benchmark of every authority in one period, the distribution, and the chosen authority's series
    against its region, its neighbours' average and England."""
    table = benchmark_table(indicator_ids=[indicator.pk])
    r = table.row_of(period.pk)
    missing = dict(Value.objects.filter(period=period).values_list("authority_id", "missing"))
    flagged = set(Flag.objects.filter(value__period=period, status="open").values_list("value__authority_id",
                                                                                       flat=True))
    rows = []
    for c in np.flatnonzero(table.present[r]).tolist():
        cell = benchmark_cell(table, r, c)
        authority_ = table.authorities[c]
        cell["authority_obj"] = authority_
        cell["value_text"] = value_text(cell["value"], missing.get(authority_.pk, ""), indicator.decimal_places)
        cell["neighbour_text"] = value_text(cell["neighbour_average"], "", indicator.decimal_places, computed=True)
        cell["change_text"] = value_text(cell["change"], "", indicator.decimal_places, computed=True)
        cell["flagged"] = authority_.pk in flagged
        cell["chosen"] = authority is not None and authority_.pk == authority.pk
        rows.append(cell)
    rows = _sorted_rows(rows, sort)
    values = [(c["authority"], c["value"]) for c in rows if c["value"] is not None]
    cuts = None if math.isnan(table.cuts[r, 2]) else table.cuts[r].tolist()

    series = None
    if authority is not None and authority.pk in table.column:
        c = table.column[authority.pk]
        first = r - int(table.position[r])
        last = first
        while last + 1 < len(table.labels) and table.indicator_id[last + 1] == indicator.pk:
            last += 1
        span = range(first, last + 1)
        series = {
            "periods": [table.labels[i] for i in span],
            "lines": [
                (authority.name, [float_or_none(table.value[i, c]) for i in span]),
                (authority.region, [float_or_none(table.region[i, c]) for i in span]),
                ("Statistical neighbours' average", [float_or_none(table.neighbour_average[i, c]) for i in span]),
                ("England", [float_or_none(table.england[i]) for i in span]),
            ],
        }
        series["rows"] = [
            (label, *[value_text(line[1][k], "", indicator.decimal_places, computed=n == 2)
                      for n, line in enumerate(series["lines"])])
            for k, label in enumerate(series["periods"])
        ]
    return {
        "rows": rows, "values": values, "cuts": cuts, "england": float_or_none(table.england[r]),
        "ranked": int(table.ranked[r]), "series": series, "table": table, "row": r,
        "areas": {a: v for a, v in AreaValue.objects.filter(period=period).values_list("area", "value")},
    }


SORTS = {
    "rank": lambda c: (c["rank"] is None, c["rank"] or 0, c["authority_name"]),
    "name": lambda c: c["authority_name"],
    "value": lambda c: (c["value"] is None, c["value"] or 0, c["authority_name"]),
    "region": lambda c: (c["region_name"], c["authority_name"]),
    "band": lambda c: (c["quartile_band"] is None, c["quartile_band"] or "", c["authority_name"]),
    "neighbours": lambda c: (c["neighbour_average"] is None, c["neighbour_average"] or 0, c["authority_name"]),
    "change": lambda c: (c["change"] is None, c["change"] or 0, c["authority_name"]),
}


def _sorted_rows(rows: list[dict], sort: str) -> list[dict]:
    """Sorted by the chosen column ('-' first for descending); rows without that number go last."""
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "rank"
    descending = sort.startswith("-")
    if key in ("name", "region"):
        return sorted(rows, key=SORTS[key], reverse=descending)
    have = [r for r in rows if not SORTS[key](r)[0]]
    lack = [r for r in rows if SORTS[key](r)[0]]
    return sorted(have, key=SORTS[key], reverse=descending) + sorted(lack, key=lambda c: c["authority_name"])
