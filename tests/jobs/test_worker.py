"""Background jobs on real processes: a worker killed with SIGKILL in the middle of a letters build, restarted,
finishes it with every letter once; an indicator file uploaded on the web is imported by a worker while its
page shows the progress; beat sends the publication check on its schedule."""

import csv
import re
import time

import requests

from .conftest import fetch, free_port, wait_for

FRAMEWORK, YEAR = "ilacs-2018", "2023"


def _index(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_worker_killed_mid_build_is_restarted_and_the_build_has_every_letter_once(jobs_world, start, tmp_path):
    from tests.scratch import apa

    url, env, _ = jobs_world
    # The letters the build must write: the same command in one process, no queue (tests/publication covers it).
    expected_dir = tmp_path / "inline"
    done = apa(env, "letters", "build", "--framework", FRAMEWORK, "--year", YEAR, "--out", str(expected_dir),
               "--workers", "1")
    assert done.returncode == 0, done.stderr
    expected = {(r["dfe_code"], r["key"], r["version"]): r["sha256"] for r in _index(expected_dir / "index.csv")}
    assert len(expected) >= 25, "enough letters that the kill lands in the middle"

    began = time.monotonic()
    worker = start(["worker", "--concurrency", "1"], "worker")
    out = tmp_path / "queued"
    queued = apa(env, "letters", "build", "--framework", FRAMEWORK, "--year", YEAR, "--out", str(out), "--queue")
    assert queued.returncode == 0, queued.stderr
    job = int(re.match(r"job (\d+) queued", queued.stdout).group(1))

    written = wait_for(lambda: len(list(out.glob("*.pdf"))) >= 10 and len(list(out.glob("*.pdf"))), 60,
                       "10 letters written", every=0.02)
    assert worker.kill() == -9
    at_kill = len(list(out.glob("*.pdf")))
    assert 10 <= written <= at_kill < len(expected), "killed in the middle of the build"
    assert not (out / "index.csv").exists()

    start(["worker", "--concurrency", "2"], "worker-again")
    shown = apa(env, "jobs", "show", str(job), "--wait", "--timeout", "100", timeout=120)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert f"{len(expected)} of {len(expected)}" in shown.stdout and "Finished" in shown.stdout
    assert time.monotonic() - began <= 120

    rows = _index(out / "index.csv")
    got = [(r["dfe_code"], r["key"], r["version"]) for r in rows]
    assert len(got) == len(set(got)), "no letter twice in the index"
    assert {k: r["sha256"] for k, r in zip(got, rows, strict=True)} == expected, "every letter, and each the same file"
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(r["file"] for r in rows), "no stray or missing file"
    items = fetch(url, f"SELECT COUNT(*), COUNT(done_at), MAX(attempts) FROM jobs_jobitem WHERE job_id = {job}")
    assert items[0][0] == items[0][1] == len(expected)
    assert items[0][2] >= 1


def _signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/account/sign-in/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base}/account/sign-in/", timeout=10, headers={"Referer": f"{base}/account/sign-in/"},
                          data={"csrfmiddlewaretoken": token, "username": username, "password": "demo-password"})
    assert answer.status_code == 200 and "Sign out" in answer.text, answer.text[:500]
    return session


def _upload(session, base: str, name: str, body: bytes) -> requests.Response:
    page = session.get(f"{base}/jobs/indicators/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(f"{base}/jobs/indicators/", timeout=30, headers={"Referer": f"{base}/jobs/indicators/"},
                        data={"csrfmiddlewaretoken": token, "format": ""}, files={"file": (name, body, "text/csv")})


def _finished_page(session, url: str) -> str:
    def done():
        text = session.get(url, timeout=10).text
        return text if re.search(r'id="job-status">(Finished|Failed)<', text) else None

    return wait_for(done, 60, f"{url} finished", every=0.3)


def test_an_uploaded_indicator_file_is_imported_by_a_worker_and_its_page_follows_it(jobs_world, start):
    url, env, _ = jobs_world
    start(["worker", "--concurrency", "1"], "worker")
    port = free_port()
    start(["serve", f"127.0.0.1:{port}", "--workers", "1"], "serve")
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(base), 30, "the server answering")
    admin = _signed_in(base, "demo-admin")

    before = fetch(url, "SELECT COUNT(*) FROM indicators_value")[0][0]
    imports_before = fetch(url, "SELECT COUNT(*) FROM indicators_import")[0][0]
    code = fetch(url, "SELECT code FROM indicators_indicator ORDER BY code LIMIT 1")[0][0]

    # A bad file: the job fails with the row and column, and nothing is imported.
    bad = _upload(admin, base, "bad.csv", f"indicator,authority,period,value\n{code},886,2031,lots\n".encode())
    assert bad.status_code == 200 and re.search(r"/jobs/(\d+)/", bad.url), bad.url
    page = _finished_page(admin, bad.url)
    assert 'id="job-status">Failed<' in page
    assert "row 2, column value" in page and "nothing was imported" in page.lower()
    assert fetch(url, "SELECT COUNT(*) FROM indicators_value")[0][0] == before

    good = _upload(admin, base, "new.csv", (
        "indicator,authority,period,value\n" + "".join(f"{code},{dfe},2031,{i}.5\n" for i, dfe in
                                                        enumerate(["886", "881", "850", "888", "926"]))).encode())
    assert re.search(r"/jobs/(\d+)/", good.url), good.url
    page = _finished_page(admin, good.url)
    assert 'id="job-status">Finished<' in page and "5 of 5" in page and "Imported" in page
    assert fetch(url, "SELECT COUNT(*) FROM indicators_value")[0][0] == before + 5
    assert fetch(url, "SELECT COUNT(*) FROM indicators_import")[0][0] == imports_before + 1
    assert fetch(url, "SELECT actor FROM indicators_import ORDER BY id DESC LIMIT 1")[0][0] == "demo-admin"

    # Another person's job is not found, as one that never was; a publisher cannot upload.
    publisher = _signed_in(base, "demo-publisher")
    assert publisher.get(good.url, timeout=10).status_code == 404
    assert publisher.get(f"{base}/jobs/indicators/", timeout=10).status_code == 403


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_beat_runs_the_publication_check_on_its_schedule_with_no_outside_cron(jobs_world, start):
    """Beat (JOB_PUBLISH_EVERY=1 here) sends the publication check, which a worker runs: with nothing due it
    publishes nothing (tests/assessments/test_scheduled_jobs.py: a due cycle is published once)."""
    worker = start(["worker", "--concurrency", "1"], "worker")
    start(["beat"], "beat")
    ran = r"Task apa\.jobs\.tasks\.publish_due\[[^\]]+\] succeeded in [0-9.]+s: 0"
    wait_for(lambda: len(re.findall(ran, worker.log.read_text())) >= 3, 60, "three publication checks")


def test_no_queue_is_one_line_and_exit_2(jobs_world, tmp_path):
    from tests.scratch import apa

    _, env, _ = jobs_world
    down = {**env, "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    for argv in (["letters", "build", "--framework", FRAMEWORK, "--year", YEAR, "--out", str(tmp_path), "--queue"],
                 ["worker"], ["beat"]):
        done = apa(down, *argv, timeout=60)
        assert done.returncode == 2, (argv, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in done.stderr, done.stderr
