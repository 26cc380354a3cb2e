"""Speed of open data (issue 11 §6): the full Data Package of the latest release built and validated with
frictionless, and the indicators package of the whole LAIT set, on each database.

    .venv/bin/python bench/opendata.py [--runs 3] [--backends sqlite,postgresql] [--json FILE]

For each database it runs `apa init` into a scratch database (shipped results, CPA tables and the whole LAIT
set: untimed), then measures, each a median of --runs runs:
  1. `apa opendata build DIR`, the command a person runs (process start included), each run into an empty
     directory, and the build itself in a child process (read as at the release's moment, written to bytes);
     every run must give the same sha256 for every file (the first run records them, the others are checked);
  2. validation of that package with frictionless (schemas, enums, primary and foreign keys, sizes, hashes);
  3. `apa opendata indicators DIR` for the latest data release (the LAIT import: every value), and its
     validation, once (frictionless reads every one of its 640,000 values).
PostgreSQL: a database apa_bench_opendata under --pg-url, created and dropped. See bench/README.md.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
APA = str(Path(sys.executable).parent / "apa")
PG_DB = "apa_bench_opendata"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    import django

    django.setup()


def child_build() -> dict:
    _django()
    from apa.opendata.selectors import release_latest
    from apa.opendata.services import release_files

    release = release_latest()
    start = time.perf_counter()
    files = release_files(release=release)
    return {"seconds": time.perf_counter() - start, "release": release.number, "files": len(files),
            "bytes": sum(len(d) for d in files.values())}


def child_validate(directory: str) -> dict:
    _django()
    from apa.opendata.validation import package_validate

    start = time.perf_counter()
    result = package_validate(directory=directory)
    return {"seconds": time.perf_counter() - start, "valid": result.valid, "tables": result.tables,
            "rows": result.rows, "errors": result.errors[:5]}


CHILDREN = {"_build": child_build, "_validate": child_validate}


def _child(name: str, url: str, *args) -> dict:
    done = subprocess.run([PYTHON, __file__, name, *map(str, args)], env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{name} failed on {url}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cli(url: str, *argv) -> float:
    start = time.perf_counter()
    done = subprocess.run([APA, *map(str, argv)], env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                          text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"apa {' '.join(map(str, argv))} failed:\n{done.stderr}")
    return seconds


def _hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def measure(name: str, url: str, runs: int, work: Path) -> dict:
    print(f"{name}: apa init (shipped results and the whole LAIT set)", file=sys.stderr)
    _cli(url, "init")
    found: dict = {"cli": [], "service": [], "validate": []}
    hashes = []
    for i in range(runs):
        print(f"{name}: build and validate the latest release, run {i + 1} of {runs}", file=sys.stderr)
        directory = work / f"release-{i}"
        found["cli"].append(_cli(url, "opendata", "build", directory))
        hashes.append(_hashes(directory))
        found["service"].append(_child("_build", url)["seconds"])
        checked = _child("_validate", url, directory)
        if not checked["valid"]:
            sys.exit(f"the package is not valid: {checked['errors']}")
        found["validate"].append(checked["seconds"])
    found["identical"] = all(h == hashes[0] for h in hashes)
    found["tables"], found["rows"] = checked["tables"], checked["rows"]
    found["bytes"] = sum((work / "release-0" / n).stat().st_size for n in hashes[0])
    print(f"{name}: the indicators package of the LAIT data release", file=sys.stderr)
    directory = work / "indicators"
    found["indicators_cli"] = _cli(url, "opendata", "indicators", directory)
    checked = _child("_validate", url, directory)
    if not checked["valid"]:
        sys.exit(f"the indicators package is not valid: {checked['errors']}")
    found["indicators_validate"], found["indicators_rows"] = checked["seconds"], checked["rows"]
    found["indicators_bytes"] = sum(p.stat().st_size for p in directory.iterdir())
    for key in ("cli", "service", "validate"):
        found[key] = statistics.median(found[key])
    return found


def _pg(base: str, *statements) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(results: dict, runs: int) -> str:
    names = list(results)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"Open data: medians of {runs} runs; machine: {os.cpu_count()} CPUs; load average at the end {load}.",
             "", "| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label, pick):
        lines.append(f"| {label} | " + " | ".join(pick(results[n]) for n in names) + " |")

    row("`apa opendata build DIR`, latest release (command wall time)", lambda r: _s(r["cli"]))
    row("  of which the build (read as at the release, CSV and datapackage.json)", lambda r: _s(r["service"]))
    row("  tables, rows, bytes", lambda r: f"{r['tables']}, {r['rows']:,}, {r['bytes']:,}")
    row("  every run byte-identical (sha256 of every file)", lambda r: "yes" if r["identical"] else "NO")
    row("frictionless validation of that package", lambda r: _s(r["validate"]))
    row("`apa opendata indicators DIR`, the LAIT data release (wall time, once)", lambda r: _s(r["indicators_cli"]))
    row("  its frictionless validation (once)", lambda r: _s(r["indicators_validate"]))
    row("  rows, bytes", lambda r: f"{r['indicators_rows']:,}, {r['indicators_bytes']:,}")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        print(json.dumps(CHILDREN[sys.argv[1]](*sys.argv[2:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="apa-bench-opendata-") as scratch:
        for backend in args.backends.split(","):
            work = Path(scratch) / backend
            work.mkdir()
            if backend == "sqlite":
                results["SQLite"] = measure("SQLite", f"sqlite:///{work / 'bench.sqlite3'}", args.runs, work)
                continue
            base = args.pg_url.rstrip("/")
            _pg(base, f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}")
            try:
                results["PostgreSQL"] = measure("PostgreSQL", f"{base}/{PG_DB}", args.runs, work)
            finally:
                _pg(base, f"DROP DATABASE IF EXISTS {PG_DB}")
    print(report(results, args.runs))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
