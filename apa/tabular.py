"""Read CSV or XLSX files as rows of text, numbered as a spreadsheet numbers them (header is row 1), and write
CSV: the one writer every download and every command's CSV goes through (`write_csv`, `csv_text`)."""

import csv
import io
import numbers
import re
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


# A text cell starting with one of these is read as a formula by spreadsheets (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A negative number written as text ("-2", "-1,234.5", as value_text gives it) is a number, not a formula.
_NEGATIVE_NUMBER = re.compile(r"-[0-9][0-9,]*(\.[0-9]+)?")


def csv_safe(value):
    """A cell as it is written: numbers stay numbers (negative ones too); a text that a spreadsheet would run as
    a formula is prefixed with ' so it is shown as the text it is."""
    if value is None or isinstance(value, numbers.Number):  # int, float, Decimal, numpy's
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(file, rows, *, header=None) -> None:
    """Write rows (and a header first) to an open text file, every cell through csv_safe."""
    writer = csv.writer(file, lineterminator="\r\n")
    if header is not None:
        writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])


def csv_text(rows, *, header=None) -> str:
    out = io.StringIO()
    write_csv(out, rows, header=header)
    return out.getvalue()


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
