"""The improvement plan: every area for development and area for focus of a published result becomes a line,
with actions (owner, due date, red/amber/green/complete) and dated progress notes; improvement clinics review
what changed since the last one; a progress report goes to a committee; the next self-assessment opens with
what was done.

Only the authority's officers and admins see the plan (not democratic services, not other authorities, not the
public). Every change writes a private CouncilLog row (who, when, what, why) in the same transaction; the
clinic view reads "what changed" from those rows.
"""

import csv
import io
from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from apa.accounts.models import Role, User
from apa.assessments.models import Finding, FindingKind
from apa.errors import ApaError, NotFound, Problem
from apa.publication.selectors import results_visible

from .models import ActionStatus, Clinic, CouncilLog, PlanAction, PlanLine, ProgressNote, Report
from .permissions import is_admin, is_officer_of, log, require_officer

PLAN_ENTITIES = ("plan_line", "action", "clinic")
LINE_KIND_OF_FINDING = {FindingKind.DEVELOPMENT: PlanLine.Kind.DEVELOPMENT, FindingKind.FOCUS: PlanLine.Kind.FOCUS}
# "Due this week" in alerts and on the plan: due within the seven days starting today.
DUE_SOON_DAYS = 7


# ---- who may see the plan -------------------------------------------------------------------------------


def plan_visible(user, authority) -> bool:
    """The authority's officers and admins; nobody else (democratic services keep meetings, not the plan)."""
    return is_officer_of(user, authority) or is_admin(user)


def _require_plan(actor, authority) -> None:
    require_officer(actor, authority, "run the improvement plan")


def plan_line_for_user(*, user, pk: int) -> PlanLine:
    line = PlanLine.objects.select_related("authority", "result__framework", "finding").filter(pk=pk).first()
    if line is None or not plan_visible(user, line.authority):
        raise NotFound(Problem("no such line of an improvement plan"))
    return line


def plan_action_for_user(*, user, pk: int) -> PlanAction:
    action = PlanAction.objects.select_related("line__authority", "owner").filter(pk=pk).first()
    if action is None or not plan_visible(user, action.line.authority):
        raise NotFound(Problem("no such action"))
    return action


def owner_choices(*, authority) -> list[User]:
    """Accounts that may own an action: the authority's active officers (others are named without an account)."""
    return list(User.objects.filter(role=Role.AUTHORITY_OFFICER, authority=authority, is_active=True).order_by("username"))


# ---- lines ----------------------------------------------------------------------------------------------


def _plan_findings(result) -> list[Finding]:
    """The areas for development and for focus of a result published by a cycle; imported results have none."""
    if not result.assessment_id:
        return []
    return list(
        Finding.objects.filter(judgement__assessment_id=result.assessment_id, kind__in=list(LINE_KIND_OF_FINDING))
        .select_related("judgement__area").order_by("judgement__area__display_order", "kind", "order", "pk")
    )


@transaction.atomic
def plan_lines_from_result(*, result, actor) -> list[PlanLine]:
    """Make a line of the plan for each area for development and area for focus of a published result that is
    not in the plan yet. Running it again adds nothing (a corrected result keeps the same findings)."""
    authority = result.authority
    _require_plan(actor, authority)
    if not results_visible().filter(pk=result.pk).exists():
        raise ApaError(Problem("the plan starts from a published result; this one is not published"))
    have = set(PlanLine.objects.filter(authority=authority, finding__isnull=False).values_list("finding_id", flat=True))
    created = []
    for finding in _plan_findings(result):
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


def plan_results_pending(*, authority) -> list[dict]:
    """Published results of the authority with areas for development or focus not yet in the plan."""
    have = set(PlanLine.objects.filter(authority=authority, finding__isnull=False).values_list("finding_id", flat=True))
    out = []
    for result in results_visible().filter(authority=authority, assessment__isnull=False).select_related("framework"):
        missing = [f for f in _plan_findings(result) if f.pk not in have]
        if missing:
            out.append({"result": result, "count": len(missing)})
    return out


@transaction.atomic
def plan_line_add(*, authority, actor, text: str, kind: str = PlanLine.Kind.OTHER, area: str = "", result=None,
                  reason: str = "") -> PlanLine:
    """A line added by hand: for a result without findings (imported results), or the authority's own."""
    _require_plan(actor, authority)
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


# ---- actions and progress -------------------------------------------------------------------------------


def _owner_problems(authority, owner, owner_name: str) -> list[Problem]:
    if owner is not None and owner_name.strip():
        return [Problem("choose an account or type the name of someone without one, not both")]
    if owner is None and not owner_name.strip():
        return [Problem(f"name the owner: choose an officer of {authority.name}, or type the name of someone without an account")]
    if owner is not None and not (owner.is_active and owner.role == Role.AUTHORITY_OFFICER
                                  and owner.authority_id == authority.pk):
        return [Problem(f"{owner.username} is not an officer of {authority.name}; type the person's name instead")]
    return []


def _owner_label(owner, owner_name: str) -> str:
    return (owner.get_full_name() or owner.username) if owner is not None else owner_name


@transaction.atomic
def action_add(*, line: PlanLine, actor, description: str, due_date: date, owner=None, owner_name: str = "",
               status: str = ActionStatus.AMBER) -> PlanAction:
    authority = line.authority
    _require_plan(actor, authority)
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
    action = PlanAction.objects.create(line=line, description=description.strip(), owner=owner,
                                       owner_name=owner_name, due_date=due_date, status=status)
    log(authority=authority, actor=actor, entity="action", entity_id=action.pk, action="created",
        after=f"{action.description} ({_owner_label(owner, owner_name)}, due {due_date.isoformat()}, {status})",
        reason=f"for line {line.pk}", private=True)
    return action


ACTION_FIELDS = ("description", "owner", "owner_name", "due_date", "status")


@transaction.atomic
def action_update(*, action: PlanAction, actor, reason: str = "", **fields) -> PlanAction:
    """Change an action's description, owner, due date or status. Moving a due date and reopening a completed
    action need a reason: a committee will ask why."""
    authority = action.line.authority
    _require_plan(actor, authority)
    action = PlanAction.objects.select_for_update(of=("self",)).select_related("owner", "line__authority").get(pk=action.pk)
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

    def record(field, before, after):
        log(authority=authority, actor=actor, entity="action", entity_id=action.pk, action="updated", field=field,
            before=before, after=after, reason=reason, private=True)

    if new["description"] != action.description:
        record("description", action.description, new["description"])
    if new["due_date"] != action.due_date:
        record("due_date", action.due_date.isoformat(), new["due_date"].isoformat())
    before_owner = _owner_label(action.owner, action.owner_name)
    after_owner = _owner_label(new["owner"], new["owner_name"])
    if (new["owner"], new["owner_name"]) != (action.owner, action.owner_name) and before_owner != after_owner:
        record("owner", before_owner, after_owner)
    if new["status"] != action.status:
        record("status", action.status, new["status"])
    for name, value in new.items():
        setattr(action, name, value)
    action.save()
    return action


@transaction.atomic
def progress_note_add(*, action: PlanAction, actor, text: str, on: date | None = None,
                      today: date | None = None) -> ProgressNote:
    authority = action.line.authority
    _require_plan(actor, authority)
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


# ---- reading the plan -----------------------------------------------------------------------------------


def is_overdue(action: PlanAction, today: date) -> bool:
    return action.status != ActionStatus.COMPLETE and action.due_date < today


def plan_overdue(*, authority, today: date):
    """Actions whose due date has passed and that are not complete."""
    return (PlanAction.objects.filter(line__authority=authority, due_date__lt=today)
            .exclude(status=ActionStatus.COMPLETE).select_related("line", "owner").order_by("due_date", "pk"))


def plan_lines(*, authority, today: date, lines=None) -> list[PlanLine]:
    """The plan's lines with their actions; each action carries `overdue`, `due_soon` and `latest_note`."""
    qs = lines if lines is not None else PlanLine.objects.filter(authority=authority)
    qs = qs.select_related("result__framework", "finding").prefetch_related(
        Prefetch("actions", queryset=PlanAction.objects.select_related("owner").prefetch_related(
            Prefetch("notes", queryset=ProgressNote.objects.select_related("author")))))
    soon = today + timedelta(days=DUE_SOON_DAYS - 1)
    out = list(qs)
    for line in out:
        line.action_list = list(line.actions.all())
        for action in line.action_list:
            action.overdue = is_overdue(action, today)
            action.due_soon = not action.overdue and action.status != ActionStatus.COMPLETE and action.due_date <= soon
            notes = list(action.notes.all())
            action.note_list = notes
            action.latest_note = notes[-1] if notes else None
        line.complete = bool(line.action_list) and all(a.status == ActionStatus.COMPLETE for a in line.action_list)
    return out


KIND_COUNTED = {PlanLine.Kind.DEVELOPMENT: ("area for development", "areas for development"),
                PlanLine.Kind.FOCUS: ("area for focus", "areas for focus"),
                PlanLine.Kind.OTHER: ("added by the authority", "added by the authority")}


def plan_summary(lines: list[PlanLine]) -> dict:
    statuses = Counter(a.status for line in lines for a in line.action_list)
    kinds = Counter(line.kind for line in lines)
    actions = [a for line in lines for a in line.action_list]
    return {
        "lines": len(lines),
        "kinds": [(k, label, kinds.get(k, 0)) for k, label in PlanLine.Kind.choices],
        "kinds_text": ", ".join(f"{kinds[k]} {KIND_COUNTED[k][kinds[k] != 1]}" for k in PlanLine.Kind.values if kinds[k]),
        "actions": len(actions),
        "statuses": [(s, label, statuses.get(s, 0)) for s, label in ActionStatus.choices],
        "statuses_text": ", ".join(f"{statuses[s]} {label.lower()}" for s, label in ActionStatus.choices if statuses[s]),
        "overdue": sum(1 for a in actions if a.overdue),
        "due_soon": sum(1 for a in actions if a.due_soon),
        "without_actions": sum(1 for line in lines if not line.action_list),
    }


def plan_home(*, authority, today: date) -> dict:
    lines = plan_lines(authority=authority, today=today)
    return {"lines": lines, "summary": plan_summary(lines), "pending": plan_results_pending(authority=authority),
            "last_clinic": Clinic.objects.filter(authority=authority).first(),
            "results": list(results_visible().filter(authority=authority).select_related("framework")
                            .order_by("-counts_from"))}


STATUS_LABELS = dict(ActionStatus.choices)
FIELD_LABELS = {"description": "description", "due_date": "due date", "owner": "owner", "status": "status",
                "progress": "progress note"}


def describe(row: CouncilLog) -> str:
    """One history row as a sentence fragment, for pages and the clinic."""
    if row.action == "created":
        return f"added {row.after}"
    if row.action == "note_added":
        return f"progress note {row.after}"
    if row.action == "recorded" and row.entity == "clinic":
        return f"improvement clinic held on {row.after}"
    if row.action == "updated":
        before, after = row.before, row.after
        if row.field == "status":
            before, after = STATUS_LABELS.get(before, before), STATUS_LABELS.get(after, after)
        return f"{FIELD_LABELS.get(row.field, row.field)} changed from {before or 'nothing'} to {after}"
    return f"{row.action} {row.after}".strip()


def plan_history(*, authority, entity: str | None = None, entity_id: int | None = None):
    rows = CouncilLog.objects.filter(authority=authority, entity__in=PLAN_ENTITIES, private=True).select_related("actor")
    if entity:
        rows = rows.filter(entity=entity, entity_id=entity_id)
    rows = list(rows)
    for row in rows:
        row.description = describe(row)
    return rows


# ---- improvement clinics --------------------------------------------------------------------------------


@transaction.atomic
def clinic_record(*, authority, actor, held_on: date, notes: str = "", today: date | None = None) -> Clinic:
    """Record an improvement clinic; the next clinic shows what changed after this one was recorded."""
    _require_plan(actor, authority)
    today = today or timezone.localdate()
    if held_on is None or held_on > today:
        raise ApaError(Problem("record a clinic on or after the day it is held"))
    clinic = Clinic.objects.create(authority=authority, held_on=held_on, notes=(notes or "").strip(), recorded_by=actor)
    log(authority=authority, actor=actor, entity="clinic", entity_id=clinic.pk, action="recorded",
        after=held_on.isoformat(), reason=clinic.notes, private=True)
    return clinic


def _clinic_mark(clinic: Clinic | None) -> int:
    """The history row that recorded the clinic: changes after it are 'since the clinic'."""
    if clinic is None:
        return 0
    return (CouncilLog.objects.filter(authority_id=clinic.authority_id, entity="clinic", entity_id=clinic.pk,
                                      action="recorded").values_list("pk", flat=True).first() or 0)


def plan_changes_since(*, authority, clinic: Clinic | None) -> dict:
    """What changed in the plan since a clinic (or since the plan began): new lines, new actions, status
    changes, completed actions, new progress notes and other changes (due dates, owners, wording)."""
    rows = list(CouncilLog.objects.filter(authority=authority, private=True, entity__in=["plan_line", "action"],
                                          pk__gt=_clinic_mark(clinic)).select_related("actor"))
    lines = PlanLine.objects.in_bulk([r.entity_id for r in rows if r.entity == "plan_line"])
    actions = PlanAction.objects.select_related("line").in_bulk([r.entity_id for r in rows if r.entity == "action"])
    changes = {"new_lines": [], "new_actions": [], "status_changes": [], "completed": [], "notes": [], "other": []}
    for row in rows:
        row.description = describe(row)
        if row.entity == "plan_line":
            if row.action == "created" and row.entity_id in lines:
                changes["new_lines"].append({"row": row, "line": lines[row.entity_id]})
            continue
        action = actions.get(row.entity_id)
        if action is None:
            continue
        item = {"row": row, "action": action, "line": action.line,
                "before": STATUS_LABELS.get(row.before, row.before), "after": STATUS_LABELS.get(row.after, row.after)}
        if row.action == "created":
            changes["new_actions"].append(item)
        elif row.action == "note_added":
            changes["notes"].append(item)
        elif row.field == "status" and row.after == ActionStatus.COMPLETE:
            changes["completed"].append(item)
        elif row.field == "status":
            changes["status_changes"].append(item)
        else:
            changes["other"].append(item)
    changes["count"] = sum(len(v) for v in changes.values())
    return changes


def clinic_view(*, authority, today: date, since: Clinic | None = None) -> dict:
    """The plan for a review meeting, with what changed since the last clinic (or since the one asked for)."""
    clinics = list(Clinic.objects.filter(authority=authority).select_related("recorded_by"))
    since = since or (clinics[0] if clinics else None)
    lines = plan_lines(authority=authority, today=today)
    return {"lines": lines, "summary": plan_summary(lines), "clinics": clinics, "since": since,
            "changes": plan_changes_since(authority=authority, clinic=since)}


# ---- the progress report --------------------------------------------------------------------------------


def progress_report(*, authority, today: date) -> dict:
    """What the progress report says, for its page, PDF, CSV and committee report."""
    lines = plan_lines(authority=authority, today=today)
    overdue = [(line, a) for line in lines for a in line.action_list if a.overdue]
    return {"authority": authority, "today": today, "lines": lines, "summary": plan_summary(lines),
            "overdue": overdue, "last_clinic": Clinic.objects.filter(authority=authority).first()}


CSV_HEADER = ["line", "kind", "area", "area_text", "result", "action", "description", "owner", "due_date", "status",
              "overdue", "latest_note_date", "latest_note"]


def progress_report_csv(data: dict) -> str:
    """One row per action, with its line; a header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in data["lines"]:
        for a in line.action_list:
            note = a.latest_note
            writer.writerow([line.pk, line.kind, line.area, line.text, line.result.label if line.result else "",
                             a.pk, a.description, a.owner_label, a.due_date.isoformat(), a.status,
                             "yes" if a.overdue else "no", note.date.isoformat() if note else "",
                             note.text if note else ""])
    return out.getvalue()


def _d(day: date) -> str:
    return f"{day:%-d %B %Y}"


def progress_report_sections(data: dict) -> list[dict]:
    """The committee report's sections, editable as any draft report's are."""
    summary, name = data["summary"], data["authority"].name
    text = [f"{name}'s improvement plan has {summary['lines']} lines ({summary['kinds_text'] or 'none'}) and "
            f"{summary['actions']} actions ({summary['statuses_text'] or 'none yet'}), as at {_d(data['today'])}."]
    if summary["overdue"]:
        text.append("1 action is overdue." if summary["overdue"] == 1 else f"{summary['overdue']} actions are overdue.")
    else:
        text.append("No action is overdue.")
    if data["last_clinic"]:
        text.append(f"Progress was last reviewed at the improvement clinic of {_d(data['last_clinic'].held_on)}.")
    progress = []
    for line in data["lines"]:
        progress.append(f"{line.get_kind_display()}{' — ' + line.area if line.area else ''}: {line.text}")
        for a in line.action_list:
            item = f"- {a.description} ({a.owner_label}, due {_d(a.due_date)}): {a.get_status_display()}"
            if a.overdue:
                item += ", overdue"
            if a.latest_note:
                item += f". Latest progress ({_d(a.latest_note.date)}): {a.latest_note.text}"
            progress.append(item)
        if not line.action_list:
            progress.append("- No action agreed yet.")
    overdue = [f"- {a.description} ({a.owner_label}), due {_d(a.due_date)}: {line.text}" for line, a in data["overdue"]]
    return [
        {"key": "recommendation", "heading": "Recommendation",
         "text": "Members are invited to note and comment on progress with the improvement plan."},
        {"key": "summary", "heading": "Summary", "text": "\n".join(text)},
        {"key": "progress", "heading": "Progress against the plan", "text": "\n".join(progress) or "The plan has no lines yet."},
        {"key": "overdue", "heading": "Overdue actions", "text": "\n".join(overdue) or "None."},
        {"key": "next_steps", "heading": "Next steps",
         "text": "Progress will continue to be monitored through improvement clinics and reported to this committee."},
    ]


@transaction.atomic
def progress_report_draft(*, authority, actor, today: date | None = None, meeting=None) -> Report:
    """A draft committee report (layout "progress") holding the progress summary; officers edit and issue it
    as any report, and once issued it is public unless exempt."""
    _require_plan(actor, authority)
    today = today or timezone.localdate()
    if meeting is not None and meeting.authority_id != authority.pk:
        raise ApaError(Problem("that meeting belongs to another authority"))
    data = progress_report(authority=authority, today=today)
    if not data["lines"]:
        raise ApaError(Problem("the plan has no lines yet: add the areas for development first"))
    report = Report.objects.create(
        authority=authority, layout=Report.Layout.PROGRESS, meeting=meeting, report_date=meeting.date if meeting else today,
        title=f"Improvement plan: progress report, {_d(today)}", score="", sections=progress_report_sections(data),
        contact_officer=actor.get_full_name() or actor.username, created_by=actor,
    )
    log(authority=authority, actor=actor, entity="report", entity_id=report.pk, action="drafted",
        after=f"{report.get_layout_display()}: {report.title}")
    return report


# ---- the next self-assessment ---------------------------------------------------------------------------


def plan_for_self_assessment(*, user, assessment) -> list[dict]:
    """Last time's areas for development and focus and what was done about them (actions, status, latest
    progress), grouped by the result they came from, for the authority's officers (and admins) when the next
    cycle's self-assessment opens. Inspectors reading the self-assessment do not see the plan."""
    authority = assessment.authority
    if not plan_visible(user, authority):
        return []
    earlier = PlanLine.objects.filter(authority=authority).exclude(result__year__gte=assessment.cycle.year)
    groups: dict[str, list] = {}
    for line in plan_lines(authority=authority, today=timezone.localdate(), lines=earlier):
        groups.setdefault(line.result.label if line.result else "Added by the authority", []).append(line)
    return [{"label": label, "lines": lines} for label, lines in groups.items()]
