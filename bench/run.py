"""Speed of the indicator work (issue 3 §6), with the pandas baseline measured in the same run.

    .venv/bin/python bench/run.py [--runs 5] [--requests 20] [--backends sqlite,postgresql]

For each database it builds a template (migrated, authorities loaded), then measures, each a median of
--runs runs:
  1. `apa indicators import` of the whole LAIT set into an empty database (a fresh copy of the template per
     run): the command's wall time, process start included, and the import service's own time;
  2. the same command again on the loaded database (nothing changes);
  3. benchmarks of every indicator for every authority for every period, read from the database: APA's
     engine (from the packed copy, and from the Value rows) and the pandas baseline — vectorised,
     groupby().rank(method="min") and .quantile(interpolation="linear"), no apply — reading the same values
     from the same database; the two results are compared cell by cell;
  4. an authority's indicator profile page (Kent): server time of --requests requests through Django's test
     client, after one warm-up request (whose time is printed too).
PostgreSQL databases are created under --pg-url and dropped at the end. See bench/README.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAIT = ROOT / "apa" / "indicators" / "data" / "bds_long_0.parquet"
PYTHON = sys.executable
APA = str(Path(sys.executable).parent / "apa")
PG_TEMPLATE, PG_RUN = "apa_bench_template", "apa_bench_run"
BENCH_ADMIN = "bench-admin"
TARGETS = {"import": 5.0, "reimport": 3.0, "benchmarks": 1.0, "profile": 0.100}


# ----------------------------------------------------------------------------------------------------------
# Helpers run in a child process with DATABASE_URL set (so each database gets a fresh Django)


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    # Requests as a proxy that ends TLS passes them on (docs/operations.md): the production settings redirect
    # plain HTTP.
    os.environ.setdefault("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    import django

    django.setup()


def child_prepare() -> dict:
    _django()
    from django.core.management import call_command

    from apa.accounts.services import user_add
    from apa.authorities.services import authorities_load
    from apa.frameworks.services import frameworks_load

    call_command("migrate", interactive=False, verbosity=0)
    frameworks_load()
    authorities_load()
    user_add(username=BENCH_ADMIN, role="admin")  # the person the timed `apa indicators import --as` names
    return {}


def child_import() -> dict:
    _django()
    from apa.indicators.lait_reader import lait_read
    from apa.indicators.services import LAIT_DICTIONARY, indicator_values_import

    start = time.perf_counter()
    summary = indicator_values_import(reading=lait_read(path=LAIT, dictionary=LAIT_DICTIONARY))
    return {"seconds": time.perf_counter() - start, "created": summary.created, "unchanged": summary.unchanged}


def baseline_pandas(raw) -> "object":
    """Every benchmark the pandas way: read the same values from the same database, then vectorised groupby
    operations only."""
    import warnings

    import numpy as np
    import pandas as pd

    def read(sql):
        with warnings.catch_warnings():  # pandas warns about DB-API connections other than sqlite3
            warnings.simplefilter("ignore", UserWarning)
            return pd.read_sql_query(sql, raw)

    v = read(
        "SELECT v.period_id, v.authority_id, v.value, p.indicator_id, p.sort_key, i.polarity, i.quartiles "
        "FROM indicators_value v JOIN indicators_indicatorperiod p ON p.id = v.period_id "
        "JOIN indicators_indicator i ON i.id = p.indicator_id WHERE v.value IS NOT NULL")
    areas = read("SELECT period_id, area, value FROM indicators_areavalue WHERE value IS NOT NULL")
    authorities = read("SELECT id AS authority_id, region, london_area FROM authorities_authority")
    neighbours = read("SELECT authority_id, neighbour_id, set_year FROM authorities_neighbour")
    periods = read("SELECT id AS period_id, indicator_id, sort_key, label FROM indicators_indicatorperiod")

    # Rank: 1 + the number strictly better; ranking the signed value ascending does both polarities.
    v["key"] = np.where(v["polarity"] == "high", -v["value"], v["value"])
    v["rank"] = v.groupby("period_id")["key"].rank(method="min")
    v.loc[v["polarity"] == "none", "rank"] = np.nan
    cuts = v.groupby("period_id")["value"].quantile([0.25, 0.5, 0.75], interpolation="linear").unstack()
    cuts.columns = ["q1", "q2", "q3"]
    v = v.join(cuts, on="period_id")
    quarter = np.select([v["value"] <= v["q1"], v["value"] <= v["q2"], v["value"] <= v["q3"]], [0, 1, 2], 3)
    band = np.where(v["polarity"] == "low", quarter + 1, 4 - quarter)
    v["band"] = np.where((v["polarity"] == "none") | ~v["quartiles"].astype(bool), 0, band)

    # England, region and Inner/Outer London as published.
    wide = areas.pivot(index="period_id", columns="area", values="value")
    v = v.merge(authorities, on="authority_id", how="left")
    v = v.join(wide["England"].rename("england"), on="period_id")
    long = areas.rename(columns={"area": "region", "value": "region_value"})
    v = v.merge(long, on=["period_id", "region"], how="left")
    v = v.merge(long.rename(columns={"region": "london_area", "region_value": "london_value"}),
                on=["period_id", "london_area"], how="left")

    # Neighbour average: the latest set that lists each authority.
    latest = neighbours["set_year"] == neighbours.groupby("authority_id")["set_year"].transform("max")
    pairs = neighbours[latest][["authority_id", "neighbour_id"]]
    theirs = v[["period_id", "authority_id", "value"]].rename(columns={"authority_id": "neighbour_id",
                                                                      "value": "n_value"})
    means = pairs.merge(theirs, on="neighbour_id").groupby(["period_id", "authority_id"])["n_value"].mean()
    v = v.join(means.rename("neighbour_average"), on=["period_id", "authority_id"])

    # Change from the previous period of the same indicator.
    periods = periods.sort_values(["indicator_id", "sort_key", "label"])
    periods["previous"] = periods.groupby("indicator_id")["period_id"].shift()
    v = v.merge(periods[["period_id", "previous"]], on="period_id", how="left")
    before = v[["period_id", "authority_id", "value"]].rename(columns={"period_id": "previous",
                                                                      "value": "previous_value"})
    v = v.merge(before, on=["previous", "authority_id"], how="left")
    v["change"] = v["value"] - v["previous_value"]
    return v


def child_benchmarks(runs: int) -> dict:
    _django()
    import numpy as np
    from django.db import connection

    from apa.indicators import ranking as bm
    from apa.indicators.benchmark import benchmark_table

    connection.ensure_connection()
    timings = {"engine_packed": [], "engine_rows": [], "baseline": []}
    table = frame = None
    for _ in range(runs):  # interleaved, so that neither side gets a warmer cache
        start = time.perf_counter()
        table = benchmark_table()
        timings["engine_packed"].append(time.perf_counter() - start)
        start = time.perf_counter()
        benchmark_table(values_from="rows")
        timings["engine_rows"].append(time.perf_counter() - start)
        start = time.perf_counter()
        frame = baseline_pandas(connection.connection)
        timings["baseline"].append(time.perf_counter() - start)

    # Cell by cell: the baseline's rank, band, neighbour average and change against the engine's.
    row = {p: i for i, p in enumerate(table.period_id.tolist())}
    r = frame["period_id"].map(row).to_numpy()
    c = frame["authority_id"].map(table.column).to_numpy()
    ours_rank = table.rank[r, c].astype(float)
    ours_rank[ours_rank == 0] = np.nan
    theirs_rank = frame["rank"].to_numpy()
    mismatches = {
        "rank": int((~((ours_rank == theirs_rank) | (np.isnan(ours_rank) & np.isnan(theirs_rank)))).sum()),
        "band": int((table.band[r, c] != frame["band"].to_numpy()).sum()),
        "neighbour_average": int((~np.isclose(table.neighbour_average[r, c], frame["neighbour_average"].to_numpy(),
                                              rtol=1e-9, atol=1e-12, equal_nan=True)).sum()),
        "change": int((~np.isclose(table.change[r, c], frame["change"].to_numpy(), rtol=0, atol=0,
                                   equal_nan=True)).sum()),
        "england": int((~np.isclose(table.england[r], frame["england"].to_numpy(), equal_nan=True)).sum()),
    }
    return {
        "periods": int(len(table.period_id)),
        "periods_with_values": int((table.ranked > 0).sum()),
        "authorities": len(table.authorities),
        "cells_compared": int(len(frame)),
        "bands": int((table.band > 0).sum()),
        "mismatches": mismatches,
        "bands_of": {bm.BANDS[b]: int((table.band == b).sum()) for b in range(1, 5)},
        **{k: statistics.median(v) for k, v in timings.items()},
        "runs": runs,
    }


def child_profile(requests: int) -> dict:
    _django()
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("authority_indicators", kwargs={"dfe_code": "886"})
    except NoReverseMatch:
        return {"skipped": "no authority_indicators page"}
    client = Client(headers={"X-Forwarded-Proto": "https"})
    start = time.perf_counter()
    first = client.get(url)
    cold = time.perf_counter() - start
    assert first.status_code == 200, first.status_code
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(len(times) * 0.9) - 1], "first": cold,
            "requests": requests, "bytes": len(first.content)}


CHILDREN = {"_prepare": child_prepare, "_import": child_import, "_benchmarks": child_benchmarks,
            "_profile": child_profile}


# ----------------------------------------------------------------------------------------------------------
# The orchestra


def _child(name: str, url: str, *args) -> dict:
    result = subprocess.run([PYTHON, __file__, name, *map(str, args)], env={**os.environ, "DATABASE_URL": url},
                            capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"{name} failed on {url}:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _timed_cli(url: str, *argv) -> float:
    start = time.perf_counter()
    result = subprocess.run([APA, *argv], env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
                            cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"apa {' '.join(argv)} failed:\n{result.stderr}")
    return seconds


class Sqlite:
    name = "SQLite"

    def __init__(self, directory: Path):
        self.template = directory / "template.sqlite3"
        self.run = directory / "run.sqlite3"

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare(self):
        _child("_prepare", self.url(self.template))

    def fresh(self) -> str:
        shutil.copyfile(self.template, self.run)
        return self.url(self.run)

    def loaded(self) -> str:
        return self.url(self.run)

    def drop(self):
        pass


class Postgres:
    name = "PostgreSQL"

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def _admin(self, *statements):
        import psycopg

        with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def prepare(self):
        self.drop()
        self._admin(f"CREATE DATABASE {PG_TEMPLATE}")
        _child("_prepare", f"{self.base}/{PG_TEMPLATE}")

    def fresh(self) -> str:
        self._admin(f"DROP DATABASE IF EXISTS {PG_RUN}", f"CREATE DATABASE {PG_RUN} TEMPLATE {PG_TEMPLATE}")
        return f"{self.base}/{PG_RUN}"

    def loaded(self) -> str:
        return f"{self.base}/{PG_RUN}"

    def drop(self):
        self._admin(f"DROP DATABASE IF EXISTS {PG_RUN}", f"DROP DATABASE IF EXISTS {PG_TEMPLATE}")


def measure(db, runs: int, requests: int) -> dict:
    print(f"{db.name}: preparing a template database", file=sys.stderr)
    db.prepare()
    found: dict = {}
    cli, service = [], []
    for i in range(runs):
        print(f"{db.name}: import into an empty database, run {i + 1} of {runs}", file=sys.stderr)
        cli.append(_timed_cli(db.fresh(), "indicators", "import", str(LAIT), "--as", BENCH_ADMIN))
        service.append(_child("_import", db.fresh())["seconds"])
    found["import_cli"], found["import_service"] = statistics.median(cli), statistics.median(service)
    cli, service = [], []
    for i in range(runs):
        print(f"{db.name}: re-import with no change, run {i + 1} of {runs}", file=sys.stderr)
        cli.append(_timed_cli(db.loaded(), "indicators", "import", str(LAIT), "--as", BENCH_ADMIN))
        result = _child("_import", db.loaded())
        assert result["created"] == 0, result
        service.append(result["seconds"])
    found["reimport_cli"], found["reimport_service"] = statistics.median(cli), statistics.median(service)
    print(f"{db.name}: benchmarks of everything, engine and baseline", file=sys.stderr)
    found["benchmarks"] = _child("_benchmarks", db.loaded(), max(runs, 5))
    print(f"{db.name}: authority profile page", file=sys.stderr)
    found["profile"] = _child("_profile", db.loaded(), requests)
    db.drop()
    return found


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(results: dict, runs: int, requests: int) -> str:
    names = list(results)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"Medians of {runs} runs ({requests} requests for the page); machine: {os.cpu_count()} CPUs, "
             f"Python {sys.version.split()[0]}; load average at the end {load} (other work on the machine "
             "slows every figure).", ""]
    header = "| measure | target | " + " | ".join(names) + " |"
    lines += [header, "|" + "---|" * (2 + len(names))]

    def row(label, target, pick):
        cells = []
        for n in names:
            try:
                cells.append(pick(results[n]))
            except (KeyError, TypeError):
                cells.append("n/a")
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")

    row("`apa indicators import` whole LAIT set, empty database (command wall time)", "≤ 5 s",
        lambda r: _ms(r["import_cli"]))
    row("  of which the import itself (read, check, write, commit)", "", lambda r: _ms(r["import_service"]))
    row("same command again, nothing changed (wall time)", "≤ 3 s", lambda r: _ms(r["reimport_cli"]))
    row("  of which the import itself", "", lambda r: _ms(r["reimport_service"]))
    row("benchmarks of every indicator, period and authority: APA (packed values)", "≤ 1 s",
        lambda r: _ms(r["benchmarks"]["engine_packed"]))
    row("  APA reading the Value rows instead", "", lambda r: _ms(r["benchmarks"]["engine_rows"]))
    row("  baseline: pandas, vectorised, same values from the same database", "slower than APA",
        lambda r: _ms(r["benchmarks"]["baseline"]))
    row("  cells where baseline and APA differ (rank, band, neighbour average, change, England)", "0",
        lambda r: ", ".join(str(v) for v in r["benchmarks"]["mismatches"].values()))
    row("authority profile page (Kent), server time, median", "≤ 100 ms (SQLite)",
        lambda r: _ms(r["profile"]["median"]))
    row("  90th percentile / first request after start", "",
        lambda r: f"{_ms(r['profile']['p90'])} / {_ms(r['profile']['first'])}")
    any_result = next(iter(results.values()))["benchmarks"]
    lines += ["", f"{any_result['periods']:,} indicator-periods ({any_result['periods_with_values']:,} with values), "
              f"{any_result['authorities']} authorities, {any_result['cells_compared']:,} values compared."]
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        print(json.dumps(CHILDREN[sys.argv[1]](*map(int, sys.argv[2:]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("medians need at least 5 runs")
    results = {}
    with tempfile.TemporaryDirectory(prefix="apa-bench-") as directory:
        for backend in args.backends.split(","):
            db = Sqlite(Path(directory)) if backend == "sqlite" else Postgres(args.pg_url)
            try:
                results[db.name] = measure(db, args.runs, args.requests)
            finally:
                db.drop()
    print(report(results, args.runs, args.requests))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    # Open data (issue 11 §6): the full package built and validated with frictionless, on the same databases.
    print()
    done = subprocess.run([PYTHON, str(ROOT / "bench" / "opendata.py"), "--backends", args.backends,
                           "--pg-url", args.pg_url], cwd=ROOT)
    # Letters (issue 11 §1): `apa letters build` of a 150-authority cycle, in parallel and in one process.
    print()
    letters = subprocess.run([PYTHON, str(ROOT / "bench" / "letters.py")], cwd=ROOT)
    return done.returncode or letters.returncode


if __name__ == "__main__":
    sys.exit(main())
