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
