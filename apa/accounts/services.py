"""Accounts: add, deactivate. Every role but admin works through the pages and the `apa` command line."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from apa.authorities.selectors import authority_resolve
from apa.errors import ApaError, Problem

from .models import AUTHORITY_ROLES, Role, User
from .permissions import require


def admin_exists() -> bool:
    return User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).exists()


@transaction.atomic
def user_add(
    *, username: str, role: str, authority: str | None = None, password: str | None = None, email: str = "",
    actor=None,
) -> tuple[User, str | None]:
    """Create an account. Returns the user and the generated password (None when one was given).
    `actor=None` is a system job's (the first admin, the demo; docs/permissions.md)."""
    if actor is not None:
        require("accounts.manage_accounts", actor)
    problems = []
    if role not in Role.values:
        problems.append(Problem(f"unknown role {role!r}; use one of {', '.join(Role.values)}"))
    if User.objects.filter(username=username).exists():
        problems.append(Problem(f"an account named {username!r} already exists"))
    place = None
    if role in AUTHORITY_ROLES and not authority:
        problems.append(Problem(f"role {role} needs --authority"))
    if authority and role in Role.values and role not in AUTHORITY_ROLES:
        problems.append(Problem(f"role {role} is not tied to an authority; leave --authority out"))
    if authority:
        try:
            place = authority_resolve(text=authority)
        except ApaError as exc:
            problems.extend(exc.problems)
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    else:
        try:
            validate_password(password)
        except ValidationError as exc:
            problems.extend(Problem(f"password: {m}") for m in exc.messages)
    if problems:
        raise ApaError(problems)
    user = User(username=username, role=role, authority=place, email=email)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    user.set_password(password)
    user.save()
    return user, generated


def user_deactivate(*, username: str, actor) -> User:
    require("accounts.manage_accounts", actor)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ApaError(Problem(f"no account named {username!r}"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def user_for_cli(*, username: str) -> User:
    """The account named by `--as`: it must exist and be active."""
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise ApaError(Problem(f"no active account named {username!r}"), code="forbidden")
    return user
