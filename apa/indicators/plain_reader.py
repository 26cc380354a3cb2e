"""Read a plain file — columns indicator, authority, period, value; CSV or XLSX — into the shape of
readers.py."""

from pathlib import Path

from apa.errors import ApaError, Problem

from .readers import Batch, Reading, area_or_authority, batch_of, mapping_read, sha256


def plain_read(*, path: Path, mapping: Path | None = None) -> Reading:
    """Columns `indicator, authority, period, value` (any order, any case). Authorities by DfE code, ONS
    code or name; England and the regions by name or code. Indicators must be in the catalogue or defined in
    the mapping file."""
    from apa.tabular import read_rows
    from apa.uploads import INDICATORS_FILE

    path = Path(path)
    problems: list[Problem] = []
    specs, _ = mapping_read(mapping, "plain", problems)

    def header_check(header):
        names = {h.strip().lower() for h in header if h}
        absent = [c for c in ("indicator", "authority", "period", "value") if c not in names]
        if absent:
            raise ApaError(Problem(f"{path.name} has no column {', '.join(absent)}; the columns are "
                                   "indicator, authority, period, value"))

    header, rows = read_rows(path, limits=INDICATORS_FILE, header_check=header_check)
    names = {h.strip().lower(): h for h in header if h}
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
    batch = batch_of(numbers, codes, periods, areas, texts, problems, "value") if numbers else Batch.empty()
    return Reading(fmt="plain", source=path.name, sha256=sha256(path, mapping), specs=specs, batch=batch,
                   problems=problems)
