"""Server time of every public page type (issue 13 §4), beside a floor measured in the same run.

    .venv/bin/python bench/pages.py [--requests 30] [--database FILE]

It builds a SQLite database as `make run` does — `apa init` (every shipped result and the whole LAIT set) and
`apa demo` — in a scratch directory (or reuses --database FILE, building it when missing), then, in this process,
times each page through Django's test client (middleware, view, template: the server's own time, no network),
--requests times after one warm-up request, and quotes the median. The floor for each page is its data read as
one plain SQL query and rendered with a minimal template: what the page could not be faster than. Target: every
page ≤ 50 ms median.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APA = ROOT / ".venv" / "bin" / "apa"
TARGET_MS = 50.0

# name, URL (with {letter} and {indicator} filled in once the data is known), floor SQL (parameters %s).
PAGES = [
    ("home", "/", "SELECT f.code, f.title, count(r.id) FROM frameworks_framework f LEFT JOIN publication_result r "
     "ON r.framework_id = f.id AND r.is_current GROUP BY f.id ORDER BY f.first_year"),
    ("authority page (Kent)", "/authorities/886/",
     "SELECT f.title, r.key, ar.title, g.grade FROM publication_result r JOIN authorities_authority a ON a.id = "
     "r.authority_id JOIN frameworks_framework f ON f.id = r.framework_id JOIN publication_resultgrade g ON "
     "g.result_id = r.id JOIN frameworks_area ar ON ar.id = g.area_id WHERE a.dfe_code = '886' AND r.is_current "
     "ORDER BY f.first_year, r.key, ar.display_order"),
    ("national results (ILACS)", "/results/ilacs-2018/",
     "SELECT a.name, r.key, ar.code, g.grade FROM publication_result r JOIN authorities_authority a ON a.id = "
     "r.authority_id JOIN frameworks_framework f ON f.id = r.framework_id JOIN publication_resultgrade g ON "
     "g.result_id = r.id JOIN frameworks_area ar ON ar.id = g.area_id WHERE f.code = 'ilacs-2018' AND r.is_current "
     "ORDER BY a.name, ar.display_order"),
    ("national release (APA 2007)", "/results/apa-2007/2007/",
     "SELECT a.name, a.region, ar.code, g.grade FROM publication_result r JOIN authorities_authority a ON a.id = "
     "r.authority_id JOIN frameworks_framework f ON f.id = r.framework_id JOIN publication_resultgrade g ON "
     "g.result_id = r.id JOIN frameworks_area ar ON ar.id = g.area_id WHERE f.code = 'apa-2007' AND r.year = 2007 "
     "AND r.is_current ORDER BY a.name, ar.display_order"),
    ("indicator page", "/indicators/{indicator}/",
     "SELECT a.name, p.label, v.value FROM indicators_value v JOIN indicators_indicatorperiod p ON p.id = v.period_id "
     "JOIN indicators_indicator i ON i.id = p.indicator_id JOIN authorities_authority a ON a.id = v.authority_id "
     "WHERE i.code = '{indicator}' ORDER BY p.sort_key DESC, a.name"),
    ("indicator profile (Kent)", "/authorities/886/indicators/",
     "SELECT i.title, p.label, v.value FROM indicators_value v JOIN indicators_indicatorperiod p ON p.id = "
     "v.period_id JOIN indicators_indicator i ON i.id = p.indicator_id JOIN authorities_authority a ON a.id = "
     "v.authority_id WHERE a.dfe_code = '886' ORDER BY i.title, p.sort_key DESC"),
    ("letter", "/letters/{letter}/",
     "SELECT r.letter FROM publication_result r JOIN authorities_authority a ON a.id = r.authority_id JOIN "
     "frameworks_framework f ON f.id = r.framework_id WHERE a.dfe_code || '/' || f.code || '/' || r.key = "
     "'{letter}' AND r.is_current"),
    ("API results (APA 2007)", "/api/v1/results?framework=apa-2007&limit=100",
     "SELECT a.dfe_code, r.key, ar.code, g.grade FROM publication_result r JOIN authorities_authority a ON a.id = "
     "r.authority_id JOIN frameworks_framework f ON f.id = r.framework_id JOIN publication_resultgrade g ON "
     "g.result_id = r.id JOIN frameworks_area ar ON ar.id = g.area_id WHERE f.code = 'apa-2007' AND r.is_current "
     "ORDER BY a.dfe_code LIMIT 800"),
    ("API benchmark", "/api/v1/indicators/{indicator}/benchmark?authority=886",
     "SELECT p.label, v.value FROM indicators_value v JOIN indicators_indicatorperiod p ON p.id = v.period_id JOIN "
     "indicators_indicator i ON i.id = p.indicator_id WHERE i.code = '{indicator}' ORDER BY p.sort_key DESC"),
]

FLOOR_TEMPLATE = ("<!doctype html><title>{{ name }}</title><table>{% for row in rows %}<tr>{% for c in row %}"
                  "<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>")


def _build(database: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    for argv in (["init"], ["demo"]):
        print(f"preparing: apa {' '.join(argv)}", file=sys.stderr)
        subprocess.run([str(APA), *argv], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _timed(call, requests: int) -> list[float]:
    call()  # warm-up
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def measure(requests: int) -> list[dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apa.settings")
    import django

    django.setup()
    from django.db import connection
    from django.template import Context, Engine
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute("SELECT a.dfe_code || '/' || f.code || '/' || r.key FROM publication_result r JOIN "
                       "authorities_authority a ON a.id = r.authority_id JOIN frameworks_framework f ON f.id = "
                       "r.framework_id WHERE r.letter IS NOT NULL AND r.is_current AND r.withheld = 0 AND "
                       "(r.visible_from IS NULL OR r.visible_from <= datetime('now')) ORDER BY a.dfe_code LIMIT 1")
        letter = cursor.fetchone()[0]
    indicator = "KS1P_all"
    client = Client(headers={"X-Forwarded-Proto": "https"})
    template = Engine().from_string(FLOOR_TEMPLATE)
    rows = []
    for name, url, sql in PAGES:
        url = url.format(letter=letter, indicator=indicator)
        sql = sql.replace("{letter}", letter).replace("{indicator}", indicator)
        first = client.get(url)
        if first.status_code != 200:
            sys.exit(f"{url} answered {first.status_code}")

        def page(url=url):
            assert client.get(url).status_code == 200

        def floor(name=name, sql=sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                found = cursor.fetchall()
            return template.render(Context({"name": name, "rows": found}))

        page_times, floor_times = [], []
        for _ in range(2):  # interleaved halves, so drift in the machine's load falls on both
            page_times += _timed(page, requests // 2)
            floor_times += _timed(floor, requests // 2)
        rows.append({"name": name, "url": url, "page": statistics.median(page_times),
                     "floor": statistics.median(floor_times), "bytes": len(first.content)})
    return rows


def report(rows: list[dict], requests: int) -> str:
    lines = [f"Public pages on SQLite (the whole data set and the demo), median server time of {requests} requests "
             f"after a warm-up; floor: the page's data as one SQL query and a minimal template, same run.", "",
             "| page | target | APA | floor | ratio | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        ms, floor = r["page"] * 1000, r["floor"] * 1000
        lines.append(f"| {r['name']} (`{r['url']}`) | ≤ {TARGET_MS:.0f} ms | {ms:.1f} ms | {floor:.1f} ms | "
                     f"{ms / floor if floor else float('inf'):.0f}× | {'yes' if ms <= TARGET_MS else 'no'} |")
    load = os.getloadavg()
    lines += ["", f"Load average at the end: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}; {os.cpu_count()} CPUs."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", type=Path, help="a SQLite file to reuse (built when missing)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apa-pages-") as scratch:
        database = (args.database or Path(scratch) / "apa.sqlite3").resolve()
        if not database.exists():
            _build(database)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ.setdefault("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")  # as behind the TLS proxy
        os.environ.setdefault("MEDIA_ROOT", str(Path(scratch) / "media"))
        print(report(measure(args.requests), args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
