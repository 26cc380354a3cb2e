"""Accounts: sign in, sign out, password reset by email, deactivation, roles."""

import re

import pytest
from django.core import mail

from apa.accounts.models import Role, User
from apa.accounts.services import user_add, user_deactivate
from apa.errors import ApaError
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_and_out(client):
    response = client.post(SIGN_IN, {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    page = client.get("/").content.decode()
    assert "Sign out inspector" in page
    response = client.post("/account/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not _signed_in(client)
    assert "Sign in</a>" in client.get("/").content.decode()


def test_sign_in_returns_to_the_page_asked_for(client):
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"] == "/account/sign-in/?next=/account/"
    response = client.post(SIGN_IN + "?next=/account/", {"username": "kent_officer", "password": PASSWORD,
                                                          "next": "/account/"})
    assert response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert "Authority officer" in page and 'href="/authorities/886/"' in page


def test_a_wrong_password_is_an_error_summary(client):
    response = client.post(SIGN_IN, {"username": "inspector", "password": "not-the-password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert "<title>Error: Sign in – " in page
    assert not _signed_in(client)


def test_a_deactivated_user_cannot_sign_in(client):
    user_deactivate(username="moderator", actor=User.objects.get(username="admin"))
    response = client.post(SIGN_IN, {"username": "moderator", "password": PASSWORD})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not _signed_in(client)


def test_deactivation_ends_a_session_already_open(client, persona):
    persona("publisher")
    assert client.get("/account/").status_code == 200
    user_deactivate(username="publisher", actor=User.objects.get(username="admin"))
    assert client.get("/account/").status_code == 302


def test_password_reset_by_email(client):
    User.objects.filter(username="inspector").update(email="inspector@example.org")
    response = client.post("/account/password-reset/", {"email": "inspector@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password-reset/sent/"
    [message] = mail.outbox
    assert message.to == ["inspector@example.org"]
    assert "inspector" in message.body
    link = re.search(r"https?://[^/\s]+(/account/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)  # Django swaps the token for a session and redirects
    assert response.status_code == 200 and "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"})
    assert response.status_code == 302 and response["Location"] == "/account/reset/done/"

    # through the sign-in form (django-axes needs the request, which client.login() does not pass)
    response = client.post(SIGN_IN, {"username": "inspector", "password": "a-brand-new-secret"})
    assert response.status_code == 302 and _signed_in(client)
    client.post("/account/sign-out/")
    response = client.post(SIGN_IN, {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 200 and not _signed_in(client)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_is_not_sent_to_a_deactivated_account(client):
    User.objects.filter(username="moderator").update(email="moderator@example.org")
    user_deactivate(username="moderator", actor=User.objects.get(username="admin"))
    client.post("/account/password-reset/", {"email": "moderator@example.org"})
    assert mail.outbox == []


def test_a_bad_reset_link_says_so(client):
    response = client.get("/account/reset/MQ/not-a-token/", follow=True)
    assert response.status_code == 200
    assert 'name="new_password1"' not in response.content.decode()


def test_roles_and_admin():
    admin = User.objects.get(username="admin")
    assert admin.is_admin and admin.is_staff and admin.is_superuser
    assert admin.has_role(Role.ADMIN)
    officer = User.objects.get(username="kent_officer")
    assert officer.authority.dfe_code == "886" and officer.has_role(Role.AUTHORITY_OFFICER)
    assert not officer.has_role(Role.INSPECTOR) and not officer.is_admin
    user_deactivate(username="kent_officer", actor=User.objects.get(username="admin"))
    officer.refresh_from_db()
    assert not officer.has_role(Role.AUTHORITY_OFFICER)


def test_an_authority_officer_must_have_an_authority():
    with pytest.raises(ApaError):
        user_add(username="nobody", role=Role.AUTHORITY_OFFICER, password=PASSWORD)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=Role.AUTHORITY_OFFICER)


def test_a_signed_in_user_going_to_sign_in_is_sent_on(client, persona):
    persona("inspector")
    assert client.get(SIGN_IN).status_code == 302


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_signed_in_person_is_signed_out_after_30_minutes_without_a_request(client, persona):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    persona("kent_officer")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    response = client.get("/account/")  # a request within the 30 minutes: another 30 from now
    assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == 1800
    assert timedelta(minutes=29) < _expiry(client) - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))  # idle 30 min
    assert client.get("/account/")["Location"] == "/account/sign-in/?next=/account/"
    assert not _signed_in(client)


def test_the_public_reading_pages_write_no_session(client):
    from django.contrib.sessions.models import Session

    before = Session.objects.count()
    response = client.get("/authorities/886/")
    assert response.status_code == 200 and "sessionid" not in response.cookies
    assert Session.objects.count() == before
