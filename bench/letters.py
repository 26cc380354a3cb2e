"""Speed of `apa letters build` (issue 11 §1), with the one-process time measured in the same run.

    .venv/bin/python bench/letters.py [--authorities 150] [--runs 3] [--single-runs 1] [--backend sqlite]

It builds, in a scratch database, a published cycle (apa-2008, 2025) of --authorities authorities through the
assessment services, as people would: each officer starts and submits the self-assessment, the lead
inspector reviews and saves every required area's judgement with findings (two strengths, two areas for
development and one area for focus, each linked to four real LAIT indicators with their frozen benchmarks,
so at least three evidenced findings per area), sends it through factual accuracy and moderation, a
moderator confirms it and the publisher publishes the cycle. Then it times the command a person runs,
`apa letters build --framework apa-2008 --year 2025 --out DIR` (process start included), with the default
workers (one per CPU) --runs times and with `--workers 1` --single-runs times, interleaved, each into an
empty directory, and checks that every build wrote the same files (the same sha256 for every letter).
The target is 60 s for 150 letters on the 2-core machine. PostgreSQL: --backend postgresql (a database
apa_bench_letters under --pg-url, created and dropped).
"""

import argparse
import csv
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
PYTHON = sys.executable
APA = str(Path(sys.executable).parent / "apa")
FRAMEWORK, YEAR = "apa-2008", 2025
PG_DB = "apa_bench_letters"
TARGET = 60.0
INDICATORS_PER_AREA = 4


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    import django

    django.setup()


def _indicators_for(cycle, areas) -> dict[str, list[str]]:
    """For each area, INDICATORS_PER_AREA ranked LAIT indicators with a value for nearly every authority in the
    cycle's period: the area's own (IndicatorOutcome) where there are enough, then any."""
    from apa.indicators.models import IndicatorOutcome, IndicatorPeriod

    chosen = dict(cycle.periods.values_list("indicator_code", "period"))
    full = set()
    for code, label, count in IndicatorPeriod.objects.filter(indicator__polarity__in=["high", "low"]).values_list(
            "indicator__code", "label", "authority_values"):
        if chosen.get(code) == label and count >= 140:
            full.add(code)
    full = sorted(full)
    by_outcome: dict[str, list[str]] = {}
    for outcome, code in IndicatorOutcome.objects.values_list("outcome", "indicator__code").order_by("indicator__code"):
        if code in full:
            by_outcome.setdefault(outcome, []).append(code)
    picked, spare = {}, iter(full)
    for area in areas:
        codes = by_outcome.get(area.code, [])[:INDICATORS_PER_AREA]
        while len(codes) < INDICATORS_PER_AREA:
            code = next(spare)
            if code not in codes:
                codes.append(code)
        picked[area.code] = codes
    return picked


def child_prepare(authorities: int) -> dict:
    """The scratch database: migrated, reference data and the LAIT set loaded, and the published cycle."""
    _django()
    from django.core.management import call_command
    from django.db import transaction

    from apa.accounts.models import Role, User
    from apa.assessments import services
    from apa.assessments.models import State
    from apa.assessments.workflow import assessment_transition
    from apa.authorities.services import authorities_load
    from apa.frameworks.services import frameworks_load
    from apa.indicators.models import Indicator
    from apa.indicators.services import lait_shipped_load

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    frameworks_load()
    authorities_load()
    lait_shipped_load(progress=False)
    loaded = time.perf_counter() - start

    start = time.perf_counter()
    people = {}
    for username, role in (("bench-admin", Role.ADMIN), ("bench-inspector", Role.INSPECTOR),
                           ("bench-moderator", Role.MODERATOR), ("bench-publisher", Role.PUBLISHER)):
        people[role] = User.objects.create_user(username, role=role)  # no password: nobody signs in
    with transaction.atomic():
        cycle = services.cycle_open(framework_code=FRAMEWORK, year=YEAR, actor=people[Role.ADMIN])
    areas = sorted((a for a in cycle.framework.areas.all() if a.required), key=lambda a: a.judging_order)
    evidence = _indicators_for(cycle, areas)
    titles = dict(Indicator.objects.filter(code__in={c for codes in evidence.values() for c in codes})
                  .values_list("code", "title"))
    assessments = list(cycle.assessments.select_related("authority").order_by("authority__dfe_code")[:authorities])
    findings = 0
    for n, assessment in enumerate(assessments):
        authority = assessment.authority
        with transaction.atomic():
            officer = User.objects.create_user(f"bench-officer-{authority.dfe_code}", role=Role.AUTHORITY_OFFICER,
                                               authority=authority)
            services.cycle_assign(cycle=cycle, authority=authority, inspector=people[Role.INSPECTOR],
                                  actor=people[Role.ADMIN])
            assessment_transition(assessment=assessment, to=State.SELF_ASSESSMENT, actor=officer)
            assessment_transition(assessment=assessment, to=State.SUBMITTED, actor=officer)
            assessment_transition(assessment=assessment, to=State.UNDER_REVIEW, actor=people[Role.INSPECTOR])
            for i, area in enumerate(areas):
                codes = evidence[area.code]
                named = [titles[c].strip() for c in codes]
                data = services.JudgementInput(
                    grade=1 + (n + i) % 4,
                    rationale=f"Judged for {authority.name} on the self-assessment, the visit and {len(codes)} "
                              f"indicators of {area.short_title.lower()}.",
                    strengths=[f"Performance better than most authorities: {named[0]}",
                               f"Steady improvement over three years: {named[1]}"],
                    areas_for_development=[f"Performance below most authorities: {named[2]}",
                                           f"Wide variation between districts: {named[3]}"],
                    areas_for_focus=[f"Progress on {named[2].lower()} across {authority.name}"],
                    indicator_codes=codes)
                services.judgement_save(assessment=assessment, area=area, actor=people[Role.INSPECTOR], data=data,
                                        version=None)
                findings += 5
            for state in (State.DRAFT_JUDGEMENTS, State.FACTUAL_ACCURACY, State.MODERATION):
                assessment_transition(assessment=assessment, to=state, actor=people[Role.INSPECTOR])
            assessment_transition(assessment=assessment, to=State.MODERATED, actor=people[Role.MODERATOR])
        print(f"\rbuilding the cycle: {n + 1} of {len(assessments)} authorities", end="", file=sys.stderr)
    print(file=sys.stderr)
    published = services.cycle_publish(cycle=cycle, actor=people[Role.PUBLISHER])
    return {"load_seconds": loaded, "cycle_seconds": time.perf_counter() - start, "published": len(published),
            "areas": len(areas), "findings": findings, "evidence_links": findings * INDICATORS_PER_AREA}


CHILDREN = {"_prepare": child_prepare}


def _timed_build(url: str, out: Path, *extra) -> tuple[float, str]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([APA, "letters", "build", "--framework", FRAMEWORK, "--year", str(YEAR), "--out", str(out),
                           *extra], env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"apa letters build failed:\n{done.stderr}")
    return seconds, done.stdout.strip()


def _index(out: Path) -> dict[str, str]:
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row["sha256"] for row in csv.DictReader(handle)}


def _pages(out: Path) -> list[int]:
    if shutil.which("pdfinfo") is None:
        return []
    pages = []
    for pdf in sorted(out.glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages += [int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")]
    return pages


def prepare(url: str, authorities: int) -> dict:
    print(f"preparing: {authorities} authorities through the services", file=sys.stderr)
    prepared = subprocess.run([PYTHON, __file__, "_prepare", str(authorities)], env={**os.environ,
                              "DATABASE_URL": url}, capture_output=True, text=True, cwd=ROOT)
    if prepared.returncode != 0:
        sys.exit(f"preparing failed:\n{prepared.stderr}")
    return json.loads(prepared.stdout.strip().splitlines()[-1])


def measure(url: str, args, scratch: Path, found: dict) -> dict:
    parallel, single, indexes, lines = [], [], [], {}
    for i in range(max(args.runs, args.single_runs)):
        if i < args.runs:
            print(f"letters build, default workers, run {i + 1} of {args.runs}", file=sys.stderr)
            seconds, lines["parallel"] = _timed_build(url, scratch / "parallel")
            parallel.append(seconds)
            indexes.append(_index(scratch / "parallel"))
        if i < args.single_runs:
            print(f"letters build --workers 1, run {i + 1} of {args.single_runs}", file=sys.stderr)
            seconds, lines["single"] = _timed_build(url, scratch / "single", "--workers", "1")
            single.append(seconds)
            indexes.append(_index(scratch / "single"))
    pages = _pages(scratch / "parallel")
    sizes = [p.stat().st_size for p in (scratch / "parallel").glob("*.pdf")]
    found.update({
        "parallel": statistics.median(parallel), "parallel_runs": parallel,
        "single": statistics.median(single), "single_runs": single,
        "letters": len(indexes[0]), "identical": all(ix == indexes[0] for ix in indexes),
        "pages_median": statistics.median(pages) if pages else None, "pages_total": sum(pages),
        "kb_median": statistics.median(sizes) / 1024 if sizes else None, "output": lines,
    })
    return found


def report(found: dict, args, backend: str) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    speedup = found["single"] / found["parallel"] if found["parallel"] else 0
    lines = [
        f"`apa letters build` on {backend}: {found['letters']} letters ({found['published']} published authorities, "
        f"{found['areas']} areas each, {found['findings']:,} findings, {found['evidence_links']:,} evidence links); "
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average at the end {load}.", "",
        "| measure | target | figure |", "|---|---|---|",
        f"| letters build, default workers ({os.cpu_count()}), wall time, median of {len(found['parallel_runs'])} | "
        f"≤ {TARGET:.0f} s | {found['parallel']:.1f} s |",
        f"| letters build --workers 1, wall time, median of {len(found['single_runs'])} | | {found['single']:.1f} s |",
        f"| speed-up | | {speedup:.2f}× |",
        f"| per letter, one process | | {found['single'] / max(found['letters'], 1) * 1000:.0f} ms |",
        f"| pages per letter, median (total) | | {found['pages_median']} ({found['pages_total']:,}) |",
        f"| PDF size, median | | {found['kb_median']:.0f} KB |" if found["kb_median"] else "",
        f"| every build wrote the same files (sha256) | yes | {'yes' if found['identical'] else 'NO'} |",
        "", f"Runs: parallel {', '.join(f'{s:.1f}' for s in found['parallel_runs'])} s; one process "
        f"{', '.join(f'{s:.1f}' for s in found['single_runs'])} s. Setting up: reference data and LAIT "
        f"{found['load_seconds']:.0f} s, the cycle through the services {found['cycle_seconds']:.0f} s.",
    ]
    return "\n".join(line for line in lines if line is not None)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        print(json.dumps(CHILDREN[sys.argv[1]](*map(int, sys.argv[2:]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--authorities", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3, help="parallel builds timed (default 3)")
    parser.add_argument("--single-runs", type=int, default=1, help="one-process builds timed (default 1)")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, metavar="FILE", help="SQLite only: prepare the cycle into FILE and keep "
                        "it; if FILE exists, time the builds on it without preparing again")
    args = parser.parse_args()
    if args.runs < 1 or args.single_runs < 1:
        parser.error("at least one run of each")
    with tempfile.TemporaryDirectory(prefix="apa-bench-letters-") as directory:
        scratch = Path(directory)
        if args.backend == "sqlite":
            database = args.keep.resolve() if args.keep else scratch / "letters.sqlite3"
            url, drop = f"sqlite:///{database}", None
        else:
            import psycopg

            base = args.pg_url.rstrip("/")

            def admin(sql):
                with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                    conn.execute(sql)

            admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin(f"CREATE DATABASE {PG_DB}")
            url, drop = f"{base}/{PG_DB}", lambda: admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        kept = args.keep and args.keep.exists() and args.backend == "sqlite"
        try:
            prepared = json.loads(args.keep.with_suffix(".json").read_text()) if kept else prepare(url, args.authorities)
            if args.keep and not kept:
                args.keep.with_suffix(".json").write_text(json.dumps(prepared))
            found = measure(url, args, scratch, prepared)
        finally:
            if drop:
                drop()
    print(report(found, args, "SQLite" if args.backend == "sqlite" else "PostgreSQL"))
    if args.json:
        args.json.write_text(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
