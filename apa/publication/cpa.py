"""The Comprehensive Performance Assessment (CPA) feed: each authority's children and young people block score.

The block score of a CPA year *is* that year's APA overall grade (docs/data-sources.md), so the feed is read from
the one store of published results through `results_visible`, and nothing under embargo reaches it. The partial CPA
tables that newspapers printed (the Guardian for 2006 and 2007, BBC News for 2008), shipped with APA and loaded
by `apa init`, are a second source: where one agrees with APA's grade its page is added to the row's sources;
where APA has no result the printed score is the row (with no APA result version); where they differ APA's grade
is the row and the pair is listed by `cpa_disagreements`.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch

from apa.authorities.models import Authority
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, Problem
from apa.frameworks.models import Framework
from apa.tabular import read_rows
from apa.uploads import RESULTS_FILE

from .models import PublishedCpaScore, ResultGrade
from .selectors import results_current_at, results_visible

# The APA area whose grade is the CPA block score, by framework (the areas of apa/frameworks/data/apa-200*.toml).
BLOCK_AREAS = {
    "apa-2005": "overall",
    "apa-2006": "overall_contribution",
    "apa-2007": "overall_effectiveness",
    "apa-2008": "overall_effectiveness",
}
FEED_COLUMNS = ["cpa_year", "dfe_code", "authority", "children_and_young_people", "apa_framework",
                "apa_result_version", "source"]
DISAGREEMENT_COLUMNS = ["cpa_year", "dfe_code", "authority", "apa_grade", "cpa_score", "apa_framework",
                        "apa_result_version", "apa_source", "cpa_council", "cpa_source"]

DATA = Path(__file__).resolve().parent / "data"
# The published CPA tables shipped with APA, as transcribed (docs/data-sources.md), loaded by `apa init`.
SHIPPED_CPA_TABLES = [
    "cpa2006_scores_partial_guardian.csv",
    "cpa2007_scores_partial_guardian.csv",
    "cpa2008_cyp_scores_partial_bbc.csv",
]
NAMES_FILE = DATA / "cpa_names.toml"
TABLE_COLUMNS = ["cpa_year", "council", "children_and_young_people", "source_url"]


# ---- the shipped tables -------------------------------------------------------------------------------------

@dataclass
class CpaLoadSummary:
    rows: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    not_placed: int = 0

    def __str__(self) -> str:
        return (f"{self.rows} rows: {self.added} added, {self.updated} updated, {self.removed} removed, "
                f"{self.unchanged} unchanged; {self.not_placed} not placed")


def _names() -> tuple[dict[str, str], dict[str, str]]:
    data = tomllib.loads(NAMES_FILE.read_text(encoding="utf-8"))
    return data.get("names", {}), data.get("not_placed", {})


def _table_rows(path: Path, names: dict, not_placed: dict, problems: list[Problem]) -> list[dict]:
    header, raw = read_rows(path, limits=RESULTS_FILE)

    def fail(number, column, message):
        problems.append(Problem(f"{message} (in {path.name})", row=number, column=column))

    missing = [c for c in TABLE_COLUMNS if c not in header]
    if missing:
        fail(1, None, f"the header lacks {', '.join(missing)}; expected at least {','.join(TABLE_COLUMNS)}")
        return []
    authorities = {a.dfe_code: a for a in Authority.objects.filter(dfe_code__in=set(names.values()))}
    rows = []
    for number, r in raw:
        before = len(problems)
        text = r["cpa_year"]
        year = int(text) if text.isdigit() else None
        if year is None or not 2002 <= year <= 2008:
            fail(number, "cpa_year", f"{text!r} is not a CPA year (2002 to 2008)")
        council = r["council"]
        if not council:
            fail(number, "council", "no council given")
        if not r["source_url"]:
            fail(number, "source_url", "no source given: every published score needs its page")
        row = {"cpa_year": year, "council": council, "authority": None, "children_and_young_people": None,
               "not_placed": "", "source": r["source_url"], "note": r.get("page_part") or r.get("note", ""),
               "file": path.name, "row": number}
        if r.get("parse_ok", "yes").lower() != "yes":
            # The transcriber could not read the printed row into columns; its score is not guessed.
            row["not_placed"] = f"the printed row could not be read into columns: {r.get('raw_row', '')!r}"
        elif council in not_placed:
            row["not_placed"] = not_placed[council]
        if not row["not_placed"]:
            score = r["children_and_young_people"]
            if score in {"1", "2", "3", "4"}:
                row["children_and_young_people"] = int(score)
            else:
                fail(number, "children_and_young_people", f"{score!r} is not a CPA score (1, 2, 3 or 4)")
            if council in names:
                row["authority"] = authorities.get(names[council])
                if row["authority"] is None:
                    fail(number, "council", f"{NAMES_FILE.name} places {council!r} at DfE code {names[council]}, "
                                            "which is no authority")
            elif council and year is not None:
                try:
                    row["authority"] = authority_resolve(text=council, on=date(year, 12, 31))
                except ApaError as exc:
                    fail(number, "council", f"{exc.problems[0].message}; add it to {NAMES_FILE.name}")
        elif r["children_and_young_people"] in {"1", "2", "3", "4"}:
            row["children_and_young_people"] = int(r["children_and_young_people"])
        if len(problems) == before:
            rows.append(row)
    return rows


FIELDS = ("authority", "children_and_young_people", "not_placed", "source", "note", "file", "row")


def cpa_tables_load(*, paths: list[Path | str] | None = None) -> CpaLoadSummary:
    """Load the published CPA tables (the shipped ones by default) so that the store holds exactly their rows:
    every row of every file or, on any problem, nothing (each problem names its row and column). Loading the same
    files again changes nothing."""
    paths = [Path(p) for p in paths] if paths is not None else [DATA / name for name in SHIPPED_CPA_TABLES]
    names, not_placed = _names()
    problems: list[Problem] = []
    rows = [row for path in paths for row in _table_rows(path, names, not_placed, problems)]
    seen: dict[tuple, dict] = {}
    for row in rows:
        for key in ((row["cpa_year"], row["council"]),
                    (row["cpa_year"], row["authority"].pk) if row["authority"] else None):
            if key is None:
                continue
            first = seen.setdefault(key, row)
            if first is not row:
                problems.append(Problem(
                    f"{row['council']} is in the {row['cpa_year']} table twice: also row {first['row']} of "
                    f"{first['file']} (in {row['file']})", row=row["row"], column="council"))
    if problems:
        raise ApaError(problems)
    summary = CpaLoadSummary(rows=len(rows), not_placed=sum(1 for r in rows if r["not_placed"]))
    files = {p.name for p in paths}
    with transaction.atomic():
        stored = {(s.cpa_year, s.council): s
                  for s in PublishedCpaScore.objects.filter(file__in=files).select_related("authority")}
        for row in rows:
            score = stored.pop((row["cpa_year"], row["council"]), None)
            if score is None:
                PublishedCpaScore.objects.create(**row)
                summary.added += 1
                continue
            changed = [f for f in FIELDS if getattr(score, f) != row[f]]
            if changed:
                for f in changed:
                    setattr(score, f, row[f])
                score.save(update_fields=changed)
                summary.updated += 1
            else:
                summary.unchanged += 1
        # A row its file no longer has (the file was corrected) goes with it.
        summary.removed = PublishedCpaScore.objects.filter(pk__in=[s.pk for s in stored.values()]).delete()[0]
    return summary


# ---- the feed -----------------------------------------------------------------------------------------------

def _block_grades(*, year: int | None, at) -> list[tuple[object, ResultGrade]]:
    """(result, block grade) of every public APA result that has its overall grade."""
    current = results_current_at(at=at) if at is not None else results_visible()  # as the record stood at `at`
    results = current.filter(framework__code__in=BLOCK_AREAS, year__isnull=False)
    if year is not None:
        results = results.filter(year=year)
    results = results.select_related("authority", "framework").prefetch_related(
        Prefetch("grades", queryset=ResultGrade.objects.select_related("area").prefetch_related("sources")))
    found = []
    for result in results:
        grade = next((g for g in result.grades.all() if g.area.code == BLOCK_AREAS[result.framework.code]), None)
        if grade is not None:
            found.append((result, grade))
    return found


def _printed(*, year: int | None) -> dict[tuple[int, int], PublishedCpaScore]:
    scores = PublishedCpaScore.objects.filter(not_placed="").select_related("authority")
    if year is not None:
        scores = scores.filter(cpa_year=year)
    return {(s.authority_id, s.cpa_year): s for s in scores}


def _sources(grade: ResultGrade) -> list[str]:
    return [s.source for s in grade.sources.all()]


def _joined(sources: list[str]) -> str:
    return "; ".join(dict.fromkeys(s for s in sources if s))


def _framework_of_year() -> dict[int, str]:
    years = {}
    for f in Framework.objects.filter(code__in=BLOCK_AREAS):
        for y in range(f.first_year or 0, (f.last_year or f.first_year or 0) + 1):
            years.setdefault(y, f.code)
    return years


def cpa_feed(*, year: int | None = None, at=None) -> list[dict]:
    """One row (FEED_COLUMNS) per authority and CPA year: APA's published overall grade, with its sources (and a
    printed CPA table's page when it agrees), or, where APA has no public result, the printed score."""
    printed = _printed(year=year)
    rows, own = [], set()
    for result, grade in _block_grades(year=year, at=at):
        key = (result.authority_id, result.year)
        own.add(key)
        sources = _sources(grade)
        other = printed.get(key)
        if other is not None and other.children_and_young_people == grade.grade:
            sources.append(other.source)
        rows.append({"cpa_year": result.year, "dfe_code": result.authority.dfe_code,
                     "authority": result.authority.name, "children_and_young_people": grade.grade,
                     "apa_framework": result.framework.code, "apa_result_version": result.version,
                     "source": _joined(sources)})
    frameworks = _framework_of_year()
    for key, score in printed.items():
        if key in own:
            continue
        rows.append({"cpa_year": score.cpa_year, "dfe_code": score.authority.dfe_code,
                     "authority": score.authority.name, "children_and_young_people": score.children_and_young_people,
                     "apa_framework": frameworks.get(score.cpa_year, ""), "apa_result_version": None,
                     "source": score.source})
    rows.sort(key=lambda r: (r["cpa_year"], r["authority"], r["dfe_code"], r["apa_framework"]))
    return rows


def cpa_disagreements(*, year: int | None = None, at=None) -> list[dict]:
    """Every authority and year where a printed CPA score and APA's own public result differ (DISAGREEMENT_COLUMNS)."""
    printed = _printed(year=year)
    rows = []
    for result, grade in _block_grades(year=year, at=at):
        other = printed.get((result.authority_id, result.year))
        if other is None or other.children_and_young_people == grade.grade:
            continue
        rows.append({"cpa_year": result.year, "dfe_code": result.authority.dfe_code, "authority": result.authority.name,
                     "apa_grade": grade.grade, "cpa_score": other.children_and_young_people,
                     "apa_framework": result.framework.code, "apa_result_version": result.version,
                     "apa_source": _joined(_sources(grade)), "cpa_council": other.council, "cpa_source": other.source})
    rows.sort(key=lambda r: (r["cpa_year"], r["authority"], r["dfe_code"]))
    return rows


def cpa_not_placed(*, year: int | None = None) -> list[PublishedCpaScore]:
    """The printed rows that are not compared, each with the reason."""
    scores = PublishedCpaScore.objects.exclude(not_placed="")
    return list(scores.filter(cpa_year=year) if year is not None else scores)


def cpa_years() -> list[int]:
    """The years the feed has rows for: public APA results and printed tables."""
    own = set(results_visible().filter(framework__code__in=BLOCK_AREAS, year__isnull=False)
              .values_list("year", flat=True))
    return sorted(own | set(PublishedCpaScore.objects.values_list("cpa_year", flat=True)))
