"""A scratch database of the suite's kind (SQLite, or PostgreSQL when DATABASE_URL says so) filled as a new
installation's, by the real commands: `apa init --skip-indicators`, then `apa demo`. It is built once per test
run, whichever xdist worker asks first (the others wait on a file lock), and each asker gets a copy of its own:
SQLite's online backup of the file, or PostgreSQL's CREATE DATABASE ... TEMPLATE. Used by the operations and the
background-job tests, which run the commands in subprocesses against it."""

import fcntl
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
APA = ROOT / ".venv" / "bin" / "apa"
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith("postgres")
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
TEMPLATE_PREFIX = "apa_scratch_tpl_"


def apa(env, *argv, timeout=300):
    return subprocess.run([str(APA), *argv], env=env, capture_output=True, text=True, timeout=timeout)


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


def _template(shared: Path) -> tuple[str, Path]:
    """(url, media) of the run's template, built by the first caller."""
    shared.mkdir(parents=True, exist_ok=True)
    done = shared / "done"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ON_POSTGRES:
            name = TEMPLATE_PREFIX + shared.parent.name.replace("-", "_").lower()
            url = f"{PG_SERVER}/{name}"
        else:
            url = f"sqlite:///{shared / 'apa.sqlite3'}"
        media = shared / "media"
        if not done.exists():
            if ON_POSTGRES:
                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
                    for (old,) in db.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                             [TEMPLATE_PREFIX + "%"]).fetchall():
                        db.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')  # earlier runs'
                    db.execute(f'CREATE DATABASE "{name}"')
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "MEDIA_ROOT": str(media)}
            for argv in (["init", "--skip-indicators"], ["demo"]):
                result = apa(env, *argv)
                assert result.returncode == 0, result.stderr
            media.mkdir(exist_ok=True)
            done.touch()
    return url, media


def scratch_copy(tmp_path_factory, label: str) -> tuple[str, dict, callable]:
    """(url, env, drop): a copy of the run's template for one test session, its own MEDIA_ROOT in env."""
    template, media = _template(tmp_path_factory.getbasetemp().parent / "apa-scratch-template")
    mine = tmp_path_factory.mktemp(label)
    shutil.copytree(media, mine / "media")
    if ON_POSTGRES:
        name = f"apa_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
        url = f"{PG_SERVER}/{name}"

        def drop():
            execute(f"{PG_SERVER}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = mine / "apa.sqlite3"
        source, target = sqlite3.connect(template.removeprefix("sqlite:///")), sqlite3.connect(path)
        source.backup(target)
        source.close()
        target.close()
        url = f"sqlite:///{path}"

        def drop():
            return None
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "MEDIA_ROOT": str(mine / "media")}
    return url, env, drop
