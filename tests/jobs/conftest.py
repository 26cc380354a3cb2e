"""What the background-job tests share: a scratch database of the suite's kind filled by the real commands
(`apa init --skip-indicators`, `apa demo`, the LAIT sample), a queue of its own on the Redis the suite runs
beside, and real `apa worker`, `apa beat` and `apa serve` processes, each in a process group of its own so that
a test can kill it, children and all, with SIGKILL. Never eager mode: every task crosses Redis."""

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.scratch import APA, apa, scratch_copy

SAMPLES = Path(__file__).resolve().parents[1] / "indicators" / "data"


class Process:
    def __init__(self, env, argv, log: Path):
        self.log = log
        self.handle = subprocess.Popen([str(APA), *argv], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                       start_new_session=True)

    def kill(self, sig=signal.SIGKILL) -> int:
        try:
            os.killpg(self.handle.pid, sig)
        except ProcessLookupError:
            pass
        return self.handle.wait(timeout=30)

    def stop(self) -> None:
        if self.handle.poll() is None:
            self.kill(signal.SIGTERM)


def wait_for(check, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:g} s")


@pytest.fixture(scope="session")
def jobs_world(tmp_path_factory):
    """(url, env, tmp): the scratch database and the environment every process of these tests runs with: its
    own queue, a visibility timeout of 6 s and a sweep every second (so a task of a killed worker comes back
    within seconds, not the hour of production), files under tmp."""
    url, env, drop = scratch_copy(tmp_path_factory, "jobs")
    tmp = tmp_path_factory.mktemp("jobs-files")
    env |= {"JOB_QUEUE": f"apa-test-{uuid.uuid4().hex[:8]}", "JOB_VISIBILITY_TIMEOUT": "6", "JOB_RESTORE_SWEEP": "1",
            "JOB_PUBLISH_EVERY": "1", "JOB_BEAT_SCHEDULE": str(tmp / "beat-schedule"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(tmp / "mail")}
    done = apa(env, "indicators", "import", "--as", "demo-admin", str(SAMPLES / "lait_sample.parquet"),
               "--dictionary", str(SAMPLES / "lait_data_dictionary.csv"))
    assert done.returncode == 0, done.stderr
    yield url, env, tmp
    drop()


@pytest.fixture
def start(jobs_world):
    """start(argv, name) -> Process: an `apa` process of the scratch world, stopped after the test."""
    started = []
    _, env, tmp = jobs_world

    def run(argv, name: str, **extra) -> Process:
        process = Process({**env, **extra}, argv, tmp / f"{name}-{len(started)}.log")
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, sql: str) -> list[tuple]:
    """Rows read straight from the scratch database (sqlite3 or psycopg), not through the code under test."""
    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(sql).fetchall()
