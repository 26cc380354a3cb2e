"""Test data for the improvement plan and alerts: Kent's result published by a 2025 cycle with its findings,
extra council accounts, and a plan built through the services. Import the fixtures into a test module."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from apa.accounts.models import User
from apa.accounts.services import user_add
from apa.assessments.models import Assessment, Cycle, Finding, Judgement, State
from apa.authorities.models import Authority
from apa.calendar import LONDON
from apa.frameworks.models import Framework
from apa.plans import services
from apa.publication.models import Result

__all__ = ["DEVELOPMENT", "FOCUS", "add_action", "kent_authority", "kent_cycle_result", "kent_plan", "london",
           "plan_users", "update_action"]

PASSWORD = "correct-horse-battery-staple"

DEVELOPMENT = ["Reduce teenage conceptions", "Cut repeat referrals to social care"]
FOCUS = ["Progress with children's centres and extended schools"]


def london(day: date, at: time = time(9, 30)) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def add_action(line, **fields):
    """Add an action as the line page does, from the line as it is now."""
    line.refresh_from_db(fields=["version"])
    return services.action_add(line=line, version=line.version, **fields)


def update_action(action, **fields):
    """Change an action as its page does, from the action as it is now."""
    action.refresh_from_db(fields=["version"])
    return services.action_update(action=action, version=action.version, **fields)


@pytest.fixture
def plan_users(db):
    """Kent's and Surrey's officers, a second Kent officer, Kent's democratic services, a publisher, an inspector
    and an admin (who, having no council role, may not see or change the plan)."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["kent_officer", "surrey_officer", "admin", "publisher", "inspector"])}
    users["kent_officer_2"], _ = user_add(username="kent_officer_2", role="authority_officer", authority="886",
                                          password=PASSWORD, email="officer2@kent.example")
    users["kent_clerk"], _ = user_add(username="kent_clerk", role="democratic_services", authority="886",
                                      password=PASSWORD, email="clerk@kent.example")
    return users


@pytest.fixture
def kent_authority(db) -> Authority:
    return Authority.objects.get(dfe_code="886")


@pytest.fixture
def kent_cycle_result(kent_authority) -> Result:
    """Kent's apa-2008 2025 result, published by a cycle: two areas for development, one for focus, one strength."""
    framework = Framework.objects.get(code="apa-2008")
    cycle = Cycle.objects.create(framework=framework, year=2025, self_assessment_due=date(2025, 5, 30),
                                 data_lock=date(2025, 6, 30), visits_from=date(2025, 7, 1), visits_to=date(2025, 7, 31),
                                 moderation_by=date(2025, 10, 31), publish_at=london(date(2025, 11, 20)),
                                 published_at=london(date(2025, 11, 20)))
    assessment = Assessment.objects.create(cycle=cycle, authority=kent_authority, state=State.PUBLISHED)
    areas = {a.code: a for a in framework.areas.all()}
    healthy = Judgement.objects.create(assessment=assessment, area=areas["being_healthy"], grade=3)
    safe = Judgement.objects.create(assessment=assessment, area=areas["staying_safe"], grade=3)
    Finding.objects.create(judgement=healthy, kind="strength", text="Delivery of health care in many settings")
    Finding.objects.create(judgement=healthy, kind="development", text=DEVELOPMENT[0])
    Finding.objects.create(judgement=safe, kind="development", text=DEVELOPMENT[1])
    Finding.objects.create(judgement=healthy, kind="focus", text=FOCUS[0])
    return Result.objects.create(authority=kent_authority, framework=framework, year=2025, key="2025",
                                 publication_date=date(2025, 11, 20), counts_from=date(2025, 11, 20),
                                 visible_from=london(date(2025, 11, 20)), assessment=assessment)


@pytest.fixture
def kent_plan(kent_cycle_result, plan_users):
    """The plan made from the result, with an action on each line: one overdue, one due in three days, one
    complete; `today` is the date the fixture counts from."""
    officer = plan_users["kent_officer"]
    today = timezone.localdate()
    lines = services.plan_lines_from_result(result=kent_cycle_result, actor=officer)
    by_text = {line.text: line for line in lines}
    overdue = add_action(by_text[DEVELOPMENT[0]], actor=officer, description="Run the sexual health campaign",
                         due_date=today - timedelta(days=10), owner=plan_users["kent_officer_2"], status="red")
    soon = add_action(by_text[DEVELOPMENT[1]], actor=officer, description="Audit repeat referrals",
                      due_date=today + timedelta(days=3), owner_name="Jo Bloggs, Head of Safeguarding",
                      status="green")
    done = add_action(by_text[FOCUS[0]], actor=officer, description="Open four children's centres",
                      due_date=today + timedelta(days=60), owner=officer, status="complete")
    return {"lines": lines, "overdue": overdue, "soon": soon, "done": done, "today": today, "officer": officer}
