"""Read CSV or XLSX files as rows of text, numbered as a spreadsheet numbers them (header is row 1)."""

import csv
import io
from datetime import date, datetime
from pathlib import Path

from apa.errors import ApaError, Problem


def read_rows(path: Path | str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    path = Path(path)
    if not path.exists():
        raise ApaError(Problem(f"{path} does not exist"))
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ApaError(Problem(f"{path.name} is empty")) from None
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
    return header, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ApaError(Problem(f"{path.name} is not a readable XLSX file: {exc}")) from None
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(h) for h in next(it)]
    except StopIteration:
        raise ApaError(Problem(f"{path.name} is empty")) from None
    rows = []
    for number, values in enumerate(it, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append((number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    return header, rows


def parse_date(text: str) -> date:
    """ISO 8601 (2007-11-29) or day/month/year (29/11/2007). Raises ValueError with a sentence."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD or DD/MM/YYYY")


def date_argument(text: str) -> date:
    """An argparse type: parse_date, with its sentence as the command line's error."""
    import argparse

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
