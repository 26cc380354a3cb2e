"""The public page cache (apa.ui.cache) on the pages of published results: a hit serves the same page without
reading it again, and whatever changes what the public may see — a scheduled publication whose time passes, a
correction — changes the very next answer, with the cache on. Nothing under embargo is ever served.

The cache is Django's (LocMemCache in tests). Keys are made of the data's own state, so an entry left by another
test can never be served here: another database state is another key (tests/conftest.py also empties the cache
before each test, so none is even reachable)."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apa.assessments import services
from apa.assessments.models import State
from apa.publication.selectors import publication_state, results_visible
from apa.ui.cache import KEY_PREFIX
from tests.factories import correct

from .conftest import journey

pytestmark = pytest.mark.django_db



def _entries() -> list[str]:
    return [key for key in cache._cache if KEY_PREFIX in key]  # LocMemCache's own store: what is kept


def test_a_hit_serves_the_same_page_without_building_it_again(client):
    for url in ("/authorities/886/", "/results/ilacs-2018/", "/results/apa-2007/2007/",
                "/api/v1/results?framework=apa-2007&limit=100", "/results/apa-2007/2007/?format=csv"):
        first = client.get(url)
        assert first.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert again.status_code == 200 and again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"]
        # Only the state of the data is read (a handful of aggregates), never the page's own data.
        assert len(queries) <= 5, [q["sql"] for q in queries]
        assert not any("publication_result\".\"letter" in q["sql"] for q in queries)
    assert len(_entries()) == 5


def test_the_key_follows_the_day(client):
    today = publication_state()
    tomorrow = timezone.now() + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert publication_state() != today


def test_signed_in_pages_are_never_cached_nor_served_from_the_cache(client, persona):
    anonymous = client.get("/authorities/886/").content.decode()
    assert "Sign in" in anonymous and "Sign out" not in anonymous
    kept = len(_entries())
    persona("moderator")
    signed_in = client.get("/authorities/886/").content.decode()
    assert "Sign out moderator" in signed_in and "Correct this result" in signed_in
    assert len(_entries()) == kept
    client.logout()
    assert "Sign out" not in client.get("/authorities/886/").content.decode()


def _kent_2025_shown(client) -> list[bool]:
    """Whether Kent's 2025 result shows on its page, in the national release, in the API and as its letter."""
    return [
        "Annual performance assessment 2008, 2025" in client.get("/authorities/886/").content.decode(),
        "/authorities/886/" in client.get("/results/apa-2008/2025/").content.decode(),
        '"886"' in client.get("/api/v1/results?framework=apa-2008&year=2025").content.decode(),
        client.get("/letters/886/apa-2008/2025/").status_code == 200,
    ]


def test_a_scheduled_publication_shows_on_the_next_request_once_its_time_passes(client, cycle, kent, users):
    journey(kent, State.MODERATED, users=users, grade=4)
    publish_at = timezone.now() + timedelta(days=7)
    services.cycle_schedule(cycle=cycle, publish_at=publish_at, actor=users["publisher"])
    assert _kent_2025_shown(client) == [False] * 4
    kept = len(_entries())
    assert kept == 3  # the letter is 404: not kept
    assert _kent_2025_shown(client) == [False] * 4  # from the cache
    with mock.patch("django.utils.timezone.now", return_value=publish_at + timedelta(seconds=1)):
        assert _kent_2025_shown(client) == [True] * 4
    assert len(_entries()) == kept + 4
    # Back before the time (a clock set back): the key is the earlier one, and so is the page.
    assert _kent_2025_shown(client) == [False] * 4


def test_a_correction_shows_on_the_next_request(client):
    kent = results_visible().get(authority__dfe_code="886", framework__code="apa-2007", key="2007")
    overall = kent.grades.get(area__code="overall_effectiveness")
    pages = ["/authorities/886/", "/api/v1/results/886/apa-2007/2007", "/results/apa-2007/2007/?format=csv"]
    before = {url: client.get(url).content.decode() for url in pages}
    assert all(client.get(url).content.decode() == before[url] for url in pages)  # from the cache
    assert "CACHE-CORRECTION-NOTE" not in before[pages[0]]
    new_grade = 1 if overall.grade != 1 else 2
    correct(kent, {"overall_effectiveness": new_grade}, "CACHE-CORRECTION-NOTE")

    page = client.get(pages[0]).content.decode()
    assert "Version 2: CACHE-CORRECTION-NOTE" in page
    api = client.get(pages[1]).json()
    assert api["version"] == 2 and api["correction_note"] == "CACHE-CORRECTION-NOTE"
    assert {g["area"]: g["grade"] for g in api["grades"]}["overall_effectiveness"] == new_grade
    assert client.get(pages[2]).content.decode() != before[pages[2]]

def test_an_embargoed_result_never_appears_however_often_asked(client, cycle, kent, users):
    """Scheduled a week ahead, under its own marker: no cached or fresh page carries it before its time."""
    marker = "CACHE-EMBARGO-MARKER"
    journey(kent, State.MODERATED, users=users, grade=4, text=lambda kind: f"{marker} {kind}")
    services.cycle_schedule(cycle=cycle, publish_at=timezone.now() + timedelta(days=7), actor=users["publisher"])
    urls = ["/authorities/886/", "/results/apa-2008/2025/", "/api/v1/results?framework=apa-2008&year=2025",
            "/letters/886/apa-2008/2025/", "/results/apa-2008/", "/api/v1/results/886/apa-2008/2025"]
    for _ in range(3):
        for url in urls:
            assert marker not in client.get(url).content.decode(), url
    assert not re.search(marker, "".join(str(cache.get(key)) for key in _entries()))


def test_a_shared_cache_that_does_not_answer_serves_every_page_uncached(client, settings):
    """CACHE_URL=redis://... on a Redis that is down (here: a port nothing listens on): no page fails."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    for url in ("/authorities/886/", "/results/apa-2007/2007/", "/api/v1/results?framework=apa-2007&limit=5"):
        first, again = client.get(url), client.get(url)
        assert first.status_code == again.status_code == 200, url
        assert first.content == again.content
