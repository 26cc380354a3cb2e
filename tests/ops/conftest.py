"""What the operations tests share: a scratch database of the suite's kind (SQLite, or PostgreSQL when
DATABASE_URL says so) filled by the real commands, and the test's own checksums of every table — every table's
rows in the order of all their columns, read with sqlite3 or psycopg directly, never with the code under test."""

import hashlib
import sqlite3

import psycopg
import pytest

from tests.scratch import APA, ON_POSTGRES, PG_SERVER, ROOT, SUITE_DATABASE, apa, execute, scratch_copy  # noqa: F401


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


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    """A database filled as a new installation's: `apa init --skip-indicators`, then `apa demo` (a copy of the
    run's one, tests/scratch.py); shared by the operations tests, each of which leaves it as it found it."""
    url, env, drop = scratch_copy(tmp_path_factory, "backup")
    yield url, env
    drop()
