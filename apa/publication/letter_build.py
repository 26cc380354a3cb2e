"""`apa letters build`: every public letter of a framework and year as PDF files with an index CSV, written in
worker processes (one per CPU), each calling `letters.letter_file_write` for one letter at a time. Only what
is public at the moment given (default now) is read, so the command is a public read."""

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, Problem
from apa.frameworks.selectors import framework_get
from apa.tabular import write_csv

from . import letter_worker
from .letters import letter_file_write, moment_of
from .selectors import results_visible

INDEX_NAME = "index.csv"
INDEX_COLUMNS = ["dfe_code", "authority", "framework", "key", "version", "published", "file", "sha256"]


def letters_public(*, framework, year: int | None = None, authority=None, at=None) -> list:
    """The current public versions of a framework's results (for a year: the cycle's year, or for a framework
    without years the calendar year of the inspection), by authority name."""
    qs = results_visible(at=at).filter(framework=framework)
    if year is not None:
        qs = qs.filter(year=year) if framework.yearly else qs.filter(inspection_date__year=year)
    if authority is not None:
        qs = qs.filter(authority=authority)
    return list(qs.select_related("authority", "framework").order_by("authority__name", "key"))


@dataclass
class LettersBuilt:
    directory: Path
    index: Path
    workers: int
    seconds: float
    rows: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        processes = "one process" if self.workers <= 1 else f"{self.workers} worker processes"
        return (f"{len(self.rows)} letter{'s' if len(self.rows) != 1 else ''} written to {self.directory}, "
                f"index {self.index.name}, in {self.seconds:.1f} s ({processes})")


def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm

    # None: shown only on a terminal, so logs and pipes stay clean.
    return tqdm(total=total, desc="letters", unit="letter", file=sys.stderr, leave=False,
                disable=None if enabled is None else not enabled)


def letters_build(*, framework_code: str, year: int | None, directory: str | Path, authority: str | None = None,
                  workers: int | None = None, progress: bool | None = False, at=None) -> LettersBuilt:
    """Write the PDF of every current public letter of a framework and year (or one authority's) into
    `directory`, with an index CSV (INDEX_COLUMNS). `workers` processes (default: one per CPU) each write
    letters one at a time; with one, the letters are written in this process. Only what is public at `at`
    (default now) is read, so the command needs no person: it is a public read."""
    start = time.perf_counter()
    framework = framework_get(code=framework_code)
    if framework.yearly and year is None:
        raise ApaError(Problem(f"framework {framework.code} has a letter a year: give the year with --year"))
    place = authority_resolve(text=authority) if authority else None
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ApaError(Problem(f"{directory} is a file; give a directory for the letters"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ApaError(Problem(f"cannot create the directory {directory}: {exc.strerror}")) from None
    moment = moment_of(at)
    results = letters_public(framework=framework, year=year, authority=place, at=moment)
    workers = max(1, min(workers or os.cpu_count() or 1, len(results)))
    rows: dict[int, dict] = {}
    with _progress(len(results), progress) as bar:
        if workers == 1:
            for result in results:
                rows[result.pk] = letter_file_write(result_id=result.pk, directory=directory, at=moment)
                bar.update()
        else:
            rows = _in_workers(results, directory, moment, workers, bar)
    index = directory / INDEX_NAME
    partial = directory / f".{INDEX_NAME}.part"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        write_csv(handle, ([rows[r.pk][c] for c in INDEX_COLUMNS] for r in results), header=INDEX_COLUMNS)
    os.replace(partial, index)
    return LettersBuilt(directory=directory, index=index, workers=workers, seconds=time.perf_counter() - start,
                        rows=[rows[r.pk] for r in results])


def _in_workers(results: list, directory: Path, moment, workers: int, bar) -> dict[int, dict]:
    from django.db import connections

    connections.close_all()  # the workers open their own
    names = {r.pk: f"{r.authority.name} {r.framework.code} {r.key}" for r in results}
    rows = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=letter_worker.start) as pool:
        futures = {pool.submit(letter_worker.write, result_id=r.pk, directory=str(directory), at=moment.isoformat()): r.pk
                   for r in results}
        for future in as_completed(futures):
            pk = futures[future]
            try:
                rows[pk] = future.result()
            except Exception as exc:  # a worker's failure is one line for the person, not a traceback
                for other in futures:
                    other.cancel()
                raise ApaError(Problem(f"the letter of {names[pk]} could not be written: {exc}")) from None
            bar.update()
    return rows
