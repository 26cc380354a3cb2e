"""The public page cache (apa.ui.cache) on indicator pages and the API's benchmarks: a hit serves the same page,
and a new import (the next data release), an indicator's outcomes or a flag change the very next answer, with
the cache on. Keys are made of the data's state, so no other test's entry can be served (tests/conftest.py also
empties the cache before each test)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apa.accounts.models import User
from apa.indicators.models import Indicator, Value
from apa.indicators.plain_reader import plain_read
from apa.indicators.services import flag_raise, indicator_outcomes_set, indicator_values_import

PLAIN = ["indicator", "authority", "period", "value"]
PAGES = ["/indicators/RTA/?period=2030-32", "/authorities/886/indicators/",
         "/api/v1/indicators/RTA/benchmark?authority=886&period=2030-32", "/api/v1/indicators/RTA/values?period=2030-32"]


def _import(write_csv, name: str, kent: str):
    rows = [PLAIN, ["RTA", "Kent", "2030-32", kent], ["RTA", "Surrey", "2030-32", "20"], ["RTA", "Camden", "2030-32", "30"],
            ["RTA", "Devon", "2030-32", "40"], ["RTA", "England", "2030-32", "25"]]
    return indicator_values_import(reading=plain_read(path=write_csv(name, rows)), actor=User.objects.get(username="admin"))


def _benchmark(client) -> float:
    return json.loads(client.get(PAGES[2]).content)["value"]


def test_a_hit_serves_the_same_page_without_building_it_again(sample, client, write_csv):
    _import(write_csv, "first.csv", "12.5")
    for url in PAGES:
        first = client.get(url)
        assert first.status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert again.content == first.content, url
        assert len(queries) <= 4 and not any("indicators_value\"" in q["sql"] for q in queries), url


def test_a_new_import_shows_on_the_next_request(sample, client, write_csv):
    _import(write_csv, "first.csv", "12.5")
    before = {url: client.get(url).content for url in PAGES}
    assert _benchmark(client) == 12.5
    assert all(client.get(url).content == before[url] for url in PAGES)  # from the cache
    summary = _import(write_csv, "second.csv", "99.5")
    assert summary.changed == 1
    assert _benchmark(client) == 99.5
    assert "99.5" in client.get(PAGES[0]).content.decode() and "99.5" in client.get(PAGES[3]).content.decode()
    assert "99.5" in client.get(PAGES[1]).content.decode()
    # The same file again changes nothing, leaves no import, and the page is the cached one.
    assert _import(write_csv, "second.csv", "99.5").changed == 0
    assert client.get(PAGES[0]).content != before[PAGES[0]]


def test_an_outcome_and_a_flag_show_on_the_next_request(sample, client, write_csv):
    _import(write_csv, "first.csv", "12.5")
    page = client.get(PAGES[0]).content.decode()
    assert "Flagged" not in page
    indicator = Indicator.objects.get(code="RTA")
    indicator_outcomes_set(indicator=indicator, outcomes=["staying_safe"], actor=User.objects.get(username="admin"))
    assert client.get(PAGES[0]).content.decode() != page
    value = Value.objects.get(period__indicator=indicator, period__label="2030-32", authority__dfe_code="886")
    flag_raise(user=User.objects.get(username="kent_officer"), value=value, comment="looks wrong")
    assert "Flagged" in client.get(PAGES[0]).content.decode()


@pytest.mark.parametrize("url", PAGES[:2])
def test_a_signed_in_officer_gets_their_own_page(sample, client, persona, write_csv, url):
    _import(write_csv, "first.csv", "12.5")
    anonymous = client.get(url).content.decode()
    persona("kent_officer")
    own = client.get(url).content.decode()
    assert "Sign out kent_officer" in own and own != anonymous
