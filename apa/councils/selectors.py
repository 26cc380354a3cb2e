"""Reads on the council side, each deciding what the reader may see through the named permissions
(apa.accounts.permissions): drafts and exempt items never reach the public or another authority, and a report
drawn from the improvement plan stays with the authority's officers until it is issued and public."""


from apa.accounts.permissions import has_perm, require_visible

from .models import CouncilLog, DecisionRecord, Meeting, Report


def _report_visible(user, report: Report) -> bool:
    return report.is_public or has_perm("councils.view_draft_report", user, report)


def reports_for(*, user, authority):
    reports = Report.objects.filter(authority=authority)
    hidden = [r.pk for r in reports.only("pk", "authority_id", "layout", "status", "exempt")
              if not _report_visible(user, r)]
    return reports.exclude(pk__in=hidden).select_related("result__framework", "meeting")


def report_for_user(*, user, pk: int) -> Report:
    """A report the person may read: public, or a draft or exempt one they hold councils.view_draft_report
    for; any other answers "no such report", as a missing one does."""
    report = Report.objects.select_related("authority", "result__framework", "result__authority", "meeting").filter(pk=pk).first()
    if report is None or not report.is_public:
        require_visible("councils.view_draft_report", user, report, "report")
    return report


def _decision_public(decision: DecisionRecord) -> bool:
    return decision.status == DecisionRecord.Status.PUBLISHED and not (decision.report_id and decision.report.exempt)


def decisions_for(*, user, authority):
    decisions = DecisionRecord.objects.filter(authority=authority)
    hidden = [d.pk for d in decisions.select_related("report").only("pk", "authority_id", "status", "report__exempt")
              if not (_decision_public(d) or has_perm("councils.view_draft_decision", user, d))]
    return decisions.exclude(pk__in=hidden).prefetch_related("callins")


def decisions_published(*, at) -> list[DecisionRecord]:
    """Every authority's public decision records whose publication was recorded at or before `at` (for open
    data's releases, which read the record as it stood at their moment)."""
    published = CouncilLog.objects.filter(entity="decision", action="published", at__lte=at).values("entity_id")
    decisions = DecisionRecord.objects.filter(pk__in=published).select_related("authority", "report")
    return [d for d in decisions if _decision_public(d)]


def decision_for_user(*, user, pk: int) -> DecisionRecord:
    decision = DecisionRecord.objects.select_related("authority", "report", "meeting").prefetch_related("callins").filter(pk=pk).first()
    if decision is None or not _decision_public(decision):
        require_visible("councils.view_draft_decision", user, decision, "decision")
    return decision


def meetings_for(*, authority):
    return Meeting.objects.filter(authority=authority).prefetch_related("items__report")


def _history(*, authority, entity: str, entity_id: int, full: bool):
    rows = CouncilLog.objects.filter(authority=authority, entity=entity, entity_id=entity_id)
    if not full:
        rows = rows.filter(private=False).exclude(action="edited")
    return rows


def report_history(*, user, report: Report):
    """A report's history; who may read its drafts also sees its edits."""
    return _history(authority=report.authority, entity="report", entity_id=report.pk,
                    full=has_perm("councils.view_draft_report", user, report))


def decision_history(*, user, decision: DecisionRecord):
    return _history(authority=decision.authority, entity="decision", entity_id=decision.pk,
                    full=has_perm("councils.view_draft_decision", user, decision))
