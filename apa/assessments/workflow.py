"""The assessment workflow as data: one table of allowed transitions and one function that applies them.

Anything not in the table is refused with a sentence and changes nothing. The table is written out in
docs/assessment-cycle.md and tested pair by pair.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apa.accounts.permissions import has_perm, require
from apa.errors import ApaError, PermissionDenied, Problem

from . import publishing
from .models import Assessment, ChangeLog, GradeChange, State
from .selectors import required_areas

SCHEDULED_PUBLICATION = "scheduled publication"

# Who may make a transition: a named permission (apa/accounts/permissions.py), checked against the assessment.
SELF_ASSESSMENT = "assessments.edit_self_assessment"
LEAD_REVIEW = "assessments.lead_review"
MODERATE = "assessments.moderate"
REPRESENT = "assessments.make_representation"
DECIDE_REPRESENTATION = "assessments.decide_representation"
PUBLISH = "assessments.publish_cycle"


def _required_areas_graded(assessment: Assessment) -> str | None:
    graded = {j.area_id for j in assessment.judgements.all() if j.grade is not None}
    missing = [a.short_title for a in required_areas(cycle=assessment.cycle) if a.pk not in graded]
    if missing:
        return "every required area needs a grade first; not yet graded: " + ", ".join(missing)
    return None


def _no_pending_grade_change(assessment: Assessment) -> str | None:
    pending = GradeChange.objects.filter(
        judgement__assessment=assessment, agreed_by__isnull=True, withdrawn=False
    ).select_related("judgement__area")
    if pending:
        areas = ", ".join(p.judgement.area.short_title for p in pending)
        return f"a proposed grade change awaits a second moderator's agreement ({areas})"
    return None


def _not_yet_published(assessment: Assessment) -> str | None:
    if publishing.counts_as_published(assessment=assessment):
        return "its result is published (the cycle's publication time has passed); ask a moderator for a correction"
    return None


@dataclass(frozen=True)
class Rule:
    permission: str
    needs_reason: bool = False
    check: Callable[[Assessment], str | None] | None = None
    description: str = ""


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (State.NOT_STARTED, State.SELF_ASSESSMENT): Rule(SELF_ASSESSMENT, description="start the self-assessment"),
    (State.SELF_ASSESSMENT, State.SUBMITTED): Rule(SELF_ASSESSMENT, description="submit the self-assessment"),
    (State.SUBMITTED, State.SELF_ASSESSMENT): Rule(LEAD_REVIEW, needs_reason=True, description="return the self-assessment"),
    (State.SUBMITTED, State.UNDER_REVIEW): Rule(LEAD_REVIEW, description="begin the review"),
    (State.UNDER_REVIEW, State.DRAFT_JUDGEMENTS): Rule(
        LEAD_REVIEW, check=_required_areas_graded, description="complete the draft judgements"
    ),
    (State.DRAFT_JUDGEMENTS, State.FACTUAL_ACCURACY): Rule(
        LEAD_REVIEW, description="send the draft letter to the authority for a factual accuracy check"
    ),
    (State.FACTUAL_ACCURACY, State.DRAFT_JUDGEMENTS): Rule(LEAD_REVIEW, description="amend the draft judgements"),
    (State.FACTUAL_ACCURACY, State.MODERATION): Rule(LEAD_REVIEW, description="send to national moderation"),
    (State.MODERATION, State.MODERATED): Rule(MODERATE, check=_no_pending_grade_change, description="confirm as moderated"),
    (State.MODERATED, State.REPRESENTATION): Rule(
        REPRESENT, check=_not_yet_published, description="make a representation"
    ),
    (State.REPRESENTATION, State.MODERATED): Rule(
        DECIDE_REPRESENTATION, needs_reason=True, check=_no_pending_grade_change, description="decide the representation"
    ),
    (State.MODERATED, State.PUBLISHED): Rule(PUBLISH, description="publish"),
}


def allowed_for(*, assessment: Assessment, user) -> list[tuple[str, Rule]]:
    """The transitions this user may make now (for the pages' buttons and links).

    A transition whose check refuses it now (a passed publication time, a pending grade change) is not offered:
    what a page offers is exactly what `assessment_transition` would accept.
    """
    return [
        (to, rule) for (frm, to), rule in TRANSITIONS.items()
        if frm == assessment.state and has_perm(rule.permission, user, assessment) and not (rule.check and rule.check(assessment))
    ]


def _label(state: str) -> str:
    return f"{State(state).label.lower()} ({state})"


@transaction.atomic
def assessment_transition(*, assessment: Assessment, to: str, actor=None, reason: str = "", scheduled: bool = False,
                          at=None) -> Assessment:
    """Move an assessment to `to` if the table allows it for this actor; write the history row in the same
    transaction. `scheduled=True` (no actor) is the cycle's publication time publishing a moderated result."""
    assessment = Assessment.objects.select_for_update().select_related("cycle__framework", "authority").get(pk=assessment.pk)
    frm = assessment.state
    if to not in State.values:
        raise ApaError(Problem(f"unknown state {to!r}; states are {', '.join(State.values)}"))
    rule = TRANSITIONS.get((frm, to))
    if rule is None:
        nexts = [t for (f, t) in TRANSITIONS if f == frm]
        hint = f"from {_label(frm)} it can move to {', '.join(nexts)}" if nexts else f"{_label(frm)} is final"
        raise ApaError(Problem(f"{assessment.authority.name} cannot move from {frm} to {to}: {hint}"), code="invalid_transition")
    now = at or timezone.now()
    if scheduled:
        publish_at = assessment.cycle.publish_at
        if (frm, to) != (State.MODERATED, State.PUBLISHED) or publish_at is None or publish_at > now:
            raise PermissionDenied(Problem("only a moderated assessment whose publication time has passed publishes on schedule"))
        actor_label = SCHEDULED_PUBLICATION
    else:
        require(rule.permission, actor, assessment, doing=f"{rule.description} ({frm} to {to})")
        actor_label = actor.username
    if rule.needs_reason and not reason.strip():
        raise ApaError(Problem(f"a reason is needed to {rule.description} ({frm} to {to})"))
    if rule.check:
        problem = rule.check(assessment)
        if problem:
            raise ApaError(Problem(f"{assessment.authority.name} cannot move to {to}: {problem}"))

    assessment.state = to
    if to == State.SUBMITTED:
        assessment.submitted_at = now
    assessment.save()
    ChangeLog.objects.create(
        assessment=assessment, at=now, actor=None if scheduled else actor, actor_label=actor_label,
        action="transition", field="state", before=frm, after=to, reason=reason.strip(),
    )
    publishing.on_state_entered(assessment=assessment, previous=frm, actor=actor, at=now)
    return assessment
