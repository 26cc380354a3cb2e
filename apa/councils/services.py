"""Council side changes: the call-in rule, meetings, reports on a published result, decision records, call-ins.
Every change checks the actor's permission (apa.accounts.permissions) and writes CouncilLog in the same
transaction. A change made through a form takes the `version` of the record the form was opened at: a save
from an older version is refused, saying what changed since, and writes nothing (apa.councils.history)."""

from datetime import date, datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from apa.accounts.permissions import has_perm, require
from apa.calendar import CallInRuleSpec, callin_deadline, parse_deadline_time
from apa.errors import ApaError, NotFound, Problem
from apa.versions import conflict, version_claim, version_expect

from . import reporting
from .history import history_of, log
from .models import (
    AgendaItem,
    CallIn,
    CallInRule,
    ClosureDay,
    DecisionRecord,
    Meeting,
    Report,
    ReportStatus,
)

# ---- the call-in rule -----------------------------------------------------------------------------------


def rule_spec_for(*, authority) -> CallInRuleSpec:
    """The council's rule, or the default (5 working days from publication, midnight)."""
    rule = CallInRule.objects.filter(authority=authority).first()
    closures = tuple(ClosureDay.objects.filter(authority=authority).values_list("date", flat=True))
    if rule is None:
        return CallInRuleSpec(closures=closures)
    return CallInRuleSpec(working_days=rule.working_days, count_from=rule.count_from,
                          deadline_time=rule.deadline_time, closures=closures)


def _check_rule(working_days, count_from, deadline_time) -> tuple[int, str, str]:
    problems = []
    try:
        working_days = int(working_days)
        if not 1 <= working_days <= 60:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Problem(f"working days must be a whole number from 1 to 60; got {working_days!r}"))
    if count_from not in ("publication", "decision"):
        problems.append(Problem(f"count from 'publication' or 'decision'; got {count_from!r}"))
    try:
        deadline_time = parse_deadline_time(deadline_time)
    except ValueError as exc:
        problems.append(Problem(str(exc)))
    if problems:
        raise ApaError(problems)
    return working_days, count_from, deadline_time


RULE_LABELS = {"rule_set": "rule now", "closure_days": "closure days now"}


@transaction.atomic
def callin_rule_set(*, authority, actor, version: int, working_days, count_from: str, deadline_time: str,
                    closures: list[date] | None = None, reason: str = "") -> CallInRule:
    """Set a council's call-in rule (and, when given, its closure days). `version` is the rule's version when
    the form was opened (0 for a council still on the default). Deadlines already published keep the rule
    they were computed with."""
    require("councils.set_callin_rule", actor, authority, doing="set the call-in rule")
    working_days, count_from, deadline_time = _check_rule(working_days, count_from, deadline_time)
    rule, _ = CallInRule.objects.get_or_create(authority=authority)
    rule = CallInRule.objects.select_for_update().get(pk=rule.pk)
    refuse = partial(conflict, what="the call-in rule", rows=history_of("rule", rule.pk), since=version,
                     labels=RULE_LABELS)
    version = version_expect(rule, version, refuse)
    before = f"{rule.working_days} working days from {rule.count_from}, {rule.deadline_time}"
    after = f"{working_days} working days from {count_from}, {deadline_time}"
    have = set(ClosureDay.objects.filter(authority=authority).values_list("date", flat=True))
    wanted = set(closures) if closures is not None else have
    if before == after and have == wanted:
        return rule
    rule.version = version_claim(CallInRule, pk=rule.pk, version=version, refuse=refuse)
    rule.working_days, rule.count_from, rule.deadline_time, rule.updated_by = working_days, count_from, deadline_time, actor
    rule.save()
    if before != after:
        log(authority=authority, actor=actor, entity="rule", entity_id=rule.pk, action="rule_set", before=before,
            after=after, reason=reason, version=rule.version)
    if have != wanted:
        ClosureDay.objects.filter(authority=authority).exclude(date__in=wanted).delete()
        ClosureDay.objects.bulk_create(ClosureDay(authority=authority, date=d) for d in wanted - have)
        log(authority=authority, actor=actor, entity="rule", entity_id=rule.pk, action="closure_days",
            before=", ".join(sorted(d.isoformat() for d in have)),
            after=", ".join(sorted(d.isoformat() for d in wanted)), reason=reason, version=rule.version)
    return rule


def callin_rule_version(*, authority) -> int:
    """The version of the council's rule a form or command starts from (0 while it has the default)."""
    return CallInRule.objects.filter(authority=authority).values_list("version", flat=True).first() or 0


# ---- meetings -------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, authority, actor, committee: str, date: date, time=None, location: str = "") -> Meeting:
    require("councils.manage_meetings", actor, authority, doing="add meetings")
    if not committee.strip():
        raise ApaError(Problem("name the committee, for example Cabinet"))
    meeting = Meeting.objects.create(authority=authority, committee=committee.strip(), date=date, time=time,
                                     location=location.strip(), created_by=actor)
    log(authority=authority, actor=actor, entity="meeting", entity_id=meeting.pk, action="created", after=str(meeting))
    return meeting


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, actor, version: int, title: str, report: Report | None = None) -> AgendaItem:
    """Add an item to a meeting's agenda. `version` is the meeting's when the agenda was read: an item added
    since (which would take the same number) makes this one refused."""
    require("councils.manage_meetings", actor, meeting, doing="change agendas")
    meeting = Meeting.objects.select_for_update().select_related("authority").get(pk=meeting.pk)
    refuse = partial(conflict, what="this meeting's agenda", rows=history_of("meeting", meeting.pk), since=version,
                     labels={"agenda_item": "item added"})
    version = version_expect(meeting, version, refuse)
    if report is not None and report.authority_id != meeting.authority_id:
        raise ApaError(Problem("that report belongs to another authority"))
    if report is not None and not (report.is_public or has_perm("councils.view_draft_report", actor, report)):
        raise NotFound(Problem("no such report"))
    meeting.version = version_claim(Meeting, pk=meeting.pk, version=version, refuse=refuse)
    number = (meeting.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, number=number, title=title.strip() or (report.title if report else ""),
                                     report=report)
    log(authority=meeting.authority, actor=actor, entity="meeting", entity_id=meeting.pk, action="agenda_item",
        after=f"{number}. {item.title}", version=meeting.version)
    return item


# ---- reports --------------------------------------------------------------------------------------------


@transaction.atomic
def report_draft(*, result, layout: str, actor, report_date: date | None = None, score: str | None = None,
                 meeting: Meeting | None = None, contact_officer: str = "") -> Report:
    """Draft a report on a published result, in the cabinet (Kent) or scrutiny (Southwark) layout."""
    from apa.publication.selectors import results_visible

    authority = result.authority
    require("councils.draft_report", actor, authority, doing="draft reports")
    if not results_visible().filter(pk=result.pk).exists():
        raise ApaError(Problem("reports can be drafted only on a published result"))
    if layout not in (Report.Layout.CABINET, Report.Layout.SCRUTINY):
        raise ApaError(Problem("choose the cabinet or the scrutiny layout"))
    report_date = report_date or (meeting.date if meeting else timezone.localdate())
    score = reporting.score_or_default(result=result, score=score)
    report = Report(authority=authority, result=result, meeting=meeting, layout=layout, report_date=report_date,
                    score=score, created_by=actor,
                    contact_officer=contact_officer or (actor.get_full_name() or actor.username))
    report.title = reporting.default_title(report)
    report.sections = reporting.default_sections(report, reporting.figures(report))
    report.save()
    log(authority=authority, actor=actor, entity="report", entity_id=report.pk, action="drafted",
        after=f"{report.get_layout_display()}: {report.title}")
    return report


EDITABLE = ("title", "contact_officer", "exempt", "exempt_paragraph", "report_date", "score")


REPORT_LABELS = {"exempt_paragraph": "exempt paragraph", "contact_officer": "contact officer",
                 "report_date": "report date", "redrafted": "redrafted", "superseded": "superseded by"}


def _report_for_change(report: Report, actor, version, doing: str) -> tuple[Report, int, partial]:
    """The report, locked for the change, if the actor may draft it and it is still at `version`."""
    require("councils.draft_report", actor, report, doing=doing)
    report = Report.objects.select_for_update().get(pk=report.pk)
    refuse = partial(conflict, what="this report", rows=history_of("report", report.pk), since=version,
                     labels=REPORT_LABELS)
    return report, version_expect(report, version, refuse), refuse


@transaction.atomic
def report_update(*, report: Report, actor, version: int, sections: dict[str, str] | None = None, **fields) -> Report:
    """Edit a draft. `version` is the report's version when the editor opened it: a later save is refused."""
    report, version, refuse = _report_for_change(report, actor, version, "edit reports")
    if report.status != ReportStatus.DRAFT:
        raise ApaError(Problem("an issued report is never edited; withdraw it or draft a new version"))
    unknown = [k for k in fields if k not in EDITABLE]
    if unknown:
        raise ApaError(Problem(f"cannot edit {', '.join(unknown)}"))
    if fields.get("exempt") and not (fields.get("exempt_paragraph") or report.exempt_paragraph).strip():
        raise ApaError(Problem("an exempt report needs the paragraph of Schedule 12A to the Local Government Act 1972"))
    if "score" in fields:
        fields["score"] = reporting.score_or_default(result=report.result, score=fields["score"])
    changes = [(name, getattr(report, name), value) for name, value in fields.items() if getattr(report, name) != value]
    new_sections = report.sections
    if sections:
        known = {s["key"] for s in report.sections}
        stray = [k for k in sections if k not in known]
        if stray:
            raise ApaError(Problem(f"this report has no section {', '.join(stray)}"))
        new_sections = []
        for section in report.sections:
            text = sections.get(section["key"], section["text"])
            if text != section["text"]:
                changes.append((section["key"], section["text"], text))
            new_sections.append({**section, "text": text})
    if not changes:
        return report
    report.version = version_claim(Report, pk=report.pk, version=version, refuse=refuse)
    for name, before, after in changes:
        log(authority=report.authority, actor=actor, entity="report", entity_id=report.pk, action="edited",
            field=name, before=before, after=after, version=report.version)
    for name, value in fields.items():
        setattr(report, name, value)
    report.sections = new_sections
    report.save()
    return report


@transaction.atomic
def report_issue(*, report: Report, actor, version: int, supersedes_note: str = "") -> Report:
    """Issue a draft: its figures are frozen as of its date, and it is public unless exempt. Issuing a
    redraft supersedes the report it replaces, with a note."""
    report, version, refuse = _report_for_change(report, actor, version, "issue reports")
    if report.status != ReportStatus.DRAFT:
        raise ApaError(Problem("only a draft can be issued"))
    if report.exempt and not report.exempt_paragraph.strip():
        raise ApaError(Problem("an exempt report needs the paragraph of Schedule 12A to the Local Government Act 1972"))
    report.version = version_claim(Report, pk=report.pk, version=version, refuse=refuse)
    report.frozen = reporting.figures(report)
    report.status = ReportStatus.ISSUED
    report.issued_at = timezone.now()
    report.issued_by = actor
    report.save()
    log(authority=report.authority, actor=actor, entity="report", entity_id=report.pk, action="issued",
        after="exempt: " + report.exempt_paragraph if report.exempt else "public", version=report.version)
    replaced = Report.objects.select_for_update().filter(superseded_by=report, status=ReportStatus.ISSUED).first()
    if replaced:
        replaced.status = ReportStatus.SUPERSEDED
        replaced.status_note = supersedes_note or f"Superseded by the report issued on {timezone.localdate():%-d %B %Y}"
        replaced.version += 1
        replaced.save()
        log(authority=report.authority, actor=actor, entity="report", entity_id=replaced.pk, action="superseded",
            after=f"report {report.pk}", reason=replaced.status_note, version=replaced.version)
    return report


@transaction.atomic
def report_withdraw(*, report: Report, actor, version: int, note: str) -> Report:
    report, version, refuse = _report_for_change(report, actor, version, "withdraw reports")
    if report.status != ReportStatus.ISSUED:
        raise ApaError(Problem("only an issued report can be withdrawn"))
    if not note.strip():
        raise ApaError(Problem("say why the report is withdrawn"))
    report.version = version_claim(Report, pk=report.pk, version=version, refuse=refuse)
    report.status = ReportStatus.WITHDRAWN
    report.status_note = note.strip()
    report.save()
    log(authority=report.authority, actor=actor, entity="report", entity_id=report.pk, action="withdrawn",
        reason=note.strip(), version=report.version)
    return report


@transaction.atomic
def report_redraft(*, report: Report, actor, version: int) -> Report:
    """A new draft of an issued report; when it is issued, it supersedes this one."""
    report, version, refuse = _report_for_change(report, actor, version, "draft reports")
    if report.status != ReportStatus.ISSUED:
        raise ApaError(Problem("only an issued report can be redrafted"))
    report.version = version_claim(Report, pk=report.pk, version=version, refuse=refuse)
    new = Report.objects.create(
        authority=report.authority, result=report.result, meeting=report.meeting, layout=report.layout,
        title=report.title, report_date=timezone.localdate(), score=report.score, sections=report.sections,
        contact_officer=report.contact_officer, exempt=report.exempt, exempt_paragraph=report.exempt_paragraph,
        created_by=actor,
    )
    report.superseded_by = new
    report.save(update_fields=["superseded_by", "version"])
    log(authority=report.authority, actor=actor, entity="report", entity_id=new.pk, action="redrafted",
        after=f"from report {report.pk}")
    return new


# ---- decision records and call-in -----------------------------------------------------------------------

DECISION_FIELDS = ("title", "decision", "reasons", "alternatives_rejected", "conflicts", "dispensations",
                   "key_decision", "urgent", "urgent_reason", "decision_date", "meeting", "report")


DECISION_LABELS = {"alternatives_rejected": "alternatives rejected", "key_decision": "key decision",
                   "urgent_reason": "reason it is urgent", "decision_date": "date of the decision",
                   "published": "published", "deadline_recomputed": "deadline recomputed"}


def _decision_history(decision_id: int):
    # A call-in's outcome is in the decision's history too, counted by the call-in's own version.
    return history_of("decision", decision_id).exclude(action="callin_outcome")


def _decision_for_change(decision: DecisionRecord, version) -> tuple[DecisionRecord, int, partial]:
    decision = DecisionRecord.objects.select_for_update().select_related("authority").get(pk=decision.pk)
    refuse = partial(conflict, what="this decision record", rows=_decision_history(decision.pk), since=version,
                     labels=DECISION_LABELS)
    return decision, version_expect(decision, version, refuse), refuse


@transaction.atomic
def decision_save(*, authority, actor, record: DecisionRecord | None = None, version: int | None = None,
                  **fields) -> DecisionRecord:
    """Create or edit a draft decision record. `fields` are DECISION_FIELDS (one of them is the decision text).
    Editing a record takes the `version` it was opened at."""
    require("councils.record_decision", actor, authority if record is None else record, doing="record decisions")
    refuse = None
    if record is not None:
        if record.authority_id != authority.pk:
            raise NotFound(Problem("no such decision"))
        record, version, refuse = _decision_for_change(record, version)
    if record is not None and record.status != DecisionRecord.Status.DRAFT:
        raise ApaError(Problem("a published decision record is not edited; democratic services may recompute "
                               "its deadline"))
    unknown = [k for k in fields if k not in DECISION_FIELDS]
    if unknown:
        raise ApaError(Problem(f"cannot set {', '.join(unknown)}"))
    problems = []
    record = record or DecisionRecord(authority=authority, created_by=actor)
    merged = {k: fields.get(k, getattr(record, k, None)) for k in DECISION_FIELDS}
    if not (merged["title"] or "").strip():
        problems.append(Problem("give the decision a title"))
    if not (merged["decision"] or "").strip():
        problems.append(Problem("record the decision"))
    if not merged["decision_date"]:
        problems.append(Problem("give the date of the decision"))
    if merged["urgent"] and not (merged["urgent_reason"] or "").strip():
        problems.append(Problem("an urgent decision, exempt from call-in, needs the reason it is urgent"))
    for name in ("meeting", "report"):
        item = merged[name]
        if item is not None and item.authority_id != authority.pk:
            problems.append(Problem(f"that {name} belongs to another authority"))
    report = fields.get("report")
    if report is not None and not (report.is_public or has_perm("councils.view_draft_report", actor, report)):
        raise NotFound(Problem("no such report"))
    if problems:
        raise ApaError(problems)
    created = record.pk is None
    changes = [(name, getattr(record, name, None), value) for name, value in fields.items()
               if created or getattr(record, name, None) != value]
    if not created and not changes:
        return record
    if not created:
        record.version = version_claim(DecisionRecord, pk=record.pk, version=version, refuse=refuse)
    for name, before, value in changes:
        setattr(record, name, value)
        if not created:
            log(authority=authority, actor=actor, entity="decision", entity_id=record.pk, action="edited",
                field=name, before=before, after=value, version=record.version)
    record.save()
    if created:
        log(authority=authority, actor=actor, entity="decision", entity_id=record.pk, action="drafted", after=record.title)
    return record


def _aware(value) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    raise ApaError(Problem("a call-in deadline is a date and time"))


@transaction.atomic
def decision_publish(*, decision: DecisionRecord, actor, version: int, publication_date: date,
                     given_deadline: datetime | None = None, given_effective_from: date | None = None) -> DecisionRecord:
    """Publish a decision record. Its call-in deadline is computed now by the council's rule and stored with
    the rule; a deadline the council itself published is stored as given instead."""
    require("councils.publish_decision", actor, decision, doing="publish decisions")
    decision, version, refuse = _decision_for_change(decision, version)
    if decision.status != DecisionRecord.Status.DRAFT:
        raise ApaError(Problem("this decision record is already published"))
    if publication_date < decision.decision_date:
        raise ApaError(Problem("a decision cannot be published before it was made"))
    decision.version = version_claim(DecisionRecord, pk=decision.pk, version=version, refuse=refuse)
    decision.publication_date = publication_date
    decision.status = DecisionRecord.Status.PUBLISHED
    if decision.urgent:
        decision.callin_deadline, decision.effective_from, decision.deadline_rule = None, decision.decision_date, None
    elif given_deadline is not None:
        decision.callin_deadline = _aware(given_deadline)
        decision.effective_from = given_effective_from or (
            timezone.localtime(decision.callin_deadline).date() + timedelta(days=1))
        decision.deadline_as_given = True
        decision.deadline_rule = None
    else:
        computed = callin_deadline(published=publication_date, decided=decision.decision_date,
                                   rule=rule_spec_for(authority=decision.authority))
        decision.callin_deadline, decision.effective_from = computed.deadline, computed.effective_from
        decision.deadline_rule = computed.rule.as_dict()
    decision.save()
    log(authority=decision.authority, actor=actor, entity="decision", entity_id=decision.pk, action="published",
        after=(f"call-in by {timezone.localtime(decision.callin_deadline).isoformat()}"
               + (" (as published by the council)" if decision.deadline_as_given else "")) if decision.callin_deadline
        else "urgent: exempt from call-in", version=decision.version)
    return decision


@transaction.atomic
def decision_recompute(*, decision: DecisionRecord, actor, version: int, reason: str) -> DecisionRecord:
    """Democratic services recompute one record's deadline under the council's current rule (kept in its
    history)."""
    require("councils.publish_decision", actor, decision, doing="recompute a call-in deadline")
    decision, version, refuse = _decision_for_change(decision, version)
    if decision.status != DecisionRecord.Status.PUBLISHED or decision.urgent:
        raise ApaError(Problem("only a published, non-urgent decision has a deadline"))
    if decision.deadline_as_given:
        raise ApaError(Problem("this deadline was published by the council and is kept as given"))
    if not reason.strip():
        raise ApaError(Problem("say why the deadline is recomputed"))
    before = timezone.localtime(decision.callin_deadline).isoformat()
    computed = callin_deadline(published=decision.publication_date, decided=decision.decision_date,
                               rule=rule_spec_for(authority=decision.authority))
    decision.version = version_claim(DecisionRecord, pk=decision.pk, version=version, refuse=refuse)
    decision.callin_deadline, decision.effective_from = computed.deadline, computed.effective_from
    decision.deadline_rule = computed.rule.as_dict()
    decision.save()
    log(authority=decision.authority, actor=actor, entity="decision", entity_id=decision.pk, action="deadline_recomputed",
        field="callin_deadline", before=before, after=computed.deadline.isoformat(), reason=reason.strip(),
        version=decision.version)
    return decision


@transaction.atomic
def callin_record(*, decision: DecisionRecord, actor, members: list[str], reason: str, on: date | None = None,
                  now=None) -> CallIn:
    """Record a call-in while the deadline has not passed."""
    require("councils.record_callin", actor, decision, doing="record call-ins")
    now = now or timezone.now()
    problems = []
    if decision.status != DecisionRecord.Status.PUBLISHED:
        problems.append(Problem("only a published decision can be called in"))
    elif decision.urgent:
        problems.append(Problem("an urgent decision is exempt from call-in"))
    elif decision.callin_deadline and now > decision.callin_deadline:
        problems.append(Problem(f"the call-in period ended at {timezone.localtime(decision.callin_deadline):%H:%M on %-d %B %Y}"))
    members = [m.strip() for m in members if m.strip()]
    if not members:
        problems.append(Problem("name the members who called the decision in"))
    if not reason.strip():
        problems.append(Problem("give the reason for the call-in"))
    if decision.callins.exists():
        problems.append(Problem("this decision has already been called in"))
    if problems:
        raise ApaError(problems)
    callin = CallIn.objects.create(decision=decision, members="\n".join(members), reason=reason.strip(),
                                   date=on or timezone.localdate(now), recorded_by=actor)
    log(authority=decision.authority, actor=actor, entity="decision", entity_id=decision.pk, action="called_in",
        after=", ".join(members), reason=reason.strip())
    return callin


@transaction.atomic
def callin_outcome(*, callin: CallIn, actor, version: int, outcome: str, on: date) -> CallIn:
    """Record a call-in's outcome. `version` is the call-in's when the form was opened."""
    require("councils.record_callin", actor, callin.decision, doing="record call-in outcomes")
    callin = CallIn.objects.select_for_update().select_related("decision__authority").get(pk=callin.pk)
    refuse = partial(conflict, what="this call-in",
                     rows=history_of("decision", callin.decision_id).filter(action="callin_outcome"), since=version,
                     labels={"callin_outcome": "outcome recorded:"})
    version = version_expect(callin, version, refuse)
    if outcome not in CallIn.Outcome.values:
        raise ApaError(Problem(f"the outcome is one of {', '.join(CallIn.Outcome.values)}"))
    if callin.outcome:
        raise ApaError(Problem("the outcome is already recorded"))
    if on < callin.date:
        raise ApaError(Problem("the outcome cannot come before the call-in"))
    callin.version = version_claim(CallIn, pk=callin.pk, version=version, refuse=refuse)
    callin.outcome, callin.outcome_date = outcome, on
    callin.save()
    log(authority=callin.decision.authority, actor=actor, entity="decision", entity_id=callin.decision_id,
        action="callin_outcome", after=f"{callin.get_outcome_display()} ({on.isoformat()})", version=callin.version)
    return callin
