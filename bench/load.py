"""Load (issue 13 §5): simulated people reading public pages and the API from gunicorn, on SQLite and PostgreSQL.

    .venv/bin/python bench/load.py [--backends sqlite,postgresql] [--users 50] [--json FILE]

For each database it builds a scratch database as `make run` does (`apa init`, then `apa demo`), starts
`apa serve 127.0.0.1:PORT` (gunicorn, production settings, as behind the TLS proxy) on a free loopback port, and
  1. reads the public API for what to ask for (authorities, frameworks, indicators, letters), then asks for every
     URL of the mix once; any that does not answer 200 and name what was asked for stops the run;
  2. **closed loop**: --users simulated people, each asking for a page or API route of the mix, then pausing
     --pause seconds (± 20 %, seeded), for --duration seconds after --warmup seconds whose answers are not
     counted; p50, p95, p99 over every answer counted, and the errors;
  3. **open loop**: requests at a fixed rate, --step seconds a rate, rising through --rates, stopping at the first
     rate whose p95 is over the target or that has an error (at least 60 requests a rate; latency counted from
     when the request was due, so a server that falls behind is charged for the wait); the highest rate that met
     the target.
An answer counts only if it is 200 and its body names the authority, framework or indicator asked for. Every
request goes to 127.0.0.1 on the port of the server this run started; the server is stopped and a PostgreSQL
database dropped at the end, however the run ends. Targets: p95 ≤ 100 ms, 0 errors. See bench/README.md.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scratch  # noqa: E402

HOST = "127.0.0.1"  # loopback only
TARGET_P95_MS = 100.0
TIMEOUT = 10.0  # seconds a request may take before it counts as an error
RATES = "1,2,3,5,10,15,20,30,40,50,60,80,100,130,160,200"
STEP_REQUESTS = 60  # at least this many requests a rate (a longer step at low rates), so that p95 means something

# The mix: what each simulated person asks for, by weight.
MIX = {"authority page": 20, "indicator profile": 10, "national results": 15, "indicator page": 10, "letter": 5,
       "home": 5, "API results": 15, "API benchmark": 15, "API letter": 5}


@dataclass(frozen=True)
class Ask:
    kind: str
    path: str
    names: tuple[str, ...]  # the forms of the name asked for, any of which the body must hold

    @classmethod
    def of(cls, kind: str, path: str, name: str) -> "Ask":
        html = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
                .replace("'", "&#x27;"))
        return cls(kind, path, tuple({name, html, json.dumps(name)[1:-1]}))


def fetch(port: int, path: str) -> tuple[int, bytes]:
    """One GET as the TLS proxy passes it on (a new connection: gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def ask(port: int, item: Ask) -> tuple[float, str]:
    """(seconds, "" or why the answer does not count)."""
    start = time.perf_counter()
    try:
        status, body = fetch(port, item.path)
    except (OSError, http.client.HTTPException) as exc:
        return time.perf_counter() - start, type(exc).__name__
    seconds = time.perf_counter() - start
    if status != 200:
        return seconds, f"status {status}"
    text = body.decode("utf-8", errors="replace")
    return seconds, "" if any(n in text for n in item.names) else "200 without the name asked for"


# ---- the mix, from the public API ------------------------------------------------------------------------


def _api(port: int, path: str) -> dict:
    status, body = fetch(port, path)
    if status != 200:
        sys.exit(f"GET {path} answered {status}")
    return json.loads(body)


def _items(port: int, path: str) -> list[dict]:
    found, page = [], f"{path}{'&' if '?' in path else '?'}limit=500"
    while page:
        answer = _api(port, page)
        found += answer["items"]
        page = answer["next"] and answer["next"].split(f"{HOST}:{port}", 1)[1]
    return found


def mix_build(port: int, rng: random.Random) -> dict[str, list[Ask]]:
    authorities = sorted((a for a in _items(port, "/api/v1/authorities") if a["current"]), key=lambda a: a["dfe_code"])
    frameworks = _items(port, "/api/v1/frameworks")
    indicators = [i for i in _items(port, "/api/v1/indicators") if re.fullmatch(r"[A-Za-z0-9_]+", i["code"])]
    letters = _items(port, "/api/v1/letters")
    some = rng.sample(authorities, min(30, len(authorities)))
    chosen = rng.sample(indicators, min(20, len(indicators)))
    mix: dict[str, list[Ask]] = {kind: [] for kind in MIX}
    mix["home"].append(Ask.of("home", "/", "Annual Performance Assessment"))
    for a in some:
        mix["authority page"].append(Ask.of("authority page", f"/authorities/{a['dfe_code']}/", a["name"]))
        mix["indicator profile"].append(Ask.of("indicator profile", f"/authorities/{a['dfe_code']}/indicators/",
                                               a["name"]))
        mix["API results"].append(Ask.of("API results", f"/api/v1/results?authority={a['dfe_code']}", a["name"]))
    for f in frameworks:
        mix["national results"].append(Ask.of("national results", f"/results/{f['code']}/", f["title"]))
        for year in range(f["first_year"], (f["last_year"] or f["first_year"]) + 1) if f["yearly"] else []:
            mix["national results"].append(Ask.of("national results", f"/results/{f['code']}/{year}/", f["title"]))
        mix["API results"].append(Ask.of("API results", f"/api/v1/results?framework={f['code']}&limit=100",
                                         f'"framework": "{f["code"]}"'))
    for i in chosen:
        mix["indicator page"].append(Ask.of("indicator page", f"/indicators/{i['code']}/", i["title"]))
        a = rng.choice(some)
        mix["API benchmark"].append(Ask.of("API benchmark", f"/api/v1/indicators/{i['code']}/benchmark?authority="
                                           f"{a['dfe_code']}", a["name"]))
    for letter in letters:
        where = f"{letter['authority']['dfe_code']}/{letter['framework']}/{letter['key']}"
        mix["letter"].append(Ask.of("letter", f"/letters/{where}/", letter["authority"]["name"]))
        mix["API letter"].append(Ask.of("API letter", f"/api/v1/letters/{where}", letter["authority"]["name"]))
    return {kind: asks for kind, asks in mix.items() if asks}


def mix_check(port: int, mix: dict[str, list[Ask]]) -> int:
    """Every URL of the mix once (a few at a time); stops the run at the first that does not count."""
    every = [item for asks in mix.values() for item in asks]
    with ThreadPoolExecutor(4) as pool:
        for item, (_, why) in zip(every, pool.map(lambda item: ask(port, item), every), strict=True):
            if why:
                sys.exit(f"GET {item.path} ({item.kind}): {why}")
    return len(every)


def picker(mix: dict[str, list[Ask]], rng: random.Random):
    kinds = list(mix)
    weights = [MIX[k] for k in kinds]
    return lambda: rng.choice(mix[rng.choices(kinds, weights)[0]])


# ---- the two ways of loading -----------------------------------------------------------------------------


def _summary(samples: list[tuple[str, float, str]], seconds: float) -> dict:
    times = sorted(s for _, s, _ in samples)
    errors: dict[str, int] = {}
    for kind, _, why in samples:
        if why:
            errors[f"{kind}: {why}"] = errors.get(f"{kind}: {why}", 0) + 1
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    by_kind = {}
    for kind in sorted({k for k, _, _ in samples}):
        mine = [s for k, s, _ in samples if k == kind]
        by_kind[kind] = {"requests": len(mine), "p50_ms": statistics.median(mine) * 1000,
                         "p95_ms": (statistics.quantiles(mine, n=100, method="inclusive")[94] if len(mine) > 1
                                    else mine[0]) * 1000}
    return {"requests": len(samples), "errors": sum(errors.values()), "error_kinds": errors,
            "p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000, "p99_ms": cuts[98] * 1000,
            "max_ms": times[-1] * 1000, "rate": len(samples) / seconds, "by_kind": by_kind}


def closed_loop(port: int, mix, *, users: int, pause: float, warmup: float, duration: float, seed: int) -> dict:
    """`users` people, each: ask, pause, ask again. Answers to requests sent in the warm-up are not counted."""
    start = time.perf_counter()
    counted_from, stop = start + warmup, start + warmup + duration
    samples: list[tuple[str, float, str]] = []
    later: list[float] = []  # the times of the second half, once every worker has built more of the pages
    lock = threading.Lock()

    def person(n: int):
        rng = random.Random(seed * 1000 + n)
        pick = picker(mix, rng)
        time.sleep(rng.uniform(0, pause))  # people arrive spread over the first pause, not all at once
        while (sent := time.perf_counter()) < stop:
            item = pick()
            seconds, why = ask(port, item)
            if sent >= counted_from:
                with lock:
                    samples.append((item.kind, seconds, why))
                    if sent >= counted_from + duration / 2:
                        later.append(seconds)
            time.sleep(max(0.0, min(pause * rng.uniform(0.8, 1.2), stop - time.perf_counter())))

    people = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(users)]
    for p in people:
        p.start()
    for p in people:
        p.join(TIMEOUT + warmup + duration + 2 * pause)
    second_half = statistics.quantiles(later, n=100, method="inclusive")[94] * 1000 if len(later) > 1 else None
    return _summary(samples, duration) | {"users": users, "pause_s": pause, "warmup_s": warmup,
                                          "duration_s": duration, "p95_second_half_ms": second_half}


def open_loop(port: int, mix, *, rate: float, seconds: float, seed: int) -> dict:
    """Requests due at `rate` a second for `seconds`, each sent when due (up to 256 at once); its time runs from
    when it was due."""
    rng = random.Random(seed)
    pick = picker(mix, rng)
    plan = [(k / rate, pick()) for k in range(int(rate * seconds))]
    samples: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    start = time.perf_counter()

    def send(due: float, item: Ask):
        waited = time.perf_counter() - (start + due)
        took, why = ask(port, item)
        with lock:
            samples.append((item.kind, waited + took, why))

    with ThreadPoolExecutor(256) as pool:
        for due, item in plan:
            delay = start + due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, due, item)
    return _summary(samples, seconds) | {"rate_asked": rate}


def ramp(port: int, mix, *, rates: list[float], step: float, seed: int) -> dict:
    steps, best = [], None
    for n, rate in enumerate(rates):
        seconds = max(step, STEP_REQUESTS / rate)
        print(f"  open loop: {rate:g} requests a second for {seconds:g} s", file=sys.stderr)
        found = open_loop(port, mix, rate=rate, seconds=seconds, seed=seed + n)
        found["met"] = found["p95_ms"] <= TARGET_P95_MS and found["errors"] == 0
        steps.append(found)
        if not found["met"]:
            break
        best = rate
        time.sleep(2)  # let the last step's stragglers finish
    return {"steps": steps, "highest_rate_met": best, "step_s": step}


# ---- the server --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def default_workers() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cpus + 1  # as `apa serve` without --workers or WEB_CONCURRENCY


class Server:
    """`apa serve` on a free loopback port with production settings, as behind the TLS proxy."""

    def __init__(self, url: str, workers: int, work: Path, cache_url: str = ""):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "WEB_CONCURRENCY")}
        env |= {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST,
                "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto", "MEDIA_ROOT": str(work / "media")}
        if cache_url:
            env["CACHE_URL"] = cache_url
        self.log = work / "gunicorn.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(scratch.APA), "serve", f"{HOST}:{self.port}", "--workers", str(workers)], env=env,
                cwd=scratch.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"apa serve stopped ({self.process.returncode}):\n{self.log.read_text()[-2000:]}")
            try:
                if fetch(self.port, "/api/v1/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit(f"apa serve did not answer within {seconds:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's arbiter and its workers, which it started
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def measure(name: str, url: str, args, work: Path) -> dict:
    server = Server(url, args.workers, work, args.cache_url)
    try:
        server.wait()
        mix = mix_build(server.port, random.Random(args.seed))
        checked = mix_check(server.port, mix)
        print(f"{name}: {checked} URLs answer and name what was asked for; {args.users} people for "
              f"{args.warmup:g} + {args.duration:g} s", file=sys.stderr)
        found = {"workers": args.workers, "urls": checked, "cache_url": args.cache_url or "(default)",
                 "mix": {kind: len(asks) for kind, asks in mix.items()},
                 "closed": closed_loop(server.port, mix, users=args.users, pause=args.pause, warmup=args.warmup,
                                       duration=args.duration, seed=args.seed)}
        if args.step > 0:
            found["open"] = ramp(server.port, mix, rates=[float(r) for r in args.rates.split(",")], step=args.step,
                                 seed=args.seed)
        return found
    finally:
        server.stop()


# ---- the report --------------------------------------------------------------------------------------------


def report(results: dict, args) -> str:
    names = list(results)
    first = results[names[0]]
    lines = [f"Load: gunicorn (`apa serve --workers {first['workers']}`, production settings) on loopback; "
             f"{args.users} simulated people, each pausing {args.pause:g} s (± 20 %, seed {args.seed}) between "
             f"requests, for {args.duration:g} s after a {args.warmup:g} s warm-up, over {first['urls']} URLs of "
             f"public pages and API routes; CACHE_URL {first['cache_url']}. An answer counts only if it is 200 and "
             f"names what was asked for. The open loop runs after the closed one.", "",
             "| measure | target | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]

    def row(label, target, pick):
        lines.append(f"| {label} | {target} | " + " | ".join(pick(results[n]) for n in names) + " |")

    row("requests counted", "", lambda r: f"{r['closed']['requests']:,} ({r['closed']['rate']:.1f} a second)")
    row("p50 (the median)", "", lambda r: f"{r['closed']['p50_ms']:.0f} ms")
    row("p95", f"≤ {TARGET_P95_MS:.0f} ms", lambda r: f"{r['closed']['p95_ms']:.0f} ms")
    row("p99", "", lambda r: f"{r['closed']['p99_ms']:.0f} ms")
    row("  p95 of the second half alone", "", lambda r: f"{r['closed']['p95_second_half_ms']:.0f} ms")
    row("errors", "0", lambda r: f"{r['closed']['errors']}")
    if "open" in first:
        row(f"highest rate with p95 ≤ {TARGET_P95_MS:.0f} ms and no error (open loop, {args.step:g} s and at "
            f"least {STEP_REQUESTS} requests a rate)",
            "", lambda r: f"{r['open']['highest_rate_met']:g} a second" if r["open"]["highest_rate_met"]
            else f"none (from {args.rates.split(',')[0]})")
        row("  the first rate that missed: p95, errors", "",
            lambda r: next((f"{s['rate_asked']:g} a second: {s['p95_ms']:.0f} ms, {s['errors']}"
                            for s in r["open"]["steps"] if not s["met"]), "none missed"))
    kinds = sorted({k for n in names for k in results[n]["closed"]["by_kind"]})
    lines += ["", "Closed loop by kind of page (median and p95):", "",
              "| page | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for kind in kinds:
        cells = []
        for n in names:
            k = results[n]["closed"]["by_kind"].get(kind)
            cells.append(f"{k['p50_ms']:.0f} / {k['p95_ms']:.0f} ms ({k['requests']})" if k else "")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    for n in names:
        for why, count in results[n]["closed"]["error_kinds"].items():
            lines.append(f"\n{n}: {count} × {why}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines += ["", f"Machine: {os.cpu_count()} CPUs, shared by the server and this client; load average at the end "
              f"{load}."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds each person waits between requests")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers (2 x CPUs + 1)")
    parser.add_argument("--rates", default=RATES, help="open-loop rates to try, requests a second, rising")
    parser.add_argument("--step", type=float, default=15.0, help="seconds at each rate (0: no open loop)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache-url", default="", help="CACHE_URL for the server (default: the settings' own, "
                        "each worker's memory), e.g. redis://127.0.0.1:6379/15 for one cache shared by the workers")
    parser.add_argument("--sqlite", type=Path, help="a SQLite file to reuse (built when missing)")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="apa-bench-load-") as work:
        for backend in args.backends.split(","):
            here = Path(work) / backend
            here.mkdir()
            if backend == "sqlite":
                database = args.sqlite or here / "load.sqlite3"
                if not database.exists():
                    scratch.build(scratch.sqlite_url(database))
                results["SQLite"] = measure("SQLite", scratch.sqlite_url(database), args, here)
            elif backend == "postgresql":
                with scratch.postgresql(args.pg_url, prefix="apa_load") as url:
                    scratch.build(url)
                    results["PostgreSQL"] = measure("PostgreSQL", url, args, here)
            else:
                parser.error(f"unknown backend {backend!r}: sqlite or postgresql")
    print(report(results, args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
