"""The tables of a results release, each read as the published record stood at the release's moment.

Published results are read only through apa.publication (selectors.versions_at and jars_visible, and the
national release, JAR and CPA modules, each given the moment `at`); decisions through apa.councils.selectors.
Every table is sorted by its primary key, so the same moment always gives the same rows in the same order."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from apa.authorities.models import DFE_TYPES, REGIONS
from apa.authorities.selectors import authority_list
from apa.councils.selectors import decisions_published
from apa.frameworks.models import AreaKind
from apa.frameworks.selectors import framework_list
from apa.publication.cpa import cpa_disagreements, cpa_feed
from apa.publication.jar import jar_outcome
from apa.publication.models import DateBasis, GradeSource, ResultGrade
from apa.publication.release import national_release
from apa.publication.selectors import jars_visible, versions_at

from .package import MIT, OGL, Field, Table

LATEST = "latest"  # the period of a framework without years: each authority's latest inspection
COUNCIL_LICENCE = {"name": "other-at", "title": "Published by each council as its public record; "
                                                "reuse with attribution to the council"}

RESULT_SOURCES = [
    {"title": "Ofsted official statistics: local authority inspection outcomes (ILACS), 2018 to 2025"},
    {"title": "Annual performance assessment (2005 to 2008) and annual rating (2009, 2011) grades transcribed "
              "from published news and council pages; each grade names its page in grade_sources"},
    {"title": "Council papers: Kent cabinet, 17 December 2007; Stockton-on-Tees cabinet record, 20 December "
              "2007; Southwark scrutiny, 5 December 2006"},
    {"title": "Letters published by APA's assessment cycles"},
]
FRAMEWORK_SOURCES = [{"title": "APA's framework files (apa/frameworks/data), from each framework's published "
                               "guidance"}]
AUTHORITY_SOURCES = [
    {"title": "DfE Local Authority Interactive Tool: local authority codes, names, regions and types",
     "path": "https://github.com/dfe-analytical-services/local-authority-interactive-tool"},
    {"title": "mySociety: UK local authority names and codes (ONS codes, dates)",
     "path": "https://github.com/mysociety/uk_local_authority_names_and_codes"},
    {"title": "JT-39: Ofsted ILACS scrape tool (current ONS codes, other names)",
     "path": "https://github.com/JT-39/ofsted-ilacs-scrape-tool"},
]
RESULT_KEY = ["dfe_code", "framework", "key", "version"]


def _f(name, kind, description, **options) -> Field:
    return Field(name=name, type=kind, description=description, **options)


DFE_CODE = _f("dfe_code", "string", "The authority's three-digit DfE code (authorities.csv).", required=True)
FRAMEWORK = _f("framework", "string", "The framework's code (frameworks.csv).", required=True)
KEY = _f("key", "string", "What identifies the result within authority and framework: its year, or for "
         "frameworks without years the inspection's date (YYYY-MM-DD).", required=True)
VERSION = _f("version", "integer", "The result's version: 1 as first published, one more for each published "
             "correction.", required=True, minimum=1)


def _grades_enum(frameworks) -> tuple[tuple, tuple]:
    values = sorted({g.value for f in frameworks for g in f.grades.all()})
    labels = sorted({g.label for f in frameworks for g in f.grades.all()})
    return tuple(values), tuple(labels)


def _period(result_or_year) -> str:
    return LATEST if result_or_year is None else str(result_or_year)


# ---- reference data ------------------------------------------------------------------------------------------


def frameworks_table(frameworks) -> Table:
    rows = sorted((f.code, f.title, f.yearly, f.first_year, f.last_year, f.default_score) for f in frameworks)
    return Table(
        name="frameworks", title="Frameworks",
        description="The assessment frameworks under which results were published.",
        fields=[_f("framework", "string", "The framework's code.", required=True),
                _f("title", "string", "The framework's title."),
                _f("yearly", "boolean", "true: one result per authority per year; false: one per inspection."),
                _f("first_year", "integer", "The first year of the framework."),
                _f("last_year", "integer", "The last year of the framework; empty while it continues."),
                _f("default_score", "string", "The areas whose grades are summed when authorities are compared "
                   "(comparisons.csv), joined by '+'.")],
        primary_key=["framework"], rows=rows, sources=FRAMEWORK_SOURCES)


def areas_table(frameworks) -> Table:
    rows = []
    for f in frameworks:
        for a in f.areas.all():
            rows.append((f.code, a.code, a.title, a.short_title, a.kind, a.display_order,
                         a.continues.framework.code if a.continues_id else None,
                         a.continues.code if a.continues_id else None))
    return Table(
        name="areas", title="Judgement areas",
        description="The areas each framework grades, in the order its letters show them.",
        fields=[FRAMEWORK, _f("area", "string", "The area's code within its framework.", required=True),
                _f("title", "string", "The area's title."), _f("short_title", "string", "A short title."),
                _f("kind", "string", "outcome, contribution (of a service), overall (effectiveness) or capacity "
                   "(to improve).", enum=tuple(AreaKind.values)),
                _f("display_order", "integer", "Its place in the framework's letters and tables."),
                _f("continues_framework", "string", "The earlier framework of the area this one continues, for "
                   "'same, better or worse than last time'; empty if none."),
                _f("continues_area", "string", "The area this one continues; empty if none.")],
        primary_key=["framework", "area"], rows=sorted(rows, key=lambda r: (r[0], r[1])),
        foreign_keys=[(["framework"], "frameworks", ["framework"]),
                      (["continues_framework", "continues_area"], "areas", ["framework", "area"])],
        sources=FRAMEWORK_SOURCES)


def grade_levels_table(frameworks) -> Table:
    rows = sorted(((f.code, g.value, g.label, g.descriptor) for f in frameworks for g in f.grades.all()),
                  key=lambda r: (r[0], r[1]))
    values, labels = _grades_enum(frameworks)
    return Table(
        name="grade_levels", title="Grade scales",
        description="Each framework's grades: the number (higher is better) and the label its letters use.",
        fields=[FRAMEWORK, _f("grade", "integer", "The grade; higher is better.", required=True, enum=values),
                _f("label", "string", "The grade's label.", enum=labels),
                _f("descriptor", "string", "What the grade means, where the framework says.")],
        primary_key=["framework", "grade"], rows=rows, foreign_keys=[(["framework"], "frameworks", ["framework"])],
        sources=FRAMEWORK_SOURCES)


def authorities_table() -> Table:
    rows = sorted((a.dfe_code, a.name, a.region, a.london_area or None, a.dfe_type or None,
                   a.type_label if a.dfe_type else None, a.start_date, a.end_date, a.current_ons_code or None)
                  for a in authority_list())
    return Table(
        name="authorities", title="Local authorities",
        description="Local authorities with children's services responsibilities, past and present, by DfE code.",
        fields=[_f("dfe_code", "string", "The authority's three-digit DfE code.", required=True),
                _f("name", "string", "The authority's name."),
                _f("region", "string", "Its region of England.", enum=tuple(REGIONS)),
                _f("london_area", "string", "Inner London or Outer London, for London boroughs.",
                   enum=("Inner London", "Outer London")),
                _f("dfe_type", "string", "DfE's type code: " + "; ".join(f"{k} {v}" for k, v in DFE_TYPES.items())
                   + ".", enum=tuple(DFE_TYPES)),
                _f("type", "string", "The type in words.", enum=tuple(DFE_TYPES.values())),
                _f("start_date", "date", "The day it began, if after the data begin."),
                _f("end_date", "date", "The day it ended (reorganised); empty while it continues."),
                _f("ons_code", "string", "Its current ONS code.")],
        primary_key=["dfe_code"], rows=rows, licenses=[OGL, MIT], sources=AUTHORITY_SOURCES)


# ---- published results ----------------------------------------------------------------------------------------


def _versions(at) -> list:
    grades = ResultGrade.objects.select_related("area").prefetch_related(
        Prefetch("sources", queryset=GradeSource.objects.order_by("pk")))
    return list(versions_at(at=at).select_related("authority", "framework").prefetch_related(
        Prefetch("grades", queryset=grades)))


def _ident(v) -> tuple:
    return (v.authority.dfe_code, v.framework.code, v.key, v.version)


def results_tables(versions, frameworks) -> list[Table]:
    superseded = {v.previous_id for v in versions if v.previous_id}
    values, labels = _grades_enum(frameworks)
    scales = {f.pk: {g.value: g.label for g in f.grades.all()} for f in frameworks}
    results, grades, sources, letters = [], [], [], []
    for v in versions:
        ident = _ident(v)
        letter_url = reverse("letter_version", args=[*ident]) if v.letter else None
        results.append((*ident, v.authority.name, v.year, v.inspection_date, v.inspection_type or None,
                        v.publication_date, v.publication_basis, v.counts_from, v.pk in superseded,
                        v.correction_note or None, letter_url))
        for g in v.grades.all():
            grades.append((*ident, g.area.code, g.grade, scales[v.framework_id].get(g.grade)))
            for s in g.sources.all():
                sources.append((*ident, g.area.code, s.source, s.note or None))
        if v.letter:
            letter = v.letter
            letters.append((*ident, v.label, v.publication_date, v.pk in superseded, letter_url,
                            reverse("letter_version_pdf", args=[*ident]), letter.get("strengths"),
                            letter.get("developments"), letter.get("focus"), letter.get("ratio")))
    result_ref = (RESULT_KEY, "results", RESULT_KEY)
    area_ref = (["framework", "area"], "areas", ["framework", "area"])
    return [
        Table(
            name="results", title="Published results, every version",
            description="Every version of every published result, as public at the release's moment: the "
                        "current version and each earlier one that a published correction superseded (a version "
                        "corrected before it was public never was). Grades are in result_grades.csv.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION,
                    _f("authority", "string", "The authority's name."),
                    _f("year", "integer", "The result's year, for frameworks with years."),
                    _f("inspection_date", "date", "The inspection's date, where known."),
                    _f("inspection_type", "string", "The kind of inspection, as Ofsted names it."),
                    _f("publication_date", "date", "The day the result was published, where known."),
                    _f("publication_date_basis", "string", "; ".join(f"{c.value}: {c.label}" for c in DateBasis)
                       + ".", enum=tuple(DateBasis.values)),
                    _f("counts_from", "date", "The day from which comparisons count the result: its publication "
                       "date, or 31 December of its year when that is not known."),
                    _f("superseded", "boolean", "true when a published correction replaced this version."),
                    _f("correction_note", "string", "Why this version corrected the one before.", free_text=True),
                    _f("letter_url", "string", "The permalink of this version's letter (a path on this site); "
                       "empty for imported results, which have none.")],
            primary_key=RESULT_KEY, rows=sorted(results, key=lambda r: r[:4]),
            foreign_keys=[(["dfe_code"], "authorities", ["dfe_code"]), (["framework"], "frameworks", ["framework"])],
            sources=RESULT_SOURCES),
        Table(
            name="result_grades", title="Grades of published results",
            description="The grade of each area of each result version.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION, _f("area", "string", "The area (areas.csv).", required=True),
                    _f("grade", "integer", "The grade; higher is better (grade_levels.csv).", required=True,
                       enum=values),
                    _f("grade_label", "string", "The grade's label in its framework.", enum=labels)],
            primary_key=[*RESULT_KEY, "area"], rows=sorted(grades, key=lambda r: r[:5]),
            foreign_keys=[result_ref, area_ref,
                          (["framework", "grade"], "grade_levels", ["framework", "grade"])],
            sources=RESULT_SOURCES),
        Table(
            name="grade_sources", title="Where each grade was found",
            description="Each published place a grade was found: Ofsted's statistics, a council paper, a news or "
                        "council page, or APA's own letter. A grade found in two places has two rows.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION, _f("area", "string", "The area.", required=True),
                    _f("source", "string", "Where the grade was published.", required=True, free_text=True),
                    _f("note", "string", "What the source says, where it needs saying.", free_text=True)],
            primary_key=[*RESULT_KEY, "area", "source"], rows=sorted(sources, key=lambda r: r[:6]),
            foreign_keys=[([*RESULT_KEY, "area"], "result_grades", [*RESULT_KEY, "area"])],
            sources=RESULT_SOURCES),
        Table(
            name="letters", title="Published letters",
            description="Every published letter, one row per version, with its permalink. Letters come from "
                        "APA's assessment cycles; imported results have none.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION, _f("title", "string", "What the letter is of."),
                    _f("publication_date", "date", "The day this version was published."),
                    _f("superseded", "boolean", "true when a published correction replaced this version."),
                    _f("url", "string", "The letter's permalink (a path on this site).", required=True),
                    _f("pdf_url", "string", "The letter as PDF (a path on this site).", required=True),
                    _f("strengths", "integer", "How many strengths it names.", minimum=0),
                    _f("areas_for_development", "integer", "How many areas for development.", minimum=0),
                    _f("areas_for_focus", "integer", "How many areas for focus.", minimum=0),
                    _f("ratio", "number", "Strengths per area for development; empty when there is none.")],
            primary_key=RESULT_KEY, rows=sorted(letters, key=lambda r: r[:4]), foreign_keys=[result_ref],
            sources=[RESULT_SOURCES[3]]),
    ]


def _periods(framework, versions) -> list[int | None]:
    if not framework.yearly:
        return [None]
    return sorted({v.year for v in versions if v.framework_id == framework.pk and v.year is not None})


PERIOD = _f("period", "string", "The year, or 'latest' for a framework without years (each authority's latest "
            "inspection).", required=True)
AS_OF = _f("as_of", "date", "Results published on or before this day are counted: the release's date.")


def national_tables(frameworks, versions, *, at) -> list[Table]:
    """The national release of each framework and year (apa.publication.release.national_release) as the
    record stood at the release's moment: the same figures as /results/<framework>/<year>/ showed then."""
    as_of = timezone.localdate(at)
    values, labels = _grades_enum(frameworks)
    summary, publications, distribution, comparisons, changes, authority_changes = [], [], [], [], [], []
    for framework in frameworks:
        for year in _periods(framework, versions):
            release = national_release(framework=framework, year=year, as_of=as_of, at=at)
            period = _period(year)
            days = release.publications
            summary.append((framework.code, period, as_of, release.published,
                            days[0].day if days else None, days[-1].day if days else None, release.still_to_come,
                            "+".join(a.code for a in release.score_areas), release.compared))
            for day in days:
                publications.append((framework.code, period, day.day, day.basis, day.published, day.cumulative))
            groups = [("all", "England", release.distribution)]
            groups += [("region", g.key, g.distribution) for g in release.regions]
            groups += [("type", g.key or "not recorded", g.distribution) for g in release.types]
            for group, name, items in groups:
                for item in items:
                    for grade, count in zip(release.grades, item["counts"], strict=True):
                        distribution.append((framework.code, period, group, name, item["area"].code, grade.value,
                                             grade.label, count, item["total"]))
            results = {r["authority"].pk: r["result"] for r in release.table["rows"]}
            for r in release.ranking:
                result = results[r.authority.pk]
                comparisons.append((framework.code, period, r.authority.dfe_code, as_of, result.key, result.version,
                                    "+".join(a.code for a in release.score_areas), r.score, r.rank, r.compared,
                                    r.higher, r.quartile))
            for c in release.changes:
                for direction, count in c["counts"].items():
                    changes.append((framework.code, period, c["area"].code, direction, count))
            for authority, c in release.authority_changes:
                earlier = c.previous_result
                authority_changes.append((framework.code, period, authority.dfe_code, c.area.code, c.grade,
                                          c.previous_grade, earlier.framework.code if earlier else None,
                                          earlier.key if earlier else None, c.direction))
    area_ref = (["framework", "area"], "areas", ["framework", "area"])
    directions = ("better", "same", "worse", "no earlier grade")
    return [
        Table(
            name="national_summary", title="National releases in figures",
            description="For each framework and year: how many results were published by the release's moment, "
                        "when, and how many the year's cycle still has to publish (one count, never which).",
            fields=[FRAMEWORK, PERIOD, AS_OF,
                    _f("published", "integer", "How many authorities' results were published.", minimum=0),
                    _f("first_published", "date", "The first day a result counts from."),
                    _f("last_published", "date", "The last day a result counts from."),
                    _f("still_to_come", "integer", "How many of the authorities the year's cycle assesses are not "
                       "published yet; empty when not known (imported results: nobody knows how many were "
                       "expected).", minimum=0),
                    _f("score_areas", "string", "The framework's usual score: the areas summed, joined by '+'."),
                    _f("compared", "integer", "How many authorities have a grade in every area of the score.",
                       minimum=0)],
            primary_key=["framework", "period"], rows=sorted(summary, key=lambda r: r[:2]),
            foreign_keys=[(["framework"], "frameworks", ["framework"])], sources=RESULT_SOURCES),
        Table(
            name="national_publications", title="When results were published",
            description="For each framework and year, how many results count from each day, and the running total.",
            fields=[FRAMEWORK, PERIOD, _f("date", "date", "The day the results count from.", required=True),
                    _f("date_basis", "string", "; ".join(f"{c.value}: {c.label}" for c in DateBasis) + ".",
                       required=True, enum=tuple(DateBasis.values)),
                    _f("published", "integer", "How many results count from that day.", minimum=0),
                    _f("cumulative", "integer", "How many count from that day or earlier.", minimum=0)],
            primary_key=["framework", "period", "date", "date_basis"], rows=sorted(publications, key=lambda r: r[:4]),
            foreign_keys=[(["framework", "period"], "national_summary", ["framework", "period"])],
            sources=RESULT_SOURCES),
        Table(
            name="national_distribution", title="Grades by area: nationally, by region and by type",
            description="For each framework and year, how many authorities had each grade in each area, among "
                        "those published by the release's moment: in England, in each region and among each "
                        "type of authority (only groups with a published result).",
            fields=[FRAMEWORK, PERIOD,
                    _f("group", "string", "all (England), region or type.", required=True,
                       enum=("all", "region", "type")),
                    _f("group_name", "string", "England, the region, or the DfE type code (authorities.csv).",
                       required=True),
                    _f("area", "string", "The area.", required=True),
                    _f("grade", "integer", "The grade.", required=True, enum=values),
                    _f("grade_label", "string", "The grade's label.", enum=labels),
                    _f("authorities", "integer", "How many had this grade in this area.", minimum=0),
                    _f("graded", "integer", "How many had any grade in this area.", minimum=0)],
            primary_key=["framework", "period", "group", "group_name", "area", "grade"],
            rows=sorted(distribution, key=lambda r: r[:6]),
            foreign_keys=[area_ref, (["framework", "grade"], "grade_levels", ["framework", "grade"])],
            sources=RESULT_SOURCES),
        Table(
            name="comparisons", title="Rank and quartile on each framework's usual score",
            description="For each framework and year, each authority published by the release's moment with its "
                        "score on the framework's usual score (the sum of its default_score areas) and its rank "
                        "among all authorities in England: competition ranking (ties share the best rank), "
                        "'higher' authorities scoring more highly, quartile 1 the top. No quartile is given when "
                        "fewer than four are compared, and an authority without a grade in every area of the "
                        "score is not ranked. The method is docs/comparisons.md.",
            fields=[FRAMEWORK, PERIOD, DFE_CODE, AS_OF,
                    _f("key", "string", "The result compared (results.csv).", required=True),
                    _f("version", "integer", "The version of the result compared.", required=True, minimum=1),
                    _f("score_areas", "string", "The areas summed, joined by '+'."),
                    _f("score", "integer", "The authority's score; empty when a grade of the score is missing."),
                    _f("rank", "integer", "1 + the number that scored more highly; empty when not ranked.",
                       minimum=1),
                    _f("compared", "integer", "How many authorities have a score.", minimum=0),
                    _f("higher", "integer", "How many scored more highly.", minimum=0),
                    _f("quartile", "integer", "1 (top) to 4; empty when fewer than four are compared, or when "
                       "not ranked.", enum=(1, 2, 3, 4))],
            primary_key=["framework", "period", "dfe_code"], rows=sorted(comparisons, key=lambda r: r[:3]),
            foreign_keys=[(RESULT_KEY, "results", RESULT_KEY),
                          (["framework", "period"], "national_summary", ["framework", "period"])],
            sources=RESULT_SOURCES),
        Table(
            name="national_changes", title="Change since the previous result, by area",
            description="For each framework and year, how many authorities' grades in each area were better, the "
                        "same or worse than their previous grade in that area (across frameworks where areas "
                        "continue, areas.csv), or had no earlier grade.",
            fields=[FRAMEWORK, PERIOD, _f("area", "string", "The area.", required=True),
                    _f("direction", "string", "better, same, worse or 'no earlier grade'.", required=True,
                       enum=directions),
                    _f("authorities", "integer", "How many.", minimum=0)],
            primary_key=["framework", "period", "area", "direction"], rows=sorted(changes, key=lambda r: r[:4]),
            foreign_keys=[area_ref], sources=RESULT_SOURCES),
        Table(
            name="authority_changes", title="Change since the previous result, by authority and area",
            description="Each authority's grade in each area against its previous grade in that area.",
            fields=[FRAMEWORK, PERIOD, DFE_CODE, _f("area", "string", "The area.", required=True),
                    _f("grade", "integer", "The grade.", enum=values),
                    _f("previous_grade", "integer", "The previous grade; empty when there is none.", enum=values),
                    _f("previous_framework", "string", "The framework of the previous result."),
                    _f("previous_key", "string", "The previous result's key (results.csv)."),
                    _f("direction", "string", "better, same, worse or 'no earlier grade'.", enum=directions)],
            primary_key=["framework", "period", "dfe_code", "area"],
            rows=sorted(authority_changes, key=lambda r: r[:4]),
            foreign_keys=[area_ref, (["dfe_code"], "authorities", ["dfe_code"])], sources=RESULT_SOURCES),
    ]


# ---- Joint Area Reviews and the CPA feed ----------------------------------------------------------------------


def jar_tables(frameworks, *, at) -> list[Table]:
    values, labels = _grades_enum(frameworks)
    reviews, grades = [], []
    for review in jars_visible(at=at).select_related("result__authority", "result__framework"):
        ident = _ident(review.result)
        reviews.append((*ident, review.fieldwork_from, review.fieldwork_to, review.publication_date,
                        review.note or None))
        for row in jar_outcome(review=review):
            grades.append((*ident, row.code, row.title, row.grade, row.label or None))
    key = (RESULT_KEY, "joint_area_reviews", RESULT_KEY)
    return [
        Table(
            name="joint_area_reviews", title="Joint Area Reviews",
            description="Each published Joint Area Review, recorded against the result version whose risk "
                        "assessment it drew on; public from its publication date.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION,
                    _f("fieldwork_from", "date", "The first day of fieldwork."),
                    _f("fieldwork_to", "date", "The last day of fieldwork."),
                    _f("publication_date", "date", "The day it was published."),
                    _f("note", "string", "What the moderator recorded with the outcome.", free_text=True)],
            primary_key=RESULT_KEY, rows=sorted(reviews, key=lambda r: r[:4]),
            foreign_keys=[(RESULT_KEY, "results", RESULT_KEY)], sources=RESULT_SOURCES),
        Table(
            name="joint_area_review_grades", title="Joint Area Review outcomes",
            description="Each published Joint Area Review's grade for each of its core areas.",
            fields=[DFE_CODE, FRAMEWORK, KEY, VERSION,
                    _f("core_area", "string", "The JAR core area's code (the framework file's [jar] table).",
                       required=True),
                    _f("core_area_title", "string", "Its title."),
                    _f("grade", "integer", "The grade on the framework's scale.", enum=values),
                    _f("grade_label", "string", "The grade's label.", enum=labels)],
            primary_key=[*RESULT_KEY, "core_area"], rows=sorted(grades, key=lambda r: r[:5]),
            foreign_keys=[key], sources=RESULT_SOURCES),
    ]


CPA_LICENCE = {"name": "other-at", "title": "APA's published grades (Open Government Licence v3.0) and CPA scores "
                                            "as printed by the Guardian and BBC News (facts; attribution given in "
                                            "each row's source)"}


def cpa_tables(*, at) -> list[Table]:
    feed = [(r["cpa_year"], r["dfe_code"], r["authority"], r["children_and_young_people"], r["apa_framework"] or None,
             r["apa_result_version"], r["source"] or None) for r in cpa_feed(at=at)]
    disagreements = [(r["cpa_year"], r["dfe_code"], r["authority"], r["apa_grade"], r["cpa_score"],
                      r["apa_framework"], r["apa_result_version"], r["apa_source"] or None, r["cpa_council"],
                      r["cpa_source"] or None) for r in cpa_disagreements(at=at)]
    year = _f("cpa_year", "integer", "The CPA year.", required=True)
    score = dict(enum=(1, 2, 3, 4))
    return [
        Table(
            name="cpa_feed", title="CPA feed: children and young people block scores",
            description="For each authority and CPA year, the Comprehensive Performance Assessment's children and "
                        "young people block score, which is that year's published APA overall grade (area "
                        "overall_contribution in 2006, overall_effectiveness in 2007 and 2008, overall in 2005); "
                        "where APA has no public result, the score as printed in a published CPA table.",
            fields=[year, DFE_CODE, _f("authority", "string", "The authority's name."),
                    _f("children_and_young_people", "integer", "The block score, 1 to 4.", **score),
                    _f("apa_framework", "string", "The APA framework of that year."),
                    _f("apa_result_version", "integer", "The APA result version the score is read from; empty "
                       "when it comes from a printed CPA table.", minimum=1),
                    _f("source", "string", "Where the score was published, '; ' between sources.", free_text=True)],
            primary_key=["cpa_year", "dfe_code"], rows=sorted(feed, key=lambda r: r[:2]),
            foreign_keys=[(["dfe_code"], "authorities", ["dfe_code"])], licenses=[CPA_LICENCE],
            sources=[*RESULT_SOURCES[:2], {"title": "Partial CPA tables printed by the Guardian (2006, 2007) and "
                                                    "BBC News (2008)"}]),
        Table(
            name="cpa_disagreements", title="Where a printed CPA score and APA's result differ",
            description="Every authority and year where a published CPA table printed a different children and "
                        "young people score from APA's own published overall grade.",
            fields=[year, DFE_CODE, _f("authority", "string", "The authority's name."),
                    _f("apa_grade", "integer", "APA's published overall grade.", **score),
                    _f("cpa_score", "integer", "The score as printed.", **score),
                    _f("apa_framework", "string", "The APA framework."),
                    _f("apa_result_version", "integer", "The APA result version.", minimum=1),
                    _f("apa_source", "string", "Where APA's grade was published.", free_text=True),
                    _f("cpa_council", "string", "The council as the printed table names it.", free_text=True),
                    _f("cpa_source", "string", "The printed table.", free_text=True)],
            primary_key=["cpa_year", "dfe_code"], rows=sorted(disagreements, key=lambda r: r[:2]),
            foreign_keys=[(["dfe_code"], "authorities", ["dfe_code"])], licenses=[CPA_LICENCE]),
    ]


# ---- the council side ----------------------------------------------------------------------------------------


def decisions_table(*, at) -> Table:
    """Published decision records (the public ones: not exempt), as published by the release's moment."""
    rows = sorted((d.pk, d.authority.dfe_code, d.title, d.decision, d.reasons or None, d.key_decision, d.urgent,
                   d.decision_date, d.publication_date, d.callin_deadline, d.effective_from)
                  for d in decisions_published(at=at))
    return Table(
        name="decisions", title="Published council decisions",
        description="Each council's published decision records, as recorded by its democratic services (exempt "
                    "items are never included).",
        fields=[_f("decision_id", "integer", "APA's number for the decision record.", required=True),
                DFE_CODE,
                _f("title", "string", "The decision's title.", free_text=True),
                _f("decision", "string", "What was decided.", free_text=True),
                _f("reasons", "string", "The reasons for the decision.", free_text=True),
                _f("key_decision", "boolean", "true for a key decision."),
                _f("urgent", "boolean", "true for an urgent decision, exempt from call-in."),
                _f("decision_date", "date", "The day it was made."),
                _f("publication_date", "date", "The day it was published."),
                _f("callin_deadline", "datetime", "The end of the call-in period (UTC); empty when urgent."),
                _f("effective_from", "date", "The day it may be implemented.")],
        primary_key=["decision_id"], rows=rows, foreign_keys=[(["dfe_code"], "authorities", ["dfe_code"])],
        licenses=[COUNCIL_LICENCE], sources=[{"title": "Councils' published decision records"}])


def release_tables(*, at) -> list[Table]:
    frameworks = sorted(framework_list(), key=lambda f: f.code)
    versions = _versions(at)
    return [
        frameworks_table(frameworks), areas_table(frameworks), grade_levels_table(frameworks), authorities_table(),
        *results_tables(versions, frameworks), *national_tables(frameworks, versions, at=at),
        *jar_tables(frameworks, at=at), *cpa_tables(at=at), decisions_table(at=at),
    ]
