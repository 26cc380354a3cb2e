"""Limits on guessing: the client's address (for django-axes' sign-in lockout and the reset limit), and the
password-reset limit (settings.PASSWORD_RESET_LIMIT emails per email address and per client address in
PASSWORD_RESET_WINDOW). Sign-in failures themselves are counted by django-axes (docs/operations.md)."""

import hashlib
import ipaddress
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PasswordResetLimit


def client_ip(request) -> str:
    """The client's address: the right-most entry of settings.CLIENT_IP_HEADER (the one the proxy in front
    added) when that is set, else the connection's REMOTE_ADDR. Anything that is not an address counts as
    the connection's own, so a made-up header cannot dodge a limit."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    header = settings.CLIENT_IP_HEADER
    if header:
        given = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        candidate = given.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return remote


def _email_key(email: str) -> str:
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def password_reset_claim(*, email: str, ip: str, now: datetime | None = None) -> bool:
    """Whether a reset email may be sent now for `email` asked from `ip`; when it may, the request is counted
    against both. The two rows are locked (in a fixed order), so processes asking at once count exactly."""
    now = now or timezone.now()
    since = now - settings.PASSWORD_RESET_WINDOW
    keys = sorted({_email_key(email), f"ip:{ip}"})
    with transaction.atomic():
        PasswordResetLimit.objects.filter(last__lt=since).delete()  # nothing older than the window matters
        rows = []
        for key in keys:
            row, _ = PasswordResetLimit.objects.select_for_update().get_or_create(key=key, defaults={"last": now})
            row.sent = [t for t in row.sent if datetime.fromisoformat(t) > since]
            rows.append(row)
        if any(len(row.sent) >= settings.PASSWORD_RESET_LIMIT for row in rows):
            return False
        for row in rows:
            row.sent.append(now.isoformat())
            row.last = now
            row.save(update_fields=["sent", "last"])
        return True
