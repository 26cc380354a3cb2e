"""Shared test set-up: the real reference data loaded once per run into the test database, and personas.

Tests run in transactions that roll back, so each starts from this same loaded state.
"""

import pytest

PASSWORD = "correct-horse-battery-staple"

# The suite runs on the production settings (DEBUG off: secure cookies, HSTS, the redirect to HTTPS), configured
# as behind a proxy that ends TLS (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, docs/operations.md); every request
# a test makes says what that proxy would: `X-Forwarded-Proto: https`.
HTTPS = {"X-Forwarded-Proto": "https"}


def pytest_configure(config):
    from django.conf import settings

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The read replica (DATABASE_REPLICA_URL) in tests: a second connection to the test database itself (a test
    # mirror), used only where a test installs the router (tests/test_replica.py).
    # On SQLite the two share one in-memory database, where each test's transaction holds its table locks until it
    # rolls back: the replica's is a reader's (deferred, read-uncommitted: it takes no table locks).
    default = settings.DATABASES["default"]
    options = default.get("OPTIONS", {})
    if default["ENGINE"].endswith("sqlite3"):
        options = {"timeout": options.get("timeout", 20), "init_command": "PRAGMA read_uncommitted=1;"}
    settings.DATABASES["replica"] = {**default, "OPTIONS": options,
                                     "TEST": {**default.get("TEST", {}), "MIRROR": "default"}}


def https_client(**kwargs):
    """Django's test client, its requests as the proxy passes them on: HTTPS, and the Host header the browser
    sent (without one Django would name the server's own port, https://testserver:80/)."""
    from django.test import Client

    return Client(headers={"Host": "testserver", **HTTPS, **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture
def client():
    """pytest-django's `client`, over HTTPS as above."""
    return https_client()

PERSONAS = {
    "inspector": {"role": "inspector"},
    "moderator": {"role": "moderator"},
    "publisher": {"role": "publisher"},
    "kent_officer": {"role": "authority_officer", "authority": "886"},
    "surrey_officer": {"role": "authority_officer", "authority": "936"},
    "admin": {"role": "admin"},
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from apa.accounts.services import user_add
    from apa.authorities.services import authorities_load
    from apa.frameworks.services import frameworks_load
    from apa.publication.cpa import cpa_tables_load
    from apa.publication.services import SHIPPED_RESULTS, results_import, shipped_path

    with django_db_blocker.unblock():
        frameworks_load()
        authorities_load()
        for name in SHIPPED_RESULTS:
            results_import(path=shipped_path(name))
        cpa_tables_load()  # the published CPA tables, as `apa init` loads them
        for username, spec in PERSONAS.items():
            user_add(username=username, password=PASSWORD, **spec)


@pytest.fixture(autouse=True)
def _page_cache_empty():
    """Public pages are cached under keys made of the data's state (apa.ui.cache), so another test's entry could
    only ever be served for the same data; emptying the cache first means none is even reachable."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def persona(db, client):
    """Sign the test client in as a named persona: persona('kent_officer')."""
    from apa.accounts.models import User

    def sign_in(username: str):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return sign_in


# Fixtures that reach the database; a test that asks for none of them is a unit test (pytest-django refuses
# database access to it, so the mark cannot lie).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "client", "admin_client", "admin_user", "live_server", "persona"}


def pytest_collection_modifyitems(config, items):
    """The three tiers: `browser` is marked by its modules; every other test is `unit` or `integration`."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("integration"):
            continue  # marked by hand: a journey, or a database reached outside the test's own
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames)
        item.add_marker(pytest.mark.integration if uses_database else pytest.mark.unit)
