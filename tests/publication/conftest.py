"""Publication's trust tests share the assessment cycle's fixtures (a 2025 cycle under apa-2008, its users, Kent)
and a journey that takes any assessment through the real workflow to any state, writing a text of every kind
on the way (so a test can plant unique markers in each)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from apa.accounts.models import Role, User
from apa.assessments import services
from apa.assessments.models import Assessment, State
from apa.assessments.workflow import assessment_transition
from tests.assessments.conftest import cycle, judge, kent, media_in_tmp, put_in_state, users  # noqa: F401

# The states a journey passes through, in order; REPRESENTATION and PUBLISHED both follow MODERATED.
PATH = [State.NOT_STARTED, State.SELF_ASSESSMENT, State.SUBMITTED, State.UNDER_REVIEW, State.DRAFT_JUDGEMENTS,
        State.FACTUAL_ACCURACY, State.MODERATION, State.MODERATED]


def officer_of(authority) -> User:
    """An authority officer of this authority (the shared personas for Kent and Surrey, else a new one)."""
    user = User.objects.filter(role=Role.AUTHORITY_OFFICER, authority=authority).order_by("pk").first()
    return user or User.objects.create_user(f"officer_{authority.dfe_code}", role=Role.AUTHORITY_OFFICER,
                                            authority=authority)


def journey(assessment: Assessment, to: str, *, users, text=lambda kind: f"the {kind}", grade: int = 3,  # noqa: F811
            leave_pending: bool | None = None) -> Assessment:
    """Take a not-started assessment to `to` through the services and the transition table, as the people of the
    cycle would: the officer's document and self-assessment, the lead inspector's visit and judgements, the
    officer's factual accuracy comment, a moderated grade change agreed by two moderators, the moderator's
    confirmation, then a representation or publication by the publisher. `text(kind)` gives each text written.
    In `moderation` a second grade change is left pending (a moderator's note awaiting agreement) unless
    `leave_pending=False`."""
    the_cycle = assessment.cycle
    if assessment.lead_inspector_id is None:
        services.cycle_assign(cycle=the_cycle, authority=assessment.authority, inspector=users["inspector"],
                              actor=users["admin"])
        assessment.refresh_from_db()
    inspector, officer = assessment.lead_inspector, officer_of(assessment.authority)
    target = PATH.index(State.MODERATED) + 1 if to in (State.REPRESENTATION, State.PUBLISHED) else PATH.index(to)
    areas = list(the_cycle.framework.areas.all())
    document = services.document_add(
        assessment=assessment, actor=officer, title=text("document title"),
        uploaded=SimpleUploadedFile("evidence.txt", text("document content").encode(), content_type="text/plain"))
    if target >= 1:
        for area in areas[:2]:
            services.self_assessment_save(assessment=assessment, area=area, actor=officer,
                                          narrative=text("self-assessment narrative"),
                                          strengths=text("self-assessment strengths"))
    if target >= 2:
        services.self_assessment_submit(assessment=assessment, actor=officer)
    if target >= 3:
        assessment_transition(assessment=assessment, to=State.UNDER_REVIEW, actor=inspector)
        services.visit_record(assessment=assessment, actor=inspector, date_from=the_cycle.visits_from,
                              date_to=the_cycle.visits_to, notes=text("visit notes"))
        for area in areas:
            if area.required:
                judge(assessment, inspector, area.code, grade=grade, rationale=text("rationale"),
                      strengths=[text("strength")], areas_for_development=[text("area for development")],
                      areas_for_focus=[text("area for focus")], document_ids=[document.pk],
                      link_self_assessment=True)
    if target >= 4:
        assessment_transition(assessment=assessment, to=State.DRAFT_JUDGEMENTS, actor=inspector)
    if target >= 5:
        assessment_transition(assessment=assessment, to=State.FACTUAL_ACCURACY, actor=inspector)
        judgement = assessment.judgements.get(area__code="being_healthy")
        services.factual_accuracy_comment(finding=judgement.findings.first(), judgement=judgement, actor=officer,
                                          text=text("factual accuracy comment"))
    if target >= 6:
        assessment_transition(assessment=assessment, to=State.MODERATION, actor=inspector)
        judgement = assessment.judgements.get(area__code="overall_effectiveness")
        change = services.grade_change_propose(judgement=judgement, to_grade=grade - 1 if grade > 1 else 2,
                                               reason=text("moderation reason"), actor=users["moderator"])
        services.grade_change_agree(change=change, actor=users["moderator_2"])
        if to == State.MODERATION and leave_pending is not False:
            services.grade_change_propose(judgement=assessment.judgements.get(area__code="staying_safe"),
                                          to_grade=grade + 1 if grade < 4 else 3,
                                          reason=text("pending moderation reason"), actor=users["moderator"])
    if target >= 7:
        assessment_transition(assessment=assessment, to=State.MODERATED, actor=users["moderator"])
    if to == State.REPRESENTATION:
        services.representation_make(assessment=assessment, actor=officer, kind="grade",
                                     area=the_cycle.framework.areas.get(code="staying_safe"),
                                     text=text("representation"))
    elif to == State.PUBLISHED:
        assessment_transition(assessment=assessment, to=State.PUBLISHED, actor=users["publisher"])
    assessment.refresh_from_db()
    assert assessment.state == to
    return assessment
