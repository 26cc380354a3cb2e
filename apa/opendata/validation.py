"""A package checked with the `frictionless` validator: every table against its schema (types, enums,
required fields), primary and foreign keys across tables, and each file's size and hash."""

from dataclasses import dataclass, field
from pathlib import Path

from apa.errors import ApaError, Problem


@dataclass
class Validation:
    valid: bool
    tables: int
    rows: int
    errors: list[str] = field(default_factory=list)  # "table: row N: message"


def package_validate(*, directory: Path | str, limit: int = 1000) -> Validation:
    descriptor = Path(directory) / "datapackage.json"
    if not descriptor.is_file():
        raise ApaError(Problem(f"{descriptor} does not exist; build a package with `apa opendata build`"))
    import frictionless  # imported here: it is slow to import, and only this needs it

    report = frictionless.validate(str(descriptor), limit_errors=limit)
    errors = [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors]
    errors += [e.message for e in report.errors]
    return Validation(valid=report.valid, tables=len(report.tasks),
                      rows=sum(task.stats.get("rows") or 0 for task in report.tasks), errors=errors)
