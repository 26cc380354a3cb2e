"""`apa backup FILE` and `apa restore FILE`: the whole database, every table, as one file.

SQLite: the online backup API (a consistent copy while pages keep answering), restored the same way into the
live file in one step. PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore --clean --if-exists
--single-transaction`, so a restore applies wholly or not at all. A backup is written to a temporary file
beside FILE and moved into place, so FILE is never half written. `table_checksums` (an ordered-row checksum
of every table) is what the command prints after each, so the two can be compared."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection

from apa.errors import ApaError, Problem

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql" if connection.vendor == "postgresql" else connection.vendor


def table_checksums() -> dict[str, tuple[int, str]]:
    """(rows, sha256 of the rows in the order of all their columns) for every table of the database."""
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")
            columns = len(cursor.description)
            order = ", ".join(str(i) for i in range(1, columns + 1))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            digest, rows = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                rows += 1
            found[table] = (rows, digest.hexdigest())
    return found


def _target(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ApaError(Problem(f"{path} is a directory; give the backup's file name"))
    if not path.parent.is_dir():
        raise ApaError(Problem(f"the directory {path.parent} does not exist"))
    return path


def _pg_environment() -> tuple[list[str], dict]:
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args = ["--dbname", settings["NAME"], "--host", settings.get("HOST") or "127.0.0.1",
            "--port", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ApaError(Problem(f"{name} is not installed (Debian: apt-get install postgresql-client); `make setup` "
                               "installs it"))
    return found


def _run(command: list[str], env: dict, doing: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), "no message")
        raise ApaError(Problem(f"{doing} failed: {first.strip()}"))


def backup(path) -> Path:
    """Write the whole database to `path` (replaced only once the copy is complete)."""
    path = _target(path)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        if engine() == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(partial)
            try:
                connection.connection.backup(destination)
            finally:
                destination.close()
        elif engine() == "postgresql":
            args, env = _pg_environment()
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", partial, *args], env, "pg_dump")
        else:
            raise ApaError(Problem(f"backups of a {engine()} database are not supported"))
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return path


def backup_kind(path) -> str:
    """"sqlite" or "postgresql", from the file's first bytes; refused when it is neither."""
    path = Path(path)
    if path.is_dir():
        raise ApaError(Problem(f"{path} is a directory, not a backup"))
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise ApaError(Problem(f"{path} does not exist")) from None
    except OSError as exc:
        raise ApaError(Problem(f"{path} cannot be read: {exc.strerror}")) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise ApaError(Problem(f"{path} is not an APA backup (neither a SQLite database nor a pg_dump custom archive)"))


def _sqlite_checked(path: Path) -> sqlite3.Connection:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = source.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        source.close()
        raise ApaError(Problem(f"{path} is not a usable SQLite backup: {exc}")) from None
    if ok != "ok" or "django_migrations" not in tables:
        source.close()
        raise ApaError(Problem(f"{path} is not an APA backup: "
                               + ("it fails SQLite's integrity check" if ok != "ok" else "it has no migrations table")))
    return source


def restore(path) -> None:
    """Replace the whole database with the backup at `path`, in one step: wholly or not at all."""
    path = Path(path)
    kind = backup_kind(path)
    if kind != engine():
        raise ApaError(Problem(f"{path} is a {kind} backup; this database is {engine()}"))
    if kind == "sqlite":
        source = _sqlite_checked(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()  # the next query sees the restored file afresh
    else:
        args, env = _pg_environment()
        _run([_tool("pg_restore"), "--list", str(path)], env, "reading the archive")
        connection.close()
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", *args, str(path)], env, "pg_restore")
