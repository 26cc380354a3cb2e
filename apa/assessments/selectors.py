"""Reads for the assessment cycle, each deciding what the reader may see. Nothing unpublished reaches the
public or another authority: every read of an assessment goes through `assessment_for_user`."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from apa.accounts.permissions import has_perm, require, require_visible
from apa.frameworks.models import Area
from apa.publication.selectors import area_lineages, results_visible

from .models import (
    Assessment,
    ChangeLog,
    Cycle,
    Evidence,
    EvidenceKind,
    Finding,
    FindingKind,
    GradeChange,
    Judgement,
    State,
)


def required_areas(*, cycle: Cycle) -> list[Area]:
    return [a for a in cycle.framework.areas.all() if a.required and (a.graded_from is None or a.graded_from <= cycle.year)]


def assessment_for_user(*, user, pk: int) -> Assessment:
    """The assessment if this user may open it; otherwise 'not found' (so nothing about it leaks)."""
    assessment = (
        Assessment.objects.select_related("cycle__framework", "authority", "lead_inspector").filter(pk=pk).first()
    )
    require_visible("assessments.view_assessment", user, assessment, "assessment")
    return assessment


def can_see_judgements(*, user, assessment: Assessment) -> bool:
    return has_perm("assessments.view_draft_letter", user, assessment)


def cycles_for_user(*, user):
    """Every cycle for those who see dashboards; an officer, the cycles in which its authority is assessed."""
    cycles = Cycle.objects.select_related("framework")
    if has_perm("assessments.view_cycle", user):
        return cycles.all()
    authority = getattr(user, "authority", None)
    if authority is not None and has_perm("assessments.view_assessment", user, authority):
        return cycles.filter(assessments__authority=authority)
    return cycles.none()


@dataclass
class DashboardRow:
    assessment: Assessment
    overdue: list[str]


def cycle_dashboard(*, cycle: Cycle, viewer, today=None) -> dict:
    """Every authority's state and what is overdue against the cycle's milestones (for those who see dashboards)."""
    require("assessments.view_cycle", viewer, cycle)
    today = today or timezone.localdate()
    rows = []
    counts = Counter()
    order = list(State.values)
    for a in cycle.assessments.select_related("authority", "lead_inspector").order_by("authority__name"):
        overdue = []
        position = order.index(a.state)
        if today > cycle.self_assessment_due and position < order.index(State.SUBMITTED):
            overdue.append(f"self-assessment was due {cycle.self_assessment_due:%-d %B %Y}")
        if today > cycle.visits_to and position < order.index(State.DRAFT_JUDGEMENTS):
            overdue.append(f"review should have ended with the visits by {cycle.visits_to:%-d %B %Y}")
        if today > cycle.moderation_by and position < order.index(State.MODERATED):
            overdue.append(f"moderation was due by {cycle.moderation_by:%-d %B %Y}")
        if a.lead_inspector_id is None:
            overdue.append("no lead inspector assigned")
        counts[a.state] += 1
        rows.append(DashboardRow(a, overdue))
    return {"rows": rows, "counts": [(s, State(s).label, counts.get(s, 0)) for s in State.values],
            "overdue": sum(1 for r in rows if r.overdue)}


def judgements_of(*, assessment: Assessment) -> list[Judgement]:
    """The assessment's judgements in the framework's judging order, with findings, evidence and comments."""
    by_area = {
        j.area_id: j for j in Judgement.objects.filter(assessment=assessment).select_related("area", "updated_by")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.select_related("document", "self_assessment_area")),
                "comments__author")),
            "comments__author",
            Prefetch("grade_changes", queryset=GradeChange.objects.select_related("proposed_by", "agreed_by")),
        )
    }
    areas = sorted(assessment.cycle.framework.areas.all(), key=lambda a: a.judging_order)
    out = []
    for area in areas:
        judgement = by_area.get(area.pk) or Judgement(assessment=assessment, area=area)
        out.append(judgement)
    return out


def findings_by_kind(judgement: Judgement) -> dict[str, list[Finding]]:
    grouped = defaultdict(list)
    if judgement.pk:
        for finding in judgement.findings.all():
            grouped[finding.kind].append(finding)
    return {k: grouped.get(k, []) for k in FindingKind.values}


def letter(*, assessment: Assessment, draft: bool = False) -> dict:
    """The letter laid out as it is published, as plain data: grades and findings in display order, each
    finding with its indicator evidence and frozen benchmark, and the strengths-to-development ratio.

    Publishing stores exactly this (without the draft's comments) as the result version's snapshot, so the
    public letter never changes behind its reader; the draft letter is the same dict with `draft=True`.
    Callers check who may see it."""
    cycle = assessment.cycle
    framework = cycle.framework
    labels = {g.value: g.label for g in framework.grades.all()}
    judgements = sorted(judgements_of(assessment=assessment), key=lambda j: j.area.display_order)
    sections = []
    totals = Counter()
    for j in judgements:
        if j.grade is None and not j.pk:
            continue
        kinds = {}
        for kind, findings in findings_by_kind(j).items():
            kinds[kind] = []
            for f in findings:
                item = {"text": f.text, "evidence": [
                    {"indicator": e.indicator_code, "period": e.period, "benchmark": e.benchmark}
                    for e in f.evidence.all() if e.kind == EvidenceKind.INDICATOR]}
                if draft:
                    item.update({"pk": f.pk, "judgement": j.pk, "comments": [c.text for c in f.comments.all()]})
                kinds[kind].append(item)
        totals.update({k: len(v) for k, v in kinds.items()})
        sections.append({"area": j.area.code, "title": j.area.title, "grade": j.grade,
                         "label": labels.get(j.grade, ""), "rationale": j.rationale, "findings": kinds})
    ratio = None
    if totals[FindingKind.DEVELOPMENT]:
        ratio = round(totals[FindingKind.STRENGTH] / totals[FindingKind.DEVELOPMENT], 4)
    return {"authority": {"dfe_code": assessment.authority.dfe_code, "name": assessment.authority.name},
            "framework": {"code": framework.code, "title": framework.title}, "year": cycle.year,
            "sections": sections, "strengths": totals[FindingKind.STRENGTH],
            "developments": totals[FindingKind.DEVELOPMENT], "focus": totals[FindingKind.FOCUS], "ratio": ratio}


def history_for_user(*, user, assessment: Assessment):
    rows = ChangeLog.objects.filter(assessment=assessment).select_related("actor")
    if not has_perm("assessments.view_review", user, assessment):
        rows = rows.filter(internal=False)
        if not can_see_judgements(user=user, assessment=assessment):
            rows = rows.exclude(action__in=["judgement", "finding", "evidence", "visit", "correction"])
    return rows


def moderation_overview(*, cycle: Cycle) -> dict:
    """Every grade in moderation side by side, the distribution against last year's, and the outliers."""
    framework = cycle.framework
    areas = sorted(framework.areas.all(), key=lambda a: a.display_order)
    assessments = list(
        cycle.assessments.filter(state=State.MODERATION).select_related("authority", "lead_inspector")
        .prefetch_related(Prefetch("judgements", queryset=Judgement.objects.select_related("area")),
                          "judgements__grade_changes__proposed_by")
    )
    previous = _previous_grades(authorities=[a.authority for a in assessments], cycle=cycle)
    rows, outliers = [], []
    this_year = defaultdict(Counter)
    for a in assessments:
        grades = {j.area_id: j for j in a.judgements.all()}
        cells = []
        for area in areas:
            j = grades.get(area.pk)
            grade = j.grade if j else None
            prev = previous.get((a.authority_id, area.pk))
            cells.append({"area": area, "judgement": j, "grade": grade, "previous": prev})
            if grade is not None:
                this_year[area.pk][grade] += 1
            if grade is not None and prev is not None and abs(grade - prev) >= 2:
                outliers.append((a, area, grade, f"{grade} is two or more away from last time's {prev}"))
        rows.append({"assessment": a, "cells": cells})
    outliers.extend(_indicator_outliers(assessments=assessments, cycle=cycle))
    last_year = defaultdict(Counter)
    for (_authority, area_id), grade in _previous_cycle_grades(cycle=cycle).items():
        last_year[area_id][grade] += 1
    grades = [g.value for g in framework.grades.all()]
    distribution = [{"area": area, "now": [this_year[area.pk][g] for g in grades],
                     "before": [last_year[area.pk][g] for g in grades]} for area in areas]
    return {"areas": areas, "rows": rows, "outliers": outliers, "distribution": distribution, "grades": grades}


def _grades_by_area(*, cycle: Cycle, results) -> dict[tuple[int, int], int]:
    """(authority, area of this cycle's framework) → the grade in the latest of `results` that graded that area
    or an area it continues."""
    lineages = area_lineages()
    ours = {a.pk: lineages[a.pk] for a in cycle.framework.areas.all()}
    found = {}
    for result in results.prefetch_related("grades").order_by("counts_from"):
        for g in result.grades.all():
            for area_id, chain in ours.items():
                if g.area_id in chain:
                    found[(result.authority_id, area_id)] = g.grade
    return found


def _previous_grades(*, authorities, cycle: Cycle) -> dict[tuple[int, int], int]:
    """Each authority's latest published grade before this cycle's year, per area."""
    results = results_visible().filter(authority__in=authorities).exclude(year__gte=cycle.year)
    return _grades_by_area(cycle=cycle, results=results)


def _previous_cycle_grades(*, cycle: Cycle) -> dict[tuple[int, int], int]:
    """Last year's published grades under the same areas (for the distribution)."""
    return _grades_by_area(cycle=cycle, results=results_visible().filter(year=cycle.year - 1))


def _indicator_outliers(*, assessments, cycle: Cycle) -> list:
    """An area graded 4 with more concerns than strengths among its indicators, or 1 or 2 with more strengths
    than concerns (for outcome areas, whose indicators are mapped)."""
    from . import evidence

    out = []
    for a in assessments:
        suggested = evidence.suggestions(authority=a.authority, period=str(cycle.year))
        for j in a.judgements.all():
            group = suggested.get(j.area.code)
            if not group or j.grade is None:
                continue
            strengths, concerns = len(group.get("strengths", [])), len(group.get("concerns", []))
            if j.grade == 4 and concerns > strengths:
                out.append((a, j.area, j.grade, f"graded 4 with {concerns} concerns and {strengths} strengths among its indicators"))
            if j.grade in (1, 2) and strengths > concerns:
                out.append((a, j.area, j.grade, f"graded {j.grade} with {strengths} strengths and {concerns} concerns among its indicators"))
    return out
