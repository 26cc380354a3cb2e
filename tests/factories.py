"""Test data built through the same services the product uses: results files written and imported."""

import csv
from pathlib import Path

from apa.publication.services import RESULTS_HEADER, results_import

OFSTED_HEADER = [
    "Web link", "Local authority area code", "Local authority name", "Local authority status", "Ofsted region",
    "Inspection date", "Publication date", "Inspection type", "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]


def results_csv(directory: Path, rows: list[dict], name: str = "results.csv") -> Path:
    """A results file in APA's layout; each row names only what it needs, the rest is empty."""
    path = Path(directory) / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULTS_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in RESULTS_HEADER})
    return path


def ofsted_csv(directory: Path, rows: list[list[str]], name: str = "ofsted.csv") -> Path:
    path = Path(directory) / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OFSTED_HEADER)
        writer.writerows(rows)
    return path


def score_rows(*, authority: str, framework: str, year: int | None, grades: dict[str, int],
               publication_date: str = "", inspection_date: str = "", source: str = "test") -> list[dict]:
    """One row per graded area of one result."""
    return [
        {"authority": authority, "framework": framework, "year": year or "", "area": area, "grade": grade,
         "publication_date": publication_date, "inspection_date": inspection_date, "source": source}
        for area, grade in grades.items()
    ]


def import_rows(directory: Path, rows: list[dict], name: str = "results.csv"):
    return results_import(path=results_csv(directory, rows, name))


def correct(result, grades: dict, note: str):
    """A correction as the rules want it: proposed by one moderator, agreed by another."""
    from apa.accounts.models import User
    from apa.publication.services import result_correction_agree, result_correction_propose

    first = User.objects.get(username="moderator")
    second = User.objects.filter(username="moderator_2").first() or User.objects.create_user("moderator_2", role="moderator")
    proposal = result_correction_propose(result=result, grades=grades, note=note, actor=first)
    return result_correction_agree(correction=proposal, actor=second)


def run(capsys, *argv) -> tuple[int, str, str]:
    """Run `apa ARGV` in-process: (exit code, standard output, standard error)."""
    from apa.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, *argv) -> str:
    """Run a command that must be refused: exit code 2 and one `error:` line, which is returned."""
    code, _, err = run(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]
