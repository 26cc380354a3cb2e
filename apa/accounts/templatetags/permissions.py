"""`{% load permissions %}{% has_perm "plans.view_plan" user authority as may_see_plan %}`: a template asks the
same named permission as the view and the service (apa/accounts/permissions.py)."""

from django import template

from apa.accounts.permissions import has_perm as _has_perm

register = template.Library()


@register.simple_tag
def has_perm(name: str, user, obj=None) -> bool:
    return _has_perm(name, user, obj)
