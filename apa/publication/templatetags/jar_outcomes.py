"""`{% load jar_outcomes %}{% jar_outcome result %}`: a result's published Joint Area Review, where the result is
shown (its letter, the authority's page), with links to the risk assessment and the record for those who may
open them. The outcome is read through the one visibility rule (selectors.jars_visible)."""

from django import template

from apa.publication import jar

register = template.Library()


@register.inclusion_tag("publication/jar_outcome.html", takes_context=True)
def jar_outcome(context, result, compact: bool = False):
    user = context.get("user")
    review = jar.jar_of(result=result) if result.framework.jar_core_areas else None
    return {
        "result": result, "review": review, "outcome": jar.jar_outcome(review=review) if review else [],
        "compact": compact, "may_view": user is not None and jar.may_view_risk_assessment(user=user, result=result),
        "may_record": user is not None and jar.may_record_jar(user=user, result=result),
    }
