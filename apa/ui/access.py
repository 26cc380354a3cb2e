"""Every route states who may see it. A test walks the URL patterns and fails on any without a decision.

Use one decorator per view: @public (published data, no login) or @roles("inspector", ...) (signed in with
one of those roles; an admin passes only where "admin" is listed). Which object a person may act on is a
named permission (apa/accounts/permissions.py), checked by the view or the selector it calls.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view):
    view.access = PUBLIC
    return view


def roles(*names: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if names != (SIGNED_IN,) and not (user.role in names or ("admin" in names and user.is_admin)):
                raise PermissionDenied("Your account does not have access to this page.")
            return view(request, *args, **kwargs)

        wrapper.access = tuple(names)
        return wrapper

    return decorate


signed_in = roles(SIGNED_IN)


def decided(view) -> str | tuple | None:
    """The access decision of a view (for the route test), unwrapping class-based views."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        if candidate is not None and getattr(candidate, "access", None):
            return candidate.access
    return None
