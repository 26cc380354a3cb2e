"""Read indicator files into one shape — indicator definitions and a table of values — without touching the
database. Three layouts: LAIT's long format with its data dictionary, Explore Education Statistics (EES) tidy
CSV with a mapping of measures and filters to indicators, and plain `indicator,authority,period,value`.

Whatever the layout, a value is a number as published or the reason there is none: LAIT's `-`, or an EES
suppression code (`c`, `x`, `z`, `low`, `u`, `k`, ...). A blank is never zero.
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apa.errors import ApaError, Problem

from .models import AREAS, Polarity

DATA_DIR = Path(__file__).resolve().parent / "data"
OUTCOMES_FILE = DATA_DIR / "outcomes.toml"

# LAIT numbers England 970 and the regions 980-990 (with Inner and Outer London as 987 and 988).
AREA_BY_LAIT_NUMBER = {
    970: "England", 980: "North East", 981: "North West", 982: "Yorkshire and The Humber", 983: "East Midlands",
    984: "West Midlands", 985: "East of England", 986: "London", 987: "Inner London", 988: "Outer London",
    989: "South East", 990: "South West",
}
# ONS codes of England and the regions, as Explore Education Statistics writes them.
AREA_BY_ONS = {
    "E92000001": "England", "E12000001": "North East", "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber", "E12000004": "East Midlands", "E12000005": "West Midlands",
    "E12000006": "East of England", "E12000007": "London", "E13000001": "Inner London",
    "E13000002": "Outer London", "E12000008": "South East", "E12000009": "South West",
}
# Reasons a published value is missing: LAIT's '-' and the GSS/EES suppression codes.
MISSING_CODES = ["-", "c", "x", "z", "low", "u", "k", ":", "..", "~", "*", "n/a", "na"]
POLARITY_WORDS = {
    "high": Polarity.HIGH, "higher": Polarity.HIGH, "up": Polarity.HIGH,
    "low": Polarity.LOW, "lower": Polarity.LOW, "down": Polarity.LOW,
    "-": Polarity.NONE, "na": Polarity.NONE, "none": Polarity.NONE, "": Polarity.NONE,
}
MAX_PROBLEMS = 500  # beyond this the file is plainly the wrong shape; more lines would not help anyone


# ----------------------------------------------------------------------------------------------------------
# Judgement areas: the five Every Child Matters outcomes of framework apa-2008


@lru_cache(maxsize=1)
def outcome_config() -> dict:
    return tomllib.loads(OUTCOMES_FILE.read_text(encoding="utf-8"))


def outcome_codes() -> dict[str, str]:
    """Outcome code → title, in the framework's order."""
    return {o["code"]: o["title"] for o in outcome_config()["outcomes"]}


def default_outcomes(*, topics) -> list[str]:
    mapping = outcome_config()["topics"]
    found: list[str] = []
    for topic in topics:
        for code in mapping.get(topic, []):
            if code not in found:
                found.append(code)
    return found


# ----------------------------------------------------------------------------------------------------------
# The shape every reader produces


@dataclass
class IndicatorSpec:
    code: str
    title: str
    topics: list[str] = field(default_factory=list)
    chart_title: str = ""
    description: str = ""
    unit: str = ""
    polarity: str = Polarity.NONE
    decimal_places: int | None = None
    year_type: str = ""
    quartiles: bool = True
    source: str = ""
    methodology: str = ""
    links: str = ""
    measure_code: str = ""
    origin: str = "lait"
    last_update: date | None = None
    next_update: date | None = None
    outcomes: list[str] | None = None  # None: the default for its topics

    FIELDS = ("title", "chart_title", "description", "unit", "polarity", "decimal_places", "year_type",
              "quartiles", "source", "methodology", "links", "measure_code", "origin", "last_update", "next_update")

    def values(self) -> dict:
        return {f: getattr(self, f) for f in self.FIELDS}


@dataclass
class Batch:
    """The values read, one entry per row, with texts held once each (`codes[code[i]]` is row i's indicator).

    `areas` are DfE codes for authorities and names (England, a region, Inner or Outer London) otherwise.
    `reasons[missing[i]]` is why row i has no value; reasons[0] is '' (it has one)."""

    row: np.ndarray
    code: np.ndarray
    codes: list[str]
    period: np.ndarray
    labels: list[str]
    area: np.ndarray
    areas: list[str]
    value: np.ndarray
    missing: np.ndarray
    reasons: list[str]

    def __len__(self) -> int:
        return len(self.row)

    def take(self, mask: np.ndarray) -> "Batch":
        return Batch(row=self.row[mask], code=self.code[mask], codes=self.codes, period=self.period[mask],
                     labels=self.labels, area=self.area[mask], areas=self.areas, value=self.value[mask],
                     missing=self.missing[mask], reasons=self.reasons)

    @classmethod
    def empty(cls) -> "Batch":
        ints = np.array([], dtype="int64")
        return cls(row=ints, code=ints, codes=[], period=ints, labels=[], area=ints, areas=[],
                   value=np.array([], dtype="float64"), missing=ints, reasons=[""])


@dataclass
class Reading:
    """A file read but not yet checked against the database."""

    fmt: str
    source: str
    sha256: str
    specs: dict[str, IndicatorSpec]
    batch: Batch
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _encode(values) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the distinct texts, in order of first appearance."""
    array = pa.chunked_array([pa.array(values, type=pa.string())]) if not isinstance(
        values, (pa.Array, pa.ChunkedArray)) else values
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = pc.cast(array, pa.string())
    encoded = array.dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype("int64"), encoded.dictionary.to_pylist()


def values_parse(text, rows: np.ndarray, column: str, problems: list[Problem]):
    """Numbers as published, and the reason for each missing one. `text` is any array of strings."""
    array = text if isinstance(text, (pa.Array, pa.ChunkedArray)) else pa.array(text, type=pa.string())
    array = pc.fill_null(pc.utf8_trim_whitespace(pc.cast(array, pa.string())), "")
    lowered = pc.utf8_lower(array)
    is_missing = pc.or_(pc.is_in(lowered, value_set=pa.array(MISSING_CODES)), pc.equal(array, ""))
    numeric_text = pc.if_else(is_missing, pa.scalar(None, pa.string()), array)
    try:
        value = pc.cast(numeric_text, pa.float64()).to_numpy(zero_copy_only=False).astype("float64", copy=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Some text is not a number: the slow path finds which, row by row.
        value = pd.to_numeric(pd.Series(numeric_text.to_pylist(), dtype=object), errors="coerce").to_numpy(
            dtype="float64", copy=True)
    missing_mask = is_missing.to_numpy(zero_copy_only=False)
    bad = ~missing_mask & ~np.isfinite(value)
    if bad.any():
        texts = array.to_pylist()
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            problems.append(Problem(f"{texts[i]!r} is not a number or a reason for a missing value "
                                    f"({', '.join(MISSING_CODES[:6])}, ...)", int(rows[i]), column))
    value[missing_mask | bad] = np.nan
    # Blank cells read as LAIT's '-': no value, never zero.
    reason_text = pc.if_else(is_missing, pc.if_else(pc.equal(array, ""), "-", array), "")
    missing, found = _encode(reason_text)
    reasons = [""] + [r for r in found if r != ""]  # index 0 always means "has a value"
    remap = np.array([reasons.index(r) for r in found], dtype="int64")
    return value, (remap[missing] if len(missing) else missing), reasons


def sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path is not None:
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _excel_date(text: str):
    """LAIT's dictionary holds dates as Excel serial day numbers (45809 is 1 June 2025)."""
    text = (text or "").strip()
    if text.isdigit() and 20000 < int(text) < 80000:
        return date(1899, 12, 30) + timedelta(days=int(text))
    return None


def _na(text) -> str:
    text = (text or "").strip()
    return "" if text == "NA" else text


# ----------------------------------------------------------------------------------------------------------
# LAIT


def lait_dictionary_read(path: Path, problems: list[Problem], warnings: list[str]) -> dict[str, IndicatorSpec]:
    path = Path(path)
    if not path.exists():
        problems.append(Problem(f"{path} does not exist; name the LAIT data dictionary with --dictionary"))
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    required = ["Measure_short", "Topic", "Measure", "Polarity", "dps", "Year_Type", "No_Quartile"]
    absent = [c for c in required if c not in table.columns]
    if absent:
        problems.append(Problem(f"{path.name} is not a LAIT data dictionary: no column {', '.join(absent)}"))
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


def lait_read(*, path: Path, dictionary: Path | None) -> Reading:
    """LAIT's long format (`Short Desc`, `Years`, `LA Number`, `Values`; parquet or CSV) and its dictionary.
    Rows are numbered as a spreadsheet would number them: the first record is row 2."""
    import pyarrow.parquet as pq
    from pyarrow import csv as pacsv

    path = Path(path)
    problems: list[Problem] = []
    warnings: list[str] = []
    if not path.exists():
        raise ApaError(Problem(f"{path} does not exist"))
    specs = lait_dictionary_read(dictionary, problems, warnings) if dictionary else {}
    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={"Values": pa.string(), "Years": pa.string(), "Short Desc": pa.string()},
                strings_can_be_null=False))
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise ApaError(Problem(f"{path.name} is not a readable LAIT file: {exc}")) from None
    absent = [c for c in ("Short Desc", "Years", "LA Number", "Values") if c not in table.column_names]
    if absent:
        raise ApaError(Problem(f"{path.name} is not in LAIT's long format: no column {', '.join(absent)}"))

    rows = np.arange(2, table.num_rows + 2)
    number, numbers = _encode(pc.cast(table.column("LA Number"), pa.string()))
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
    code, codes = _encode(table.column("Short Desc"))
    period, labels = _encode(pc.utf8_trim_whitespace(table.column("Years")))
    batch = Batch(row=rows, code=code, codes=codes, period=period, labels=labels, area=number, areas=areas,
                  value=value, missing=missing, reasons=reasons)
    return Reading(fmt="lait", source=path.name, sha256=sha256(path, dictionary), specs=specs, batch=batch,
                   warnings=warnings, problems=problems)


# ----------------------------------------------------------------------------------------------------------
# Indicator definitions for EES and plain files: a TOML mapping file


SPEC_KEYS = {"code", "title", "chart_title", "description", "unit", "polarity", "decimal_places", "year_type",
             "quartiles", "source", "methodology", "links", "topics", "outcomes", "measure", "filters"}


@dataclass
class Measure:
    """EES: which measure column, restricted to which filter values, becomes which indicator."""

    code: str
    column: str
    filters: dict[str, str]


def mapping_read(path: Path | None, origin: str, problems: list[Problem]) -> tuple[dict[str, IndicatorSpec],
                                                                                  list[Measure]]:
    """Indicators defined in a TOML file: [[indicators]] tables with code, title, polarity (high, low or
    none), unit, decimal_places, year_type, topics, outcomes, quartiles, description, source, methodology;
    for EES also `measure` (a column) and `filters` (a table of column = value)."""
    if path is None:
        return {}, []
    path = Path(path)
    if not path.exists():
        problems.append(Problem(f"mapping file {path} does not exist"))
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"{path.name} is not valid TOML: {exc}"))
        return {}, []
    specs: dict[str, IndicatorSpec] = {}
    measures: list[Measure] = []
    known_outcomes = outcome_codes()
    for number, item in enumerate(data.get("indicators", []), start=1):
        where = f"{path.name}, indicator {number}"
        unknown = set(item) - SPEC_KEYS
        code = str(item.get("code", "")).strip()
        if unknown:
            problems.append(Problem(f"{where}: unknown key {', '.join(sorted(unknown))}"))
        if not code:
            problems.append(Problem(f"{where}: no code"))
            continue
        polarity = POLARITY_WORDS.get(str(item.get("polarity", "none")).strip().lower())
        if polarity is None:
            problems.append(Problem(f"{where}: polarity must be high, low or none"))
            continue
        outcomes = item.get("outcomes")
        if outcomes is not None and any(o not in known_outcomes for o in outcomes):
            problems.append(Problem(f"{where}: outcomes must be among {', '.join(known_outcomes)}"))
            continue
        dps = item.get("decimal_places")
        if dps is not None and (not isinstance(dps, int) or dps < 0):
            problems.append(Problem(f"{where}: decimal_places must be a whole number"))
            continue
        if code not in specs:
            specs[code] = IndicatorSpec(
                code=code, title=str(item.get("title") or code), topics=list(item.get("topics", [])),
                chart_title=str(item.get("chart_title", "")), description=str(item.get("description", "")),
                unit=str(item.get("unit", "")), polarity=polarity, decimal_places=dps,
                year_type=str(item.get("year_type", "")), quartiles=bool(item.get("quartiles", True)),
                source=str(item.get("source", "")), methodology=str(item.get("methodology", "")),
                links=str(item.get("links", "")), origin=origin, outcomes=outcomes,
            )
        if item.get("measure"):
            filters = item.get("filters", {})
            if not isinstance(filters, dict):
                problems.append(Problem(f"{where}: filters must be a table of column = value"))
                continue
            measures.append(Measure(code=code, column=str(item["measure"]),
                                    filters={str(k): str(v) for k, v in filters.items()}))
    return specs, measures


def _pairs(texts: list[str], option: str, problems: list[Problem]) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        left, sep, right = text.partition("=")
        if not sep or not left.strip() or not right.strip():
            problems.append(Problem(f"{option} {text!r}: write it as COLUMN=VALUE"))
            continue
        found.append((left.strip(), right.strip()))
    return found


# ----------------------------------------------------------------------------------------------------------
# Areas named in text (plain files)


_AREA_WORDS = {a.lower(): a for a in AREAS}
_AREA_WORDS.update({"yorkshire and the humber": "Yorkshire and The Humber", "london (inner)": "Inner London",
                    "london (outer)": "Outer London", "east": "East of England"})
_AREA_WORDS.update({str(n): a for n, a in AREA_BY_LAIT_NUMBER.items()})
_AREA_WORDS.update({k.lower(): v for k, v in AREA_BY_ONS.items()})


def area_or_authority(text: str, cache: dict) -> tuple[str, str | None]:
    """(area text for the batch, problem or None): England or a region by name or code, else an authority by
    DfE code, ONS code or name, settled once per distinct text."""
    if text in cache:
        return cache[text]
    from apa.authorities.selectors import authority_resolve

    key = " ".join(text.lower().split())
    if key in _AREA_WORDS:
        found = (_AREA_WORDS[key], None)
    else:
        try:
            found = (authority_resolve(text=text).dfe_code, None)
        except ApaError as exc:
            found = ("", "; ".join(exc.lines))
    cache[text] = found
    return found


def _batch(rows, codes, periods, areas, texts, problems, column: str) -> Batch:
    rows = np.asarray(rows, dtype="int64")
    value, missing, reasons = values_parse(list(texts), rows, column, problems)
    code, code_list = _encode(list(codes))
    period, labels = _encode(list(periods))
    area, area_list = _encode(list(areas))
    return Batch(row=rows, code=code, codes=code_list, period=period, labels=labels, area=area, areas=area_list,
                 value=value, missing=missing, reasons=reasons)


# ----------------------------------------------------------------------------------------------------------
# Plain: indicator,authority,period,value (CSV or XLSX)


def plain_read(*, path: Path, mapping: Path | None = None) -> Reading:
    """Columns `indicator, authority, period, value` (any order, any case). Authorities by DfE code, ONS
    code or name; England and the regions by name or code. Indicators must be in the catalogue or defined in
    the mapping file."""
    from apa.tabular import read_rows

    path = Path(path)
    problems: list[Problem] = []
    specs, _ = mapping_read(mapping, "plain", problems)
    header, rows = read_rows(path)
    names = {h.strip().lower(): h for h in header if h}
    absent = [c for c in ("indicator", "authority", "period", "value") if c not in names]
    if absent:
        raise ApaError(Problem(f"{path.name} has no column {', '.join(absent)}; the columns are "
                               "indicator, authority, period, value"))
    cache: dict = {}
    numbers, codes, periods, areas, texts = [], [], [], [], []
    for number, record in rows:
        code = record.get(names["indicator"], "").strip()
        label = record.get(names["period"], "").strip()
        who = record.get(names["authority"], "").strip()
        if not code:
            problems.append(Problem("no indicator", number, "indicator"))
        if not label:
            problems.append(Problem("no period", number, "period"))
        area, problem = area_or_authority(who, cache) if who else ("", "no authority")
        if problem:
            problems.append(Problem(problem, number, "authority"))
        numbers.append(number)
        codes.append(code)
        periods.append(label)
        areas.append(area)
        texts.append(record.get(names["value"], ""))
    batch = _batch(numbers, codes, periods, areas, texts, problems, "value") if numbers else Batch.empty()
    return Reading(fmt="plain", source=path.name, sha256=sha256(path, mapping), specs=specs, batch=batch,
                   problems=problems)


# ----------------------------------------------------------------------------------------------------------
# Explore Education Statistics tidy CSV


EES_GEOGRAPHY = {"time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                 "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "lad_code", "lad_name",
                 "pcon_code", "pcon_name", "school_urn", "school_name", "school_laestab", "opportunity_area_code",
                 "opportunity_area_name", "english_devolved_area_code", "english_devolved_area_name",
                 "local_enterprise_partnership_code", "local_enterprise_partnership_name", "provider_ukprn",
                 "provider_name", "ward_code", "ward_name", "rsc_region_lead_name", "trust_id", "trust_name",
                 "sponsor_id", "sponsor_name", "mat_id", "mat_name", "la_code", "version"}
EES_YEAR_TYPES = {"academic year": "Academic Year", "financial year": "Financial Year",
                  "calendar year": "Calendar Year", "reporting year": "Annual", "tax year": "Tax Year"}


def ees_period_label(time_period: str, time_identifier: str) -> str:
    """EES's six-digit years as DfE writes them: 201617 is '2016/17' for an academic year and '2016-17' for
    a financial year; a four-digit year stays as it is; other identifiers (terms, months) follow in brackets."""
    text = time_period.strip()
    kind = time_identifier.strip().lower()
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}{'-' if kind in {'financial year', 'tax year'} else '/'}{text[4:]}"
    if kind and kind not in EES_YEAR_TYPES:
        text = f"{text} ({time_identifier.strip()})"
    return text


def ees_read(*, path: Path, mapping: Path | None = None, measures: list[str] = (), filters: list[str] = ()) -> Reading:
    """A tidy EES CSV. Each indicator is one measure column, with filter columns fixed to chosen values by the
    mapping file or by --measure COLUMN=CODE and --filter COLUMN=VALUE. National rows become England's values,
    regional rows the regions', local authority rows the authorities' (by old_la_code, else new_la_code or
    la_name). Suppression codes are kept as the reason a value is missing."""
    path = Path(path)
    problems: list[Problem] = []
    warnings: list[str] = []
    specs, wanted = mapping_read(mapping, "ees", problems)
    shared = dict(_pairs(list(filters), "--filter", problems))
    for column, code in _pairs(list(measures), "--measure", problems):
        wanted.append(Measure(code=code, column=column, filters=shared))
    if not wanted:
        problems.append(Problem("name the measures to import: --measure COLUMN=CODE (and --filter COLUMN=VALUE), "
                                "or a --mapping file"))
    if not path.exists():
        raise ApaError(Problem(f"{path} does not exist"))
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}")) from None
    table.columns = [c.strip() for c in table.columns]
    absent = [c for c in ("time_period", "time_identifier", "geographic_level") if c not in table.columns]
    if absent:
        raise ApaError(Problem(f"{path.name} is not an Explore Education Statistics file: no column "
                               f"{', '.join(absent)}"))
    for m in wanted:
        for column in [m.column, *m.filters]:
            if column not in table.columns:
                problems.append(Problem(f"{path.name} has no column {column!r}", column=column))
    if problems:
        return Reading(fmt="ees", source=path.name, sha256="", specs=specs, batch=Batch.empty(), problems=problems)

    rows = np.arange(2, len(table) + 2)
    level = table["geographic_level"].str.strip().str.lower()
    usable = np.array(level.isin(["national", "regional", "local authority"]), dtype=bool)
    if (~usable).any():
        others = sorted(set(table.loc[~usable, "geographic_level"]))
        warnings.append(f"{(~usable).sum():,} rows at other geographic levels ({', '.join(others)}) skipped")

    def column(name):
        return table[name].str.strip() if name in table.columns else pd.Series([""] * len(table), dtype=object)

    areas = np.full(len(table), "", dtype=object)
    cache: dict = {}
    national = np.array(level == "national", dtype=bool)
    country = np.array(column("country_code"), dtype=object)
    england = national & ((country == "E92000001") | (country == ""))
    areas[england] = "England"
    if (national & ~england).any():
        warnings.append(f"{(national & ~england).sum():,} national rows outside England skipped")
    usable &= ~(national & ~england)
    regional = np.array(level == "regional", dtype=bool)
    for i in np.flatnonzero(regional):
        code, name = column("region_code").iat[i], column("region_name").iat[i]
        found = AREA_BY_ONS.get(code) or _AREA_WORDS.get(" ".join(name.lower().split()))
        if found:
            areas[i] = found
        else:
            problems.append(Problem(f"region {code or name!r} is not one of England's regions", int(rows[i]),
                                    "region_code"))
    local = np.array(level == "local authority", dtype=bool)
    old, new, name = (np.array(column(c), dtype=object) for c in ("old_la_code", "new_la_code", "la_name"))
    for i in np.flatnonzero(local):
        text = old[i] or new[i] or name[i]
        found, problem = area_or_authority(text, cache) if text else ("", "no old_la_code, new_la_code or la_name")
        if problem:
            problems.append(Problem(problem, int(rows[i]), "old_la_code"))
        areas[i] = found

    labels = np.array([ees_period_label(p, t) for p, t in zip(column("time_period"), column("time_identifier"),
                                                                strict=True)], dtype=object)
    year_type = EES_YEAR_TYPES.get(column("time_identifier").iat[0].lower(), "") if len(table) else ""
    parts = {"row": [], "code": [], "period": [], "area": [], "text": []}
    for m in wanted:
        mask = usable.copy()
        for name_, value in m.filters.items():
            mask &= np.array(table[name_].str.strip() == value, dtype=bool)
        if not mask.any():
            problems.append(Problem(f"no rows match the filters of {m.code!r} "
                                    f"({', '.join(f'{k}={v}' for k, v in m.filters.items()) or 'none'})"))
            continue
        _ambiguous_filters(table, mask, areas, labels, m, wanted, problems)
        parts["row"].append(rows[mask])
        parts["code"].append(np.full(mask.sum(), m.code, dtype=object))
        parts["period"].append(labels[mask])
        parts["area"].append(areas[mask])
        parts["text"].append(np.array(table[m.column], dtype=object)[mask])
        if m.code not in specs:
            specs[m.code] = IndicatorSpec(code=m.code, title=m.column.replace("_", " ").capitalize(),
                                          year_type=year_type, origin="ees")
    batch = Batch.empty()
    if parts["row"]:
        batch = _batch(np.concatenate(parts["row"]), np.concatenate(parts["code"]), np.concatenate(parts["period"]),
                       np.concatenate(parts["area"]), np.concatenate(parts["text"]), problems, "measure")
    return Reading(fmt="ees", source=path.name, sha256=sha256(path, mapping), specs=specs, batch=batch,
                   warnings=warnings, problems=problems)


def _ambiguous_filters(table, mask, areas, labels, measure: Measure, wanted, problems) -> None:
    """More than one row per place and period left after the filters: say which filter columns still vary."""
    keys = pd.Series(labels[mask]).astype(str) + "\x00" + pd.Series(areas[mask]).astype(str)
    if not keys.duplicated().any():
        return
    measures = {m.column for m in wanted}
    filters = [c for c in table.columns if c not in EES_GEOGRAPHY and c not in measures and c not in measure.filters]
    varying = [f"{c} ({', '.join(sorted(set(table.loc[mask, c]))[:6])})" for c in filters
               if table.loc[mask, c].nunique() > 1]
    problems.append(Problem(
        f"{measure.code!r}: more than one row per area and period; choose a value for each filter with "
        f"--filter COLUMN=VALUE: {'; '.join(varying) or 'no filter column varies (the file repeats rows)'}"))


def detect_format(path: Path) -> str:
    """lait, ees or plain, from the file's type and header."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return "lait"
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return "plain"
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            header = [h.strip().strip('"').lower() for h in handle.readline().split(",")]
    except OSError:
        return "plain"
    if "short desc" in header and "values" in header:
        return "lait"
    if "time_period" in header and "geographic_level" in header:
        return "ees"
    return "plain"
