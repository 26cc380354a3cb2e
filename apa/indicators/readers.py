"""Read indicator files into one shape — indicator definitions and a table of values — without touching the
database. Three layouts, each read by its own module: LAIT's long format with its data dictionary
(lait_reader.py), Explore Education Statistics (EES) tidy CSV with a mapping of measures and filters to
indicators (ees_reader.py), and plain `indicator,authority,period,value` (plain_reader.py). This module holds
what they share: the shape, the parsing of values, the mapping file, the names of areas, and which layout a
file is in.

Whatever the layout, a value is a number as published or the reason there is none: LAIT's `-`, or an EES
suppression code (`c`, `x`, `z`, `low`, `u`, `k`, ...). A blank is never zero.
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apa.errors import ApaError, Problem
from apa.uploads import MAPPING_FILE, file_check

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


def encode(values) -> tuple[np.ndarray, list[str]]:
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
    missing, found = encode(reason_text)
    reasons = [""] + [r for r in found if r != ""]  # index 0 always means "has a value"
    remap = np.array([reasons.index(r) for r in found], dtype="int64")
    return value, (remap[missing] if len(missing) else missing), reasons


def sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path is not None:
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()


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
        file_check(path, MAPPING_FILE)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except ApaError as exc:
        problems.extend(exc.problems)
        return {}, []
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"{path.name} is not valid TOML: {exc}"))
        return {}, []
    items = data.get("indicators", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.append(Problem(f"{path.name}: indicators must be [[indicators]] tables"))
        return {}, []
    specs: dict[str, IndicatorSpec] = {}
    measures: list[Measure] = []
    known_outcomes = outcome_codes()
    for number, item in enumerate(items, start=1):
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


# ----------------------------------------------------------------------------------------------------------
# Areas named in text (plain and EES files)


AREA_WORDS = {a.lower(): a for a in AREAS}
AREA_WORDS.update({"yorkshire and the humber": "Yorkshire and The Humber", "london (inner)": "Inner London",
                    "london (outer)": "Outer London", "east": "East of England"})
AREA_WORDS.update({str(n): a for n, a in AREA_BY_LAIT_NUMBER.items()})
AREA_WORDS.update({k.lower(): v for k, v in AREA_BY_ONS.items()})


def area_or_authority(text: str, cache: dict) -> tuple[str, str | None]:
    """(area text for the batch, problem or None): England or a region by name or code, else an authority by
    DfE code, ONS code or name, settled once per distinct text."""
    if text in cache:
        return cache[text]
    from apa.authorities.selectors import authority_resolve

    key = " ".join(text.lower().split())
    if key in AREA_WORDS:
        found = (AREA_WORDS[key], None)
    else:
        try:
            found = (authority_resolve(text=text).dfe_code, None)
        except ApaError as exc:
            found = ("", "; ".join(exc.lines))
    cache[text] = found
    return found


def batch_of(rows, codes, periods, areas, texts, problems, column: str) -> Batch:
    rows = np.asarray(rows, dtype="int64")
    value, missing, reasons = values_parse(list(texts), rows, column, problems)
    code, code_list = encode(list(codes))
    period, labels = encode(list(periods))
    area, area_list = encode(list(areas))
    return Batch(row=rows, code=code, codes=code_list, period=period, labels=labels, area=area, areas=area_list,
                 value=value, missing=missing, reasons=reasons)


# ----------------------------------------------------------------------------------------------------------
# Which layout a file is in


def detect_format(path: Path) -> str:
    """lait, ees or plain, from the file's type and header."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return "lait"
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return "plain"
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            header = [h.strip().strip('"').lower() for h in handle.readline(65536).split(",")]
    except OSError:
        return "plain"
    if "short desc" in header and "values" in header:
        return "lait"
    if "time_period" in header and "geographic_level" in header:
        return "ees"
    return "plain"
