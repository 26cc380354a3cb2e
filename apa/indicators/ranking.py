"""The benchmark method, as pure functions over arrays. Written down once here and in docs/indicators.md;
pages, the command line and downloads all come through these functions (applied by benchmark.py to the
values read from the database).

- Compared: every authority with a value for the indicator and period (old and new authorities alike), as
  published, never rounded; missing values are left out, never imputed.
- Rank: competition ranking, best first by polarity — 1 + the number of authorities strictly better, so ties
  share the lowest rank. No rank where polarity is none.
- Quartile cut points Q1-Q3 of the compared values by linear interpolation (R's type 7, numpy's "linear").
  Bands, lower is better: A = [min, Q1], B = (Q1, Q2], C = (Q2, Q3], D = (Q3, max]; higher is better:
  D = [min, Q1], C = (Q1, Q2], B = (Q2, Q3], A = (Q3, max]. No band where polarity is none or quartile bands
  do not apply to the indicator.
- Statistical-neighbour average: the unweighted mean of the neighbours that have a value.
- Change: this period's value minus the previous period's; `improvement` is +1 better, -1 worse, 0 the same
  (for polarity none, +1 up and -1 down).
"""

import numpy as np

BANDS = ("", "A", "B", "C", "D")  # band codes 1..4 index this; 0 is no band
HIGH, LOW, NONE = 1, -1, 0  # polarity as a number: the sign that makes a change better


def competition_ranks(values: np.ndarray, higher_is_better: np.ndarray) -> np.ndarray:
    """Rank of each value among the values of its row: 1 + the number strictly better, so ties share the
    lowest rank. values: periods × authorities, NaN where there is none; higher_is_better: per row.
    Returns whole numbers, 0 where the value is NaN."""
    n_rows, n_cols = values.shape
    order = np.argsort(values, axis=1)  # NaN sorts last
    ordered = np.take_along_axis(values, order, axis=1)
    count = np.isfinite(values).sum(axis=1)[:, None]
    position = np.broadcast_to(np.arange(n_cols), values.shape)
    # A run is a stretch of equal values; its start counts the values strictly lower, its end those not higher.
    new_run = np.ones(values.shape, dtype=bool)
    new_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_start = np.maximum.accumulate(np.where(new_run, position, 0), axis=1)
    run_ends_here = np.ones(values.shape, dtype=bool)
    run_ends_here[:, :-1] = new_run[:, 1:]
    run_end = np.minimum.accumulate(np.where(run_ends_here, position + 1, n_cols)[:, ::-1], axis=1)[:, ::-1]
    better = np.where(higher_is_better[:, None], count - run_end, run_start)
    ranks = np.empty((n_rows, n_cols), dtype="int64")
    np.put_along_axis(ranks, order, 1 + better, axis=1)
    return np.where(np.isfinite(values), ranks, 0)


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    # numpy's own form, so that the cut points equal np.quantile(..., method="linear") to the last bit.
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def quartile_cut_points(values: np.ndarray) -> np.ndarray:
    """Q1, Q2, Q3 of each row's values (NaN left out) by R's type 7: rows × 3, NaN for a row with none."""
    ordered = np.sort(values, axis=1)
    count = np.isfinite(values).sum(axis=1)
    rows = np.arange(len(values))
    cuts = np.full((len(values), 3), np.nan)
    has = count > 0
    for column, p in enumerate((0.25, 0.5, 0.75)):
        h = (np.maximum(count, 1) - 1) * p
        lo = np.floor(h).astype("int64")
        hi = np.minimum(lo + 1, np.maximum(count, 1) - 1)
        cut = _lerp(ordered[rows, lo], ordered[rows, hi], h - lo)
        cuts[has, column] = cut[has]
    return cuts


def quartile_bands(values: np.ndarray, cuts: np.ndarray, polarity: np.ndarray) -> np.ndarray:
    """Band code (1 A .. 4 D, 0 none) of each value from its row's cut points (rows × 3) and polarity (per
    row). NaN values, and rows whose polarity is NONE, get 0."""
    q1, q2, q3 = (cuts[:, i][:, None] for i in range(3))
    with np.errstate(invalid="ignore"):
        quarter = np.where(values <= q1, 0, np.where(values <= q2, 1, np.where(values <= q3, 2, 3)))
    band = np.where((polarity == LOW)[:, None], quarter + 1, 4 - quarter)
    ok = np.isfinite(values) & (polarity != NONE)[:, None] & np.isfinite(q3)
    return np.where(ok, band, 0).astype("int8")


def neighbour_means(values: np.ndarray, neighbours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unweighted mean of each authority's neighbours that have a value.

    values: periods × authorities (NaN missing); neighbours: authorities × authorities, 1 where the column
    authority is a neighbour of the row authority. Returns (means, how many neighbours had a value)."""
    have = np.isfinite(values)
    sums = np.where(have, values, 0.0) @ neighbours.T
    counts = have.astype("float64") @ neighbours.T
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    return means, counts.astype("int64")


def period_changes(values: np.ndarray, previous: np.ndarray, polarity: np.ndarray):
    """Change from the previous period of the same indicator, and whether it is an improvement.

    values: periods × authorities; previous: for each row the row of the previous period (-1 none);
    polarity: per row. Returns (change, improvement) with NaN where either value is missing."""
    prior = np.full_like(values, np.nan)
    has = previous >= 0
    prior[has] = values[previous[has]]
    change = values - prior
    sign = np.where(polarity == NONE, 1, polarity)[:, None]
    improvement = np.sign(change) * sign
    return change, improvement


def worse_streaks(improvement: np.ndarray, previous: np.ndarray, position: np.ndarray,
                  polarity: np.ndarray) -> np.ndarray:
    """How many periods in a row, ending at each, the value got worse (never, where polarity is none). Rows
    are taken in the order of their position within their indicator, so each row's predecessor comes first."""
    streak = np.zeros(improvement.shape, dtype="int64")
    worse = (improvement == -1) & (polarity != NONE)[:, None]
    for k in range(int(position.max()) + 1 if len(position) else 0):
        rows = np.flatnonzero(position == k)
        has = previous[rows] >= 0
        carried = np.zeros((len(rows), improvement.shape[1]), dtype="int64")
        carried[has] = streak[previous[rows[has]]]
        streak[rows] = np.where(worse[rows], carried + 1, 0)
    return streak
