"""Every change to a cycle or an assessment goes through one of these functions, which check the actor's
role and write the change log in the same transaction. Views, the API and the command line call them."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from apa.accounts.models import Role
from apa.accounts.permissions import has_perm, require
from apa.authorities.models import Authority
from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, NotFound, PermissionDenied, Problem
from apa.frameworks.models import Area, Framework
from apa.frameworks.selectors import grade_value
from apa.uploads import upload_check

from . import evidence as indicator_evidence
from . import publishing
from .models import (
    Assessment,
    ChangeLog,
    Cycle,
    CyclePeriod,
    Document,
    Evidence,
    EvidenceKind,
    FactualAccuracyComment,
    Finding,
    FindingKind,
    GradeChange,
    Judgement,
    Representation,
    SelfAssessmentArea,
    State,
    Visit,
)
from .workflow import assessment_transition

SELF_ASSESSMENT_FIELDS = ("narrative", "own_grade", "strengths", "areas_for_development", "indicator_codes")
EDITABLE_BY_INSPECTOR = {State.UNDER_REVIEW, State.DRAFT_JUDGEMENTS}


def _log(assessment, actor, action, *, area="", field="", before="", after="", reason="", internal=False, at=None):
    ChangeLog.objects.create(
        assessment=assessment, at=at or timezone.now(), actor=actor, actor_label=actor.username if actor else "system",
        action=action, area=area, field=field, before="" if before is None else str(before),
        after="" if after is None else str(after), reason=reason, internal=internal,
    )






# ---- cycles ---------------------------------------------------------------------------------------------


def default_milestones(year: int) -> dict[str, date]:
    """The seed papers' calendar: self-assessment in May, data lock in June, visits in July, moderation by
    the end of September."""
    return {
        "self_assessment_due": date(year, 5, 31),
        "data_lock": date(year, 6, 30),
        "visits_from": date(year, 7, 1),
        "visits_to": date(year, 7, 31),
        "moderation_by": date(year, 9, 30),
    }


@transaction.atomic
def cycle_open(*, framework_code: str, year: int, actor, periods: dict[str, str] | None = None, **milestones) -> Cycle:
    """Open a cycle for a framework and year, with an assessment for every authority that exists on its
    data-lock date. Indicator periods default to each indicator's latest period on the data-lock date."""
    require("assessments.open_cycle", actor)
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise NotFound(Problem(f"no framework {framework_code!r}"))
    if not framework.yearly:
        raise ApaError(Problem(f"framework {framework.code} is not yearly; a cycle is a framework and a year"))
    if Cycle.objects.filter(framework=framework, year=year).exists():
        raise ApaError(Problem(f"a cycle for {framework.code} {year} is already open"))
    dates = default_milestones(year)
    dates.update({k: v for k, v in milestones.items() if v is not None})
    order = ["self_assessment_due", "data_lock", "visits_from", "visits_to", "moderation_by"]
    problems = [
        Problem(f"{b.replace('_', ' ')} ({dates[b]}) is before {a.replace('_', ' ')} ({dates[a]})")
        for a, b in zip(order, order[1:], strict=False) if dates[b] < dates[a] and not (a, b) == ("self_assessment_due", "data_lock")
    ]
    if problems:
        raise ApaError(problems)
    unknown = indicator_evidence.unknown_periods(periods or {})
    if unknown:
        raise ApaError([Problem(f"indicator {code!r} has no period {label!r}") for code, label in unknown])
    cycle = Cycle.objects.create(framework=framework, year=year, opened_by=actor, **dates)
    chosen = indicator_evidence.latest_periods(on=cycle.data_lock)
    chosen.update(periods or {})
    CyclePeriod.objects.bulk_create(CyclePeriod(cycle=cycle, indicator_code=c, period=p) for c, p in chosen.items())
    lock = cycle.data_lock
    authorities = [a for a in Authority.objects.all() if a.existed_on(lock)]
    Assessment.objects.bulk_create(Assessment(cycle=cycle, authority=a) for a in authorities)
    now = timezone.now()
    ChangeLog.objects.bulk_create(
        ChangeLog(assessment=a, at=now, actor=actor, actor_label=actor.username, action="cycle_opened",
                  after=f"{framework.code} {year}")
        for a in cycle.assessments.all()
    )
    return cycle


def cycle_get(*, framework_code: str, year: int) -> Cycle:
    cycle = Cycle.objects.select_related("framework").filter(framework__code=framework_code, year=year).first()
    if cycle is None:
        raise NotFound(Problem(f"no cycle for {framework_code} {year}; open one with `apa cycle open`"))
    return cycle


@transaction.atomic
def cycle_schedule(*, cycle: Cycle, publish_at: datetime, actor) -> Cycle:
    """The publisher sets the publication moment (Europe/London). Moderated results become visible then,
    decided when data is read: nothing waits on a scheduler."""
    require("assessments.schedule_publication", actor, cycle)
    if timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at, timezone.get_default_timezone())
    if publish_at <= timezone.now():
        raise ApaError(Problem("the publication time must be in the future; to publish now, use `apa cycle publish`"))
    if cycle.published_at:
        raise ApaError(Problem(f"cycle {cycle} was already published on {timezone.localtime(cycle.published_at):%-d %B %Y}"))
    if cycle.publish_at and cycle.publish_at <= timezone.now():
        raise ApaError(Problem(f"cycle {cycle}'s publication time ({timezone.localtime(cycle.publish_at):%-d %B %Y %H:%M}) "
                               "has passed: its results are published"))
    before = cycle.publish_at
    cycle.publish_at = publish_at
    cycle.save(update_fields=["publish_at"])
    for assessment in cycle.assessments.filter(state=State.MODERATED):
        publishing.result_sync(assessment=assessment, at=timezone.now())
        _log(assessment, actor, "publication_scheduled", field="publish_at",
             before=timezone.localtime(before).isoformat() if before else "",
             after=timezone.localtime(publish_at).isoformat())
    return cycle


@transaction.atomic
def cycle_assign(*, cycle: Cycle, authority: Authority, inspector, actor) -> Assessment:
    require("assessments.assign_lead_inspector", actor, cycle)
    if inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise ApaError(Problem(f"{inspector.username} is not an active inspector"))
    assessment = cycle.assessments.filter(authority=authority).first()
    if assessment is None:
        raise NotFound(Problem(f"{authority.name} has no assessment in cycle {cycle}"))
    before = assessment.lead_inspector.username if assessment.lead_inspector else ""
    assessment.lead_inspector = inspector
    assessment.save(update_fields=["lead_inspector", "updated_at"])
    _log(assessment, actor, "lead_inspector", field="lead_inspector", before=before, after=inspector.username)
    return assessment


# ---- self-assessment ------------------------------------------------------------------------------------


def _require(name: str, actor, assessment: Assessment):
    """Check a permission against the assessment as stored now (its state and lead may have changed)."""
    assessment.refresh_from_db(fields=["state", "authority", "lead_inspector"])
    require(name, actor, assessment)


@transaction.atomic
def self_assessment_save(*, assessment: Assessment, area: Area, actor, version: int | None = None, **values) -> SelfAssessmentArea:
    """Save one area of the self-assessment as a draft. The first save starts the self-assessment."""
    _require("assessments.edit_self_assessment", actor, assessment)
    assessment.refresh_from_db(fields=["state"])
    if assessment.state == State.NOT_STARTED:
        assessment = assessment_transition(assessment=assessment, to=State.SELF_ASSESSMENT, actor=actor)
    if assessment.state != State.SELF_ASSESSMENT:
        raise ApaError(Problem(
            f"the self-assessment is {State(assessment.state).label.lower()} and read-only; the lead inspector can return it"))
    if area.framework_id != assessment.cycle.framework_id:
        raise ApaError(Problem(f"area {area.code} is not part of {assessment.cycle.framework.code}"))
    if "own_grade" in values:
        values["own_grade"] = grade_value(assessment.cycle.framework, values["own_grade"])
    if "indicator_codes" in values:
        codes = _codes(values["indicator_codes"])
        unknown = indicator_evidence.unknown_codes(codes)
        if unknown:
            raise ApaError(Problem(f"unknown indicator {', '.join(unknown)}"))
        values["indicator_codes"] = "\n".join(codes)
    row, _ = SelfAssessmentArea.objects.select_for_update().get_or_create(assessment=assessment, area=area)
    if version is not None and row.version != version:
        raise ApaError(Problem(
            "someone else saved this area since you opened it; your text is shown below: copy it, reload and apply it again"),
            code="conflict")
    changed = False
    for field in SELF_ASSESSMENT_FIELDS:
        if field in values and getattr(row, field) != values[field]:
            _log(assessment, actor, "self_assessment", area=area.code, field=field, before=getattr(row, field),
                 after=values[field])
            setattr(row, field, values[field])
            changed = True
    if changed:
        row.version += 1
        row.save()
    return row


def _codes(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        items = text
    else:
        items = str(text or "").replace(";", "\n").splitlines()
    return list(dict.fromkeys(c.strip() for c in items if c.strip()))


@transaction.atomic
def document_add(*, assessment: Assessment, actor, title: str, uploaded, area: Area | None = None) -> Document:
    _require("assessments.edit_self_assessment", actor, assessment)
    if assessment.state not in {State.NOT_STARTED, State.SELF_ASSESSMENT}:
        raise ApaError(Problem("documents can be added only while the self-assessment is in progress"))
    if not title.strip():
        raise ApaError(Problem("give the document a title"))
    # Its size, then what its bytes are (never its name or the browser's word), from an allow-list, then for
    # DOCX, XLSX and OpenDocument files the zip directory (apa.uploads.DOCUMENT, docs/files.md).
    content_type = upload_check(uploaded)
    document = Document.objects.create(
        assessment=assessment, area=area, title=title.strip(), file=uploaded, content_type=content_type,
        uploaded_by=actor,
    )
    _log(assessment, actor, "document", area=area.code if area else "", field="document", after=document.title)
    return document


def self_assessment_submit(*, assessment: Assessment, actor) -> Assessment:
    return assessment_transition(assessment=assessment, to=State.SUBMITTED, actor=actor)


# ---- inspector review -----------------------------------------------------------------------------------


@transaction.atomic
def visit_record(*, assessment: Assessment, actor, date_from: date, date_to: date, notes: str = "") -> Visit:
    _require("assessments.lead_review", actor, assessment)
    if date_to < date_from:
        raise ApaError(Problem("the visit cannot end before it starts"))
    visit, _ = Visit.objects.update_or_create(
        assessment=assessment, defaults=dict(date_from=date_from, date_to=date_to, notes=notes, recorded_by=actor)
    )
    _log(assessment, actor, "visit", field="visit", after=f"{date_from} to {date_to}: {notes}")
    return visit


@dataclass
class JudgementInput:
    grade: int | str | None
    rationale: str = ""
    strengths: list[str] | None = None
    areas_for_development: list[str] | None = None
    areas_for_focus: list[str] | None = None
    indicator_codes: list[str] | None = None
    document_ids: list[int] | None = None
    link_self_assessment: bool = False


KIND_FIELDS = {
    FindingKind.STRENGTH: "strengths",
    FindingKind.DEVELOPMENT: "areas_for_development",
    FindingKind.FOCUS: "areas_for_focus",
}


def lines(text: str) -> list[str]:
    """Findings are entered one per line."""
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


@transaction.atomic
def judgement_save(*, assessment: Assessment, area: Area, actor, data: JudgementInput, version: int | None) -> Judgement:
    """Save an area's grade, rationale and findings, each finding linked to its evidence. `version` is the
    judgement's version when the inspector opened it: if someone saved since, the save is refused."""
    _require("assessments.record_judgement", actor, assessment)
    assessment.refresh_from_db(fields=["state"])
    if assessment.state not in EDITABLE_BY_INSPECTOR:
        raise ApaError(Problem(f"judgements can be changed only under review or in draft; this assessment is {assessment.state}"))
    if area.framework_id != assessment.cycle.framework_id:
        raise ApaError(Problem(f"area {area.code} is not part of {assessment.cycle.framework.code}"))
    grade = grade_value(assessment.cycle.framework, data.grade)
    codes = _codes(data.indicator_codes or [])
    unknown = indicator_evidence.unknown_codes(codes)
    if unknown:
        raise ApaError(Problem(f"unknown indicator {', '.join(unknown)}"))
    judgement, _ = Judgement.objects.get_or_create(assessment=assessment, area=area)
    if version is not None:
        updated = Judgement.objects.filter(pk=judgement.pk, version=version).update(version=version + 1)
        if not updated:
            raise ApaError(Problem(
                f"someone else saved the {area.short_title} judgement since you opened it; nothing was saved. "
                "Your text is shown below: copy it, reload the page and apply it again"), code="conflict")
        judgement.refresh_from_db()
    else:
        judgement.version += 1
    for field, value in (("grade", grade), ("rationale", data.rationale or "")):
        if getattr(judgement, field) != value:
            _log(assessment, actor, "judgement", area=area.code, field=field, before=getattr(judgement, field), after=value)
            setattr(judgement, field, value)
    judgement.updated_by = actor
    judgement.save()

    documents = list(Document.objects.filter(assessment=assessment, pk__in=data.document_ids or []))
    passage = None
    if data.link_self_assessment:
        passage = SelfAssessmentArea.objects.filter(assessment=assessment, area=area).first()
    for kind, field in KIND_FIELDS.items():
        wanted = getattr(data, field)
        if wanted is None:
            continue
        existing = list(judgement.findings.filter(kind=kind))
        if [f.text for f in existing] != wanted:
            _log(assessment, actor, "finding", area=area.code, field=field,
                 before="\n".join(f.text for f in existing), after="\n".join(wanted))
            judgement.findings.filter(kind=kind).delete()
            for order, text in enumerate(wanted):
                Finding.objects.create(judgement=judgement, kind=kind, text=text, order=order)
    evidence_before = sorted(evidence_summary(judgement))
    Evidence.objects.filter(finding__judgement=judgement).delete()
    periods = dict(assessment.cycle.periods.values_list("indicator_code", "period"))
    snapshots = {c: indicator_evidence.benchmark_snapshot(code=c, authority=assessment.authority, period=periods.get(c))
                 for c in codes}
    for finding in judgement.findings.all():
        for code in codes:
            snap = snapshots[code]
            Evidence.objects.create(finding=finding, kind=EvidenceKind.INDICATOR, indicator_code=code,
                                    period=(snap or {}).get("period") or "", benchmark=snap)
        for document in documents:
            Evidence.objects.create(finding=finding, kind=EvidenceKind.DOCUMENT, document=document)
        if passage is not None:
            Evidence.objects.create(finding=finding, kind=EvidenceKind.SELF_ASSESSMENT, self_assessment_area=passage,
                                    passage=passage.narrative[:2000])
    evidence_after = sorted(evidence_summary(judgement))
    if evidence_before != evidence_after:
        _log(assessment, actor, "evidence", area=area.code, field="evidence", before="; ".join(evidence_before),
             after="; ".join(evidence_after))
    return judgement


def evidence_summary(judgement: Judgement) -> set[str]:
    out = set()
    for ev in Evidence.objects.filter(finding__judgement=judgement).select_related("document"):
        if ev.kind == EvidenceKind.INDICATOR:
            out.add(f"indicator {ev.indicator_code}")
        elif ev.kind == EvidenceKind.DOCUMENT:
            out.add(f"document {ev.document.title}")
        else:
            out.add("self-assessment passage")
    return out


@transaction.atomic
def factual_accuracy_comment(*, finding: Finding | None, judgement: Judgement, actor, text: str) -> FactualAccuracyComment:
    assessment = Assessment.objects.select_related("authority").get(pk=judgement.assessment_id)
    _require("assessments.comment_factual_accuracy", actor, assessment)
    if assessment.state != State.FACTUAL_ACCURACY:
        raise ApaError(Problem("comments on the draft letter can be made only during the factual accuracy check"))
    if not text.strip():
        raise ApaError(Problem("write the comment"))
    if finding is not None and finding.judgement_id != judgement.pk:
        raise ApaError(Problem("that finding is not part of this judgement"))
    comment = FactualAccuracyComment.objects.create(finding=finding, judgement=judgement, text=text.strip(), author=actor)
    _log(assessment, actor, "factual_accuracy_comment", area=judgement.area.code, field="comment",
         after=(f"on '{finding.text[:80]}': " if finding else "") + text.strip())
    return comment


# ---- moderation and representations ---------------------------------------------------------------------


@transaction.atomic
def grade_change_propose(*, judgement: Judgement, to_grade, reason: str, actor) -> GradeChange:
    require("assessments.propose_grade_change", actor, judgement)
    assessment = Assessment.objects.select_related("cycle__framework").get(pk=judgement.assessment_id)
    if assessment.state not in {State.MODERATION, State.REPRESENTATION}:
        raise ApaError(Problem("grades can be changed in moderation, or while a representation is decided"))
    if not reason.strip():
        raise ApaError(Problem("a moderator's grade change needs a reason"))
    value = grade_value(assessment.cycle.framework, to_grade)
    if value is None or value == judgement.grade:
        raise ApaError(Problem(f"the new grade must differ from the current grade ({judgement.grade})"))
    if judgement.grade_changes.filter(agreed_by__isnull=True, withdrawn=False).exists():
        raise ApaError(Problem("a change to this grade already awaits agreement"))
    change = GradeChange.objects.create(judgement=judgement, from_grade=judgement.grade, to_grade=value,
                                        reason=reason.strip(), proposed_by=actor)
    _log(assessment, actor, "grade_change_proposed", area=judgement.area.code, field="grade",
         before=judgement.grade, after=value, reason=reason.strip(), internal=True)
    return change


@transaction.atomic
def grade_change_agree(*, change: GradeChange, actor) -> Judgement:
    """A second moderator agrees: only then does the grade change, with the proposer's reason."""
    change = GradeChange.objects.select_for_update().select_related("judgement__assessment", "judgement__area").get(pk=change.pk)
    require("assessments.agree_grade_change", actor, change)
    if change.agreed_by_id or change.withdrawn:
        raise ApaError(Problem("this grade change was already decided"))
    judgement = change.judgement
    if judgement.assessment.state not in {State.MODERATION, State.REPRESENTATION}:
        raise ApaError(Problem("grades can be changed in moderation, or while a representation is decided; "
                               f"{judgement.assessment.authority.name} is {judgement.assessment.state}"))
    if judgement.grade != change.from_grade:
        raise ApaError(Problem(f"the grade has changed since this was proposed (now {judgement.grade})"))
    change.agreed_by = actor
    change.agreed_at = timezone.now()
    change.save()
    judgement.grade = change.to_grade
    judgement.version += 1
    judgement.updated_by = actor
    judgement.save()
    # The moderators' reasoning is a moderation note, never shown to the authority; the authority sees that
    # the grade changed in moderation.
    _log(judgement.assessment, actor, "grade_change_agreed", area=judgement.area.code, field="grade",
         before=change.from_grade, after=change.to_grade, internal=True,
         reason=f"{change.reason} (proposed by {change.proposed_by.username}, agreed by {actor.username})")
    _log(judgement.assessment, actor, "judgement", area=judgement.area.code, field="grade", before=change.from_grade,
         after=change.to_grade, reason="changed in national moderation")
    return judgement


@transaction.atomic
def representation_make(*, assessment: Assessment, actor, kind: str, text: str, area: Area | None = None) -> Representation:
    _require("assessments.make_representation", actor, assessment)
    if kind not in Representation.Kind.values:
        raise ApaError(Problem(f"a representation is on {' or '.join(Representation.Kind.values)}"))
    if kind == Representation.Kind.GRADE and area is None:
        raise ApaError(Problem("say which area's grade the representation is about"))
    if not text.strip():
        raise ApaError(Problem("write the representation"))
    assessment_transition(assessment=assessment, to=State.REPRESENTATION, actor=actor, reason=text.strip())
    representation = Representation.objects.create(assessment=assessment, kind=kind, area=area, text=text.strip(), made_by=actor)
    _log(assessment, actor, "representation", area=area.code if area else "", field=kind, after=text.strip())
    return representation


@transaction.atomic
def representation_decide(*, representation: Representation, actor, decision: str, reason: str,
                          new_grade=None) -> Representation:
    require("assessments.decide_representation", actor, representation)
    if representation.decision:
        raise ApaError(Problem("this representation was already decided"))
    if decision not in Representation.Decision.values:
        raise ApaError(Problem(f"decide as {' or '.join(Representation.Decision.values)}"))
    if not reason.strip():
        raise ApaError(Problem("a decision needs a reason"))
    assessment = Assessment.objects.select_related("cycle__framework").get(pk=representation.assessment_id)
    if decision == Representation.Decision.UPHELD and representation.kind == Representation.Kind.GRADE:
        judgement = Judgement.objects.get(assessment=assessment, area=representation.area)
        value = grade_value(assessment.cycle.framework, new_grade)
        if value is None:
            raise ApaError(Problem("an upheld representation on a grade needs the new grade"))
        if value != judgement.grade:
            _log(assessment, actor, "judgement", area=judgement.area.code, field="grade", before=judgement.grade,
                 after=value, reason=f"representation upheld: {reason.strip()}")
            judgement.grade = value
            judgement.version += 1
            judgement.updated_by = actor
            judgement.save()
        representation.new_grade = value
    representation.decision = decision
    representation.decision_reason = reason.strip()
    representation.decided_by = actor
    representation.decided_at = timezone.now()
    representation.save()
    assessment_transition(assessment=assessment, to=State.MODERATED, actor=actor,
                          reason=f"representation {representation.get_decision_display().lower()}: {reason.strip()}")
    return representation


# ---- publication ----------------------------------------------------------------------------------------


@transaction.atomic
def cycle_publish(*, cycle: Cycle, actor) -> list[Assessment]:
    """Publish every moderated assessment of the cycle together, now."""
    require("assessments.publish_cycle", actor, cycle)
    published = []
    now = timezone.now()
    for assessment in cycle.assessments.filter(state=State.MODERATED).select_related("authority"):
        published.append(assessment_transition(assessment=assessment, to=State.PUBLISHED, actor=actor, at=now))
    if not published:
        raise ApaError(Problem(f"no moderated assessment in cycle {cycle} waits for publication"))
    if cycle.published_at is None:
        cycle.published_at = now
        cycle.save(update_fields=["published_at"])
    return published


@transaction.atomic
def cycle_publish_due(*, now=None) -> list[Assessment]:
    """For a scheduler: record, through the same transition, the publications whose time has passed. The
    results were already visible from that time; this writes their history with its true time."""
    now = now or timezone.now()
    done = []
    for cycle in Cycle.objects.filter(publish_at__lte=now):
        for assessment in cycle.assessments.filter(state=State.MODERATED):
            if not publishing.counts_as_published(assessment=assessment, at=now):
                continue
            done.append(assessment_transition(assessment=assessment, to=State.PUBLISHED, scheduled=True,
                                              at=cycle.publish_at))
    return done




def correction_logged(*, assessment: Assessment, changes: dict, note: str, actor) -> None:
    """A correction of the assessment's published result, in the assessment's history; its judgements take
    the corrected grades, so that anything later built from them agrees with the published version."""
    for code, (before, after) in changes.items():
        Judgement.objects.filter(assessment=assessment, area__code=code).update(grade=after)
        _log(assessment, actor, "correction", area=code, field="grade", before=before, after=after, reason=note)


# ---- draft judgements from a file -----------------------------------------------------------------------

JUDGEMENTS_HEADER = ["authority", "area", "grade", "rationale", "strengths", "areas_for_development", "areas_for_focus", "evidence"]


def judgements_import(*, path: Path | str, framework_code: str, year: int, actor) -> int:
    """Load an inspector's draft judgements from CSV or XLSX, all or nothing, with row-level problems.

    Refused before the file is opened unless the actor may record a judgement on at least one of the cycle's
    assessments (each row is checked again for its own); then the file's size, header and row count
    (apa.uploads.JUDGEMENTS_FILE) before any row is read."""
    from apa.tabular import read_rows
    from apa.uploads import JUDGEMENTS_FILE

    cycle = cycle_get(framework_code=framework_code, year=year)
    led = cycle.assessments.filter(lead_inspector_id=getattr(actor, "pk", None))
    if not any(has_perm("assessments.record_judgement", actor, a) for a in led):
        raise PermissionDenied(Problem(f"{getattr(actor, 'username', 'no one')} leads no assessment in {cycle}; "
                                       "only a lead inspector loads judgements"))

    def header_check(header):
        missing = [h for h in JUDGEMENTS_HEADER if h not in header]
        if missing:
            raise ApaError(Problem(f"the header lacks {', '.join(missing)}; expected {','.join(JUDGEMENTS_HEADER)}",
                                   row=1))

    header, rows = read_rows(path, limits=JUDGEMENTS_FILE, header_check=header_check)
    areas = {a.code: a for a in cycle.framework.areas.all()}
    problems, planned = [], []
    seen: dict[tuple[int, str], int] = {}
    for number, row in rows:
        def fail(column, message, number=number):
            problems.append(Problem(message, row=number, column=column))

        assessment = None
        try:
            authority = authority_resolve(text=row["authority"])
            assessment = cycle.assessments.filter(authority=authority).first()
            if assessment is None:
                fail("authority", f"{authority.name} has no assessment in {cycle}")
            elif not has_perm("assessments.record_judgement", actor, assessment):
                fail("authority", f"{actor.username} is not the lead inspector for {authority.name}")
            elif assessment.state not in EDITABLE_BY_INSPECTOR:
                fail("authority", f"{authority.name} is {assessment.state}; judgements can be loaded under review or in draft")
        except ApaError as exc:
            fail("authority", exc.lines[0])
        area = areas.get(row["area"].strip())
        if area is None:
            fail("area", f"{cycle.framework.code} has no area {row['area']!r}")
        try:
            grade_value(cycle.framework, row["grade"]) if row["grade"] else fail("grade", "a grade is needed")
        except ApaError as exc:
            fail("grade", exc.lines[0])
        codes = _codes(row["evidence"])
        unknown = indicator_evidence.unknown_codes(codes)
        if unknown:
            fail("evidence", f"unknown indicator {', '.join(unknown)}")
        if assessment and area:
            first = seen.setdefault((assessment.pk, area.code), number)
            if first != number:
                fail("area", f"{assessment.authority.name} {area.code} is also in row {first}; one row per "
                             "authority and area")
        if assessment and area and not problems:
            planned.append((assessment, area, JudgementInput(
                grade=row["grade"], rationale=row["rationale"], strengths=lines(row["strengths"]),
                areas_for_development=lines(row["areas_for_development"]), areas_for_focus=lines(row["areas_for_focus"]),
                indicator_codes=codes)))
    if problems:
        raise ApaError(problems)
    with transaction.atomic():
        for assessment, area, data in planned:
            judgement_save(assessment=assessment, area=area, actor=actor, data=data, version=None)
    return len(planned)


