"""The workflow table, tested pair by pair: every (from, to) for every kind of actor, allowed or refused."""

import pytest

from apa.assessments.models import ChangeLog, State
from apa.assessments.workflow import TRANSITIONS, assessment_transition
from apa.errors import ApaError

from .conftest import STATES, grade_all, put_in_state

ACTORS = ("kent_officer", "surrey_officer", "inspector", "inspector_2", "moderator", "publisher", "admin")
OFFICER, LEAD = {"kent_officer"}, {"inspector"}  # Kent's officer; Kent's lead inspector is `inspector`
# Each transition of the issue's table: its permission, and who of ACTORS may make it for Kent's assessment.
EXPECTED = {
    ("not_started", "self_assessment"): ("assessments.edit_self_assessment", OFFICER),
    ("self_assessment", "submitted"): ("assessments.edit_self_assessment", OFFICER),
    ("submitted", "self_assessment"): ("assessments.lead_review", LEAD),
    ("submitted", "under_review"): ("assessments.lead_review", LEAD),
    ("under_review", "draft_judgements"): ("assessments.lead_review", LEAD),
    ("draft_judgements", "factual_accuracy"): ("assessments.lead_review", LEAD),
    ("factual_accuracy", "draft_judgements"): ("assessments.lead_review", LEAD),
    ("factual_accuracy", "moderation"): ("assessments.lead_review", LEAD),
    ("moderation", "moderated"): ("assessments.moderate", {"moderator"}),
    ("moderated", "representation"): ("assessments.make_representation", OFFICER),
    ("representation", "moderated"): ("assessments.decide_representation", {"moderator"}),
    ("moderated", "published"): ("assessments.publish_cycle", {"publisher"}),
}


def test_table_is_the_one_in_the_issue():
    assert {pair: rule.permission for pair, rule in TRANSITIONS.items()} == {
        pair: permission for pair, (permission, _) in EXPECTED.items()}


@pytest.mark.parametrize("frm", STATES)
@pytest.mark.parametrize("to", STATES)
def test_every_pair_for_every_actor(frm, to, kent, users):
    grade_all(kent)
    _, holders = EXPECTED.get((frm, to), (None, set()))
    for username in ACTORS:
        put_in_state(kent, frm)
        history = ChangeLog.objects.filter(assessment=kent).count()
        allowed = username in holders
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
