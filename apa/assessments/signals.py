"""What the assessment cycle asks of the apps above it (it imports none of them)."""

from django.dispatch import Signal

# Asked while the self-assessment page is built (kwargs: user, assessment). Each receiver answers with extra
# template context for the page, a dict such as {"previous_plan": [...]}, or None for nothing.
self_assessment_panels = Signal()


def self_assessment_context(*, user, assessment) -> dict:
    """The receivers' answers merged: what the apps above add to the self-assessment page for this person."""
    context = {}
    for _receiver, extra in self_assessment_panels.send(sender=type(assessment), user=user, assessment=assessment):
        context.update(extra or {})
    return context
