"""The Joint Area Review (JAR) of an APA result: the risk assessment read from the published snapshot, and the
JAR a moderator records against it.

The risk assessment of an authority's published result lists each JAR core area with the grades of the
judgement areas that feed it (the framework file's [jar] table), and the areas the assessment flags: every
area with an area for focus and every area graded 1 or 2, each with the findings and evidence that raised it.
It reads only the published version (its letter snapshot, or the grades of an imported result), found
through the one visibility rule, so it never shows what is not public.

A JAR is recorded by a moderator against the result version its risk assessment was read from (one per
result), changed with a reason, and every change writes a history row; a form's save carries the record's
`version`, and a save from an older version is refused saying who changed what since. A recorded JAR is public
from its publication date (selectors.jars_visible).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from apa.accounts.permissions import has_perm, require, require_visible
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, NotFound, Problem
from apa.frameworks.selectors import grade_value
from apa.versions import conflict, version_claim, version_expect

from .models import JointAreaReview, JointAreaReviewChange, ResultGrade
from .selectors import jars_visible, results_current_at, results_visible

VIEW_RISK_ASSESSMENT = "publication.view_jar_risk_assessment"  # inspectors, moderators, its authority's officers
RECORD_JAR = "publication.record_jar"  # moderators

# Issue 11: the risk assessment flags every area graded 1 or 2 (inadequate or adequate on the APA scale).
FLAGGED_UP_TO = 2

FIELD_LABELS = {"fieldwork_from": "fieldwork began", "fieldwork_to": "fieldwork ended",
                "publication_date": "publication date", "note": "note"}


# ---- the risk assessment ---------------------------------------------------------------------------------


@dataclass
class FedGrade:
    """A judgement area's grade as it feeds a core area (None: the letter did not grade it)."""

    area: str
    title: str
    grade: int | None
    label: str


@dataclass
class CoreArea:
    code: str
    title: str
    feeds: list[FedGrade]

    @property
    def lowest(self) -> FedGrade | None:
        graded = [f for f in self.feeds if f.grade is not None]
        return min(graded, key=lambda f: f.grade) if graded else None


@dataclass
class Finding:
    text: str
    evidence: list[dict]


@dataclass
class FlaggedArea:
    """A judgement area the assessment flags: graded 1 or 2, or with an area for focus, or both. For a low grade
    the findings that raised it are the area's areas for development (and its rationale)."""

    area: str
    title: str
    grade: int | None
    label: str
    rationale: str
    low_grade: bool
    focus: list[Finding] = field(default_factory=list)
    development: list[Finding] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        reasons = [f"graded {self.grade} ({self.label})"] if self.low_grade else []
        if self.focus:
            reasons.append(f"{len(self.focus)} area{'s' if len(self.focus) != 1 else ''} for focus")
        return reasons


@dataclass
class RiskAssessment:
    result: object
    core_areas: list[CoreArea]
    flagged: list[FlaggedArea]
    # False for an imported result, published without findings: grades only.
    has_findings: bool

    @property
    def authority(self):
        return self.result.authority

    @property
    def framework(self):
        return self.result.framework


def _sections(result) -> list[dict]:
    """The published version's areas in display order: its letter's sections, or an imported result's grades."""
    if result.letter is not None:
        return result.letter["sections"]
    labels = {g.value: g.label for g in result.framework.grades.all()}
    return [{"area": g.area.code, "title": g.area.title, "grade": g.grade, "label": labels.get(g.grade, ""),
             "rationale": "", "findings": {}} for g in result.grades.all()]


def _findings(section: dict, kind: str) -> list[Finding]:
    return [Finding(text=f["text"], evidence=list(f.get("evidence", [])))
            for f in section.get("findings", {}).get(kind, [])]


def risk_assessment(*, result) -> RiskAssessment:
    """The risk assessment of one published result version (the caller found it through the visibility rule)."""
    sections = _sections(result)
    by_area = {s["area"]: s for s in sections}
    titles = {a.code: a.title for a in result.framework.areas.all()}
    core_areas = []
    for core in result.framework.jar_core_areas:
        feeds = []
        for code in core["areas"]:
            section = by_area.get(code)
            feeds.append(FedGrade(area=code, title=section["title"] if section else titles.get(code, code),
                                  grade=section["grade"] if section else None,
                                  label=section["label"] if section else "not graded"))
        core_areas.append(CoreArea(code=core["code"], title=core["title"], feeds=feeds))
    flagged = []
    for section in sections:
        low = section["grade"] is not None and section["grade"] <= FLAGGED_UP_TO
        focus = _findings(section, "focus")
        if low or focus:
            flagged.append(FlaggedArea(area=section["area"], title=section["title"], grade=section["grade"],
                                       label=section["label"], rationale=section.get("rationale", "") if low else "",
                                       low_grade=low, focus=focus,
                                       development=_findings(section, "development") if low else []))
    return RiskAssessment(result=result, core_areas=core_areas, flagged=flagged,
                          has_findings=result.letter is not None)


def _current(at):
    """The current public versions, as the record stood at `at` when one is given."""
    return results_current_at(at=at) if at is not None else results_visible()


def jar_result(*, dfe_code: str, framework_code: str, key: str, at=None):
    """The current public version of an authority's result under a framework with a JAR table; NotFound."""
    try:
        authority = authority_resolve(text=dfe_code)
    except ApaError:
        raise NotFound(Problem("no such authority")) from None
    result = (_current(at).filter(authority=authority, framework__code=framework_code, key=key)
              .select_related("authority", "framework", "assessment")
              .prefetch_related("framework__grades", "framework__areas",
                                Prefetch("grades", queryset=ResultGrade.objects.select_related("area")))
              .first())
    if result is None or not result.framework.jar_core_areas:
        raise NotFound(Problem("no published result with a joint area review risk assessment"))
    return result


def risk_assessment_for_user(*, user, dfe_code: str, framework_code: str, key: str, at=None) -> RiskAssessment:
    """The risk assessment, if the person may see it; NotFound, as for a missing one, otherwise."""
    result = jar_result(dfe_code=dfe_code, framework_code=framework_code, key=key, at=at)
    require_visible(VIEW_RISK_ASSESSMENT, user, result, "risk assessment")
    return risk_assessment(result=result)


def may_view_risk_assessment(*, user, result) -> bool:
    return bool(result.framework.jar_core_areas) and has_perm(VIEW_RISK_ASSESSMENT, user, result)


def may_record_jar(*, user, result) -> bool:
    return bool(result.framework.jar_core_areas) and has_perm(RECORD_JAR, user, result)


# ---- the JAR record --------------------------------------------------------------------------------------


def _same_result(qs, result):
    """A result's JAR may sit on an earlier version of it (recorded before a correction)."""
    return qs.filter(result__authority_id=result.authority_id, result__framework_id=result.framework_id,
                     result__key=result.key)


def jar_of(*, result, public: bool = True, at=None) -> JointAreaReview | None:
    """The JAR recorded against this result (any of its versions): only a published one unless `public=False`,
    which is for those who record JARs."""
    qs = jars_visible(at=at) if public else JointAreaReview.objects.all()
    return _same_result(qs, result).select_related("result__framework", "recorded_by", "updated_by").first()


@dataclass
class OutcomeRow:
    code: str
    title: str
    grade: int | None
    label: str


def jar_outcome(*, review: JointAreaReview) -> list[OutcomeRow]:
    """The JAR's grade for each core area, in the framework's order, with its label."""
    framework = review.result.framework
    labels = {g.value: g.label for g in framework.grades.all()}
    return [OutcomeRow(code=c["code"], title=c["title"], grade=review.grades.get(c["code"]),
                       label=labels.get(review.grades.get(c["code"]), "")) for c in framework.jar_core_areas]


@dataclass
class HistoryRow:
    at: object
    who: str
    what: str
    why: str


def jar_history(*, review: JointAreaReview) -> list[HistoryRow]:
    """Who changed the record, when, what and why, oldest first."""
    titles = {c["code"]: c["title"] for c in review.result.framework.jar_core_areas}
    rows = []
    for change in review.changes.select_related("actor"):
        if change.field:
            label = titles.get(change.field) or FIELD_LABELS.get(change.field, change.field)
            what = f"{label[:1].upper()}{label[1:]}: {change.before or 'empty'} to {change.after or 'empty'}"
        else:
            what = f"{change.action.capitalize()}: {change.after}"
        rows.append(HistoryRow(at=change.at, who=change.actor.username, what=what, why=change.reason))
    return rows


def _checked(framework, *, fieldwork_from, fieldwork_to, publication_date, grades: dict, note: str) -> dict:
    problems = []
    for name, value in (("fieldwork_from", fieldwork_from), ("fieldwork_to", fieldwork_to),
                        ("publication_date", publication_date)):
        if not isinstance(value, date):
            problems.append(Problem(f"give the date the {FIELD_LABELS[name]}, for example 2026-03-02"
                                    if name != "publication_date" else
                                    "give the publication date, for example 2026-05-29"))
    if not problems and fieldwork_to < fieldwork_from:
        problems.append(Problem("the fieldwork must end on or after the day it began"))
    if not problems and publication_date < fieldwork_to:
        problems.append(Problem("the publication date must be on or after the last day of fieldwork"))
    cores = {c["code"]: c["title"] for c in framework.jar_core_areas}
    checked = {}
    for code in grades:
        if code not in cores:
            problems.append(Problem(f"{code!r} is not a joint area review core area of {framework.code}"))
    for code, title in cores.items():
        given = grades.get(code)
        if given in (None, ""):
            problems.append(Problem(f"give a grade for {title}"))
            continue
        try:
            checked[code] = grade_value(framework, given)
        except ApaError as exc:
            problems.append(Problem(f"{title}: {exc}"))
    if problems:
        raise ApaError(problems)
    return {"fieldwork_from": fieldwork_from, "fieldwork_to": fieldwork_to, "publication_date": publication_date,
            "grades": checked, "note": (note or "").strip()}


def _grades_text(grades: dict) -> str:
    return ", ".join(f"{code} {grade}" for code, grade in grades.items())


@transaction.atomic
def jar_record(*, result, actor, fieldwork_from, fieldwork_to, publication_date, grades: dict, note: str = "",
               reason: str = "", at=None) -> JointAreaReview:
    """A moderator records the JAR of a published result (its current public version, with a JAR table)."""
    require(RECORD_JAR, actor, result, doing="record a joint area review")
    current = jar_result(dfe_code=result.authority.dfe_code, framework_code=result.framework.code, key=result.key,
                         at=at)
    if current.pk != result.pk:
        raise ApaError(Problem("this result has been corrected since you opened it; record the joint area review "
                               "against its current version"), code="conflict")
    if jar_of(result=current, public=False) is not None:
        raise ApaError(Problem(f"a joint area review of {current} is already recorded; change it instead"),
                       code="conflict")
    fields = _checked(current.framework, fieldwork_from=fieldwork_from, fieldwork_to=fieldwork_to,
                      publication_date=publication_date, grades=grades, note=note)
    try:
        with transaction.atomic():
            review = JointAreaReview.objects.create(result=current, recorded_by=actor, updated_by=actor, **fields)
    except IntegrityError:
        raise ApaError(Problem(f"a joint area review of {current} was recorded by someone else just now; "
                               "reload to see it"), code="conflict") from None
    after = (f"fieldwork {fields['fieldwork_from']} to {fields['fieldwork_to']}, published "
             f"{fields['publication_date']}; grades {_grades_text(fields['grades'])}")
    JointAreaReviewChange.objects.create(review=review, at=at or timezone.now(), actor=actor, action="recorded",
                                         after=after, reason=reason.strip(), version=review.version)
    return review


def _conflict(review: JointAreaReview, since) -> ApaError:
    return conflict(what="this joint area review", rows=review.changes.select_related("actor"), since=since,
                    labels=FIELD_LABELS, who=lambda row: row.actor.username)


@transaction.atomic
def jar_update(*, review: JointAreaReview, actor, version, fieldwork_from, fieldwork_to, publication_date,
               grades: dict, note: str = "", reason: str = "", at=None) -> JointAreaReview:
    """Change a recorded JAR. `version` is the record's version when the form was opened: a save from an older
    one is refused and writes nothing. Every changed field writes a history row with the reason."""
    require(RECORD_JAR, actor, review.result, doing="change a joint area review")
    review = JointAreaReview.objects.select_for_update().select_related("result__framework").get(pk=review.pk)
    since = version_expect(review, version, lambda: _conflict(review, version))
    if not (reason or "").strip():
        raise ApaError(Problem("say why the joint area review is changing (it is kept in its history)"))
    fields = _checked(review.result.framework, fieldwork_from=fieldwork_from, fieldwork_to=fieldwork_to,
                      publication_date=publication_date, grades=grades, note=note)
    changes = []
    for name in ("fieldwork_from", "fieldwork_to", "publication_date", "note"):
        if getattr(review, name) != fields[name]:
            changes.append((name, getattr(review, name), fields[name]))
    for code, grade in fields["grades"].items():
        if review.grades.get(code) != grade:
            changes.append((code, review.grades.get(code), grade))
    if not changes:
        return review
    review.version = version_claim(JointAreaReview, pk=review.pk, version=since,
                                   refuse=lambda: _conflict(review, since))
    for name in ("fieldwork_from", "fieldwork_to", "publication_date", "note", "grades"):
        setattr(review, name, fields[name])
    review.updated_by = actor
    review.save()
    now = at or timezone.now()
    JointAreaReviewChange.objects.bulk_create(
        JointAreaReviewChange(review=review, at=now, actor=actor, action="updated", field=name,
                              before="" if before is None else str(before), after="" if after is None else str(after),
                              reason=reason.strip(), version=review.version)
        for name, before, after in changes
    )
    return review


# ---- the next cycle's review -----------------------------------------------------------------------------


@dataclass
class PreviousResult:
    result: object
    grades: list[FedGrade]
    review: JointAreaReview | None
    outcome: list[OutcomeRow]


def previous_for_review(*, authority, year: int, at=None) -> PreviousResult | None:
    """The authority's latest public APA result (a framework with a JAR table) before `year`, with its
    published JAR, for the lead inspector of the next cycle."""
    candidates = (_current(at).filter(authority=authority, year__lt=year)
                  .select_related("authority", "framework").prefetch_related("framework__grades", "framework__areas")
                  .prefetch_related(Prefetch("grades", queryset=ResultGrade.objects.select_related("area")))
                  .order_by("-year", "-counts_from"))
    result = next((r for r in candidates if r.framework.jar_core_areas), None)
    if result is None:
        return None
    grades = [FedGrade(area=s["area"], title=s["title"], grade=s["grade"], label=s["label"]) for s in _sections(result)]
    review = jar_of(result=result, at=at)
    return PreviousResult(result=result, grades=grades, review=review,
                          outcome=jar_outcome(review=review) if review else [])
