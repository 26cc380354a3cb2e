"""Reads on the council side, each deciding what the reader may see: drafts and exempt items never reach the
public or another authority."""

from django.db.models import Q

from apa.errors import NotFound, Problem

from .models import DecisionRecord, Meeting, Report, ReportStatus
from .permissions import is_admin, is_democratic_services_of, is_officer_of


def sees_drafts(user, authority) -> bool:
    return is_officer_of(user, authority) or is_democratic_services_of(user, authority) or is_admin(user)


def reports_for(*, user, authority):
    reports = Report.objects.filter(authority=authority).select_related("result__framework", "meeting")
    if sees_drafts(user, authority):
        return reports
    return reports.filter(status__in=[ReportStatus.ISSUED, ReportStatus.WITHDRAWN, ReportStatus.SUPERSEDED], exempt=False)


def report_for_user(*, user, pk: int) -> Report:
    report = Report.objects.select_related("authority", "result__framework", "result__authority", "meeting").filter(pk=pk).first()
    if report is None or not (report.is_public or sees_drafts(user, report.authority)):
        raise NotFound(Problem("no such report"))
    return report


def decisions_for(*, user, authority):
    decisions = DecisionRecord.objects.filter(authority=authority).prefetch_related("callins")
    if sees_drafts(user, authority):
        return decisions
    return decisions.filter(status=DecisionRecord.Status.PUBLISHED).filter(Q(report__isnull=True) | Q(report__exempt=False))


def decision_for_user(*, user, pk: int) -> DecisionRecord:
    decision = DecisionRecord.objects.select_related("authority", "report", "meeting").prefetch_related("callins").filter(pk=pk).first()
    if decision is None or not decisions_for(user=user, authority=decision.authority).filter(pk=pk).exists():
        raise NotFound(Problem("no such decision"))
    return decision


def meetings_for(*, authority):
    return Meeting.objects.filter(authority=authority).prefetch_related("items__report")


def history_for(*, user, authority, entity: str, entity_id: int):
    from .models import CouncilLog

    rows = CouncilLog.objects.filter(authority=authority, entity=entity, entity_id=entity_id)
    if not sees_drafts(user, authority):
        rows = rows.filter(private=False).exclude(action="edited")
    return rows
