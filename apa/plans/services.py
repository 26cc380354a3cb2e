"""Changing the improvement plan: every area for development and area for focus of a published result becomes a
line, with actions (owner, due date, red/amber/green/complete) and dated progress notes; improvement clinics
review what changed since the last one; a progress report goes to a committee as a draft report.

Only the authority's officers change the plan (plans.edit_plan). Every change writes a private CouncilLog row
(who, when, what, why) in the same transaction; the clinic view reads "what changed" from those rows. A change
made through a form takes the `version` the form was opened at (an action's; a line's, to add an action to it):
a save from an older version is refused, saying what changed since, and writes nothing.
"""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from apa.accounts.permissions import has_perm, require
from apa.councils.history import history_of, log
from apa.councils.models import Report
from apa.errors import ApaError, Problem
from apa.publication.selectors import results_visible
from apa.versions import conflict, version_claim, version_expect

from .models import ActionStatus, Clinic, PlanAction, PlanLine, ProgressNote
from .selectors import (
    FIELD_LABELS,
    LINE_KIND_OF_FINDING,
    long_date,
    plan_findings,
    progress_report,
    progress_report_sections,
)

# ---- lines -------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_lines_from_result(*, result, actor) -> list[PlanLine]:
    """Make a line of the plan for each area for development and area for focus of a published result that is
    not in the plan yet. Running it again adds nothing (a corrected result keeps the same findings)."""
    authority = result.authority
    require("plans.edit_plan", actor, authority, doing="change the improvement plan")
    if not results_visible().filter(pk=result.pk).exists():
        raise ApaError(Problem("the plan starts from a published result; this one is not published"))
    have = set(PlanLine.objects.filter(authority=authority, finding__isnull=False).values_list("finding_id", flat=True))
    created = []
    for finding in plan_findings(result):
        if finding.pk in have:
            continue
        line = PlanLine.objects.create(authority=authority, result=result, finding=finding,
                                       kind=LINE_KIND_OF_FINDING[finding.kind], area=finding.judgement.area.title,
                                       text=finding.text, created_by=actor)
        log(authority=authority, actor=actor, entity="plan_line", entity_id=line.pk, action="created",
            after=f"{line.get_kind_display()}: {line.text}", reason=f"from the published result {result.label}",
            private=True)
        created.append(line)
    return created


@transaction.atomic
def plan_line_add(*, authority, actor, text: str, kind: str = PlanLine.Kind.OTHER, area: str = "", result=None,
                  reason: str = "") -> PlanLine:
    """A line added by hand: for a result without findings (imported results), or the authority's own."""
    require("plans.edit_plan", actor, authority, doing="change the improvement plan")
    problems = []
    if not (text or "").strip():
        problems.append(Problem("write what needs to improve"))
    if kind not in PlanLine.Kind.values:
        problems.append(Problem(f"the kind of line is one of {', '.join(PlanLine.Kind.values)}"))
    if result is not None and (result.authority_id != authority.pk or not results_visible().filter(pk=result.pk).exists()):
        problems.append(Problem("that result is not a published result of this authority"))
    if problems:
        raise ApaError(problems)
    line = PlanLine.objects.create(authority=authority, result=result, kind=kind, area=(area or "").strip(),
                                   text=text.strip(), created_by=actor)
    log(authority=authority, actor=actor, entity="plan_line", entity_id=line.pk, action="created",
        after=f"{line.get_kind_display()}: {line.text}", reason=(reason or "").strip() or "added by hand", private=True)
    return line


# ---- actions and progress ----------------------------------------------------------------------------------


def _owner_problems(authority, owner, owner_name: str) -> list[Problem]:
    if owner is not None and owner_name.strip():
        return [Problem("choose an account or type the name of someone without one, not both")]
    if owner is None and not owner_name.strip():
        return [Problem(f"name the owner: choose an officer of {authority.name}, or type the name of someone without an account")]
    if owner is not None and not has_perm("plans.edit_plan", owner, authority):
        return [Problem(f"{owner.username} is not an officer of {authority.name}; type the person's name instead")]
    return []


def _owner_label(owner, owner_name: str) -> str:
    return (owner.get_full_name() or owner.username) if owner is not None else owner_name


@transaction.atomic
def action_add(*, line: PlanLine, actor, version: int, description: str, due_date: date, owner=None,
               owner_name: str = "", status: str = ActionStatus.AMBER) -> PlanAction:
    """Add an action to a line. `version` is the line's when its actions were read: an action added to it
    since is named, and this one refused (rather than two officers agreeing the same action twice)."""
    require("plans.edit_plan", actor, line, doing="change the improvement plan")
    line = PlanLine.objects.select_for_update().select_related("authority").get(pk=line.pk)
    authority = line.authority
    refuse = partial(conflict, what="this line of the plan", rows=history_of("plan_line", line.pk), since=version,
                     labels={"action_added": "action added"})
    version = version_expect(line, version, refuse)
    owner_name = (owner_name or "").strip()
    problems = []
    if not (description or "").strip():
        problems.append(Problem("describe the action"))
    if due_date is None:
        problems.append(Problem("give the date the action is due"))
    if status not in ActionStatus.values:
        problems.append(Problem(f"the status is one of {', '.join(ActionStatus.values)}"))
    problems += _owner_problems(authority, owner, owner_name)
    if problems:
        raise ApaError(problems)
    line.version = version_claim(PlanLine, pk=line.pk, version=version, refuse=refuse)
    action = PlanAction.objects.create(line=line, description=description.strip(), owner=owner,
                                       owner_name=owner_name, due_date=due_date, status=status)
    log(authority=authority, actor=actor, entity="action", entity_id=action.pk, action="created",
        after=f"{action.description} ({_owner_label(owner, owner_name)}, due {due_date.isoformat()}, {status})",
        reason=f"for line {line.pk}", private=True)
    log(authority=authority, actor=actor, entity="plan_line", entity_id=line.pk, action="action_added",
        after=action.description, private=True, version=line.version)
    return action


ACTION_FIELDS = ("description", "owner", "owner_name", "due_date", "status")


@transaction.atomic
def action_update(*, action: PlanAction, actor, version: int, reason: str = "", **fields) -> PlanAction:
    """Change an action's description, owner, due date or status. `version` is the action's when the form was
    opened: a save from an older one is refused. Moving a due date and reopening a completed action need a
    reason: a committee will ask why."""
    require("plans.edit_plan", actor, action, doing="change the improvement plan")
    action = PlanAction.objects.select_for_update(of=("self",)).select_related("owner", "line__authority").get(pk=action.pk)
    authority = action.line.authority
    refuse = partial(conflict, what="this action", rows=history_of("action", action.pk).filter(action="updated"),
                     since=version, labels=FIELD_LABELS)
    version = version_expect(action, version, refuse)
    unknown = [k for k in fields if k not in ACTION_FIELDS]
    if unknown:
        raise ApaError(Problem(f"cannot change {', '.join(unknown)}"))
    reason = (reason or "").strip()
    new = {k: fields.get(k, getattr(action, k)) for k in ACTION_FIELDS}
    new["owner_name"] = (new["owner_name"] or "").strip()
    new["description"] = (new["description"] or "").strip()
    problems = []
    if not new["description"]:
        problems.append(Problem("describe the action"))
    if new["due_date"] is None:
        problems.append(Problem("give the date the action is due"))
    if new["status"] not in ActionStatus.values:
        problems.append(Problem(f"the status is one of {', '.join(ActionStatus.values)}"))
    if "owner" in fields or "owner_name" in fields:
        problems += _owner_problems(authority, new["owner"], new["owner_name"])
    if new["due_date"] != action.due_date and not reason:
        problems.append(Problem("say why the due date moves"))
    if action.status == ActionStatus.COMPLETE and new["status"] != ActionStatus.COMPLETE and not reason:
        problems.append(Problem("say why a completed action is reopened"))
    if problems:
        raise ApaError(problems)

    changes = []
    if new["description"] != action.description:
        changes.append(("description", action.description, new["description"]))
    if new["due_date"] != action.due_date:
        changes.append(("due_date", action.due_date.isoformat(), new["due_date"].isoformat()))
    before_owner = _owner_label(action.owner, action.owner_name)
    after_owner = _owner_label(new["owner"], new["owner_name"])
    if (new["owner"], new["owner_name"]) != (action.owner, action.owner_name) and before_owner != after_owner:
        changes.append(("owner", before_owner, after_owner))
    if new["status"] != action.status:
        changes.append(("status", action.status, new["status"]))
    if not changes:
        return action
    action.version = version_claim(PlanAction, pk=action.pk, version=version, refuse=refuse)
    for field, before, after in changes:
        log(authority=authority, actor=actor, entity="action", entity_id=action.pk, action="updated", field=field,
            before=before, after=after, reason=reason, private=True, version=action.version)
    for name, value in new.items():
        setattr(action, name, value)
    action.save()
    return action


@transaction.atomic
def progress_note_add(*, action: PlanAction, actor, text: str, on: date | None = None,
                      today: date | None = None) -> ProgressNote:
    require("plans.edit_plan", actor, action, doing="change the improvement plan")
    authority = action.line.authority
    today = today or timezone.localdate()
    on = on or today
    problems = []
    if not (text or "").strip():
        problems.append(Problem("write what progress was made"))
    if on > today:
        problems.append(Problem("a progress note cannot be dated in the future"))
    if problems:
        raise ApaError(problems)
    note = ProgressNote.objects.create(action=action, date=on, text=text.strip(), author=actor)
    log(authority=authority, actor=actor, entity="action", entity_id=action.pk, action="note_added",
        field="progress", after=f"{on.isoformat()}: {note.text}", private=True)
    return note


# ---- improvement clinics -----------------------------------------------------------------------------------


@transaction.atomic
def clinic_record(*, authority, actor, held_on: date, notes: str = "", today: date | None = None) -> Clinic:
    """Record an improvement clinic; the next clinic shows what changed after this one was recorded."""
    require("plans.edit_plan", actor, authority, doing="change the improvement plan")
    today = today or timezone.localdate()
    if held_on is None or held_on > today:
        raise ApaError(Problem("record a clinic on or after the day it is held"))
    clinic = Clinic.objects.create(authority=authority, held_on=held_on, notes=(notes or "").strip(), recorded_by=actor)
    log(authority=authority, actor=actor, entity="clinic", entity_id=clinic.pk, action="recorded",
        after=held_on.isoformat(), reason=clinic.notes, private=True)
    return clinic


# ---- the progress report -----------------------------------------------------------------------------------


@transaction.atomic
def progress_report_draft(*, authority, actor, today: date | None = None, meeting=None) -> Report:
    """A draft committee report (layout "progress") holding the progress summary; officers edit and issue it
    as any report, and once issued it is public unless exempt."""
    require("plans.edit_plan", actor, authority, doing="change the improvement plan")
    today = today or timezone.localdate()
    if meeting is not None and meeting.authority_id != authority.pk:
        raise ApaError(Problem("that meeting belongs to another authority"))
    data = progress_report(authority=authority, today=today)
    if not data["lines"]:
        raise ApaError(Problem("the plan has no lines yet: add the areas for development first"))
    report = Report.objects.create(
        authority=authority, layout=Report.Layout.PROGRESS, meeting=meeting, report_date=meeting.date if meeting else today,
        title=f"Improvement plan: progress report, {long_date(today)}", score="", sections=progress_report_sections(data),
        contact_officer=actor.get_full_name() or actor.username, created_by=actor,
    )
    log(authority=authority, actor=actor, entity="report", entity_id=report.pk, action="drafted",
        after=f"{report.get_layout_display()}: {report.title}")
    return report
