"""The demo: a cycle for 2025 under the apa-2008 framework, judged on real LAIT indicators, with
authorities in every state, built through the same services a person's actions call (so each has a full
history). 2025 was never an APA year, so invented grades never stand beside real published ones."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apa.accounts.models import Role, User
from apa.accounts.services import user_add
from apa.authorities.models import Authority

from . import evidence
from .models import Cycle, State
from .services import (
    JudgementInput,
    cycle_assign,
    cycle_open,
    cycle_publish,
    cycle_schedule,
    grade_change_agree,
    grade_change_propose,
    judgement_save,
    representation_make,
    self_assessment_save,
    visit_record,
)
from .workflow import assessment_transition

DEMO_PASSWORD = "demo-password"
FRAMEWORK, YEAR = "apa-2008", 2025

# DfE code of the authority shown in each state.
STATES = {
    State.SELF_ASSESSMENT: "886",  # Kent
    State.SUBMITTED: "881",  # Essex
    State.UNDER_REVIEW: "850",  # Hampshire
    State.DRAFT_JUDGEMENTS: "888",  # Lancashire
    State.FACTUAL_ACCURACY: "926",  # Norfolk
    State.MODERATION: "878",  # Devon
    State.PUBLISHED: "808",  # Stockton-on-Tees
    State.REPRESENTATION: "352",  # Manchester
    State.MODERATED: "383",  # Leeds: moderated after publication day, waiting for the publisher
}

OFFICERS = {
    "886": "demo-officer-kent",
    "881": "demo-officer-essex",
    "850": "demo-officer-hampshire",
    "888": "demo-officer-lancashire",
    "926": "demo-officer-norfolk",
    "878": "demo-officer-devon",
    "808": "demo-officer-stockton",
    "352": "demo-officer-manchester",
    "383": "demo-officer-leeds",
}
ACCOUNTS = [
    ("demo-admin", Role.ADMIN, None),
    ("demo-inspector", Role.INSPECTOR, None),
    ("demo-moderator", Role.MODERATOR, None),
    ("demo-moderator-2", Role.MODERATOR, None),
    ("demo-publisher", Role.PUBLISHER, None),
] + [(username, Role.AUTHORITY_OFFICER, code) for code, username in OFFICERS.items()]


def _accounts() -> dict[str, User]:
    users = {}
    for username, role, authority in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = user_add(username=username, role=role, authority=authority, password=DEMO_PASSWORD,
                               email=f"{username}@example.org")
        users[username] = user
    return users


def _self_assess(assessment, officer, submit: bool):
    for area in assessment.cycle.framework.areas.all():
        if not area.required:
            continue
        self_assessment_save(
            assessment=assessment, area=area, actor=officer, own_grade=3,
            narrative=f"Our evidence for {area.title.lower()} is set out in the Children and Young People's Plan "
                      "review and the performance indicators linked below.",
            strengths="Partnership working\nTimely assessments",
            areas_for_development="Consistency of practice across districts",
        )
    if submit:
        assessment_transition(assessment=assessment, to=State.SUBMITTED, actor=officer)


def _judge(assessment, inspector):
    """Grade each area from the real indicator evidence: more strengths than concerns → good (3), else 2."""
    suggested = evidence.suggestions(authority=assessment.authority, period=str(assessment.cycle.year))
    outcome_grades = []
    areas = sorted(assessment.cycle.framework.areas.all(), key=lambda a: a.judging_order)
    for area in areas:
        if not area.required:
            continue
        group = suggested.get(area.code, {})
        strengths = [item for item in group.get("strengths", [])][:3]
        concerns = [item for item in group.get("concerns", [])][:3]
        if area.kind == "outcome":
            grade = 3 if len(strengths) >= len(concerns) else 2
            outcome_grades.append(grade)
        elif area.kind == "overall":
            grade = round(sum(outcome_grades) / len(outcome_grades)) if outcome_grades else 3
        else:
            grade = 3
        codes = [_code(item) for item in strengths + concerns if _code(item)]
        judgement_save(
            assessment=assessment, area=area, actor=inspector, version=None,
            data=JudgementInput(
                grade=grade,
                rationale=f"Judged on the self-assessment, the visit and {len(codes)} indicators.",
                strengths=[f"Performance better than most authorities: {_title(item)}" for item in strengths]
                or ["Services work well together for children and young people"],
                areas_for_development=[f"Performance below most authorities: {_title(item)}" for item in concerns]
                or ["Consistency of practice across the area"],
                areas_for_focus=[f"Progress on {_title(concerns[0])}"] if concerns else [],
                indicator_codes=codes,
                link_self_assessment=True,
            ),
        )


def _code(item: dict) -> str:
    return item["indicator"]


def _title(item: dict) -> str:
    return item["title"].strip()


def _advance(assessment, target, users):
    assessment = type(assessment).objects.select_related("cycle__framework", "authority").get(pk=assessment.pk)
    officer = User.objects.filter(role=Role.AUTHORITY_OFFICER, authority=assessment.authority).first()
    inspector, moderator, moderator2 = users["demo-inspector"], users["demo-moderator"], users["demo-moderator-2"]
    order = list(State.values)
    goal = order.index(target)
    if goal >= order.index(State.SELF_ASSESSMENT):
        _self_assess(assessment, officer, submit=goal >= order.index(State.SUBMITTED))
    if goal >= order.index(State.UNDER_REVIEW):
        assessment_transition(assessment=assessment, to=State.UNDER_REVIEW, actor=inspector)
        visit_record(assessment=assessment, actor=inspector, date_from=date(YEAR, 7, 8), date_to=date(YEAR, 7, 10),
                     notes="Met the director of children's services, partners and a group of young people.")
        _judge(assessment, inspector)
    if goal >= order.index(State.DRAFT_JUDGEMENTS):
        assessment_transition(assessment=assessment, to=State.DRAFT_JUDGEMENTS, actor=inspector)
    if goal >= order.index(State.FACTUAL_ACCURACY):
        assessment_transition(assessment=assessment, to=State.FACTUAL_ACCURACY, actor=inspector)
    if goal >= order.index(State.MODERATION):
        assessment_transition(assessment=assessment, to=State.MODERATION, actor=inspector)
    if goal >= order.index(State.MODERATED):
        judgement = assessment.judgements.filter(area__code="capacity_to_improve").first()
        if judgement and judgement.grade == 3:
            change = grade_change_propose(judgement=judgement, to_grade=4, reason="Consistent with strong leadership "
                                          "evidence seen nationally", actor=moderator)
            grade_change_agree(change=change, actor=moderator2)
        assessment_transition(assessment=assessment, to=State.MODERATED, actor=moderator)
    return officer


@transaction.atomic
def demo_build() -> list[str]:
    users = _accounts()
    lines = [f"demo accounts: {', '.join(users)} (password {DEMO_PASSWORD})"]
    if Cycle.objects.filter(framework__code=FRAMEWORK, year=YEAR).exists():
        return lines + [f"demo cycle {FRAMEWORK} {YEAR} already built"]
    cycle = cycle_open(framework_code=FRAMEWORK, year=YEAR, actor=users["demo-admin"])
    assessments = {a.authority.dfe_code: a for a in cycle.assessments.select_related("authority")}
    for code in STATES.values():
        cycle_assign(cycle=cycle, authority=Authority.objects.get(dfe_code=code), inspector=users["demo-inspector"],
                     actor=users["demo-admin"])
    for state in (State.SELF_ASSESSMENT, State.SUBMITTED, State.UNDER_REVIEW, State.DRAFT_JUDGEMENTS,
                  State.FACTUAL_ACCURACY, State.MODERATION):
        _advance(assessments[STATES[state]], state, users)
    # Published on the day; Manchester's representation holds its letter back; Leeds is moderated after
    # publication day and waits for the publisher.
    for state in (State.PUBLISHED, State.REPRESENTATION):
        _advance(assessments[STATES[state]], State.MODERATED, users)
    manchester = assessments[STATES[State.REPRESENTATION]]
    representation_make(assessment=manchester, actor=User.objects.get(username="demo-officer-manchester"),
                         kind="grade", area=cycle.framework.areas.get(code="staying_safe"),
                         text="The letter does not reflect the improvement in the timeliness of assessments since April.")
    cycle_schedule(cycle=cycle, publish_at=timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1),
                   datetime.min.time().replace(hour=9))), actor=users["demo-publisher"])
    cycle_publish(cycle=cycle, actor=users["demo-publisher"])
    _advance(assessments[STATES[State.MODERATED]], State.MODERATED, users)
    counts = {s: cycle.assessments.filter(state=s).count() for s in State.values}
    lines.append(f"demo cycle {FRAMEWORK} {YEAR}: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    return lines
