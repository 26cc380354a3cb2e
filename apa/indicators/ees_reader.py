"""Read an Explore Education Statistics (EES) tidy CSV into the shape of readers.py: each indicator is one
measure column, with filter columns fixed to chosen values by a mapping file or by --measure and --filter."""

from pathlib import Path

import numpy as np
import pandas as pd

from apa.errors import ApaError, Problem
from apa.tabular import csv_head
from apa.uploads import INDICATORS_FILE

from .readers import (
    AREA_BY_ONS,
    AREA_WORDS,
    Batch,
    IndicatorSpec,
    Measure,
    Reading,
    area_or_authority,
    batch_of,
    mapping_read,
    sha256,
)

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

    def header_check(header):
        absent = [c for c in ("time_period", "time_identifier", "geographic_level") if c not in header]
        if absent:
            raise ApaError(Problem(f"{path.name} is not an Explore Education Statistics file: no column "
                                   f"{', '.join(absent)}"))

    # The file, its header and its number of rows before pandas reads a row (apa.uploads.INDICATORS_FILE).
    csv_head(path, limits=INDICATORS_FILE, header_check=header_check)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ApaError(Problem(f"{path.name} is not a readable CSV file: {exc}")) from None
    table.columns = [c.strip() for c in table.columns]
    header_check(table.columns)
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
        found = AREA_BY_ONS.get(code) or AREA_WORDS.get(" ".join(name.lower().split()))
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
        batch = batch_of(np.concatenate(parts["row"]), np.concatenate(parts["code"]), np.concatenate(parts["period"]),
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


def _pairs(texts: list[str], option: str, problems: list[Problem]) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        left, sep, right = text.partition("=")
        if not sep or not left.strip() or not right.strip():
            problems.append(Problem(f"{option} {text!r}: write it as COLUMN=VALUE"))
            continue
        found.append((left.strip(), right.strip()))
    return found
