"""The national release of a framework's year, as published on a date: when and how many were published, how
many are still to come, the grade distribution nationally, by region and by type, every authority's rank and
quartile on the framework's usual score, and the change since each authority's previous result.

Plain functions over the one visibility rule: everything is built from `national_table` (latest_results, so
results_visible) and the authorities' visible histories. Of the results not yet public only one number is
known here, how many there are, and only when the app that runs the year's cycle answers for it. The page, its
CSV downloads and any command read the release through `national_release` and `release_table`
(docs/comparisons.md)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Prefetch

from apa.authorities.models import DFE_TYPES, REGIONS
from apa.errors import ApaError, Problem
from apa.frameworks.models import Area, Framework
from apa.frameworks.selectors import score_areas

from .models import DateBasis, ResultGrade
from .selectors import (
    TOO_FEW_FOR_QUARTILES,
    area_lineages,
    competition_rank,
    national_table,
    quartile_label,
    quartile_of,
    result_changes,
    results_current_at,
    results_visible,
    score_of,
)
from .signals import cycle_authorities_asked

DIRECTIONS = ("better", "same", "worse", "no earlier grade")
NOT_KNOWN = "not known"

# The release's tables, each downloadable as CSV (?format=csv&table=NAME); "authorities" is the default.
TABLES = ("authorities", "summary", "publications", "distribution", "regions", "types", "scores", "ranking",
          "changes", "authority_changes")


@dataclass
class PublicationDay:
    day: date  # the date the result counts from: its publication date, or 31 December when not known
    basis: str  # apa.publication.models.DateBasis
    published: int
    cumulative: int

    @property
    def basis_label(self) -> str:
        return {DateBasis.GIVEN: "date as published",
                DateBasis.NATIONAL: "the national publication date of that year's letters",
                DateBasis.UNKNOWN: f"date not known: counted from 31 December {self.day.year}"}.get(self.basis, "")


@dataclass
class Ranked:
    authority: object
    score: int | None
    rank: int | None
    compared: int
    higher: int | None
    quartile: int | None

    @property
    def quartile_label(self) -> str:
        return quartile_label(self.quartile, rank=self.rank)


@dataclass
class Group:
    key: str
    label: str
    distribution: list[dict]  # one per area of the framework, as Release.distribution


@dataclass
class Release:
    framework: Framework
    year: int | None
    as_of: date
    table: dict  # national_table: areas, rows (authority, result, grades)
    grades: list  # the framework's grade levels, best first
    score_areas: list[Area]
    still_to_come: int | None  # None: not known (no cycle assesses this year)
    publications: list[PublicationDay] = field(default_factory=list)
    distribution: list[dict] = field(default_factory=list)  # per area: area, counts (per grade), total
    regions: list[Group] = field(default_factory=list)
    types: list[Group] = field(default_factory=list)
    ranking: list[Ranked] = field(default_factory=list)
    scores: list[tuple[int, int, int]] = field(default_factory=list)  # score, authorities, rank
    at: object = None  # the moment the record is read as of (None: now)

    @cached_property
    def _change_data(self) -> tuple[list[dict], list[tuple]]:
        # Read only when shown: every authority's history is one more query, the areas' lineages another.
        return _changes([r["result"] for r in self.table["rows"]], self.areas, at=self.at)

    @property
    def changes(self) -> list[dict]:
        """Per area: area, counts {direction: n}, total."""
        return self._change_data[0]

    @property
    def authority_changes(self) -> list[tuple]:
        """(authority, AreaChange) for every grade published."""
        return self._change_data[1]

    @property
    def areas(self) -> list[Area]:
        return self.table["areas"]

    @property
    def published(self) -> int:
        return len(self.table["rows"])

    @property
    def compared(self) -> int:
        return sum(1 for r in self.ranking if r.rank is not None)

    @property
    def score_label(self) -> str:
        return " + ".join(a.short_title for a in self.score_areas)

    @property
    def still_to_come_label(self) -> str:
        return NOT_KNOWN if self.still_to_come is None else str(self.still_to_come)

    def by_group(self, kind: str, area: Area) -> list[tuple[Group, dict]]:
        """Each region's (or type's) distribution of one area."""
        index = [a.pk for a in self.areas].index(area.pk)
        return [(g, g.distribution[index]) for g in (self.regions if kind == "regions" else self.types)]


def still_to_come(*, framework: Framework, year: int | None, published: set[int]) -> int | None:
    """How many of the authorities the year's cycle assesses are not yet public (`published`: the authorities
    published so far): one number, never which. None when no cycle answers, as for imported results, where
    nobody knows how many were expected."""
    answers = [answer for _receiver, answer in cycle_authorities_asked.send(sender=Framework, framework=framework,
                                                                           year=year) if answer is not None]
    if not answers:
        return None
    return len(set().union(*answers) - published)


def _distribution(results, areas: list[Area], grades) -> list[dict]:
    counts = {a.pk: Counter() for a in areas}
    for result in results:
        for g in result.grades.all():
            if g.area_id in counts:
                counts[g.area_id][g.grade] += 1
    return [{"area": a, "counts": [counts[a.pk].get(g.value, 0) for g in grades], "total": sum(counts[a.pk].values())}
            for a in areas]


def _groups(results, key, labels: dict[str, str], areas, grades) -> list[Group]:
    """Only groups with a published result: an empty group would say nothing a count of zero does not."""
    grouped = defaultdict(list)
    for result in results:
        grouped[key(result.authority)].append(result)
    order = [k for k in labels if k in grouped] + sorted(set(grouped) - set(labels))
    return [Group(k, labels.get(k, k or "Not recorded"), _distribution(grouped[k], areas, grades)) for k in order]


def _publications(results) -> list[PublicationDay]:
    counts = Counter((r.counts_from, r.publication_basis) for r in results)
    days, running = [], 0
    for (day, basis), n in sorted(counts.items()):
        running += n
        days.append(PublicationDay(day, basis, n, running))
    return days


def _ranking(results, areas: list[Area]) -> tuple[list[Ranked], list[tuple[int, int, int]]]:
    """The comparison rules of docs/comparisons.md over every authority published so far, nationally."""
    scored = [(r.authority, score_of(r, areas)) for r in results]
    scores = [s for _, s in scored if s is not None]
    rows = []
    for authority, score in scored:
        rank = competition_rank(score, scores) if score is not None else None
        rows.append(Ranked(authority, score, rank, len(scores), rank - 1 if rank else None,
                           quartile_of(rank, len(scores)) if rank else None))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.authority.name))
    by_score = sorted(Counter(scores).items(), reverse=True)
    return rows, [(score, n, competition_rank(score, scores)) for score, n in by_score]


def _changes(results, areas: list[Area], at=None) -> tuple[list[dict], list[tuple]]:
    """Same, better or worse than each authority's previous grade for each area (selectors.result_changes),
    reading every authority's visible history in one query."""
    visible = results_visible() if at is None else results_current_at(at=at)
    history = defaultdict(list)
    for other in (visible.filter(authority_id__in=[r.authority_id for r in results])
                  .select_related("framework", "authority")
                  .prefetch_related(Prefetch("grades", queryset=ResultGrade.objects.select_related("area")))):
        history[other.authority_id].append(other)
    counts = {a.pk: Counter() for a in areas}
    detail = []
    lineages = area_lineages()
    for result in results:
        for change in result_changes(result=result, history=history[result.authority_id], lineages=lineages):
            if change.area.pk in counts:
                counts[change.area.pk][change.direction] += 1
            detail.append((result.authority, change))
    summary = [{"area": a, "counts": {d: counts[a.pk].get(d, 0) for d in DIRECTIONS},
                "total": sum(counts[a.pk].values())} for a in areas]
    return summary, detail


def national_release(*, framework: Framework, year: int | None, as_of: date, sort: str = "", at=None) -> Release:
    """The release of a framework's year as published on or before `as_of` (with `at`, as the record stood at
    that moment, for open data rebuilt later)."""
    table = national_table(framework=framework, year=year, as_of=as_of, sort=sort, at=at)
    results = sorted((r["result"] for r in table["rows"]), key=lambda r: r.authority.name)
    grades = list(framework.grades.all())
    areas = table["areas"]
    chosen = score_areas(framework=framework, score=None)
    release = Release(framework=framework, year=year, as_of=as_of, table=table, grades=grades, score_areas=chosen,
                      still_to_come=still_to_come(framework=framework, year=year,
                                                  published={r.authority_id for r in results}), at=at)
    release.publications = _publications(results)
    release.distribution = _distribution(results, areas, grades)
    release.regions = _groups(results, lambda a: a.region, {r: r for r in REGIONS}, areas, grades)
    release.types = _groups(results, lambda a: a.dfe_type, DFE_TYPES, areas, grades)
    release.ranking, release.scores = _ranking(results, chosen)
    return release


def area_of(release: Release, code: str) -> Area:
    """The area a region or type table shows: the one named, else the first of the usual score."""
    if not code:
        return release.score_areas[0]
    for area in release.areas:
        if area.code == code:
            return area
    raise ApaError(Problem(f"framework {release.framework.code} has no area {code!r}; its areas are "
                           + ", ".join(a.code for a in release.areas)))


# ---- the tables as rows, for CSV downloads and commands ------------------------------------------------------

def _grade_columns(release: Release) -> list[str]:
    return [f"grade_{g.value}" for g in release.grades]


def _distribution_rows(prefix: list, distribution: list[dict]) -> list[list]:
    return [prefix + [d["area"].code, d["area"].short_title, *d["counts"], d["total"]] for d in distribution]


def release_table(release: Release, name: str) -> tuple[list[str], list[list]]:
    """One of the release's TABLES as (header, rows); an unknown name is refused, naming the tables."""
    if name not in TABLES:
        raise ApaError(Problem(f"there is no table {name!r}; choose one of {', '.join(TABLES)}"))
    areas = release.areas
    if name == "authorities":
        header = ["dfe_code", "authority", "region", "year", "inspection_date", "publication_date",
                  "publication_date_basis"] + [a.code for a in areas]
        return header, [[r["authority"].dfe_code, r["authority"].name, r["authority"].region, r["result"].year or "",
                         r["result"].inspection_date or "", r["result"].publication_date or "",
                         r["result"].publication_basis] + [g if g is not None else "" for g in r["grades"]]
                        for r in release.table["rows"]]
    if name == "summary":
        days = release.publications
        return ["figure", "value"], [
            ["framework", release.framework.code], ["year", release.year or ""], ["as_of", release.as_of.isoformat()],
            ["published", release.published], ["publication_days", len(days)],
            ["first_published", days[0].day.isoformat() if days else ""],
            ["last_published", days[-1].day.isoformat() if days else ""],
            ["still_to_come", release.still_to_come_label],
            ["score", "+".join(a.code for a in release.score_areas)], ["compared", release.compared],
        ]
    if name == "publications":
        return ["date", "date_basis", "published", "cumulative"], [
            [d.day.isoformat(), d.basis, d.published, d.cumulative] for d in release.publications]
    grade_columns = _grade_columns(release)
    if name == "distribution":
        return ["area", "area_title", *grade_columns, "graded"], _distribution_rows([], release.distribution)
    if name == "regions":
        return ["region", "area", "area_title", *grade_columns, "graded"], [
            row for g in release.regions for row in _distribution_rows([g.label], g.distribution)]
    if name == "types":
        return ["dfe_type", "type", "area", "area_title", *grade_columns, "graded"], [
            row for g in release.types for row in _distribution_rows([g.key, g.label], g.distribution)]
    if name == "scores":
        return ["score", "authorities", "rank"], [list(s) for s in release.scores]
    if name == "ranking":
        return ["rank", "dfe_code", "authority", "region", "dfe_type", "score", "compared", "higher", "quartile",
                "quartile_note"], [
            [r.rank or "", r.authority.dfe_code, r.authority.name, r.authority.region, r.authority.dfe_type,
             "" if r.score is None else r.score, r.compared, "" if r.higher is None else r.higher, r.quartile or "",
             ("not compared: no grade for every area of the score" if r.rank is None
              else TOO_FEW_FOR_QUARTILES if r.quartile is None else "")]
            for r in release.ranking]
    if name == "changes":
        return ["area", "area_title", "better", "same", "worse", "no_earlier_grade", "graded"], [
            [c["area"].code, c["area"].short_title, *(c["counts"][d] for d in DIRECTIONS), c["total"]]
            for c in release.changes]
    return ["dfe_code", "authority", "area", "grade", "previous_grade", "previous_framework", "previous_year",
            "direction"], [
        [a.dfe_code, a.name, c.area.code, c.grade, "" if c.previous_grade is None else c.previous_grade,
         c.previous_result.framework.code if c.previous_result else "",
         (c.previous_result.year or "") if c.previous_result else "", c.direction]
        for a, c in release.authority_changes]
