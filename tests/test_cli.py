"""The `apa` command line: every command described, readable problems and exit code 2, never a traceback."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from apa.accounts.models import Role, User
from apa.cli import build_parser, main
from tests.factories import results_csv

ROOT = Path(__file__).resolve().parents[1]
APA = ROOT / ".venv" / "bin" / "apa"

FOUNDATION_COMMANDS = {"init", "serve", "users", "results", "compare", "authority", "frameworks"}


def _subcommands(parser):
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action


def test_help_lists_every_command_with_a_description(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    listed = {choice.dest: choice.help for choice in _subcommands(build_parser())._choices_actions}
    assert FOUNDATION_COMMANDS <= set(listed)
    for name, description in listed.items():
        assert description and description.strip(), f"`apa {name}` has no description"
        assert name in out
        assert " ".join(description.split()[:3]) in " ".join(out.split()), f"`apa {name}` description not shown"


@pytest.mark.parametrize("group, actions", [("users", {"add", "deactivate"}), ("results", {"import", "cpa"})])
def test_help_of_command_groups_lists_their_actions(capsys, group, actions):
    with pytest.raises(SystemExit):
        main([group, "--help"])
    out = capsys.readouterr().out
    parser = _subcommands(build_parser()).choices[group]
    listed = {choice.dest: choice.help for choice in _subcommands(parser)._choices_actions}
    assert set(listed) == actions
    assert all(listed.values())
    assert all(name in out for name in actions)


# docs/permissions.md: the system jobs run without a person; the public reads show only published data.
SYSTEM_JOBS = {"init", "demo", "cycle publish-due", "alerts send", "backup", "restore", "worker", "beat", "jobs list",
               "jobs show"}
PUBLIC_READS = {"serve", "frameworks", "authority", "compare", "benchmark", "indicators list", "indicators show",
                "indicators history", "indicators evidence", "callin-deadline",
                "results cpa", "letters build", "opendata build", "opendata indicators", "opendata releases", "opendata validate"}
FIRST_ADMIN = {"users add"}  # --as an admin, except for the first admin of a new installation


def _leaves(parser, prefix=()):
    sub = next((a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"), None)
    if sub is None:
        yield " ".join(prefix), parser
        return
    for name, child in sub.choices.items():
        yield from _leaves(child, (*prefix, name))


def test_every_command_but_the_system_jobs_and_public_reads_takes_a_required_as():
    commands = dict(_leaves(build_parser()))
    assert SYSTEM_JOBS | PUBLIC_READS | FIRST_ADMIN <= set(commands), "a listed command no longer exists"
    for name, parser in commands.items():
        option = next((a for a in parser._actions if "--as" in a.option_strings), None)
        if name in SYSTEM_JOBS | PUBLIC_READS:
            assert option is None, f"`apa {name}` runs without a person; it should not take --as"
        elif name in FIRST_ADMIN:
            assert option is not None and not option.required
        else:
            assert option is not None and option.required, f"`apa {name}` must require --as USERNAME"


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        main([])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


# --- compare ---------------------------------------------------------------------------------------------

KENT_ILACS = ["compare", "--framework", "ilacs-2018", "--score", "overall_effectiveness", "--as-of", "2022-07-05",
              "--group", "neighbours", "--format", "json"]


@pytest.mark.django_db
@pytest.mark.parametrize("authority", ["886", "E10000016", "Kent"])
def test_compare_json(capsys, authority):
    # By hand from Ofsted's file: see test_comparisons.test_kent_among_its_neighbours_on_ilacs.
    assert main([*KENT_ILACS, "--authority", authority]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["rank"], data["compared"], data["higher"], data["quartile"]) == (1, 9, 0, 1)
    assert set(data["authorities"]) == {"886", "881", "845", "878", "303", "935", "891", "938", "822"}
    assert data["authority"] == "886"


@pytest.mark.django_db
def test_compare_before_publication_has_no_rank(capsys):
    args = [a if a != "2022-07-05" else "2022-07-04" for a in KENT_ILACS]
    assert main([*args, "--authority", "886"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["rank"], data["quartile"], data["higher"]) == (None, None, None)
    assert "886" not in data["authorities"]


@pytest.mark.django_db
def test_compare_text(capsys):
    assert main(["compare", "--framework", "ilacs-2018", "--authority", "886", "--as-of", "2022-07-05",
                 "--group", "neighbours"]) == 0
    out = capsys.readouterr().out
    assert "Kent" in out and "rank 1 of 9" in out and "quartile 1" in out


@pytest.mark.django_db
@pytest.mark.parametrize("args, words", [
    (["--framework", "apa-1999", "--authority", "886"], "no framework 'apa-1999'"),
    (["--framework", "apa-2007", "--authority", "Atlantis"], "Atlantis"),
    (["--framework", "apa-2007", "--authority", "Bournemouth"], "837"),
    (["--framework", "apa-2007", "--authority", "886", "--score", "happiness"], "happiness"),
])
def test_compare_problems_exit_2_with_a_sentence(capsys, args, words):
    assert main(["compare", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert all(line.startswith("error: ") for line in err.strip().splitlines())


def test_compare_with_a_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        main(["compare", "--framework", "apa-2007", "--authority", "886", "--as-of", "17 Dec"])
    assert done.value.code == 2
    assert "is not a date" in capsys.readouterr().err


# --- results import --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_results_import_of_a_bad_file_prints_one_line_per_problem(capsys, tmp_path):
    path = results_csv(tmp_path, [
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "3"},
        {"authority": "Atlantis", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "3"},
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "being_healthy", "grade": "7"},
        {"authority": "887", "framework": "ilacs-2018", "year": "", "area": "overall_effectiveness",
         "grade": "Good", "inspection_date": "2019-02-30"},
    ])
    assert main(["results", "import", str(path), "--as", "admin"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("error: row 3, column authority: ")
    assert lines[1].startswith("error: row 4, column grade: ")
    assert lines[2].startswith("error: row 5, column inspection_date: ")
    assert "Traceback" not in captured.err + captured.out
    from apa.publication.models import Result

    assert not Result.objects.filter(authority__dfe_code="887", framework__code="apa-2008").exists()


@pytest.mark.django_db
def test_results_import_then_again(capsys, tmp_path):
    path = results_csv(tmp_path, [
        {"authority": "887", "framework": "apa-2008", "year": "2008", "area": "staying_safe", "grade": "Good"}])
    assert main(["results", "import", str(path), "--as", "admin"]) == 0
    assert "1 results and 1 grades added" in capsys.readouterr().out
    assert main(["results", "import", str(path), "--as", "admin"]) == 0
    assert "0 results and 0 grades added, 0 sources added to existing grades, 1 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_results_import_of_a_missing_file(capsys, tmp_path):
    assert main(["results", "import", str(tmp_path / "nothing.csv"), "--as", "admin"]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


# --- users -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_users_add_with_the_password_on_standard_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-secret\n"))
    assert main(["users", "add", "ada", "--role", "moderator", "--email", "ada@example.org", "--as", "admin"]) == 0
    out = capsys.readouterr().out
    assert "added ada (Moderator)" in out and "password" not in out
    user = User.objects.get(username="ada")
    assert user.check_password("a-long-enough-secret")
    assert (user.role, user.email, user.authority) == (Role.MODERATOR, "ada@example.org", None)


@pytest.mark.django_db
def test_users_add_generates_a_password_shown_once(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "add", "kim", "--role", "authority_officer", "--authority", "Kent", "--as", "admin"]) == 0
    out = capsys.readouterr().out
    assert "added kim (Authority officer for Kent)" in out
    [line] = [line for line in out.splitlines() if line.startswith("password (shown once): ")]
    user = User.objects.get(username="kim")
    assert user.check_password(line.split(": ", 1)[1])
    assert user.authority.dfe_code == "886"


@pytest.mark.django_db
@pytest.mark.parametrize("args, stdin, words", [
    (["sam", "--role", "authority_officer"], "", "needs --authority"),
    (["sam", "--role", "wizard"], "", "unknown role 'wizard'"),
    (["inspector", "--role", "inspector"], "", "already exists"),
    (["sam", "--role", "inspector"], "short\n", "password:"),
    (["sam", "--role", "authority_officer", "--authority", "Atlantis"], "", "Atlantis"),
])
def test_users_add_problems(capsys, monkeypatch, args, stdin, words):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["users", "add", *args, "--as", "admin"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not User.objects.filter(username="sam").exists()


@pytest.mark.django_db
def test_users_deactivate(capsys):
    assert main(["users", "deactivate", "moderator", "--as", "admin"]) == 0
    assert not User.objects.get(username="moderator").is_active
    assert main(["users", "deactivate", "nobody", "--as", "admin"]) == 2
    assert "nobody" in capsys.readouterr().err


@pytest.mark.django_db
def test_only_an_admin_manages_accounts_and_only_the_first_admin_is_added_without_one(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for args in (["users", "add", "sam", "--role", "inspector"], ["users", "add", "sam", "--role", "admin"],
                 ["users", "add", "sam", "--role", "inspector", "--as", "moderator"],
                 ["users", "deactivate", "inspector", "--as", "moderator"]):
        assert main(args) == 2, args
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("error: ") and ("--as an admin" in line or "only admins may" in line), line
    assert not User.objects.filter(username="sam").exists() and User.objects.get(username="inspector").is_active
    User.objects.filter(role=Role.ADMIN).update(is_active=False)
    assert main(["users", "add", "first", "--role", "admin"]) == 0  # a new installation's first account
    assert User.objects.get(username="first").is_admin


# --- authority and frameworks ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_authority_json(capsys):
    assert main(["authority", "E08000016", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dfe_code"] == "370" and data["name"] == "Barnsley"
    assert set(data["ons_codes"]) == {"E08000016", "E08000038"}


@pytest.mark.django_db
def test_authority_text_shows_successors(capsys):
    assert main(["authority", "928"]) == 0
    out = capsys.readouterr().out
    assert "end_date: 2021-03-31" in out
    assert "successors: 940, 941" in out or "successors: 941, 940" in out


@pytest.mark.django_db
def test_frameworks_lists_areas_and_grades(capsys):
    assert main(["frameworks"]) == 0
    out = capsys.readouterr().out
    for text in ("apa-2005", "apa-2006", "apa-2007", "apa-2008", "rating-2009", "ilacs-2018",
                 "social_care_contribution: The contribution of social care services", "(optional)",
                 "4 Performs excellently"):
        assert text in out


# --- init ------------------------------------------------------------------------------------------------

def _tables(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.mark.integration  # a real database file, through `apa init` in a subprocess
def test_init_twice_changes_nothing(tmp_path):
    """`apa init` on a fresh SQLite file, then again: the second run writes nothing at all."""
    database = tmp_path / "init.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    first = subprocess.run([str(APA), "init"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "authorities: 158 created" in first.stdout
    before, tables = hashlib.sha256(database.read_bytes()).hexdigest(), _tables(database)
    second = subprocess.run([str(APA), "init"], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "authorities: 0 created, 0 updated, 158 unchanged" in second.stdout
    assert "created" not in second.stdout.replace("0 created", "")
    # Byte for byte: SQLite rewrites its file on any committed write, even one that puts back what it took.
    after = hashlib.sha256(database.read_bytes()).hexdigest()
    now = _tables(database)
    changed = {n: (c, now.get(n)) for n, c in tables.items() if now.get(n) != c}
    assert after == before, f"the second `apa init` wrote to the database; row counts changed: {changed}"
