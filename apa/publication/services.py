"""Changes to the one store of published results: imports (all of a file or none of it) and corrections."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from apa.accounts.permissions import require
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, PermissionDenied, Problem
from apa.frameworks.models import Framework
from apa.frameworks.selectors import grade_value
from apa.tabular import parse_date, read_rows
from apa.uploads import RESULTS_FILE

from .models import DateBasis, GradeSource, Result, ResultCorrection, ResultGrade
from .selectors import result_visible
from .signals import result_corrected, results_published

DATA = Path(__file__).resolve().parent / "data"
# Published results shipped with APA and loaded by `apa init`, in this order.
SHIPPED_RESULTS = [
    "ofsted_ilacs_history_2018_2025.csv",
    "apa_and_rating_results.csv",
    "seed_papers_results.csv",
]

RESULTS_HEADER = ["authority", "framework", "year", "area", "grade", "inspection_date", "publication_date", "source", "note"]

# The official Ofsted layout of ILACS outcomes, taken as it is.
OFSTED_AREAS = {
    "Overall effectiveness": "overall_effectiveness",
    "The impact of leaders on social work practice with children and families": "impact_of_leaders",
    "The experiences and progress of children who need help and protection": "help_and_protection",
    "The experiences and progress of children in care": "children_in_care",
    "The experiences and progress of care leavers": "care_leavers",
}
OFSTED_SOURCE = "Ofsted official statistics: local authority inspection outcomes (ILACS), {name}"


@dataclass
class _Row:
    number: int
    authority: str
    framework: str
    year: str
    area: str
    grade: str
    inspection_date: str
    publication_date: str
    source: str
    note: str
    inspection_type: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field -> column name shown in problems


@dataclass
class ImportSummary:
    rows: int = 0
    results_created: int = 0
    grades_created: int = 0
    sources_added: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.results_created or self.grades_created or self.sources_added)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows: {self.results_created} results and {self.grades_created} grades added, "
            f"{self.sources_added} sources added to existing grades, {self.unchanged} unchanged"
        )


def _results_header_check(header: list[str]) -> None:
    """Either layout's columns, checked before any row is read."""
    if "Local authority area code" in header and "Overall effectiveness" in header:
        return
    missing = [h for h in RESULTS_HEADER if h not in header]
    if missing:
        raise ApaError(
            Problem(
                f"the header lacks {', '.join(missing)}; expected {','.join(RESULTS_HEADER)} "
                "or the Ofsted ILACS outcomes layout",
                row=1,
            )
        )


def _rows_from_file(path: Path) -> list[_Row]:
    header, raw_rows = read_rows(path, limits=RESULTS_FILE, header_check=_results_header_check)
    if "Local authority area code" in header and "Overall effectiveness" in header:
        return _ofsted_rows(path, raw_rows)
    return [_Row(number=n, **{k: r[k] for k in RESULTS_HEADER}) for n, r in raw_rows]


def _ofsted_rows(path: Path, raw_rows) -> list[_Row]:
    rows = []
    columns = {"authority": "Local authority area code", "inspection_date": "Inspection date",
               "publication_date": "Publication date"}
    for number, r in raw_rows:
        for column, area in OFSTED_AREAS.items():
            grade = r.get(column, "")
            if not grade:  # care leavers were not graded separately before 2023
                continue
            rows.append(
                _Row(
                    number=number,
                    authority=r["Local authority area code"] or r.get("Local authority name", ""),
                    framework="ilacs-2018",
                    year="",
                    area=area,
                    grade=grade,
                    inspection_date=r.get("Inspection date", ""),
                    publication_date=r.get("Publication date", ""),
                    source=OFSTED_SOURCE.format(name=path.name),
                    note="",
                    inspection_type=r.get("Inspection type", ""),
                    columns={**columns, "grade": column},
                )
            )
    return rows


@dataclass
class _Parsed:
    row: _Row
    authority: object
    framework: Framework
    year: int | None
    area: object
    grade: int
    inspection_date: date | None
    publication_date: date | None

    @property
    def key(self) -> str:
        if self.year is not None:
            return str(self.year)
        return (self.inspection_date or self.publication_date).isoformat()


def _parse(row: _Row, frameworks: dict[str, Framework], problems: list[Problem]) -> _Parsed | None:
    def fail(column: str, message: str):
        problems.append(Problem(message, row=row.number, column=row.columns.get(column, column)))

    before = len(problems)
    framework = frameworks.get(row.framework.strip())
    if framework is None:
        fail("framework", f"unknown framework {row.framework!r}; known: {', '.join(sorted(frameworks))}")
        return None
    year = None
    if framework.yearly:
        if not row.year.strip().isdigit():
            fail("year", f"framework {framework.code} needs a year (e.g. 2007); got {row.year!r}")
        else:
            year = int(row.year)
            if framework.first_year and year < framework.first_year:
                fail("year", f"{year} is before framework {framework.code} began ({framework.first_year})")
    elif row.year.strip():
        fail("year", f"framework {framework.code} has no years; leave year empty")
    dates = {}
    for name in ("inspection_date", "publication_date"):
        text = getattr(row, name)
        dates[name] = None
        if text:
            try:
                dates[name] = parse_date(text)
            except ValueError as exc:
                fail(name, str(exc))
    # A date that was given but is not a date is already a problem; say only what is missing.
    if not framework.yearly and not (row.inspection_date.strip() or row.publication_date.strip()):
        fail("inspection_date", f"framework {framework.code} results need an inspection or publication date")
    area = next((a for a in framework.areas.all() if a.code == row.area.strip()), None)
    if area is None:
        fail("area", f"framework {framework.code} has no area {row.area!r}; its areas are "
             + ", ".join(a.code for a in framework.areas.all()))
    grade = None
    text = row.grade.strip()
    scale = {g.value: g for g in framework.grades.all()}
    if text.isdigit() and int(text) in scale:
        grade = int(text)
    else:
        grade = next((g.value for g in scale.values() if g.label.lower() == text.lower()), None)
    if grade is None:
        fail("grade", f"{text!r} is not a grade of {framework.code}; use "
             + " or ".join(f"{g.value} ({g.label})" for g in scale.values()))
    on = dates["publication_date"] or dates["inspection_date"] or (date(year, 7, 1) if year else None)
    authority = None
    try:
        authority = authority_resolve(text=row.authority, on=on)
    except ApaError as exc:
        for p in exc.problems:
            fail("authority", p.message)
    if len(problems) > before:
        return None
    return _Parsed(row, authority, framework, year, area, grade, dates["inspection_date"], dates["publication_date"])


def _national_date(framework: Framework, year: int | None) -> date | None:
    if year is None:
        return None
    for item in framework.national_publications.all():
        if item.year == year:
            return item.date
    return None


def results_import(*, path: Path | str, actor=None) -> ImportSummary:
    """Import a results file (APA layout or Ofsted's ILACS layout). Any bad row: nothing is stored, and
    every problem is reported with its row and column.

    `actor` is the account importing, which must hold publication.import_results. None means a system job
    with no person behind it (`apa init` loading the shipped results, a test's set-up); no command a person
    types passes None (`apa results import` needs --as)."""
    if actor is not None:
        require("publication.import_results", actor)
    path = Path(path)
    rows = _rows_from_file(path)
    frameworks = {f.code: f for f in Framework.objects.prefetch_related("areas", "grades", "national_publications")}
    problems: list[Problem] = []
    parsed = [p for p in (_parse(r, frameworks, problems) for r in rows) if p is not None]

    # One grade per (authority, framework, result, area): within the file and against the store.
    seen: dict[tuple, _Parsed] = {}
    for item in parsed:
        ident = (item.authority.pk, item.framework.pk, item.key, item.area.pk)
        first = seen.setdefault(ident, item)
        if first.grade != item.grade:
            problems.append(Problem(
                f"{item.authority.name} {item.framework.code} {item.key} {item.area.code}: grade {item.grade} "
                f"here but {first.grade} in row {first.row.number}", row=item.row.number,
                column=item.row.columns.get("grade", "grade")))
    existing = {
        (g.result.authority_id, g.result.framework_id, g.result.key, g.area_id): g
        for g in ResultGrade.objects.filter(result__is_current=True).select_related("result")
    }
    publication = {}
    stored_dates = {
        (r.authority_id, r.framework_id, r.key): r.publication_date
        for r in Result.objects.filter(is_current=True, publication_basis=DateBasis.GIVEN)
    }
    for item in parsed:
        ident = (item.authority.pk, item.framework.pk, item.key, item.area.pk)
        stored = existing.get(ident)
        if stored and stored.grade != item.grade:
            sources = "; ".join(stored.sources.values_list("source", flat=True)) or "no source"
            problems.append(Problem(
                f"{item.authority.name} {item.framework.code} {item.key} {item.area.code}: grade {item.grade} "
                f"here but {stored.grade} already published (source: {sources})", row=item.row.number,
                column=item.row.columns.get("grade", "grade")))
        if item.publication_date:
            result_ident = ident[:3]
            stored_date = stored_dates.get(result_ident)
            if stored_date and stored_date != item.publication_date:
                problems.append(Problem(
                    f"publication date {item.publication_date} differs from {stored_date}, already published "
                    "for the same result", row=item.row.number,
                    column=item.row.columns.get("publication_date", "publication_date")))
            other = publication.setdefault(result_ident, (item.publication_date, item.row.number))
            if other[0] != item.publication_date:
                problems.append(Problem(
                    f"publication date {item.publication_date} differs from {other[0]} in row {other[1]} "
                    "for the same result", row=item.row.number,
                    column=item.row.columns.get("publication_date", "publication_date")))
    if problems:
        raise ApaError(problems)

    summary = ImportSummary(rows=len(rows))
    with transaction.atomic():
        results = {
            (r.authority_id, r.framework_id, r.key): r for r in Result.objects.filter(is_current=True)
        }
        for item in parsed:
            result_ident = (item.authority.pk, item.framework.pk, item.key)
            result = results.get(result_ident)
            if result is None:
                result = _result_create(item, actor)
                results[result_ident] = result
                summary.results_created += 1
            elif item.publication_date and result.publication_basis != DateBasis.GIVEN:
                result.publication_date = item.publication_date
                result.publication_basis = DateBasis.GIVEN
                result.counts_from = item.publication_date
                result.save(update_fields=["publication_date", "publication_basis", "counts_from"])
            grade, created = ResultGrade.objects.get_or_create(
                result=result, area=item.area, defaults={"grade": item.grade}
            )
            summary.grades_created += created
            source = item.row.source.strip() or f"imported from {path.name}"
            _, added = GradeSource.objects.get_or_create(
                grade=grade, source=source, defaults={"note": item.row.note.strip()}
            )
            if added and not created:
                summary.sources_added += 1
            if not added and not created:
                summary.unchanged += 1
        if summary.changed:
            results_published.send(sender=Result, at=timezone.now(), source="import", label=path.name)
    return summary


def _result_create(item: _Parsed, actor) -> Result:
    basis = DateBasis.GIVEN
    published = item.publication_date
    if published is None:
        published = _national_date(item.framework, item.year)
        basis = DateBasis.NATIONAL if published else DateBasis.UNKNOWN
    counts_from = published or date(item.year or (item.inspection_date.year), 12, 31)
    return Result.objects.create(
        authority=item.authority,
        framework=item.framework,
        year=item.year,
        inspection_date=item.inspection_date,
        inspection_type=item.row.inspection_type,
        key=item.key,
        publication_date=published,
        publication_basis=basis,
        counts_from=counts_from,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def shipped_path(name: str) -> Path:
    return DATA / name


# ---- results of an assessment cycle ---------------------------------------------------------------------

PUBLISH, SCHEDULE, HOLD = "publish", "schedule", "hold"


@transaction.atomic
def cycle_result_store(*, assessment_id: int, authority, framework, year: int, grades: dict[int, int],
                       letter: dict, mode: str, publish_at=None, at=None) -> Result:
    """Keep a cycle's result in the one store, as the cycle's state requires:

    - PUBLISH: public from now (or from when it already became public);
    - SCHEDULE: public from the cycle's `publish_at`; held back when there is none, or when it has passed (a
      result moderated late waits for the publisher);
    - HOLD: withheld (a representation is open).

    Grades and the letter are written only while the version is withheld, then it is released: once released
    the database refuses any change to them. A result that is already public cannot change at all."""
    at = at or timezone.now()
    result = Result.objects.select_for_update().filter(assessment_id=assessment_id, is_current=True).first()
    if result is None:
        if Result.objects.filter(authority=authority, framework=framework, key=str(year), is_current=True).exists():
            raise ApaError(Problem(
                f"{authority.name} already has a published {framework.code} {year} result "
                "from another source; correct that result instead"))
        result = Result.objects.create(
            authority=authority, framework=framework, year=year, key=str(year), assessment_id=assessment_id,
            counts_from=date(year, 12, 31), publication_basis=DateBasis.GIVEN, withheld=True)
    # Public now, not only at `at`: a scheduled publication is recorded at the publication time, and a version
    # corrected since then is public from its correction; either way it must not be touched.
    public = result.pk is not None and result_visible(result, at=max(at, timezone.now()))
    if public:
        if mode != PUBLISH:
            raise ApaError(Problem(f"{authority.name}'s {framework.code} {year} result is already published"))
        return result
    if mode == PUBLISH:
        moment, hold = at, False
    elif mode == SCHEDULE:
        moment = publish_at
        hold = moment is None or moment <= at
    else:
        moment, hold = result.visible_from, True
    if not result.withheld:
        Result.objects.filter(pk=result.pk).update(withheld=True)
        result.withheld = True
    result.visible_from = moment
    if moment is not None:
        result.publication_date = result.counts_from = timezone.localtime(moment).date()
    result.letter = letter
    result.save()
    result.grades.exclude(area_id__in=grades).delete()
    source = f"APA {framework.title}, {year}: published letter"
    for area_id, grade in grades.items():
        row, created = ResultGrade.objects.get_or_create(result=result, area_id=area_id, defaults={"grade": grade})
        if not created and row.grade != grade:
            row.grade = grade
            row.save(update_fields=["grade"])
        GradeSource.objects.get_or_create(grade=row, source=source)
    if not hold:
        Result.objects.filter(pk=result.pk).update(withheld=False)
        result.withheld = False
        results_published.send(sender=Result, at=moment, source="cycle", label=f"{framework.title}, {year}")
    return result


# ---- corrections: a new version, when a second moderator agrees ---------------------------------------------


def _grades_checked(result: Result, grades: dict[str, int]) -> dict[str, int]:
    areas = {a.code for a in result.framework.areas.all()}
    unknown = [c for c in grades if c not in areas]
    if unknown:
        raise ApaError(Problem(f"unknown area {', '.join(unknown)}"))
    values = {c: grade_value(result.framework, g) for c, g in grades.items()}
    values = {c: v for c, v in values.items() if v is not None}
    current = {g.area.code: g.grade for g in result.grades.select_related("area")}
    changed = {c: v for c, v in values.items() if current.get(c) != v}
    if not changed:
        raise ApaError(Problem("a correction must change at least one grade"))
    return changed


@transaction.atomic
def result_correction_propose(*, result: Result, grades: dict[str, int], note: str, actor) -> ResultCorrection:
    """A moderator proposes a correction of the current version; nothing changes until another agrees."""
    require("publication.correct_result", actor, result)
    if not note.strip():
        raise ApaError(Problem("a correction needs a note saying what was wrong"))
    result = Result.objects.select_for_update().get(pk=result.pk)
    if not result.is_current:
        raise ApaError(Problem("only the current version of a result can be corrected"))
    if result.corrections_proposed.filter(agreed_by__isnull=True, withdrawn=False).exists():
        raise ApaError(Problem("a correction of this result already awaits a second moderator's agreement"))
    changed = _grades_checked(result, grades)
    return ResultCorrection.objects.create(result=result, grades=changed, note=note.strip(), proposed_by=actor,
                                           proposed_at=timezone.now())


@transaction.atomic
def result_correction_agree(*, correction: ResultCorrection, actor, at=None) -> Result:
    """A different moderator agrees: the correction becomes the result's next version, with its own letter
    snapshot and note. It is public from now if the corrected version was; otherwise it keeps that embargo.
    The earlier version stays, at its permalink, marked superseded."""
    if actor is not None and actor.pk is not None and correction.proposed_by_id == actor.pk:
        raise PermissionDenied(Problem("a different moderator must agree a correction"))  # clearer than the rule's
    require("publication.agree_correction", actor, correction)
    at = at or timezone.now()
    correction = ResultCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.agreed_by_id or correction.withdrawn:
        raise ApaError(Problem("this correction was already decided"))
    result = Result.objects.select_for_update().get(pk=correction.result_id)
    if not result.is_current:
        raise ApaError(Problem("the result has been corrected since this was proposed"))
    values = correction.grades
    old_grades = {g.area.code: g for g in result.grades.select_related("area")}
    areas = {a.code: a for a in result.framework.areas.all()}
    public = result.pk is not None and result_visible(result, at=at)
    Result.objects.filter(pk=result.pk).update(is_current=False, superseded_at=at)
    letter = _letter_corrected(result.letter, values, result.framework) if result.letter else None
    new = Result.objects.create(
        authority=result.authority, framework=result.framework, year=result.year, inspection_date=result.inspection_date,
        inspection_type=result.inspection_type, key=result.key,
        publication_date=timezone.localdate(at) if public else result.publication_date,
        publication_basis=DateBasis.GIVEN if public else result.publication_basis, counts_from=result.counts_from,
        visible_from=at if public else result.visible_from, withheld=True, assessment=result.assessment,
        version=result.version + 1, previous=result, correction_note=correction.note, created_by=actor, letter=letter,
    )
    for code, old in old_grades.items():
        grade = ResultGrade.objects.create(result=new, area=old.area, grade=values.get(code, old.grade))
        for source in old.sources.all():
            GradeSource.objects.create(grade=grade, source=source.source, note=source.note)
    for code, value in values.items():
        if code not in old_grades:
            ResultGrade.objects.create(result=new, area=areas[code], grade=value)
    if not result.withheld:
        Result.objects.filter(pk=new.pk).update(withheld=False)
        new.withheld = False
    correction.agreed_by, correction.agreed_at, correction.version_made = actor, at, new
    correction.save()
    changes = {code: (old_grades[code].grade if code in old_grades else "", value) for code, value in values.items()}
    result_corrected.send(sender=Result, result=result, correction=new, changes=changes, note=correction.note,
                          actor=actor)
    return new


def _letter_corrected(letter: dict, values: dict[str, int], framework) -> dict:
    labels = {g.value: g.label for g in framework.grades.all()}
    letter = {**letter, "sections": [
        {**s, "grade": values.get(s["area"], s["grade"]), "label": labels.get(values.get(s["area"], s["grade"]), "")}
        for s in letter["sections"]]}
    return letter


@transaction.atomic
def result_correction_withdraw(*, correction: ResultCorrection, actor) -> ResultCorrection:
    require("publication.withdraw_correction", actor, correction)
    if correction.agreed_by_id or correction.withdrawn:
        raise ApaError(Problem("this correction was already decided"))
    correction.withdrawn = True
    correction.save(update_fields=["withdrawn"])
    return correction
