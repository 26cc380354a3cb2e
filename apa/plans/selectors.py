"""Reading the improvement plan: who may see it, its lines with their actions (overdue, due soon, latest
progress), the history of its changes, what changed since an improvement clinic, the progress report and last
time's plan for the next self-assessment.

Only the authority's officers see the plan (plans.view_plan: not democratic services, not other authorities, not
admins, not the public). The changes are read from the private CouncilLog rows the services write.
"""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from apa.accounts.models import User
from apa.accounts.permissions import has_perm, require_visible
from apa.assessments.models import Finding, FindingKind
from apa.councils.models import CouncilLog
from apa.publication.selectors import results_visible
from apa.tabular import csv_text

from .models import ActionStatus, Clinic, PlanAction, PlanLine, ProgressNote

PLAN_ENTITIES = ("plan_line", "action", "clinic")
LINE_KIND_OF_FINDING = {FindingKind.DEVELOPMENT: PlanLine.Kind.DEVELOPMENT, FindingKind.FOCUS: PlanLine.Kind.FOCUS}
# "Due this week" in alerts and on the plan: due within the seven days starting today.
DUE_SOON_DAYS = 7


# ---- what a person may open --------------------------------------------------------------------------------


def plan_line_for_user(*, user, pk: int) -> PlanLine:
    """A line of a plan the person may see; another authority's answers as a missing one does."""
    line = PlanLine.objects.select_related("authority", "result__framework", "finding").filter(pk=pk).first()
    require_visible("plans.view_plan", user, line, "line of an improvement plan")
    return line


def plan_action_for_user(*, user, pk: int) -> PlanAction:
    action = PlanAction.objects.select_related("line__authority", "owner").filter(pk=pk).first()
    require_visible("plans.view_plan", user, action, "action")
    return action


def owner_choices(*, authority) -> list[User]:
    """Accounts that may own an action: those who may change the plan (the authority's active officers);
    others are named without an account."""
    return [u for u in User.objects.filter(authority=authority, is_active=True).order_by("username")
            if has_perm("plans.edit_plan", u, authority)]


# ---- lines -------------------------------------------------------------------------------------------------


def plan_findings(result) -> list[Finding]:
    """The areas for development and for focus of a result published by a cycle; imported results have none."""
    if not result.assessment_id:
        return []
    return list(
        Finding.objects.filter(judgement__assessment_id=result.assessment_id, kind__in=list(LINE_KIND_OF_FINDING))
        .select_related("judgement__area").order_by("judgement__area__display_order", "kind", "order", "pk")
    )


def plan_results_pending(*, authority) -> list[dict]:
    """Published results of the authority with areas for development or focus not yet in the plan."""
    have = set(PlanLine.objects.filter(authority=authority, finding__isnull=False).values_list("finding_id", flat=True))
    out = []
    for result in results_visible().filter(authority=authority, assessment__isnull=False).select_related("framework"):
        missing = [f for f in plan_findings(result) if f.pk not in have]
        if missing:
            out.append({"result": result, "count": len(missing)})
    return out


# ---- reading the plan --------------------------------------------------------------------------------------


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
    if row.action == "action_added":
        return f"action added: {row.after}"
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


# ---- improvement clinics -----------------------------------------------------------------------------------


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


# ---- the progress report -----------------------------------------------------------------------------------


def progress_report(*, authority, today: date) -> dict:
    """What the progress report says, for its page, PDF, CSV and committee report."""
    lines = plan_lines(authority=authority, today=today)
    overdue = [(line, a) for line in lines for a in line.action_list if a.overdue]
    return {"authority": authority, "today": today, "lines": lines, "summary": plan_summary(lines),
            "overdue": overdue, "last_clinic": Clinic.objects.filter(authority=authority).first()}


CSV_HEADER = ["line", "kind", "area", "area_text", "result", "action", "description", "owner", "due_date", "status",
              "overdue", "latest_note_date", "latest_note"]


def progress_report_rows(data: dict):
    """One row per action, with its line, in the order of CSV_HEADER."""
    for line in data["lines"]:
        for a in line.action_list:
            note = a.latest_note
            yield [line.pk, line.kind, line.area, line.text, line.result.label if line.result else "",
                   a.pk, a.description, a.owner_label, a.due_date.isoformat(), a.status,
                   "yes" if a.overdue else "no", note.date.isoformat() if note else "",
                   note.text if note else ""]


def progress_report_csv(data: dict) -> str:
    """One row per action, with its line; a header first."""
    return csv_text(progress_report_rows(data), header=CSV_HEADER)


def long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def progress_report_sections(data: dict) -> list[dict]:
    """The committee report's sections, editable as any draft report's are."""
    summary, name = data["summary"], data["authority"].name
    text = [f"{name}'s improvement plan has {summary['lines']} lines ({summary['kinds_text'] or 'none'}) and "
            f"{summary['actions']} actions ({summary['statuses_text'] or 'none yet'}), as at {long_date(data['today'])}."]
    if summary["overdue"]:
        text.append("1 action is overdue." if summary["overdue"] == 1 else f"{summary['overdue']} actions are overdue.")
    else:
        text.append("No action is overdue.")
    if data["last_clinic"]:
        text.append(f"Progress was last reviewed at the improvement clinic of {long_date(data['last_clinic'].held_on)}.")
    progress = []
    for line in data["lines"]:
        progress.append(f"{line.get_kind_display()}{' — ' + line.area if line.area else ''}: {line.text}")
        for a in line.action_list:
            item = f"- {a.description} ({a.owner_label}, due {long_date(a.due_date)}): {a.get_status_display()}"
            if a.overdue:
                item += ", overdue"
            if a.latest_note:
                item += f". Latest progress ({long_date(a.latest_note.date)}): {a.latest_note.text}"
            progress.append(item)
        if not line.action_list:
            progress.append("- No action agreed yet.")
    overdue = [f"- {a.description} ({a.owner_label}), due {long_date(a.due_date)}: {line.text}" for line, a in data["overdue"]]
    return [
        {"key": "recommendation", "heading": "Recommendation",
         "text": "Members are invited to note and comment on progress with the improvement plan."},
        {"key": "summary", "heading": "Summary", "text": "\n".join(text)},
        {"key": "progress", "heading": "Progress against the plan", "text": "\n".join(progress) or "The plan has no lines yet."},
        {"key": "overdue", "heading": "Overdue actions", "text": "\n".join(overdue) or "None."},
        {"key": "next_steps", "heading": "Next steps",
         "text": "Progress will continue to be monitored through improvement clinics and reported to this committee."},
    ]


# ---- the next self-assessment ------------------------------------------------------------------------------


def plan_for_self_assessment(*, user, assessment) -> list[dict]:
    """Last time's areas for development and focus and what was done about them (actions, status, latest
    progress), grouped by the result they came from, for those who may see the plan (the authority's officers)
    when the next cycle's self-assessment opens. Inspectors reading the self-assessment do not see the plan."""
    authority = assessment.authority
    if not has_perm("plans.view_plan", user, authority):
        return []
    earlier = PlanLine.objects.filter(authority=authority).exclude(result__year__gte=assessment.cycle.year)
    groups: dict[str, list] = {}
    for line in plan_lines(authority=authority, today=timezone.localdate(), lines=earlier):
        groups.setdefault(line.result.label if line.result else "Added by the authority", []).append(line)
    return [{"label": label, "lines": lines} for label, lines in groups.items()]
