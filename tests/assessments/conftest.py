"""A cycle under apa-2008 for 2025 with Kent's assessment, built through the services, and helpers to put an
assessment in any state."""

import pytest

from apa.accounts.models import User
from apa.assessments import services
from apa.assessments.models import Assessment, Judgement, State
from apa.authorities.models import Authority


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def users(db):
    names = ["inspector", "moderator", "publisher", "kent_officer", "surrey_officer", "admin"]
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    found["inspector_2"] = User.objects.create_user("inspector_2", role="inspector")
    found["moderator_2"] = User.objects.create_user("moderator_2", role="moderator")
    return found


@pytest.fixture
def cycle(users):
    cycle = services.cycle_open(framework_code="apa-2008", year=2025, actor=users["admin"])
    for code in ("886", "936"):
        services.cycle_assign(cycle=cycle, authority=Authority.objects.get(dfe_code=code),
                              inspector=users["inspector"], actor=users["admin"])
    return cycle


@pytest.fixture
def kent(cycle) -> Assessment:
    return cycle.assessments.get(authority__dfe_code="886")


def grade_all(assessment: Assessment, grade: int = 3) -> None:
    """Give every area a grade directly (for tests that need the state, not the journey)."""
    for area in assessment.cycle.framework.areas.all():
        Judgement.objects.update_or_create(assessment=assessment, area=area, defaults={"grade": grade})


def put_in_state(assessment: Assessment, state: str) -> Assessment:
    """Set the state directly, for tests of what a state allows."""
    Assessment.objects.filter(pk=assessment.pk).update(state=state)
    assessment.refresh_from_db()
    return assessment


def judge(assessment, inspector, area_code, **data):
    area = assessment.cycle.framework.areas.get(code=area_code)
    return services.judgement_save(assessment=assessment, area=area, actor=inspector, version=None,
                                   data=services.JudgementInput(**data))


STATES = list(State.values)
