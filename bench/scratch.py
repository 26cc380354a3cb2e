"""Scratch databases for the benchmarks: built as `make run` builds one (`apa init`, then `apa demo`), on SQLite
in a directory of the caller's or on PostgreSQL in a database of the run's own, created and dropped.

    with scratch.postgresql("postgresql://postgres@127.0.0.1:5432", prefix="apa_load") as url:
        scratch.build(url)
"""

import contextlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APA = ROOT / ".venv" / "bin" / "apa"


def apa(url: str, *argv, **kwargs) -> subprocess.CompletedProcess:
    """`apa ARGV` on the database at `url`; exits with its standard error when it fails."""
    done = subprocess.run([str(APA), *map(str, argv)], env={**os.environ, "DATABASE_URL": url}, cwd=ROOT,
                          capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit(f"apa {' '.join(map(str, argv))} failed on {url}:\n{done.stderr}")
    return done


def build(url: str, *, demo: bool = True) -> None:
    """The database as `make run` leaves it: every shipped result and the whole LAIT set, then the demo."""
    for argv in (["init"], ["demo"])[: 2 if demo else 1]:
        print(f"preparing {url}: apa {' '.join(argv)}", file=sys.stderr)
        apa(url, *argv)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _pg(base: str, *statements) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


@contextlib.contextmanager
def postgresql(base: str, *, prefix: str):
    """A new, empty PostgreSQL database `PREFIX_<random>` under `base` (scheme://user@host:port), yielding its
    URL; dropped at the end however the block ends (its connections closed first)."""
    base = base.rstrip("/")
    name = f"{prefix}_{secrets.token_hex(4)}"
    _pg(base, f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        _pg(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
