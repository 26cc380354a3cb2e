"""The benchmark method: pure functions first (no database), then the same numbers through the database,
the JSON of `apa benchmark` and the CSV of `apa benchmark --all`."""

import csv
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from apa.indicators import ranking as bm

NAN = np.nan


# ----------------------------------------------------------------------------------------------------------
# Pure functions


def test_ties_share_the_lowest_rank_best_first_by_polarity():
    values = np.array([[10.0, 20.0, 20.0, 30.0, NAN], [10.0, 20.0, 20.0, 30.0, NAN]])
    ranks = bm.competition_ranks(values, np.array([True, False]))
    assert ranks[0].tolist() == [4, 2, 2, 1, 0]  # higher is better
    assert ranks[1].tolist() == [1, 2, 2, 4, 0]  # lower is better


def test_cut_points_are_r_type_7():
    rng = np.random.default_rng(7)
    values = np.round(rng.normal(50, 15, (40, 23)), 1)
    values[rng.random(values.shape) < 0.2] = NAN
    cuts = bm.quartile_cut_points(values)
    for row, got in zip(values, cuts, strict=True):
        expected = np.quantile(row[np.isfinite(row)], [0.25, 0.5, 0.75], method="linear")
        assert got.tolist() == expected.tolist()
    assert np.isnan(bm.quartile_cut_points(np.array([[NAN, NAN]]))).all()
    assert bm.quartile_cut_points(np.array([[5.0, NAN]])).tolist() == [[5.0, 5.0, 5.0]]


def test_bands_follow_the_issue_intervals_for_each_polarity():
    # 1..9: Q1 = 3, Q2 = 5, Q3 = 7.
    values = np.tile(np.arange(1.0, 10.0), (3, 1))
    cuts = bm.quartile_cut_points(values)
    assert cuts[0].tolist() == [3.0, 5.0, 7.0]
    bands = bm.quartile_bands(values, cuts, np.array([bm.LOW, bm.HIGH, bm.NONE]))
    letters = [[bm.BANDS[b] for b in row] for row in bands]
    # Lower is better: A = [min, Q1], B = (Q1, Q2], C = (Q2, Q3], D = (Q3, max].
    assert letters[0] == ["A", "A", "A", "B", "B", "C", "C", "D", "D"]
    # Higher is better: D = [min, Q1], C = (Q1, Q2], B = (Q2, Q3], A = (Q3, max].
    assert letters[1] == ["D", "D", "D", "C", "C", "B", "B", "A", "A"]
    assert letters[2] == [""] * 9


def test_neighbour_average_is_the_mean_of_neighbours_with_a_value():
    values = np.array([[1.0, 2.0, NAN, 6.0]])
    neighbours = np.array([[0, 1, 1, 1], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0]], dtype=float)
    means, counts = bm.neighbour_means(values, neighbours)
    assert means[0, 0] == 4.0 and counts[0, 0] == 2  # (2 + 6) / 2: the neighbour without a value is left out
    assert means[0, 1] == 1.0
    assert math.isnan(means[0, 2]) and math.isnan(means[0, 3])


def test_changes_and_runs_of_worse_periods():
    values = np.array([[10.0], [12.0], [14.0], [15.0], [15.0]])  # one indicator, five periods
    previous = np.array([-1, 0, 1, 2, 3])
    position = np.arange(5)
    for polarity, worse in ((bm.LOW, [0, 1, 2, 3, 0]), (bm.HIGH, [0, 0, 0, 0, 0]), (bm.NONE, [0] * 5)):
        pol = np.full(5, polarity)
        change, improvement = bm.period_changes(values, previous, pol)
        assert np.isnan(change[0, 0]) and change[1:, 0].tolist() == [2.0, 2.0, 1.0, 0.0]
        assert bm.worse_streaks(improvement, previous, position, pol)[:, 0].tolist() == worse


def test_matches_the_pandas_method_on_random_data():
    rng = np.random.default_rng(3)
    values = np.round(rng.gamma(2.0, 10.0, (60, 150)), 0)  # rounded, so there are many ties
    values[rng.random(values.shape) < 0.1] = NAN
    higher = rng.random(60) < 0.5
    ranks = bm.competition_ranks(values, higher)
    frame = pd.DataFrame(values).stack().dropna().rename("v").reset_index()
    frame["key"] = np.where(higher[frame["level_0"]], -frame["v"], frame["v"])
    expected = frame.groupby("level_0")["key"].rank(method="min").astype(int)
    assert (ranks[frame["level_0"], frame["level_1"]] == expected.to_numpy()).all()
    quantiles = frame.groupby("level_0")["v"].quantile([0.25, 0.5, 0.75], interpolation="linear").unstack()
    assert np.allclose(bm.quartile_cut_points(values), quantiles.to_numpy(), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------------------
# Through the database




def _values(code: str, label: str) -> dict[str, float]:
    from apa.indicators.models import Value

    return dict(Value.objects.filter(period__indicator__code=code, period__label=label, value__isnull=False)
                .values_list("authority__dfe_code", "value"))


@pytest.mark.django_db
def test_benchmark_json_for_kent(sample, run_apa):
    from apa.authorities.selectors import authority_resolve, neighbours_of
    from apa.indicators.models import AreaValue

    code, out, _ = run_apa("benchmark", "RTA", "--authority", "Kent", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in ("indicator", "authority", "period", "value", "polarity", "rank", "ranked", "quartile_band",
                "england", "region", "neighbour_average", "change"):
        assert key in data
    assert (data["indicator"], data["authority"], data["polarity"]) == ("RTA", "886", "low")
    latest = data["period"]
    values = _values("RTA", latest)
    mine = values["886"]
    assert data["value"] == mine
    assert data["ranked"] == len(values)
    assert data["rank"] == 1 + sum(1 for v in values.values() if v < mine)  # lower is better
    q1, q2, q3 = np.quantile(list(values.values()), [0.25, 0.5, 0.75])
    assert data["quartile_band"] == ("A" if mine <= q1 else "B" if mine <= q2 else "C" if mine <= q3 else "D")
    assert data["england"] == AreaValue.objects.get(period__indicator__code="RTA", period__label=latest,
                                                    area="England").value
    assert data["region_name"] == "South East"
    kent = authority_resolve(text="886")
    theirs = [values[n.neighbour.dfe_code] for n in neighbours_of(authority=kent) if n.neighbour.dfe_code in values]
    assert data["neighbour_average"] == pytest.approx(sum(theirs) / len(theirs), rel=1e-12)
    assert data["neighbours_with_value"] == len(theirs)
    assert data["trend"][-1]["period"] == latest


@pytest.mark.django_db
def test_benchmark_of_a_chosen_period_and_a_london_borough(sample, run_apa):
    # Camden (202) is an Inner London borough: its region is London, and Inner London is given as well.
    code, out, _ = run_apa("benchmark", "NEW_KS2_RWM_Sen_W/Osta", "--authority", "202", "--period", "2019",
                           "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["period"], data["region_name"], data["london_area_name"]) == ("2019", "London", "Inner London")
    from apa.indicators.models import AreaValue

    areas = dict(AreaValue.objects.filter(period__indicator__code="NEW_KS2_RWM_Sen_W/Osta", period__label="2019")
                 .values_list("area", "value"))
    assert data["region"] == areas.get("London") and data["london_area"] == areas.get("Inner London")
    values = _values("NEW_KS2_RWM_Sen_W/Osta", "2019")
    if "202" in values:  # higher is better
        assert data["rank"] == 1 + sum(1 for v in values.values() if v > values["202"])
    code, _, err = run_apa("benchmark", "RTA", "--authority", "Kent", "--period", "2099", "--format", "json")
    assert code == 2 and "has no period '2099'" in err


@pytest.mark.django_db
def test_no_rank_without_polarity_and_no_band_where_quartiles_do_not_apply(sample, run_apa):
    code, out, _ = run_apa("benchmark", "Social_Work_Starters", "--authority", "886", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["polarity"] == "none" and data["rank"] is None and data["quartile_band"] is None
    # CINPermExclusion: the first dictionary row (kept) says no quartile bands; it still ranks.
    code, out, _ = run_apa("benchmark", "CINPermExclusion", "--authority", "886", "--format", "json")
    data = json.loads(out)
    assert data["quartile_band"] is None and (data["rank"] is None) == (data["value"] is None)


@pytest.mark.django_db
def test_benchmark_all_csv_has_every_period_and_every_stored_value(sample, run_apa):
    from apa.indicators.models import Value

    code, out, _ = run_apa("benchmark", "--all", "--indicator", "RTA", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == Value.objects.filter(period__indicator__code="RTA").count()
    assert {"indicator", "period", "authority", "value", "rank", "ranked", "quartile_band", "england", "region",
            "neighbour_average", "change"} <= set(rows[0])
    assert len({r["period"] for r in rows}) == 7  # every period, not only the latest
    one = json.loads(run_apa("benchmark", "RTA", "--authority", "886", "--period", "2017-19",
                             "--format", "json")[1])
    kent = next(r for r in rows if r["authority"] == "886" and r["period"] == "2017-19")
    assert float(kent["value"]) == one["value"] and int(kent["rank"]) == one["rank"]
    assert kent["quartile_band"] == one["quartile_band"] and float(kent["england"]) == one["england"]
    assert float(kent["neighbour_average"]) == pytest.approx(one["neighbour_average"])
    # The whole table: every indicator, by code.
    code, out, _ = run_apa("benchmark", "--all", "--format", "csv")
    codes = [r["indicator"] for r in csv.DictReader(io.StringIO(out))]
    assert codes == sorted(codes) and "CPP_Total_Rateper10,000" in codes
    code, _, err = run_apa("benchmark", "--all", "--format", "json")
    assert code == 2 and "--format csv" in err


@pytest.mark.django_db
def test_the_packed_copy_gives_the_same_table_as_the_value_rows(sample):
    from apa.indicators.benchmark import benchmark_table

    packed, rows = benchmark_table(), benchmark_table(values_from="rows")
    assert packed.period_id.tolist() == rows.period_id.tolist()
    for name in ("value", "present", "rank", "band", "neighbour_average", "change", "worse_periods"):
        assert np.array_equal(getattr(packed, name), getattr(rows, name), equal_nan=name not in (
            "present", "rank", "band", "worse_periods")), name
