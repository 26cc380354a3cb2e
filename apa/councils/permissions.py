"""Who may do what on the council side, and the history row every change writes."""

from apa.accounts.models import Role
from apa.errors import PermissionDenied, Problem

from .models import CouncilLog


def is_officer_of(user, authority) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.AUTHORITY_OFFICER
                and user.authority_id == authority.pk)


def is_democratic_services_of(user, authority) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.DEMOCRATIC_SERVICES
                and user.authority_id == authority.pk)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


def require_officer(user, authority, doing: str) -> None:
    """Authority officers of this authority (and admins) draft reports and run the improvement plan."""
    if not (is_officer_of(user, authority) or is_admin(user)):
        raise PermissionDenied(Problem(f"only an authority officer of {authority.name} may {doing}"))


def require_democratic_services(user, authority, doing: str) -> None:
    """Democratic services of this council (and admins) keep meetings, decisions, call-ins and the rule."""
    if not (is_democratic_services_of(user, authority) or is_admin(user)):
        raise PermissionDenied(Problem(f"only democratic services of {authority.name} may {doing}"))


def may_see_private(user, authority) -> bool:
    """The improvement plan and draft reports: the authority's officers, its democratic services (for
    reports) and admins."""
    return is_officer_of(user, authority) or is_democratic_services_of(user, authority) or is_admin(user)


def log(*, authority, actor, entity: str, entity_id, action: str, field: str = "", before="", after="",
        reason: str = "", private: bool = False) -> CouncilLog:
    return CouncilLog.objects.create(
        authority=authority, actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", None) or "system", entity=entity, entity_id=entity_id,
        action=action, field=field, before="" if before is None else str(before),
        after="" if after is None else str(after), reason=reason, private=private,
    )
