"""`apa backup` and `apa restore` round-trip every table, on the database the suite runs on, through the real
command in a subprocess on a scratch database filled by `apa init` and `apa demo` (tests/ops/conftest.py)."""

import pytest

from tests.ops.conftest import ON_POSTGRES, apa, checksums, execute

pytestmark = pytest.mark.integration


def test_a_backup_restores_every_table_exactly(scratch, tmp_path):
    url, env = scratch
    before = checksums(url)
    assert len(before) > 40 and before["publication_result"][0] > 100 and before["assessments_assessment"][0] > 100
    file = tmp_path / "apa.backup"
    done = apa(env, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} tables" in done.stdout
    assert not list(tmp_path.glob(".*part"))  # the partial file was moved into place
    # Everything after the backup is lost by the restore: a row deleted, a row changed, a row added.
    execute(url, "DELETE FROM publication_gradesource",
             "UPDATE authorities_authority SET name = 'Renamed' WHERE dfe_code = '886'",
             "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', '2026-01-01 00:00:00')")
    assert checksums(url) != before
    done = apa(env, "restore", str(file))
    assert done.returncode == 0, done.stderr
    assert checksums(url) == before


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("dfe_code,name\n886,Kent\n"), "is not an APA backup"),
    (lambda p: p.write_bytes(b""), "is not an APA backup"),
    (lambda p: p.mkdir(), "is a directory, not a backup"),
    (lambda p: None, "does not exist"),
    # A damaged file of the right kind, and a good-looking one of the other kind.
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200),
     "is a sqlite backup; this database is postgresql" if ON_POSTGRES else "is not a usable SQLite backup"),
    (lambda p: p.write_bytes(b"PGDMP" + b"\x00" * 200),
     "reading the archive failed: pg_restore:" if ON_POSTGRES else "is a postgresql backup; this database is sqlite"),
])
def test_a_bad_backup_file_is_one_line_and_changes_nothing(scratch, tmp_path, make, message):
    url, env = scratch
    before = checksums(url)
    path = tmp_path / "bad.backup"
    make(path)
    done = apa(env, "restore", str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert checksums(url) == before


def test_a_backup_into_a_missing_directory_is_refused(scratch, tmp_path):
    _, env = scratch
    done = apa(env, "backup", str(tmp_path / "no-such-directory" / "apa.backup"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: the directory {tmp_path / 'no-such-directory'} does not exist"
