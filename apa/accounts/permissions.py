"""Who may act: checks on an account's role, shared by every app's services."""

from apa.errors import PermissionDenied, Problem

from .models import Role


def require_role(actor, *roles: str, doing: str) -> None:
    """Refuse unless the actor is active and has one of the roles (an admin passes only where ADMIN is listed)."""
    if actor is None or not actor.is_active or not (actor.role in roles or actor.is_admin and Role.ADMIN in roles):
        raise PermissionDenied(Problem(f"only {' or '.join(r.replace('_', ' ') for r in roles)} accounts may {doing}"))
