"""The read replica (apa/dbrouter.py, docs/deploy.md): public requests read from the `replica` alias, everyone
and everything else from the primary, with real queries on two connections.

The `replica` alias is a test mirror of the test database (tests/conftest.py): a second connection to the same
database, which sees what the session's set-up committed (the reference data and results), so a page read from
it is a real page.
"""

import os
import subprocess
import sys

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from apa.authorities.models import Authority
from apa.dbrouter import public_reads

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["apa.dbrouter.ReplicaRouter"]


@pytest.fixture(autouse=True, scope="module")
def _replica_closed_at_the_end():
    """The replica's connection is closed after these tests, so that the test database can be dropped."""
    yield
    connections["replica"].close()


class Queries:
    """The SQL run on the primary and on the replica inside the block."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str, verb: str = "") -> list[str]:
        return [q["sql"] for q in self.contexts[alias].captured_queries if q["sql"].lstrip().upper().startswith(verb)]


@pytest.mark.parametrize("url, name", [("/authorities/886/", "Kent"), ("/results/ilacs-2018/", "ILACS"),
                                       ("/api/v1/authorities/886", "Kent")])
def test_a_public_page_is_read_from_the_replica(routed, client, url, name):
    with Queries() as q:
        response = client.get(url)
    assert response.status_code == 200 and name in response.content.decode()
    assert q.on("replica", "SELECT"), "nothing was read from the replica"
    assert not q.on("default"), f"the primary was asked: {q.on('default')[:3]}"


def test_a_signed_in_person_reads_from_the_primary(routed, client, persona):
    persona("kent_officer")
    with Queries() as q:
        response = client.get("/authorities/886/")
    assert response.status_code == 200
    assert q.on("default", "SELECT") and not q.on("replica")
    assert q.on("default", "UPDATE"), "the session is saved again (the idle timeout), on the primary"


def test_a_form_posted_by_the_public_reads_and_writes_the_primary(routed, client):
    with Queries() as q:
        response = client.post("/account/sign-in/", {"username": "nobody", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert q.on("default", "INSERT"), "the failed sign-in is counted (django-axes), on the primary"
    assert q.on("default", "SELECT") and not q.on("replica")


def test_writes_go_to_the_primary_and_later_reads_follow_them(routed):
    with public_reads(), Queries() as q:
        before = Authority.objects.filter(dfe_code="886").count()
        assert q.on("replica", "SELECT") and not q.on("default")
        Authority.objects.filter(dfe_code="886").update(name="Kent")
        after = Authority.objects.filter(dfe_code="886").count()
    assert before == after == 1
    assert len(q.on("replica")) == 1, "only the read before the write is the replica's"
    assert q.on("default", "UPDATE") and len(q.on("default", "SELECT")) == 1


def test_reads_in_a_transaction_go_to_the_primary(routed):
    with public_reads(), Queries() as q:
        with transaction.atomic():
            list(Authority.objects.filter(dfe_code="886"))
        list(Authority.objects.filter(dfe_code="940"))
    assert len(q.on("default", "SELECT")) == 1 and len(q.on("replica", "SELECT")) == 1


def test_an_object_read_from_the_replica_is_read_again_from_the_primary_after_a_write(routed):
    from apa.publication.models import Result

    with public_reads(), Queries() as q:
        result = Result.objects.filter(authority__dfe_code="886").first()
        assert result._state.db == "replica"
        Authority.objects.filter(dfe_code="886").update(name="Kent")
        assert result.authority.name == "Kent"  # the relation: not the instance's replica, the primary
    assert len(q.on("replica", "SELECT")) == 1 and len(q.on("default", "SELECT")) == 1


def test_without_a_router_everything_is_the_primarys(client):
    with Queries() as q:
        assert client.get("/authorities/886/").status_code == 200
    assert q.on("default", "SELECT") and not q.on("replica")


def _settings(**env) -> str:
    """The database aliases and routers of the settings, imported afresh with `env` (DATABASE_REPLICA_URL unset
    unless given)."""
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)")
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**base, "DJANGO_SETTINGS_MODULE": "apa.settings", **env}).stdout.strip()


def test_the_replica_alias_and_router_exist_only_when_configured():
    assert _settings() == "['default'] []"
    assert _settings(DATABASE_REPLICA_URL="postgresql://apa_reader@replica.internal:5432/apa") == (
        "['default', 'replica'] ['apa.dbrouter.ReplicaRouter']")
