"""Faults survived: `apa indicators import` of the whole LAIT set killed with SIGKILL once its progress bar shows
at least 30 % leaves the database exactly as it was (the test's own checksums of every table), on the suite's
database; and on SQLite (WAL mode, busy timeout) pages keep answering while an import writes."""

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from tests.ops.conftest import APA, ON_POSTGRES, ROOT, checksums

pytestmark = pytest.mark.integration

LAIT = ROOT / "apa" / "indicators" / "data" / "bds_long_0.parquet"
PERCENT = re.compile(rb"(\d+)%\|")


def _import(env) -> subprocess.Popen:
    return subprocess.Popen([str(APA), "indicators", "import", str(LAIT), "--as", "demo-admin", "--progress"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _watch(process: subprocess.Popen, seen: list[int]) -> None:
    """Collect every percentage the progress bar prints (tqdm redraws with carriage returns)."""
    while chunk := process.stderr.read1(4096):
        seen.extend(int(m.group(1)) for m in PERCENT.finditer(chunk))


def test_an_import_killed_past_a_third_of_its_progress_changes_nothing(scratch):
    url, env = scratch
    before = checksums(url)
    process = _import(env)
    seen: list[int] = []
    watcher = threading.Thread(target=_watch, args=(process, seen), daemon=True)
    watcher.start()
    deadline = time.monotonic() + 240
    while not (seen and seen[-1] >= 30):
        assert process.poll() is None, f"the import ended (status {process.returncode}) before 30 %: {seen}"
        assert time.monotonic() < deadline, f"no 30 % within 240 s: {seen}"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    watcher.join(timeout=5)
    assert max(seen) < 100, f"the import had finished before it was killed: {seen}"
    if ON_POSTGRES:
        time.sleep(1)  # the server notices the lost client and rolls its transaction back
    assert checksums(url) == before


@pytest.mark.skipif(ON_POSTGRES, reason="WAL and the busy timeout are SQLite's; PostgreSQL readers never wait for a writer")
def test_pages_answer_while_an_import_writes(scratch, tmp_path):
    import socket
    import urllib.request

    url, env = scratch
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(APA), "serve", "--dev", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        process = _import(env)
        seen: list[int] = []
        threading.Thread(target=_watch, args=(process, seen), daemon=True).start()
        while not seen:  # the import is writing
            assert process.poll() is None, "the import ended before it wrote"
            time.sleep(0.02)
        answers = []
        while process.poll() is None and len(answers) < 20:
            start = time.monotonic()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/authorities/886/", timeout=30) as response:
                answers.append((response.status, time.monotonic() - start, b"Kent" in response.read()))
        process.kill()
        process.wait()
    finally:
        server.terminate()
        server.wait(timeout=30)
    import sqlite3

    mode = sqlite3.connect(url.removeprefix("sqlite:///")).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert len(answers) >= 3, f"too few pages read during the import: {answers}"
    assert all(status == 200 and named for status, _, named in answers), answers
    assert max(seconds for _, seconds, _ in answers) < 10, answers
