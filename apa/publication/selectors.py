"""Read published results: what is visible, the latest per authority, comparisons and change since last time.

The comparison rules are written down once, here, and in docs/comparisons.md.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from apa.authorities.models import Authority
from apa.authorities.selectors import neighbours_of
from apa.errors import ApaError, NotFound, Problem
from apa.frameworks.models import Area, Framework
from apa.frameworks.selectors import score_areas

from .models import DateBasis, GradeSource, JointAreaReview, Result, ResultGrade

GROUPS = ("all", "region", "type", "neighbours")


def _public(at) -> Q:
    """THE visibility rule, written once: a version is public when it is released (not withheld) and its
    moment has come (imported results have no moment: public once stored)."""
    return Q(withheld=False) & (Q(visible_from__isnull=True) | Q(visible_from__lte=at))


def results_visible(*, viewer=None, at=None) -> QuerySet:
    """The current versions of results that are public at `at` (default now). Every page, export, letter,
    comparison, national table, report and command reads published results through here or through
    `result_visible`. Everyone sees the same public record: the viewer's role and authority give no earlier
    sight of it (drafts are read through the assessment, by those the cycle allows)."""
    return Result.objects.filter(Q(is_current=True) & _public(at or timezone.now()))


def result_visible(result, *, viewer=None, at=None) -> bool:
    """Whether this one version is public as the current version: the same expression as results_visible."""
    return results_visible(viewer=viewer, at=at).filter(pk=result.pk).exists()


def versions_visible(*, viewer=None, at=None) -> QuerySet:
    """Every version that is or was public at `at`: the current ones, and superseded ones that were public
    before a correction replaced them (a version corrected during its embargo never was)."""
    at = at or timezone.now()
    was_public = Q(visible_from__isnull=True) | Q(superseded_at__gte=F("visible_from"))
    return Result.objects.filter(_public(at) & (Q(is_current=True) | was_public))


def versions_at(*, at) -> QuerySet:
    """Every version public at `at` as the store stood then: versions_visible, less the imported results
    stored after `at` (public once stored, so not before). What open data rebuilds a past release from."""
    return versions_visible(at=at).filter(Q(visible_from__isnull=False) | Q(created_at__lte=at))


def results_current_at(*, at) -> QuerySet:
    """The versions that were the current public ones at `at`: a version corrected later is still current
    before its correction was published. At the present moment this is results_visible."""
    visible = versions_at(at=at)
    return visible.exclude(pk__in=visible.filter(previous__isnull=False).values("previous_id"))


def jars_visible(*, viewer=None, at=None) -> QuerySet:
    """Joint Area Reviews public at `at` (default now): their publication date has come (Europe/London), on a
    result version that is or was public. Every page and export reads JAR outcomes through here; as for
    results, the viewer gives no earlier sight of one."""
    at = at or timezone.now()
    return JointAreaReview.objects.filter(publication_date__lte=timezone.localdate(at),
                                          result__in=versions_visible(at=at))


def publication_state(*, at=None) -> str:
    """What a cached public page of published results is keyed on (apa.ui.cache): the day (comparisons and
    releases count what is published on or before today, a JAR is public from its publication date) and the
    versions released at `at` through the one visibility rule — how many, which, how many current, the latest
    publication at or before `at`, the latest stored, how many have their own publication date — with the
    grades, sources and JAR records as stored. A publication whose time passes, a result released, a correction,
    an import, or a JAR recorded or changed each changes it. A version under embargo is not in it (its grades
    are counted, which can change the key but never what it serves)."""
    at = at or timezone.now()
    released = _public(at)
    results = Result.objects.aggregate(
        n=Count("pk", filter=released), ids=Sum("pk", filter=released),
        current=Count("pk", filter=released & Q(is_current=True)),
        latest=Max("visible_from", filter=released), stored=Max("created_at", filter=released),
        # An import changes a stored result only to give it its own publication date (basis "given").
        dated=Count("pk", filter=released & Q(publication_basis=DateBasis.GIVEN)),
    )
    grades = ResultGrade.objects.aggregate(n=Count("pk"), last=Max("pk"))
    sources = GradeSource.objects.aggregate(n=Count("pk"), last=Max("pk"))
    jars = JointAreaReview.objects.aggregate(n=Count("pk"), last=Max("pk"), changed=Max("updated_at"))
    return "|".join(str(part) for part in (
        timezone.localdate(at), *results.values(), *grades.values(), *sources.values(), *jars.values()))


def result_of_assessment(*, assessment_id: int):
    """The current version of a cycle's result, public or not (for the cycle's own rules, never for display)."""
    return Result.objects.filter(assessment_id=assessment_id, is_current=True).first()


def _with_grades(qs: QuerySet) -> QuerySet:
    return qs.select_related("authority", "framework").prefetch_related(
        Prefetch("grades", queryset=ResultGrade.objects.select_related("area").prefetch_related("sources"))
    )


def latest_year(*, framework: Framework, as_of: date) -> int | None:
    years = (
        results_visible().filter(framework=framework, counts_from__lte=as_of, year__isnull=False)
        .order_by("-year").values_list("year", flat=True)
    )
    return years.first()


def latest_results(*, framework: Framework, year: int | None, as_of: date, at=None) -> dict[int, object]:
    """For each authority that existed on `as_of`, its latest result under the framework (and year, for
    yearly frameworks) published on or before that date: 'published so far'. With `at`, the results as they
    were at that moment (results_current_at), for a release rebuilt later."""
    candidates = _published_so_far(framework=framework, year=year, as_of=as_of, at=at)
    # The latest per authority is chosen first, so grades and sources are read for those only (a framework of
    # inspections has several results per authority).
    chosen = dict(candidates.values_list("authority_id", "pk"))
    latest: dict[int, object] = {}
    for result in _with_grades(candidates.filter(pk__in=list(chosen.values()))):
        latest[result.authority_id] = result
    return latest


def _published_so_far(*, framework: Framework, year: int | None, as_of: date, at=None) -> QuerySet:
    """latest_results' candidates, oldest first (so the last one per authority is its latest)."""
    qs = (results_visible() if at is None else results_current_at(at=at)).filter(framework=framework,
                                                                                counts_from__lte=as_of)
    if framework.yearly and year is not None:
        qs = qs.filter(year=year)
    qs = qs.filter(Q(authority__start_date__isnull=True) | Q(authority__start_date__lte=as_of))
    qs = qs.filter(Q(authority__end_date__isnull=True) | Q(authority__end_date__gte=as_of))
    return qs.order_by("counts_from", "key")


def latest_scores(*, framework: Framework, year: int | None, as_of: date, areas: list[Area]) -> dict:
    """{authority: score} of latest_results' results that have a grade for every area of the score (score_of),
    read as two plain queries: what comparisons need, without building every grade and source."""
    latest: dict[int, tuple[int, Authority]] = {}
    for result_id, authority in ((r.pk, r.authority) for r in
                                 _published_so_far(framework=framework, year=year, as_of=as_of)
                                 .select_related("authority").only("pk", "authority")):
        latest[authority.pk] = (result_id, authority)
    wanted = {a.pk for a in areas}
    grades: dict[int, dict[int, int]] = {}
    for result_id, area_id, grade in ResultGrade.objects.filter(
            result_id__in=[pk for pk, _ in latest.values()], area_id__in=wanted).values_list(
            "result_id", "area_id", "grade"):
        grades.setdefault(result_id, {})[area_id] = grade
    return {authority: sum(grades[result_id].values()) for result_id, authority in latest.values()
            if len(grades.get(result_id, ())) == len(wanted)}


def score_of(result, areas: list[Area]) -> int | None:
    """The sum of the named areas' grades, or None when any is missing (then it is not compared)."""
    grades = {g.area_id: g.grade for g in result.grades.all()}
    if any(a.pk not in grades for a in areas):
        return None
    return sum(grades[a.pk] for a in areas)


def competition_rank(score: int, scores: list[int]) -> int:
    """1 + the number strictly higher: ties share a rank."""
    return 1 + sum(1 for s in scores if s > score)


# Fewer than this many compared and no quartile is given: with one, "1st of 1" would be the 4th quartile.
QUARTILE_MINIMUM = 4
TOO_FEW_FOR_QUARTILES = "too few to place in quartiles"


def quartile_of(rank: int, compared: int) -> int | None:
    """1 is the top: rank ≤ n/4 → 1, ≤ n/2 → 2, ≤ 3n/4 → 3, else 4; None when fewer than four are compared."""
    if compared < QUARTILE_MINIMUM:
        return None
    if rank * 4 <= compared:
        return 1
    if rank * 2 <= compared:
        return 2
    if rank * 4 <= 3 * compared:
        return 3
    return 4


QUARTILE_NAMES = {1: "top quartile", 2: "2nd quartile", 3: "3rd quartile", 4: "4th quartile"}


def quartile_label(quartile: int | None, *, rank: int | None = 1) -> str:
    """'top quartile', '2nd quartile'... or 'too few to place in quartiles'; empty when not ranked at all."""
    if rank is None:
        return ""
    return QUARTILE_NAMES[quartile] if quartile is not None else TOO_FEW_FOR_QUARTILES


@dataclass
class Comparison:
    framework: Framework
    year: int | None
    authority: Authority
    areas: list[Area]
    as_of: date
    group: str
    score: int | None = None
    rank: int | None = None
    compared: int = 0
    higher: int | None = None
    quartile: int | None = None
    table: list[tuple[Authority, int, int]] = field(default_factory=list)  # authority, score, rank
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def score_label(self) -> str:
        return " + ".join(a.short_title for a in self.areas)

    @property
    def quartile_reason(self) -> str | None:
        """Why there is no quartile, in words every output shows (None when there is one)."""
        if self.quartile is not None:
            return None
        if self.rank is None:
            return "not compared: no published grade for every area of the score"
        return TOO_FEW_FOR_QUARTILES

    @property
    def quartile_label(self) -> str:
        return quartile_label(self.quartile, rank=self.rank)

    def as_dict(self) -> dict:
        return {
            "framework": self.framework.code,
            "year": self.year,
            "authority": self.authority.dfe_code,
            "authority_name": self.authority.name,
            "score_areas": [a.code for a in self.areas],
            "as_of": self.as_of.isoformat(),
            "group": self.group,
            "score": self.score,
            "rank": self.rank,
            "compared": self.compared,
            "higher": self.higher,
            "quartile": self.quartile,
            "quartile_reason": self.quartile_reason,
            "authorities": [a.dfe_code for a, _, _ in self.table],
            "scores": {a.dfe_code: s for a, s, _ in self.table},
        }


def group_members(*, authority: Authority, group: str, candidates: list[Authority]) -> list[Authority]:
    if group == "all":
        return candidates
    if group == "region":
        return [a for a in candidates if a.region == authority.region]
    if group == "type":
        return [a for a in candidates if a.dfe_type == authority.dfe_type]
    if group == "neighbours":
        codes = {n.neighbour_id for n in neighbours_of(authority=authority)} | {authority.pk}
        return [a for a in candidates if a.pk in codes]
    raise ApaError(Problem(f"unknown group {group!r}; use one of {', '.join(GROUPS)}"))


def authorities_compared(
    *, framework: Framework, authority: Authority, score: str | None = None, year: int | None = None,
    as_of: date | None = None, group: str = "all",
) -> Comparison:
    """Rank and quartile of an authority's score among the authorities published so far (docs/comparisons.md)."""
    return authority_comparisons(framework=framework, authority=authority, score=score, year=year, as_of=as_of,
                                 groups=(group,))[group]


def authority_comparisons(
    *, framework: Framework, authority: Authority, score: str | None = None, year: int | None = None,
    as_of: date | None = None, groups: tuple[str, ...] = GROUPS,
) -> dict[str, Comparison]:
    """`authorities_compared` for several groups at once, reading the published results once."""
    as_of = as_of or timezone.localdate()
    areas = score_areas(framework=framework, score=score)
    if framework.yearly and year is None:
        year = latest_year(framework=framework, as_of=as_of)
    if not framework.yearly and year is not None:
        raise ApaError(Problem(f"framework {framework.code} has no years; leave the year out"))
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ApaError(Problem(f"unknown group {unknown[0]!r}; use one of {', '.join(GROUPS)}"))
    scored = latest_scores(framework=framework, year=year, as_of=as_of, areas=areas)
    comparisons = {}
    for group in groups:
        comparison = Comparison(framework=framework, year=year, authority=authority, areas=areas, as_of=as_of,
                                group=group)
        members = group_members(authority=authority, group=group, candidates=list(scored))
        scores = [scored[a] for a in members]
        comparison.compared = len(members)
        comparison.table = sorted(
            ((a, scored[a], competition_rank(scored[a], scores)) for a in members), key=lambda t: (t[2], t[0].name)
        )
        comparison.distribution = dict(sorted(Counter(scores).items(), reverse=True))
        if authority in scored and authority in members:
            comparison.score = scored[authority]
            comparison.rank = competition_rank(comparison.score, scores)
            comparison.higher = comparison.rank - 1
            comparison.quartile = quartile_of(comparison.rank, comparison.compared)
        comparisons[group] = comparison
    return comparisons


def area_lineages() -> dict[int, set[int]]:
    """For every area, itself and every earlier area it continues, across frameworks (one query)."""
    continues = dict(Area.objects.values_list("pk", "continues_id"))
    lineages = {}
    for pk in continues:
        chain, area = set(), pk
        while area is not None and area not in chain:
            chain.add(area)
            area = continues.get(area)
        lineages[pk] = chain
    return lineages


@dataclass
class AreaChange:
    area: Area
    grade: int
    previous_grade: int | None
    previous_result: object | None

    @property
    def direction(self) -> str:
        if self.previous_grade is None:
            return "no earlier grade"
        if self.grade > self.previous_grade:
            return "better"
        if self.grade < self.previous_grade:
            return "worse"
        return "same"


def result_changes(*, result, history: list | None = None, lineages: dict | None = None) -> list[AreaChange]:
    """Same as, better or worse than the authority's previous grade for each area, across frameworks where
    areas continue. `history` is the authority's visible results and `lineages` area_lineages(), if already
    fetched (a page of many results reads each once)."""
    if history is None:
        history = list(_with_grades(results_visible().filter(authority=result.authority)))
    earlier = sorted(
        (r for r in history if r.pk != result.pk and _sort_key(r) < _sort_key(result)), key=_sort_key, reverse=True
    )
    lineages = area_lineages() if lineages is None else lineages
    changes = []
    for grade in result.grades.all():
        lineage = lineages[grade.area_id]
        previous = None
        for other in earlier:
            match = next((g for g in other.grades.all() if g.area_id in lineage), None)
            if match:
                previous = (match.grade, other)
                break
        changes.append(AreaChange(grade.area, grade.grade, previous[0] if previous else None,
                                  previous[1] if previous else None))
    return changes


def _sort_key(result) -> tuple:
    return (result.year or result.counts_from.year, result.counts_from, result.key)


def authority_results(*, authority: Authority) -> list:
    """Every visible result of the authority, newest first."""
    return sorted(_with_grades(results_visible().filter(authority=authority)).prefetch_related("framework__grades"),
                  key=_sort_key, reverse=True)


# The groups an authority's page compares it with, and their headings (the region's is its name).
AUTHORITY_PAGE_GROUPS = {"all": "All authorities", "region": None, "neighbours": "Statistical neighbours"}


def authority_record(*, authority: Authority) -> dict:
    """An authority's page: every visible result, newest first, with its change since the previous one
    (`entries`), and the latest result of each framework compared with all authorities, the region and the
    statistical neighbours (`comparisons`)."""
    results = authority_results(authority=authority)
    lineages = area_lineages()
    entries = [{"result": r, "changes": result_changes(result=r, history=results, lineages=lineages)}
               for r in results]
    labels = {group: label or authority.region for group, label in AUTHORITY_PAGE_GROUPS.items()}
    comparisons, seen = [], set()
    for result in results:
        if result.framework_id in seen:
            continue
        seen.add(result.framework_id)
        compared = authority_comparisons(framework=result.framework, authority=authority, year=result.year,
                                         groups=tuple(labels))
        comparisons.append({"framework": result.framework, "year": result.year,
                            "rows": [(label, group, compared[group]) for group, label in labels.items()]})
    return {"entries": entries, "comparisons": comparisons}


def national_table(*, framework: Framework, year: int | None, as_of: date, sort: str = "", at=None) -> dict:
    """Authorities × areas for a framework (and year) as of a date, with the grade distribution per area."""
    latest = latest_results(framework=framework, year=year, as_of=as_of, at=at)
    areas = list(framework.areas.all())
    rows = []
    for result in latest.values():
        grades = {g.area_id: g.grade for g in result.grades.all()}
        rows.append({"authority": result.authority, "result": result, "grades": [grades.get(a.pk) for a in areas]})
    if sort and sort.lstrip("-") in {a.code for a in areas}:
        index = [a.code for a in areas].index(sort.lstrip("-"))
        descending = not sort.startswith("-")
        present = [r for r in rows if r["grades"][index] is not None]
        missing = [r for r in rows if r["grades"][index] is None]
        present.sort(key=lambda r: (-r["grades"][index] if descending else r["grades"][index], r["authority"].name))
        rows = present + sorted(missing, key=lambda r: r["authority"].name)
    elif sort in {"published", "-published"}:
        rows.sort(key=lambda r: (r["result"].counts_from, r["authority"].name), reverse=sort.startswith("-"))
    else:
        rows.sort(key=lambda r: r["authority"].name, reverse=sort == "-name")
    distribution = []
    for i, area in enumerate(areas):
        counts = Counter(r["grades"][i] for r in rows if r["grades"][i] is not None)
        distribution.append({"area": area, "counts": [counts.get(g.value, 0) for g in framework.grades.all()],
                             "total": sum(counts.values())})
    return {"areas": areas, "rows": rows, "distribution": distribution}


def results_years(*, framework: Framework) -> list[int]:
    return sorted(set(results_visible().filter(framework=framework, year__isnull=False).values_list("year", flat=True)))


def published_letter(*, authority, framework_code: str, key: str, version: int | None = None, at=None):
    """A public letter's version, through the one visibility rule: the current one, or version N at its
    permalink; NotFound otherwise. Imported results have a (grades-only) letter too."""
    qs = (versions_visible(at=at) if version else results_visible(at=at)).filter(
        authority=authority, framework__code=framework_code, key=key)
    if version:
        qs = qs.filter(version=version)
    result = qs.select_related("framework", "authority").first()
    if result is None:
        raise NotFound(Problem("no published letter"))
    return result


def successor_of(*, result, at=None):
    """The public version that superseded this one, if any."""
    return versions_visible(at=at).filter(previous=result).first()


def result_for_correction(*, pk: int):
    """The current version of a result (public or under embargo), for a moderator's correction; NotFound."""
    result = Result.objects.filter(pk=pk, is_current=True).select_related("framework", "authority").first()
    if result is None:
        raise NotFound(Problem("no such current result"))
    return result


def corrections_pending(*, result):
    return result.corrections_proposed.filter(agreed_by__isnull=True, withdrawn=False).select_related("proposed_by")
