"""Read indicator data: the catalogue, periods, history, flags, and benchmarks.

Benchmarks come from one place, `benchmark_table`: it reads the packed values of the periods asked for (one
row per period, see IndicatorPeriod.packed), England's and the regions' values as published, and the
statistical neighbours, and applies the pure functions of benchmark.py. Every page, command and download
reads its numbers from that table.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q, QuerySet

from apa.authorities.models import Authority, Neighbour
from apa.errors import NotFound, Problem

from . import benchmark as bm
from .models import (
    AREAS,
    AreaValue,
    Flag,
    FlagStatus,
    Import,
    Indicator,
    IndicatorOutcome,
    IndicatorPeriod,
    Polarity,
    Topic,
    Value,
    ValueChange,
)
from .readers import outcome_codes
from .services import PACKED_DTYPE

POLARITY_SIGN = {Polarity.HIGH: bm.HIGH, Polarity.LOW: bm.LOW, Polarity.NONE: bm.NONE}


# ----------------------------------------------------------------------------------------------------------
# Catalogue


def indicators_counts() -> dict[str, int]:
    return {
        "indicators": Indicator.objects.count(),
        "periods": IndicatorPeriod.objects.count(),
        "values": Value.objects.count() + AreaValue.objects.count(),
    }


def indicator_list(*, topic: str = "", outcome: str = "", query: str = "") -> QuerySet[Indicator]:
    items = Indicator.objects.prefetch_related("topics", "outcomes").order_by("title", "code")
    if topic:
        items = items.filter(topics__name=topic)
    if outcome == "none":
        items = items.filter(outcomes__isnull=True)
    elif outcome:
        items = items.filter(outcomes__outcome=outcome)
    if query:
        for word in query.split():
            items = items.filter(Q(code__icontains=word) | Q(title__icontains=word))
    return items.distinct()


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.annotate(n=Count("indicators")).filter(n__gt=0).order_by("name")


def indicator_get(*, code: str) -> Indicator:
    indicator = Indicator.objects.prefetch_related("topics", "outcomes").filter(code=code).first()
    if indicator is None:
        near = list(Indicator.objects.filter(code__iexact=code.strip()).values_list("code", flat=True)[:1]) or list(
            Indicator.objects.filter(Q(code__icontains=code.strip()) | Q(title__icontains=code.strip()))
            .values_list("code", flat=True)[:5]
        )
        hint = f"; did you mean {', '.join(repr(c) for c in near)}?" if near else "; see `apa indicators list`"
        raise NotFound(Problem(f"no indicator with code {code!r}{hint}"))
    return indicator


def indicator_periods(*, indicator: Indicator) -> list[IndicatorPeriod]:
    return list(IndicatorPeriod.objects.filter(indicator=indicator).defer("packed").order_by("sort_key", "label"))


def period_get(*, indicator: Indicator, label: str | None) -> IndicatorPeriod:
    """The period with this label as published, or the latest that has any value."""
    periods = indicator_periods(indicator=indicator)
    if not periods:
        raise NotFound(Problem(f"{indicator.code} has no data yet"))
    if label is None:
        chosen = [p for p in periods if p.authority_values] or [
            p for p in periods if p.pk in set(AreaValue.objects.filter(period__indicator=indicator, value__isnull=False)
                                              .values_list("period_id", flat=True))]
        return (chosen or periods)[-1]
    for p in periods:
        if p.label == label:
            return p
    for p in periods:
        if p.label.strip().lower() == label.strip().lower():
            return p
    raise NotFound(Problem(f"{indicator.code} has no period {label!r}; its periods are "
                           + ", ".join(p.label for p in periods)))


def value_text(value, missing: str = "", decimal_places: int | None = None, computed: bool = False) -> str:
    """A value as a person reads it: to the indicator's decimal places when it has them, else as published.
    A computed figure (an average, a change) of an indicator without decimal places shows at most two."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing or ""
    if decimal_places is not None:
        return f"{value:,.{decimal_places}f}"
    if computed:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}".removesuffix(".0") if float(value).is_integer() else f"{value:,}"


def import_list() -> QuerySet[Import]:
    return Import.objects.order_by("-imported_at", "-pk")


def value_changes(*, indicator=None, authority=None, period: str | None = None, limit: int = 200):
    changes = ValueChange.objects.select_related("source", "period__indicator", "authority")
    if indicator is not None:
        changes = changes.filter(period__indicator=indicator)
    if authority is not None:
        changes = changes.filter(authority=authority)
    if period:
        changes = changes.filter(period__label=period)
    return list(changes.order_by("-source__imported_at", "-pk")[:limit])


def value_history(*, value: Value) -> list[ValueChange]:
    return list(ValueChange.objects.select_related("source").filter(period_id=value.period_id,
                                                                    authority_id=value.authority_id)
                .order_by("-source__imported_at", "-pk"))


def value_get(*, indicator: Indicator, authority: Authority, label: str) -> Value:
    value = (Value.objects.select_related("period__indicator", "authority", "source")
             .filter(period__indicator=indicator, authority=authority, period__label=label).first())
    if value is None:
        raise NotFound(Problem(f"{authority.name} has no value for {indicator.code} in {label!r}"))
    return value


def flag_list(*, authority: Authority | None = None, status: str | None = "open") -> list[Flag]:
    flags = Flag.objects.select_related("value__period__indicator", "value__authority", "raised_by", "closed_by")
    if authority is not None:
        flags = flags.filter(value__authority=authority)
    if status:
        flags = flags.filter(status=status)
    return list(flags.order_by("-raised_at", "-pk"))


def flag_get(*, pk: int) -> Flag:
    flag = Flag.objects.select_related("value__period__indicator", "value__authority", "raised_by").filter(
        pk=pk).first()
    if flag is None:
        raise NotFound(Problem(f"no flag {pk}"))
    return flag


def flag_for_user(*, user, pk: int) -> Flag:
    """A flag the user may see: an officer sees only their own authority's."""
    from apa.errors import PermissionDenied

    flag = flag_get(pk=pk)
    if user.role == "authority_officer" and not user.is_admin and flag.value.authority_id != user.authority_id:
        raise PermissionDenied(Problem("this flag belongs to another authority"))
    return flag


def outcomes_of(*, indicator_ids) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for indicator_id, outcome in IndicatorOutcome.objects.filter(indicator_id__in=indicator_ids).values_list(
        "indicator_id", "outcome"
    ):
        found.setdefault(indicator_id, []).append(outcome)
    return found


# ----------------------------------------------------------------------------------------------------------
# Benchmarks


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


PERIOD_FIELDS = ("pk", "indicator_id", "label", "status", "sort_key", "authority_values")


def period_rows() -> list[tuple]:
    """Every period (PERIOD_FIELDS, without the packed values), indicator by indicator in period order."""
    return _raw(f"SELECT id, indicator_id, label, status, sort_key, authority_values FROM "
                f"{IndicatorPeriod._meta.db_table} ORDER BY indicator_id, sort_key, label")


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
    kinds = {pk: (polarity, quartiles) for pk, polarity, quartiles in _raw(
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
    area_rows = _raw(sql, params)
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


def _raw(sql: str, params=()) -> list[tuple]:
    """One plain query. The pages that benchmark read thousands of rows, where the ORM costs more than the
    reading."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"  # whole numbers only: safe to write into the SQL


def _packed(period_id: np.ndarray, whole: bool) -> list[bytes]:
    """The packed values of these periods, in their order."""
    sql = f"SELECT id, packed FROM {IndicatorPeriod._meta.db_table}"
    if not whole:
        sql += f" WHERE id IN ({_in(period_id.tolist())})"
    blobs = {pk: bytes(blob or b"") for pk, blob in _raw(sql)}
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


def _num(x):
    """A float for JSON and CSV: None for NaN."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


DIRECTION = {1: "better", -1: "worse", 0: "same"}
DIRECTION_NONE = {1: "up", -1: "down", 0: "same"}


def _direction(improvement: float, polarity: int) -> str | None:
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
        "value": _num(table.value[row, col]),
        "rank": int(table.rank[row, col]) or None,
        "ranked": int(table.ranked[row]),
        "quartile_band": bm.BANDS[table.band[row, col]] or None,
        "quartiles": None if not table.banded[row] or table.polarity[row] == bm.NONE or math.isnan(
            table.cuts[row, 2]) else [float(q) for q in table.cuts[row]],
        "england": _num(table.england[row]),
        "region": _num(table.region[row, col]),
        "region_name": authority.region,
        "london_area": _num(table.london_area[row, col]) if authority.london_area else None,
        "london_area_name": authority.london_area or None,
        "neighbour_average": _num(table.neighbour_average[row, col]),
        "neighbours_with_value": int(table.neighbours_with_value[row, col]),
        "neighbour_set": table.neighbour_set.get(authority.pk),
        "previous_period": table.labels[previous] if previous >= 0 else None,
        "previous_value": _num(table.value[previous, col]) if previous >= 0 else None,
        "change": _num(table.change[row, col]),
        "direction": _direction(table.improvement[row, col], int(table.polarity[row])),
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
        {"period": table.labels[r], "value": _num(table.value[r, col]),
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
                prev_label, _blank(change[c]), _direction(improvement[c], pol) or "", bm.BANDS[previous_band[c]],
                worse[c],
            ]


def _blank(x):
    return "" if x is None or math.isnan(x) else x



# ----------------------------------------------------------------------------------------------------------
# Pages: an authority's profile and an indicator's page


def latest_periods(periods: list | None = None) -> dict[int, int]:
    """Indicator id → its latest period with authority values (from period_rows(), read here if not given)."""
    latest: dict[int, int] = {}
    for pk, indicator_id, _label, _status, _key, with_values in periods if periods is not None else period_rows():
        if with_values:
            latest[indicator_id] = pk  # rows come in period order, so the last one wins
    return latest


def latest_period_labels() -> dict[int, str]:
    """Indicator id → the label of its latest period with authority values."""
    latest: dict[int, str] = {}
    for _pk, indicator_id, label, _status, _key, with_values in period_rows():
        if with_values:
            latest[indicator_id] = label
    return latest


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
    return _raw(f"SELECT period_id, value, missing FROM {Value._meta.db_table} WHERE authority_id = %s",
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
        value = _num(table.value[r, col])
        previous = int(table.previous[r])
        reason = own.get(period_id, (None, ""))[1]
        rows[indicator_id] = ProfileRow(
            indicator=indicator, period=table.labels[r], period_status=table.statuses[r],
            value=value, value_text=value_text(value, reason, indicator.decimal_places), missing=reason,
            band=bm.BANDS[table.band[r, col]], rank=int(table.rank[r, col]) or None, ranked=int(table.ranked[r]),
            neighbour_average=_num(table.neighbour_average[r, col]), england=_num(table.england[r]),
            region=_num(table.region[r, col]), previous_period=table.labels[previous] if previous >= 0 else None,
            change=_num(table.change[r, col]), direction=_direction(table.improvement[r, col], int(table.polarity[r])),
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
                (authority.name, [_num(table.value[i, c]) for i in span]),
                (authority.region, [_num(table.region[i, c]) for i in span]),
                ("Statistical neighbours' average", [_num(table.neighbour_average[i, c]) for i in span]),
                ("England", [_num(table.england[i]) for i in span]),
            ],
        }
        series["rows"] = [
            (label, *[value_text(line[1][k], "", indicator.decimal_places, computed=n == 2)
                      for n, line in enumerate(series["lines"])])
            for k, label in enumerate(series["periods"])
        ]
    return {
        "rows": rows, "values": values, "cuts": cuts, "england": _num(table.england[r]),
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


# ----------------------------------------------------------------------------------------------------------
# Evidence for judgements (issue 4 links findings to these)


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
            indicator=indicators[indicator_id], period=table.labels[r], value=_num(table.value[r, col]),
            band=bm.BANDS[band], previous_period=table.labels[previous] if previous >= 0 else None,
            previous_band=bm.BANDS[before], change=_num(table.change[r, col]),
            direction=_direction(improvement, int(table.polarity[r])), worse_periods=worse_run,
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
