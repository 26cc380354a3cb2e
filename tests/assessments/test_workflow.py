"""The workflow table, tested pair by pair: every (from, to) for every kind of actor, allowed or refused."""

import pytest

from apa.assessments.models import ChangeLog, State
from apa.assessments.workflow import (
    AUTHORITY_OFFICER,
    LEAD_INSPECTOR,
    MODERATOR,
    PUBLISHER,
    TRANSITIONS,
    assessment_transition,
)
from apa.errors import ApaError

from .conftest import STATES, grade_all, put_in_state

# Each actor kind, and which rule-holder it is for Kent's assessment (lead inspector: `inspector`).
ACTORS = {
    "kent_officer": AUTHORITY_OFFICER,
    "surrey_officer": None,
    "inspector": LEAD_INSPECTOR,
    "inspector_2": None,
    "moderator": MODERATOR,
    "publisher": PUBLISHER,
    "admin": None,
}


def test_table_is_the_one_in_the_issue():
    expected = {
        ("not_started", "self_assessment"): AUTHORITY_OFFICER,
        ("self_assessment", "submitted"): AUTHORITY_OFFICER,
        ("submitted", "self_assessment"): LEAD_INSPECTOR,
        ("submitted", "under_review"): LEAD_INSPECTOR,
        ("under_review", "draft_judgements"): LEAD_INSPECTOR,
        ("draft_judgements", "factual_accuracy"): LEAD_INSPECTOR,
        ("factual_accuracy", "draft_judgements"): LEAD_INSPECTOR,
        ("factual_accuracy", "moderation"): LEAD_INSPECTOR,
        ("moderation", "moderated"): MODERATOR,
        ("moderated", "representation"): AUTHORITY_OFFICER,
        ("representation", "moderated"): MODERATOR,
        ("moderated", "published"): PUBLISHER,
    }
    assert {pair: rule.who for pair, rule in TRANSITIONS.items()} == expected


@pytest.mark.parametrize("frm", STATES)
@pytest.mark.parametrize("to", STATES)
def test_every_pair_for_every_actor(frm, to, kent, users):
    grade_all(kent)
    rule = TRANSITIONS.get((frm, to))
    for username, holds in ACTORS.items():
        put_in_state(kent, frm)
        history = ChangeLog.objects.filter(assessment=kent).count()
        allowed = rule is not None and rule.who == holds
        if allowed:
            moved = assessment_transition(assessment=kent, to=to, actor=users[username], reason="Checked with the authority")
            assert moved.state == to, (frm, to, username)
            row = ChangeLog.objects.filter(assessment=kent).latest("pk")
            assert (row.action, row.before, row.after, row.actor_label) == ("transition", frm, to, username)
        else:
            with pytest.raises(ApaError) as refused:
                assessment_transition(assessment=kent, to=to, actor=users[username], reason="Checked with the authority")
            assert refused.value.lines and all(line.strip() for line in refused.value.lines)
            kent.refresh_from_db()
            assert kent.state == frm, "a refused transition changes nothing"
            assert ChangeLog.objects.filter(assessment=kent).count() == history


def test_reason_needed_to_return_a_self_assessment(kent, users):
    put_in_state(kent, State.SUBMITTED)
    with pytest.raises(ApaError, match="reason"):
        assessment_transition(assessment=kent, to=State.SELF_ASSESSMENT, actor=users["inspector"])
    moved = assessment_transition(assessment=kent, to=State.SELF_ASSESSMENT, actor=users["inspector"],
                                  reason="Evidence for staying safe is missing")
    assert moved.state == State.SELF_ASSESSMENT
    assert ChangeLog.objects.filter(assessment=kent).latest("pk").reason == "Evidence for staying safe is missing"


def test_draft_judgements_need_every_required_area_graded(kent, users):
    put_in_state(kent, State.UNDER_REVIEW)
    with pytest.raises(ApaError, match="not yet graded: Overall effectiveness"):
        assessment_transition(assessment=kent, to=State.DRAFT_JUDGEMENTS, actor=users["inspector"])
    grade_all(kent)
    # The optional social care area may stay ungraded.
    kent.judgements.filter(area__code="social_care_contribution").update(grade=None)
    assert assessment_transition(assessment=kent, to=State.DRAFT_JUDGEMENTS, actor=users["inspector"]).state == "draft_judgements"


def test_unknown_state_is_refused_with_the_list(kent, users):
    with pytest.raises(ApaError, match="unknown state 'done'"):
        assessment_transition(assessment=kent, to="done", actor=users["kent_officer"])


def test_deactivated_account_cannot_act(kent, users):
    officer = users["kent_officer"]
    officer.is_active = False
    officer.save()
    with pytest.raises(ApaError):
        assessment_transition(assessment=kent, to=State.SELF_ASSESSMENT, actor=officer)
