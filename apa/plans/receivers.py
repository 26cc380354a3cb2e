"""The improvement plan's answers to the signals of the apps below it."""

from apa.assessments.signals import self_assessment_panels

from .selectors import plan_for_self_assessment


def previous_plan_panel(sender, *, user, assessment, **kwargs) -> dict:
    """Last time's plan, on the self-assessment page (empty for those who may not see the plan)."""
    return {"previous_plan": plan_for_self_assessment(user=user, assessment=assessment)}


def connect() -> None:
    self_assessment_panels.connect(previous_plan_panel, dispatch_uid="plans.previous_plan_panel")
