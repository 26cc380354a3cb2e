"""What the operations tests share: a scratch database of the suite's kind (SQLite, or PostgreSQL when
DATABASE_URL says so) filled by the real commands, and the test's own checksums of every table — every table's
rows in the order of all their columns, read with sqlite3 or psycopg directly, never with the code under test."""

import hashlib
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
APA = ROOT / ".venv" / "bin" / "apa"
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith("postgres")
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

def apa(env, *argv, timeout=300):
    return subprocess.run([str(APA), *argv], env=env, capture_output=True, text=True, timeout=timeout)


def checksums(url: str) -> dict[str, tuple[int, str]]:
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        fetch = lambda sql: db.execute(sql).fetchall()  # noqa: E731
        columns = lambda t: len(db.execute(f'SELECT * FROM "{t}" LIMIT 0').description)  # noqa: E731
    else:
        db = psycopg.connect(url, autocommit=True)
        tables = [r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        fetch = lambda sql: db.execute(sql).fetchall()  # noqa: E731
        columns = lambda t: len(db.execute(f'SELECT * FROM "{t}" LIMIT 0').description)  # noqa: E731
    found = {}
    for table in tables:
        order = ", ".join(str(i) for i in range(1, columns(table) + 1))
        rows = fetch(f'SELECT * FROM "{table}" ORDER BY {order}')
        found[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    db.close()
    return found


def execute(url: str, *statements: str) -> None:
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        for statement in statements:
            db.execute(statement)
        db.commit()
    else:
        db = psycopg.connect(url, autocommit=True)
        for statement in statements:
            db.execute(statement)
    db.close()


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    """A database filled as a new installation's: `apa init --skip-indicators`, then `apa demo`; shared by the
    operations tests, each of which leaves it as it found it."""
    if ON_POSTGRES:
        name = f"apa_backup_{uuid.uuid4().hex[:8]}"
        execute(f"{PG_SERVER}/postgres", f"CREATE DATABASE {name}")
        url = f"{PG_SERVER}/{name}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('backup') / 'apa.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1",
           "MEDIA_ROOT": str(tmp_path_factory.mktemp("media"))}
    for argv in (["init", "--skip-indicators"], ["demo"]):
        done = apa(env, *argv)
        assert done.returncode == 0, done.stderr
    yield url, env
    if ON_POSTGRES:
        execute(f"{PG_SERVER}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
