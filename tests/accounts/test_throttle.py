"""Throttled sign-in (django-axes: 5 failures for a username, or from an address, lock it for 15 minutes) and
limited password-reset emails (3 an hour per email address and per client address), through the real sign-in
and reset forms; no answer says whether an account exists."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils import timezone

from apa.accounts.models import PasswordResetLimit, User
from apa.accounts.throttle import client_ip
from tests.conftest import PASSWORD, https_client

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
RESET = "/account/password-reset/"


def _from(address: str):
    return https_client(REMOTE_ADDR=address)


def _sign_in(client, username: str, password: str):
    return client.post(SIGN_IN, {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _page_text(response) -> str:
    """The page without its per-request tokens, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _wait_out_the_lockout():
    """Fifteen minutes pass: the failures recorded are moved that far back."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))


def test_five_failures_for_a_username_lock_it_for_fifteen_minutes():
    client = _from("192.0.2.10")
    answers = [_sign_in(client, "inspector", f"wrong-{n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    locked = _sign_in(client, "inspector", PASSWORD)  # the right password no longer helps
    assert locked.status_code == 429 and not _signed_in(client)
    page = locked.content.decode()
    assert "<title>Too many attempts to sign in – Annual Performance Assessment</title>" in page
    assert "govuk-header" in page and "Wait 15 minutes, then try again." in page
    assert "inspector" not in page

    elsewhere = _from("192.0.2.99")  # the username is locked from every address
    assert _sign_in(elsewhere, "inspector", PASSWORD).status_code == 429
    assert _sign_in(elsewhere, "moderator", PASSWORD).status_code == 302  # others are not

    _wait_out_the_lockout()
    response = _sign_in(client, "inspector", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_failures_spread_over_addresses_still_lock_the_username():
    for n in range(5):
        _sign_in(_from(f"198.51.100.{n + 1}"), "publisher", "wrong")
    assert _sign_in(_from("198.51.100.200"), "publisher", PASSWORD).status_code == 429


def test_five_failures_from_an_address_lock_it_for_every_username():
    attacker = _from("203.0.113.7")
    for username in ("inspector", "moderator", "publisher", "nobody-at-all", "admin"):
        _sign_in(attacker, username, "wrong")
    response = _sign_in(attacker, "kent_officer", PASSWORD)
    assert response.status_code == 429 and not _signed_in(attacker)
    assert _sign_in(_from("203.0.113.8"), "kent_officer", PASSWORD).status_code == 302


def test_the_lockout_page_does_not_say_whether_the_account_exists():
    for n in range(5):
        _sign_in(_from(f"192.0.2.{n + 20}"), "kent_officer", "wrong")
        _sign_in(_from(f"192.0.2.{n + 40}"), "no-such-person", "wrong")
    known = _sign_in(_from("192.0.2.60"), "kent_officer", "wrong")
    unknown = _sign_in(_from("192.0.2.61"), "no-such-person", "wrong")
    assert known.status_code == unknown.status_code == 429
    assert _page_text(known) == _page_text(unknown)


def test_a_failure_below_the_limit_is_the_usual_error():
    client = _from("192.0.2.80")
    for _ in range(4):
        response = _sign_in(client, "inspector", "wrong")
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert _sign_in(client, "inspector", PASSWORD).status_code == 302


# ---- password reset ---------------------------------------------------------------------------------------------


def _reset(client, email: str):
    response = client.post(RESET, {"email": email})
    assert (response.status_code, response["Location"]) == (302, "/account/password-reset/sent/")
    return response


def test_three_reset_emails_an_hour_for_an_address_then_the_same_answer_and_no_mail():
    User.objects.filter(username="inspector").update(email="inspector@example.org")
    for n in range(5):
        _reset(_from(f"192.0.2.{n + 1}"), "inspector@example.org")  # from five addresses: the email's limit
    assert [m.to for m in mail.outbox] == [["inspector@example.org"]] * 3
    sent = https_client().get("/account/password-reset/sent/").content.decode()
    assert "If an account has that email address, we have sent it a link" in sent

    PasswordResetLimit.objects.update(last=timezone.now() - timedelta(hours=2),
                                      sent=[(timezone.now() - timedelta(hours=1, seconds=1)).isoformat()] * 3)
    _reset(_from("192.0.2.9"), "INSPECTOR@example.org")  # an hour on, and in any case
    assert len(mail.outbox) == 4


def test_three_reset_requests_an_hour_from_one_client_address():
    for username in ("inspector", "moderator", "publisher", "admin"):
        User.objects.filter(username=username).update(email=f"{username}@example.org")
    client = _from("203.0.113.50")
    for username in ("inspector", "moderator", "publisher", "admin"):
        _reset(client, f"{username}@example.org")
    assert [m.to[0] for m in mail.outbox] == ["inspector@example.org", "moderator@example.org", "publisher@example.org"]
    _reset(_from("203.0.113.51"), "admin@example.org")  # another address is not held back
    assert mail.outbox[-1].to == ["admin@example.org"]


def test_unknown_addresses_count_too_and_are_answered_the_same():
    client = _from("203.0.113.60")
    answers = [_reset(client, f"nobody-{n}@example.org")["Location"] for n in range(3)]
    User.objects.filter(username="inspector").update(email="inspector@example.org")
    answers.append(_reset(client, "inspector@example.org")["Location"])
    assert len(set(answers)) == 1 and mail.outbox == []


def test_the_limit_keeps_no_email_address():
    _reset(_from("203.0.113.70"), "someone@example.org")
    keys = set(PasswordResetLimit.objects.values_list("key", flat=True))
    assert keys and not any("someone" in key for key in keys)
    assert "ip:203.0.113.70" in keys


@pytest.mark.parametrize("header, given, expected", [
    ("", "198.51.100.1", "127.0.0.9"),  # no header configured: the connection's address
    ("X-Forwarded-For", "198.51.100.1", "198.51.100.1"),
    ("X-Forwarded-For", "10.9.9.9, 198.51.100.2", "198.51.100.2"),  # the right-most, added by our proxy
    ("X-Forwarded-For", "not-an-address", "127.0.0.9"),
])
def test_the_client_address(header, given, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR=given)
    with override_settings(CLIENT_IP_HEADER=header):
        assert client_ip(request) == expected
