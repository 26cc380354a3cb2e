"""Read CSV or XLSX files as rows of text, numbered as a spreadsheet numbers them (header is row 1), and write
CSV: the one writer every download and every command's CSV goes through (`write_csv`, `csv_text`)."""

import csv
import io
import numbers
import re
from datetime import date, datetime
from pathlib import Path

from apa.errors import ApaError, Problem
from apa.uploads import INDICATORS_FILE, MAX_COLUMNS, Limits, file_check, rows_check, zip_check

# Without named limits (a file APA ships, a test's small file): the most generous kind's.
DEFAULT_LIMITS = INDICATORS_FILE


def read_rows(path: Path | str, *, limits: Limits = DEFAULT_LIMITS, header_check=None,
              ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV or XLSX file's header and rows, each row numbered as a spreadsheet numbers it, blank rows left out.

    Cheap to refuse, in this order (docs/files.md): the file (there, a file, not empty, at most
    `limits.max_bytes`); for XLSX the zip directory (apa.uploads.zip_check); the encoding (UTF-8, with or
    without a BOM, or Windows-1252; UTF-16 is refused); the header (no name twice, then `header_check(header)`,
    which raises ApaError, before any row is read); the number of rows (at most `limits.max_rows`, counted
    before any row becomes a dict); and a file with a header and no rows. XLSX is read in streaming
    (read-only) mode, values only; a formula cell is read as its formula's text, never evaluated."""
    path = file_check(path, limits)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        header, body = _xlsx_rows(path, limits, header_check)
    else:
        header, body = _csv_rows(path, limits, header_check)
    rows = []
    for number, values in body:
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    if not rows:
        raise ApaError(Problem(f"{path.name} has a header and no rows"))
    return header, rows


def _header_ready(header: list[str], name: str, header_check) -> list[str]:
    if not any(header):
        raise ApaError(Problem(f"{name} has no header: its first row is empty", row=1))
    seen, twice = set(), []
    for h in header:
        if h and h in seen and h not in twice:
            twice.append(h)
        seen.add(h)
    if twice:
        raise ApaError(Problem(f"the header names {', '.join(twice)} more than once", row=1))
    if header_check is not None:
        header_check(header)
    return header


def text_decode(raw: bytes, name: str) -> str:
    """UTF-8 (a BOM allowed) or, failing that, Windows-1252 (Excel's "CSV" on Windows); anything else is
    refused with a sentence saying how to save the file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ApaError(Problem(f"{name} is UTF-16 text; save it as \"CSV UTF-8\""))
    if b"\x00" in raw[:4096]:
        raise ApaError(Problem(f"{name} is not a text file (it holds NUL bytes); save it as \"CSV UTF-8\""))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ApaError(Problem(f"{name} is neither UTF-8 nor Windows-1252 text (byte 0x{raw[exc.start]:02x} at "
                               f"position {exc.start:,}); save it as \"CSV UTF-8\"")) from None


def _csv_rows(path: Path, limits: Limits, header_check):
    text = text_decode(path.read_bytes(), path.name)  # at most limits.max_bytes, checked above
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header_ready([h.strip() for h in next(reader)], path.name, header_check)
    except StopIteration:
        raise ApaError(Problem(f"{path.name} is empty")) from None
    except csv.Error as exc:
        raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}", row=1)) from None
    if text.count("\n") > limits.max_rows + 1:  # more lines than rows allowed: count the rows themselves
        count = 0
        for values in csv.reader(io.StringIO(text, newline="")):
            count += any(v.strip() for v in values)
            if count > limits.max_rows + 1:
                rows_check(count - 1, limits, path.name, at_least=True)
    body = []
    try:
        for number, values in enumerate(reader, start=2):
            values = [v.strip() for v in values]
            if any(values):
                body.append((number, values))
    except csv.Error as exc:
        raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}", row=reader.line_num)) from None
    return header, body


def csv_head(path: Path | str, *, limits: Limits = DEFAULT_LIMITS, header_check=None) -> list[str]:
    """For a reader that parses a CSV itself (pyarrow, pandas): the same checks as read_rows — the file, the
    encoding of its first part, the header (then `header_check`), the number of rows and a header with no
    rows — made by reading the header and counting line ends, before the reader is given the file."""
    path = file_check(path, limits)
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
        lines = head.count(b"\n")
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
    if len(head) == CHUNK and b"\n" in head:  # no character cut in two at the end of what was read
        head = head[:head.rindex(b"\n") + 1]
    try:
        first = next(csv.reader(io.StringIO(text_decode(head, path.name), newline="")), None)
    except csv.Error as exc:
        raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}", row=1)) from None
    if first is None:
        raise ApaError(Problem(f"{path.name} is empty"))
    header = _header_ready([h.strip() for h in first], path.name, header_check)
    if lines <= 2 or lines > limits.max_rows + 1:
        # Few line ends (is there a row?) or more than rows allowed (quoted cells can hold line ends): count rows.
        count = -1  # the header
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            try:
                for values in csv.reader(handle):
                    count += any(v.strip() for v in values)
                    if count > limits.max_rows:
                        rows_check(count, limits, path.name, at_least=True)
            except csv.Error as exc:
                raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}")) from None
        if count < 1:
            raise ApaError(Problem(f"{path.name} has a header and no rows"))
    return header


CHUNK = 1024 * 1024


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


def _xlsx_rows(path: Path, limits: Limits, header_check):
    from openpyxl import load_workbook

    zip_check(path, limits, path.name)
    try:
        # read_only streams the sheet; data_only=False gives a formula cell's text ("=SUM(A1:A3)"), which is then
        # refused or stored as text: APA never evaluates a formula, nor trusts a value cached beside one.
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ApaError(Problem(f"{path.name} is not a readable XLSX file: {exc}")) from None
    try:
        if not book.worksheets:
            raise ApaError(Problem(f"{path.name} has no sheet"))
        sheet = book.worksheets[0]
        try:
            first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
            if first is None:
                raise ApaError(Problem(f"{path.name} is empty"))
            header = [_cell(h) for h in first]
            while header and not header[-1]:
                header.pop()
            header = _header_ready(header, path.name, header_check)
            declared = sheet.max_row  # from the sheet's <dimension>, if it says; checked again while reading
            if declared is not None:
                rows_check(declared - 1, limits, path.name)
            body = []
            for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(header), values_only=True),
                                            start=2):
                if number - 1 > limits.max_rows:
                    rows_check(number - 1, limits, path.name, at_least=True)
                cells = [_cell(v) for v in values]
                if any(cells):
                    body.append((number, cells))
        except ApaError:
            raise
        except Exception as exc:  # a damaged sheet's XML
            raise ApaError(Problem(f"{path.name} is not a readable XLSX file: {exc}")) from None
    finally:
        book.close()
    return header, body


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
