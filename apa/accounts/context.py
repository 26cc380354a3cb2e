from django.conf import settings
from django.urls import reverse

from .models import Role

# Links in the header for signed-in roles: (label, URL name, roles that see it; empty = every signed-in user).
NAV_FOR_ROLES = [
    ("Assessment cycles", "cycle_list", {Role.INSPECTOR, Role.MODERATOR, Role.PUBLISHER, Role.AUTHORITY_OFFICER, Role.ADMIN}),
    ("Background jobs", "job_list", {Role.PUBLISHER, Role.ADMIN}),
    ("Alerts", "alerts", set()),
]


def site(request):
    nav = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for label, name, roles in NAV_FOR_ROLES:
            if not roles or user.role in roles or (user.is_admin and Role.ADMIN in roles):
                nav.append({"label": label, "url": reverse(name)})
        if user.authority_id and user.role in (Role.AUTHORITY_OFFICER, Role.DEMOCRATIC_SERVICES):
            nav.append({"label": "Council", "url": reverse("council_home", args=[user.authority.dfe_code])})
    return {"service_name": "Annual Performance Assessment", "debug": settings.DEBUG, "nav_extra": nav}
