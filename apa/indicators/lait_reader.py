"""Read LAIT's long format (parquet or CSV) and its data dictionary into the shape of readers.py."""

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apa.errors import ApaError, Problem
from apa.tabular import csv_head
from apa.uploads import DICTIONARY_FILE, INDICATORS_FILE, rows_check, size_text

from .readers import (
    AREA_BY_LAIT_NUMBER,
    MAX_PROBLEMS,
    POLARITY_WORDS,
    Batch,
    IndicatorSpec,
    Reading,
    encode,
    sha256,
    values_parse,
)


def _excel_date(text: str):
    """LAIT's dictionary holds dates as Excel serial day numbers (45809 is 1 June 2025)."""
    text = (text or "").strip()
    if text.isdigit() and 20000 < int(text) < 80000:
        return date(1899, 12, 30) + timedelta(days=int(text))
    return None


def _na(text) -> str:
    text = (text or "").strip()
    return "" if text == "NA" else text


def lait_dictionary_read(path: Path, problems: list[Problem], warnings: list[str]) -> dict[str, IndicatorSpec]:
    path = Path(path)
    if not path.exists():
        problems.append(Problem(f"{path} does not exist; name the LAIT data dictionary with --dictionary"))
        return {}
    required = ["Measure_short", "Topic", "Measure", "Polarity", "dps", "Year_Type", "No_Quartile"]

    def header_check(header):
        absent = [c for c in required if c not in header]
        if absent:
            raise ApaError(Problem(f"{path.name} is not a LAIT data dictionary: no column {', '.join(absent)}"))

    try:
        csv_head(path, limits=DICTIONARY_FILE, header_check=header_check)
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except ApaError as exc:
        problems.extend(exc.problems)
        return {}
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        problems.append(Problem(f"{path.name} is not a readable CSV file: {exc}"))
        return {}
    specs: dict[str, IndicatorSpec] = {}
    first_row: dict[str, int] = {}
    compared = ["Measure", "Chart_title", "Polarity", "dps", "Year_Type", "No_Quartile", "y_axis_name"]
    records = table.to_dict("records")
    for number, rec in enumerate(records, start=2):  # numbered as a spreadsheet numbers them
        code = rec["Measure_short"]
        if not code.strip():
            problems.append(Problem("no short code", number, "Measure_short"))
            continue
        polarity = POLARITY_WORDS.get(rec["Polarity"].strip().lower())
        if polarity is None:
            problems.append(Problem(f"polarity {rec['Polarity']!r} is not High, Low, - or NA", number, "Polarity"))
            continue
        dps_text = rec["dps"].strip()
        if dps_text in {"", "NA"}:
            dps = None
        elif dps_text.isdigit():
            dps = int(dps_text)
        else:
            problems.append(Problem(f"decimal places {dps_text!r} is not a whole number or NA", number, "dps"))
            continue
        topic = rec["Topic"].strip()
        if code in specs:
            # LAIT lists some measures once per topic: keep the first row, add the topic, report disagreement.
            if topic and topic not in specs[code].topics:
                specs[code].topics.append(topic)
            earlier = records[first_row[code] - 2]
            differs = [c for c in compared if c in rec and rec[c] != earlier.get(c)]
            if differs:
                warnings.append(f"{path.name} rows {first_row[code]} and {number} both define {code!r} and "
                                f"disagree on {', '.join(differs)}; row {first_row[code]} is kept")
            continue
        first_row[code] = number
        specs[code] = IndicatorSpec(
            code=code,
            title=rec["Measure"].strip() or code,
            topics=[topic] if topic else [],
            chart_title=_na(rec.get("Chart_title")),
            description=_na(rec.get("Description")),
            unit=_na(rec.get("y_axis_name")),
            polarity=polarity,
            decimal_places=dps,
            year_type=_na(rec["Year_Type"]),
            # 'N' marks the measures LAIT shows without quartile bands.
            quartiles=rec["No_Quartile"].strip().upper() != "N",
            source=_na(rec.get("Data Owner (DO) /Supplier and Contact Details")),
            methodology=_na(rec.get("Methodology")).replace("\r\r\n", "\n").replace("\r\n", "\n"),
            links=_na(rec.get("Hyperlink(s)")),
            measure_code=_na(rec.get("Measure_code")),
            origin="lait",
            last_update=_excel_date(rec.get("Last Update", "")),
            next_update=_excel_date(rec.get("Next Update", "")),
        )
    return specs


LAIT_COLUMNS = ("Short Desc", "Years", "LA Number", "Values")


def _columns_check(path: Path, columns) -> None:
    absent = [c for c in LAIT_COLUMNS if c not in columns]
    if absent:
        raise ApaError(Problem(f"{path.name} is not in LAIT's long format: no column {', '.join(absent)}"))


def _parquet_check(path: Path) -> None:
    """A parquet file's footer only: its size, columns, number of rows and size once uncompressed."""
    import pyarrow.parquet as pq

    from apa.uploads import file_check

    file_check(path, INDICATORS_FILE)
    try:
        handle = pq.ParquetFile(path)
        meta = handle.metadata
        columns = handle.schema_arrow.names
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise ApaError(Problem(f"{path.name} is not a readable LAIT file: {exc}")) from None
    _columns_check(path, columns)
    rows_check(meta.num_rows, INDICATORS_FILE, path.name)
    if meta.num_rows == 0:
        raise ApaError(Problem(f"{path.name} has a header and no rows"))
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > INDICATORS_FILE.max_unzipped:
        raise ApaError(Problem(f"{path.name} expands to {size_text(unpacked)}; {INDICATORS_FILE.kind} may expand "
                               f"to at most {size_text(INDICATORS_FILE.max_unzipped)}"))


def lait_read(*, path: Path, dictionary: Path | None) -> Reading:
    """LAIT's long format (`Short Desc`, `Years`, `LA Number`, `Values`; parquet or CSV) and its dictionary.
    Rows are numbered as a spreadsheet would number them: the first record is row 2."""
    import pyarrow.parquet as pq
    from pyarrow import csv as pacsv

    path = Path(path)
    problems: list[Problem] = []
    warnings: list[str] = []
    parquet = path.suffix.lower() == ".parquet"
    # The file, its columns and its number of rows before any row is read (apa.uploads.INDICATORS_FILE).
    if parquet:
        _parquet_check(path)
    else:
        csv_head(path, limits=INDICATORS_FILE, header_check=lambda header: _columns_check(path, header))
    specs = lait_dictionary_read(dictionary, problems, warnings) if dictionary else {}
    try:
        if parquet:
            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={"Values": pa.string(), "Years": pa.string(), "Short Desc": pa.string()},
                strings_can_be_null=False))
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise ApaError(Problem(f"{path.name} is not a readable LAIT file: {exc}")) from None
    _columns_check(path, table.column_names)

    rows = np.arange(2, table.num_rows + 2)
    number, numbers = encode(pc.cast(table.column("LA Number"), pa.string()))
    areas, unknown_area = [], []
    for text in numbers:
        try:
            n = float(text)
        except (TypeError, ValueError):
            n = float("nan")
        if n == n and n == int(n) and n < 970:
            areas.append(str(int(n)).zfill(3))
        elif n == n and n == int(n) and int(n) in AREA_BY_LAIT_NUMBER:
            areas.append(AREA_BY_LAIT_NUMBER[int(n)])
        else:
            areas.append("")
            unknown_area.append(len(areas) - 1)
    if unknown_area:
        for i in np.flatnonzero(np.isin(number, unknown_area))[:MAX_PROBLEMS]:
            problems.append(Problem(f"LA Number {numbers[number[i]]!r} is not an authority, England or a region",
                                    int(rows[i]), "LA Number"))
    value, missing, reasons = values_parse(table.column("Values"), rows, "Values", problems)
    code, codes = encode(table.column("Short Desc"))
    period, labels = encode(pc.utf8_trim_whitespace(table.column("Years")))
    batch = Batch(row=rows, code=code, codes=codes, period=period, labels=labels, area=number, areas=areas,
                  value=value, missing=missing, reasons=reasons)
    return Reading(fmt="lait", source=path.name, sha256=sha256(path, dictionary), specs=specs, batch=batch,
                   warnings=warnings, problems=problems)
