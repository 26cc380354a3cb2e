"""Schemathesis over the API in-process (WSGI), every operation, every check: the schema's examples (real codes,
so each operation also answers 200) and 20 derandomised generated cases per operation, valid and invalid, on the
real test database with the indicator sample loaded, SQLite or PostgreSQL. No server error, no response outside
the spec, and the whole run within 90 seconds.

The coverage phase (boundary values of every parameter, about a hundred more cases per operation) is left out
here: with it the run took 75-81 s (19 operations) on this machine, too near the budget to be a steady test. It
belongs with the live-server run in `make fuzz`."""

import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, is_check_class, load_all_checks

from tests.conftest import HTTPS

EXAMPLES = 20
BUDGET = 90.0  # seconds, for every operation together

CONFIG = schemathesis.Config.from_dict({
    "headers": HTTPS,  # as the proxy that ends TLS passes requests on (tests/conftest.py)
    "seed": 20070101,
    "generation": {"max-examples": EXAMPLES, "deterministic": True},
    "phases": {"coverage": {"enabled": False}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG, headers=HTTPS)
load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]
ELAPSED: dict[str, float] = {}
# Every operation and the budget check run in one process (`make test` distributes by file, --dist loadfile),
# so the budget sums the whole run rather than one worker's share.


@pytest.fixture
def timed(request):
    started = time.perf_counter()
    yield
    ELAPSED[request.node.name] = time.perf_counter() - started


@pytest.fixture
def one_connection():
    """The WSGI handler ends each request by closing "old" connections, which on PostgreSQL closes the test's own
    transaction; Django's test client keeps it the same way."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_spec(sample, one_connection, timed, case):
    case.call_and_validate(checks=ALL_CHECKS)


def test_the_run_took_at_most_90_seconds():
    if not ELAPSED:
        pytest.skip("the schemathesis operations were not selected in this run")
    total = sum(ELAPSED.values())
    print(f"schemathesis: {len(ELAPSED)} operations in {total:.1f} s")
    assert total <= BUDGET, f"{total:.1f} s over {len(ELAPSED)} operations: {sorted(ELAPSED.items(), key=lambda x: -x[1])[:5]}"
