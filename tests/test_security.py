"""The production settings as every response shows them (docs/operations.md): a Content-Security-Policy that
allows no inline script or style on every answer, and pages that need none; secure, HttpOnly cookies; HSTS;
plain HTTP redirected to HTTPS; and nothing signed with the old public development key accepted."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage, MessageEncoder, MessagePartGatherSerializer
from django.core import signing
from django.test import Client, override_settings

from apa.accounts.models import User
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
OLD_PUBLIC_KEY = "apa-development-only-not-secret"
POLICY = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"], "img-src": ["'self'"],
    "font-src": ["'self'"], "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
    "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    assert "unsafe" not in header, header  # no 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes'
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.django_db
def test_every_kind_of_answer_carries_the_policy(client, persona):
    answers = {
        "page": client.get("/"),
        "static file": client.get("/static/ui/apa.css"),
        "GOV.UK asset": client.get("/assets/govuk-frontend.min.css"),
        "not found": client.get("/no-such-page/"),
        "redirect": client.get("/account/"),
        "form error": client.post("/account/sign-in/", {"username": "x", "password": "y"}),
        "API": client.get("/api/v1/frameworks"),
        "CSV": client.get("/results/apa-2007/2007/national.csv"),
        "plain HTTP redirect": Client().get("/"),
    }
    persona("kent_officer")
    answers["signed in"] = client.get("/account/")
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses["page"] == statuses["static file"] == statuses["signed in"] == 200, statuses
    for name, response in answers.items():
        assert _policy(response) == POLICY, name


def test_no_template_has_inline_script_or_style():
    templates = sorted((ROOT / "apa").glob("*/templates/**/*.html"))
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), f"{path.relative_to(ROOT)} has an inline <script>"
        assert not INLINE_STYLE.search(text), f"{path.relative_to(ROOT)} has an inline style"


@pytest.mark.django_db
def test_pages_need_no_inline_script_or_style(client, persona):
    """Rendered pages (charts and GOV.UK components included) load script and style only from files."""
    persona("inspector")
    for url in ("/", "/results/apa-2007/2007/", "/compare/", "/authorities/886/", "/account/sign-in/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page) and not INLINE_STYLE.search(page), url
        assert '<script src="/static/ui/js-enabled.js"></script>' in page


def test_the_js_enabled_snippet_is_a_file():
    text = (ROOT / "apa/ui/static/ui/js-enabled.js").read_text()
    assert "js-enabled" in text and "govuk-frontend-supported" in text


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(client):
    response = client.get("/account/sign-in/")
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/account/sign-in/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.django_db
def test_https_answers_carry_hsts_and_the_other_headers(client):
    response = client.get("/")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https():
    plain = Client()  # no X-Forwarded-Proto: as if the proxy had been bypassed
    response = plain.get("/authorities/?q=Kent")
    assert response.status_code == 301 and response["Location"] == "https://testserver/authorities/?q=Kent"
    assert "Strict-Transport-Security" not in response  # HSTS only over HTTPS, as the standard says
    response = plain.post("/account/sign-in/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 301 and "sessionid" not in response.cookies


def test_the_settings_are_the_production_ones():
    assert not settings.DEBUG
    assert settings.SECRET_KEY != OLD_PUBLIC_KEY and len(settings.SECRET_KEY) >= 50
    assert settings.SILENCED_SYSTEM_CHECKS == []
    assert settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE


def _forged_session(user, key: str) -> str:
    """A session cookie as the signed-cookie session engine makes it, signed with `key`: what someone who knows
    that key could make for any account."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.serializers import JSONSerializer
    from django.utils.crypto import salted_hmac

    auth_hash = salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", user.password,
                            secret=key, algorithm="sha256").hexdigest()
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: auth_hash}
    return signing.dumps(data, key=key, salt="django.contrib.sessions.backends.signed_cookies",
                         serializer=JSONSerializer, compress=True)


@pytest.mark.django_db
def test_a_session_cookie_signed_with_the_old_public_key_is_refused(client, settings):
    """APA keeps sessions in the database, whose cookie is only a random key; were they kept in signed cookies,
    one signed with the old public key would still not sign anyone in. The same cookie signed with the
    server's own key does: the key is the only difference."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    admin = User.objects.get(username="admin")
    client.cookies["sessionid"] = _forged_session(admin, OLD_PUBLIC_KEY)
    response = client.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    client.cookies["sessionid"] = _forged_session(admin, settings.SECRET_KEY)
    assert client.get("/account/").status_code == 200


@pytest.mark.django_db
def test_a_message_cookie_signed_with_the_old_public_key_is_not_shown(client):
    """The messages framework's cookie is signed with SECRET_KEY: one made with the old key is dropped, the
    same made with the server's key is shown."""
    def cookie(key: str, text: str) -> str:
        with override_settings(SECRET_KEY=key):
            signer = signing.get_cookie_signer(salt=CookieStorage.key_salt)
        parts = [MessageEncoder().encode(Message(constants.SUCCESS, text))]
        return signer.sign_object(parts, serializer=MessagePartGatherSerializer, compress=True)

    client.cookies["messages"] = cookie(OLD_PUBLIC_KEY, "FORGED-BY-THE-OLD-KEY")
    assert "FORGED-BY-THE-OLD-KEY" not in client.get("/").content.decode()
    client.cookies["messages"] = cookie(settings.SECRET_KEY, "SIGNED-BY-THE-SERVER-KEY")
    assert "SIGNED-BY-THE-SERVER-KEY" in client.get("/").content.decode()
