"""Documentation that must not drift: the CLI reference, the workflow table and the route decisions."""

from pathlib import Path

from apa.assessments.workflow import TRANSITIONS
from apa.clidoc import reference

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_cli_reference_is_current():
    assert (DOCS / "cli.md").read_text() == reference(), "run: .venv/bin/python -m apa.clidoc > docs/cli.md"


def test_workflow_table_is_documented():
    text = (DOCS / "assessment-cycle.md").read_text()
    for (frm, to) in TRANSITIONS:
        assert f"| `{frm}` | `{to}` |" in text, f"docs/assessment-cycle.md lacks the row {frm} → {to}"


def test_readme_starts_with_the_two_commands():
    first = (DOCS.parent / "README.md").read_text().splitlines()[:12]
    assert any("make run" in line for line in first) and any("make test" in line for line in first)


def test_route_table_is_current():
    from apa.routedoc import route_table

    assert route_table() in (DOCS / "permissions.md").read_text(), "run: .venv/bin/python -m apa.routedoc"


def test_every_setting_read_from_the_environment_is_in_the_one_table():
    import re

    source = (DOCS.parent / "apa" / "settings.py").read_text()
    read = set(re.findall(r"""(?:_env|_flag|_json_object|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    table = (DOCS / "deploy.md").read_text().split("## Settings", 1)[1]
    listed = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`(?:, `([A-Z][A-Z0-9_]*)`)?", table, re.M))
    listed = {name for pair in listed for name in pair if name}
    assert {"DATABASE_URL", "SECRET_KEY", "DATABASE_REPLICA_URL"} <= read
    assert not read - listed, f"docs/deploy.md's settings table lacks {sorted(read - listed)}"
