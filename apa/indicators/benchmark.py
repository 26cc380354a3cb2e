"""Benchmarks of indicator periods, read from the database.

Benchmarks come from one place, `benchmark_table`: it reads the packed values of the periods asked for (one
row per period, see IndicatorPeriod.packed), England's and the regions' values as published, and the
statistical neighbours, and applies the pure functions of ranking.py. Every page, command and download
reads its numbers from that table.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from apa.authorities.models import Authority, Neighbour

from . import ranking as bm
from .models import AREAS, AreaValue, Indicator, IndicatorPeriod, Polarity, Value
from .selectors import PERIOD_FIELDS, indicator_get, period_get, period_rows, sql_rows
from .storage import PACKED_DTYPE

POLARITY_SIGN = {Polarity.HIGH: bm.HIGH, Polarity.LOW: bm.LOW, Polarity.NONE: bm.NONE}


@dataclass
class Table:
    """Benchmarks of a set of periods (rows) for every authority (columns). Rows of one indicator are
    adjacent and in period order."""

    period_id: np.ndarray
    indicator_id: np.ndarray
    labels: list[str]
    statuses: list[str]
    authorities: list[Authority]
    polarity: np.ndarray  # per row: HIGH, LOW or NONE
    banded: np.ndarray  # per row: quartile bands apply
    value: np.ndarray  # rows × authorities, NaN missing
    present: np.ndarray  # rows × authorities: a value or a reason it is missing is stored
    rank: np.ndarray  # rows × authorities, 0 none
    ranked: np.ndarray  # per row: how many authorities have a value
    cuts: np.ndarray  # rows × 3
    band: np.ndarray  # rows × authorities, 0 none, 1 A .. 4 D
    england: np.ndarray  # per row
    region: np.ndarray  # rows × authorities: the authority's region's value
    london_area: np.ndarray  # rows × authorities: Inner or Outer London's value (NaN outside London)
    neighbour_average: np.ndarray
    neighbours_with_value: np.ndarray
    neighbour_set: dict[int, int]  # authority id → the neighbour set year used
    previous: np.ndarray  # per row: the row of the previous period, -1 none
    position: np.ndarray  # per row: 0 for an indicator's first period
    change: np.ndarray
    improvement: np.ndarray
    previous_band: np.ndarray
    worse_periods: np.ndarray
    column: dict[int, int] = field(default_factory=dict)  # authority id → column

    def row_of(self, period_id: int) -> int:
        return int(np.flatnonzero(self.period_id == period_id)[0])


def _authorities() -> list[Authority]:
    return list(Authority.objects.only("pk", "dfe_code", "name", "region", "london_area").order_by("dfe_code"))


def _neighbour_matrix(authorities: list[Authority], set_year: int | None,
                      only: Authority | None = None) -> tuple[np.ndarray, dict[int, int]]:
    """1 where the column authority is a neighbour of the row authority: in the named set, or in the latest
    set that lists the row authority (as neighbours_of does). With `only`, that authority's row alone."""
    column = {a.pk: i for i, a in enumerate(authorities)}
    matrix = np.zeros((len(authorities), len(authorities)))
    rows = Neighbour.objects.values_list("authority_id", "neighbour_id", "set_year")
    if set_year is not None:
        rows = rows.filter(set_year=set_year)
    if only is not None:
        rows = rows.filter(authority=only)
    latest: dict[int, int] = {}
    items = list(rows)
    for authority_id, _, year in items:
        latest[authority_id] = max(year, latest.get(authority_id, year))
    for authority_id, neighbour_id, year in items:
        if year == latest[authority_id] and authority_id in column and neighbour_id in column:
            matrix[column[authority_id], column[neighbour_id]] = 1.0
    return matrix, latest


def benchmark_table(*, indicator_ids=None, period_ids=None, history: int | None = None,
                    neighbour_set: int | None = None, values_from: str = "packed", periods: list | None = None,
                    only: Authority | None = None) -> Table:
    """Benchmarks for every period of the indicators named (all when None) or, when `period_ids` are given,
    for those periods with the `history` periods before each (all earlier ones when None), which change and
    runs of worse periods need. `periods` passes period_rows() already read. With `only`, the figures that
    belong to one authority (its region's and its neighbours') are worked out for that authority alone: ranks
    and bands still compare everyone.

    values_from="rows" reads the Value rows instead of the packed copy: slower, the same numbers (a test
    holds the two equal), and the path the speed benchmark compares."""
    if periods is None and indicator_ids is not None:
        periods = list(IndicatorPeriod.objects.filter(indicator_id__in=list(indicator_ids))
                       .order_by("indicator_id", "sort_key", "label").values_list(*PERIOD_FIELDS))
    rows = periods if periods is not None else period_rows()
    if indicator_ids is not None:
        wanted_indicators = set(indicator_ids)
        rows = [r for r in rows if r[1] in wanted_indicators]
    if period_ids is not None:
        chosen = set(period_ids)
        latest_key: dict[int, int] = {}
        for r in rows:
            if r[0] in chosen:
                latest_key[r[1]] = max(r[4], latest_key.get(r[1], r[4]))
        rows = [r for r in rows if r[1] in latest_key and r[4] <= latest_key[r[1]]]
        if history is not None:
            kept, count = [], {}
            for r in reversed(rows):  # latest first: keep each indicator's chosen period and `history` before it
                count[r[1]] = count.get(r[1], 0) + 1
                if count[r[1]] <= history + 1:
                    kept.append(r)
            rows = kept[::-1]

    authorities = _authorities()
    column = {a.pk: i for i, a in enumerate(authorities)}
    n_rows, n_cols = len(rows), len(authorities)
    period_id = np.array([r[0] for r in rows], dtype="int64")
    indicator_id = np.array([r[1] for r in rows], dtype="int64")
    kinds = {pk: (polarity, quartiles) for pk, polarity, quartiles in sql_rows(
        f"SELECT id, polarity, quartiles FROM {Indicator._meta.db_table}")}
    polarity = np.array([POLARITY_SIGN[kinds[i][0]] for i in indicator_id.tolist()], dtype="int64")
    banded = np.array([bool(kinds[i][1]) for i in indicator_id.tolist()], dtype=bool)

    if values_from == "packed":
        blobs = _packed(period_id, whole=indicator_ids is None and period_ids is None)
        lengths = np.array([len(b) // PACKED_DTYPE.itemsize for b in blobs], dtype="int64")
        packed = np.frombuffer(b"".join(blobs), dtype=PACKED_DTYPE)
        row_of = np.repeat(np.arange(n_rows), lengths)
        authority_of, values = packed["authority"].astype("int64"), packed["value"]
    else:
        row_of, authority_of, values = _value_rows(period_id)
    lookup = np.full(max(column, default=0) + 1, -1, dtype="int64")
    lookup[list(column)] = list(column.values())
    cols = np.where(authority_of < len(lookup), lookup[np.minimum(authority_of, len(lookup) - 1)], -1)
    keep = cols >= 0
    value = np.full((n_rows, n_cols), np.nan)
    present = np.zeros((n_rows, n_cols), dtype=bool)
    value[row_of[keep], cols[keep]] = values[keep]
    present[row_of[keep], cols[keep]] = True

    # Rank and band among the authorities with a value.
    rank = np.where((polarity == bm.NONE)[:, None], 0, bm.competition_ranks(value, polarity == bm.HIGH))
    cuts = bm.quartile_cut_points(value)
    band = bm.quartile_bands(value, cuts, np.where(banded, polarity, bm.NONE))

    # England and regions as published.
    areas = np.full((n_rows, len(AREAS)), np.nan)
    row_by_period = {p: i for i, p in enumerate(period_id.tolist())}
    sql = f"SELECT period_id, area, value FROM {AreaValue._meta.db_table} WHERE value IS NOT NULL"
    params: list = []
    if indicator_ids is not None or period_ids is not None:
        sql += f" AND period_id IN ({_in(period_id.tolist())})"
    if only is not None:
        sql += " AND area IN (%s, %s, %s)"
        params = ["England", only.region, only.london_area]
    area_rows = sql_rows(sql, params)
    for p, area, v in area_rows:
        r = row_by_period.get(p)
        if r is not None:
            areas[r, AREAS.index(area)] = v
    region_col = np.array([AREAS.index(a.region) if a.region in AREAS else -1 for a in authorities], dtype="int64")
    london_col = np.array([AREAS.index(a.london_area) if a.london_area in AREAS else -1 for a in authorities],
                          dtype="int64")
    padded = np.concatenate([areas, np.full((n_rows, 1), np.nan)], axis=1)  # column -1: no such area
    region = padded[:, region_col]
    london_area = padded[:, london_col]

    matrix, sets = _neighbour_matrix(authorities, neighbour_set, only)
    if only is None:
        neighbour_average, neighbours_with_value = bm.neighbour_means(value, matrix)
    else:  # one authority's page: its neighbours' average only, the rest left empty
        neighbour_average = np.full((n_rows, n_cols), np.nan)
        neighbours_with_value = np.zeros((n_rows, n_cols), dtype="int64")
        c = column[only.pk]
        mean, count = bm.neighbour_means(value, matrix[[c]])
        neighbour_average[:, c], neighbours_with_value[:, c] = mean[:, 0], count[:, 0]

    first = np.r_[True, indicator_id[1:] != indicator_id[:-1]] if n_rows else np.array([], dtype=bool)
    previous = np.where(first, -1, np.arange(n_rows) - 1)
    starts = np.maximum.accumulate(np.where(first, np.arange(n_rows), 0)) if n_rows else np.array([], dtype="int64")
    position = np.arange(n_rows) - starts
    change, improvement = bm.period_changes(value, previous, polarity)
    previous_band = np.zeros_like(band)
    has = previous >= 0
    previous_band[has] = band[previous[has]]
    worse = bm.worse_streaks(improvement, previous, position, polarity)

    return Table(
        period_id=period_id, indicator_id=indicator_id, labels=[r[2] for r in rows], statuses=[r[3] for r in rows],
        authorities=authorities, polarity=polarity, banded=banded, value=value, present=present, rank=rank,
        ranked=np.isfinite(value).sum(axis=1), cuts=cuts, band=band, england=areas[:, AREAS.index("England")],
        region=region, london_area=london_area, neighbour_average=neighbour_average,
        neighbours_with_value=neighbours_with_value, neighbour_set=sets, previous=previous, position=position,
        change=change, improvement=improvement, previous_band=previous_band, worse_periods=worse, column=column,
    )


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"  # whole numbers only: safe to write into the SQL


def _packed(period_id: np.ndarray, whole: bool) -> list[bytes]:
    """The packed values of these periods, in their order."""
    sql = f"SELECT id, packed FROM {IndicatorPeriod._meta.db_table}"
    if not whole:
        sql += f" WHERE id IN ({_in(period_id.tolist())})"
    blobs = {pk: bytes(blob or b"") for pk, blob in sql_rows(sql)}
    return [blobs.get(p, b"") for p in period_id.tolist()]


def _value_rows(period_id: np.ndarray):
    """(row, authority id, value) of every Value row of these periods, read row by row."""
    from django.db import connection

    row_by_period = np.full(int(period_id.max()) + 1 if len(period_id) else 1, -1, dtype="int64")
    row_by_period[period_id] = np.arange(len(period_id))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT period_id, authority_id, value FROM {Value._meta.db_table}")
        found = cursor.fetchall()
    if not found:
        empty = np.array([], dtype="int64")
        return empty, empty, np.array([], dtype="float64")
    periods, authorities, values = zip(*found, strict=True)
    periods = np.array(periods, dtype="int64")
    inside = periods < len(row_by_period)
    rows = np.where(inside, row_by_period[np.minimum(periods, len(row_by_period) - 1)], -1)
    mask = rows >= 0
    return rows[mask], np.array(authorities, dtype="int64")[mask], np.array(values, dtype="float64")[mask]


def float_or_none(x):
    """A float for JSON and CSV: None for NaN."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


DIRECTION = {1: "better", -1: "worse", 0: "same"}
DIRECTION_NONE = {1: "up", -1: "down", 0: "same"}


def direction_of(improvement: float, polarity: int) -> str | None:
    if math.isnan(improvement):
        return None
    return (DIRECTION_NONE if polarity == bm.NONE else DIRECTION)[int(improvement)]


def benchmark_cell(table: Table, row: int, col: int) -> dict:
    """One authority's benchmark in one period: the fields of `apa benchmark --format json`."""
    authority = table.authorities[col]
    previous = int(table.previous[row])
    return {
        "period": table.labels[row],
        "period_status": table.statuses[row] or None,
        "authority": authority.dfe_code,
        "authority_name": authority.name,
        "value": float_or_none(table.value[row, col]),
        "rank": int(table.rank[row, col]) or None,
        "ranked": int(table.ranked[row]),
        "quartile_band": bm.BANDS[table.band[row, col]] or None,
        "quartiles": None if not table.banded[row] or table.polarity[row] == bm.NONE or math.isnan(
            table.cuts[row, 2]) else [float(q) for q in table.cuts[row]],
        "england": float_or_none(table.england[row]),
        "region": float_or_none(table.region[row, col]),
        "region_name": authority.region,
        "london_area": float_or_none(table.london_area[row, col]) if authority.london_area else None,
        "london_area_name": authority.london_area or None,
        "neighbour_average": float_or_none(table.neighbour_average[row, col]),
        "neighbours_with_value": int(table.neighbours_with_value[row, col]),
        "neighbour_set": table.neighbour_set.get(authority.pk),
        "previous_period": table.labels[previous] if previous >= 0 else None,
        "previous_value": float_or_none(table.value[previous, col]) if previous >= 0 else None,
        "change": float_or_none(table.change[row, col]),
        "direction": direction_of(table.improvement[row, col], int(table.polarity[row])),
        "previous_band": bm.BANDS[table.previous_band[row, col]] or None,
        "worse_periods": int(table.worse_periods[row, col]),
    }


def benchmark_for(*, indicator: Indicator, authority: Authority, period: str | None = None,
                  neighbour_set: int | None = None) -> dict:
    """The JSON of `apa benchmark INDICATOR --authority A`: missing values are None."""
    chosen = period_get(indicator=indicator, label=period)
    table = benchmark_table(indicator_ids=[indicator.pk], neighbour_set=neighbour_set)
    row = table.row_of(chosen.pk)
    col = table.column[authority.pk]
    missing = (Value.objects.filter(period=chosen, authority=authority).values_list("missing", flat=True).first())
    result = {
        "indicator": indicator.code,
        "indicator_title": indicator.title,
        "polarity": indicator.polarity,
        "unit": indicator.unit or None,
        "decimal_places": indicator.decimal_places,
        **benchmark_cell(table, row, col),
        "missing_reason": missing or None,
    }
    result["trend"] = [
        {"period": table.labels[r], "value": float_or_none(table.value[r, col]),
         "quartile_band": bm.BANDS[table.band[r, col]] or None}
        for r in range(row - int(table.position[row]), row + 1)
    ]
    return result


def benchmark_json(*, code: str, authority: Authority, period: str | None = None) -> dict:
    """benchmark_for, by indicator code: what `apa benchmark CODE --authority A --format json` prints."""
    return benchmark_for(indicator=indicator_get(code=code), authority=authority, period=period)


BENCHMARK_COLUMNS = [
    "indicator", "period", "period_status", "authority", "authority_name", "value", "polarity", "rank", "ranked",
    "quartile_band", "q1", "q2", "q3", "england", "region", "region_name", "london_area", "london_area_name",
    "neighbour_average", "neighbours_with_value", "previous_period", "change", "direction", "previous_band",
    "worse_periods",
]


def benchmark_rows(*, indicator: Indicator | None = None, period: str | None = None,
                   neighbour_set: int | None = None, table: Table | None = None):
    """The rows of `apa benchmark --all` (BENCHMARK_COLUMNS): every stored value — a number or a reason it is
    missing — of every period, or of the indicator and period named."""
    if table is None:
        table = benchmark_table(indicator_ids=[indicator.pk] if indicator else None, neighbour_set=neighbour_set)
    codes = dict(Indicator.objects.values_list("pk", "code"))
    polarity_name = {bm.HIGH: "high", bm.LOW: "low", bm.NONE: "none"}
    rows = np.arange(len(table.labels))
    if period is not None:
        if indicator is None:
            rows = rows[[label == period for label in table.labels]]
        else:
            rows = np.array([table.row_of(period_get(indicator=indicator, label=period).pk)])
    # Indicators by code, then periods in order, then authorities by DfE code.
    by_code = sorted(rows.tolist(), key=lambda r: (codes[int(table.indicator_id[r])], r))
    dfe = [a.dfe_code for a in table.authorities]
    names = [a.name for a in table.authorities]
    regions = [a.region for a in table.authorities]
    london = [a.london_area for a in table.authorities]
    for r in by_code:
        cols = np.flatnonzero(table.present[r]).tolist()
        if not cols:
            continue
        code = codes[int(table.indicator_id[r])]
        label, status = table.labels[r], table.statuses[r]
        pol = int(table.polarity[r])
        prev = int(table.previous[r])
        prev_label = table.labels[prev] if prev >= 0 else ""
        cuts = ["" if math.isnan(q) or not table.banded[r] or pol == bm.NONE else q for q in table.cuts[r].tolist()]
        england = _blank(table.england[r])
        values = table.value[r].tolist()
        ranks = table.rank[r].tolist()
        bands = table.band[r].tolist()
        region = table.region[r].tolist()
        london_area = table.london_area[r].tolist()
        neighbour = table.neighbour_average[r].tolist()
        with_value = table.neighbours_with_value[r].tolist()
        change = table.change[r].tolist()
        improvement = table.improvement[r].tolist()
        previous_band = table.previous_band[r].tolist()
        worse = table.worse_periods[r].tolist()
        ranked = int(table.ranked[r])
        for c in cols:
            yield [
                code, label, status, dfe[c], names[c], _blank(values[c]), polarity_name[pol], ranks[c] or "",
                ranked, bm.BANDS[bands[c]], *cuts, england, _blank(region[c]), regions[c],
                _blank(london_area[c]) if london[c] else "", london[c], _blank(neighbour[c]), with_value[c],
                prev_label, _blank(change[c]), direction_of(improvement[c], pol) or "", bm.BANDS[previous_band[c]],
                worse[c],
            ]


def _blank(x):
    return "" if x is None or math.isnan(x) else x
