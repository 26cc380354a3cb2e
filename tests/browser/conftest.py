"""A real APA server on its own database, and Debian's chromium driven by Playwright.

The server is what a newcomer runs: `apa init`, `apa users add`, `apa serve`, as subprocesses. Its database
is a SQLite file in a temporary directory, or, when DATABASE_URL names PostgreSQL, a database of its own
(<name>_e2e) dropped and created for the run, so the browser never touches the test database.
"""

import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
APA = ROOT / ".venv" / "bin" / "apa"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]

# Accounts the journeys sign in with.
ACCOUNTS = {  # the admin first: it adds the others
    "e2e-admin": {"role": "admin", "password": "e2e-admin-secret"},
    "e2e-inspector": {"role": "inspector", "password": "e2e-inspector-secret"},
    "e2e-moderator": {"role": "moderator", "password": "e2e-moderator-secret"},
    "e2e-publisher": {"role": "publisher", "password": "e2e-publisher-secret"},
    "e2e-kent": {"role": "authority_officer", "authority": "886", "password": "e2e-kent-secret"},
    "e2e-surrey": {"role": "authority_officer", "authority": "936", "password": "e2e-surrey-secret"},
    "e2e-kent-democratic": {"role": "democratic_services", "authority": "886", "password": "e2e-kent-democratic-secret"},
}
# The running server's environment, for journeys that set things up through the command line.
SERVER_ENV: dict[str, str] = {}
# What the proxy in front of the server would add to every request (a browser context's extra_http_headers).
HTTPS_HEADERS = {"X-Forwarded-Proto": "https"}


def _postgres_database(url: str, suffix: str = "e2e") -> tuple[str, str]:
    """(URL of the e2e database, its name), after dropping and creating it."""
    import psycopg

    parts = urlsplit(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # each worker of `pytest -n` its own database
    name = f"{parts.path.lstrip('/') or 'apa'}_{suffix}" + (f"_{worker}" if worker else "")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _drop_postgres_database(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, env, stdin=None):
    done = subprocess.run([str(APA), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"apa {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def server_environment(directory: Path, suffix: str = "e2e") -> tuple[dict[str, str], str | None]:
    """The environment of a server on a database of its own (a SQLite file in `directory`, or
    <name>_<suffix> when DATABASE_URL names PostgreSQL), and that PostgreSQL database's name."""
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    given = os.environ.get("DATABASE_URL", "")
    postgres = None
    if given.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"], postgres = _postgres_database(given, suffix)
    else:
        env["DATABASE_URL"] = f"sqlite:///{directory / f'{suffix}.sqlite3'}"
    env["SECRET_KEY"] = "e2e-only-" + secrets.token_urlsafe(40)
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    # The production settings, behind a pretend proxy that ends TLS: the browser says X-Forwarded-Proto: https
    # (HTTPS_HEADERS) on every request, as that proxy would.
    env["SECURE_PROXY_SSL_HEADER"] = "X-Forwarded-Proto"
    env.setdefault("WEB_CONCURRENCY", "2")
    env["JOB_QUEUE"] = f"apa-e2e-{secrets.token_hex(4)}"  # background jobs on a queue of this server's own
    env["MEDIA_ROOT"] = str(directory / "media")
    return env, postgres


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The base URL of a running `apa serve` on a freshly initialised database."""
    directory = tmp_path_factory.mktemp("e2e")
    env, postgres = server_environment(directory)

    _run(["init", "--skip-indicators"], env)
    for username, spec in ACCOUNTS.items():
        extra = ["--authority", spec["authority"]] if "authority" in spec else []
        extra += [] if spec["role"] == "admin" else ["--as", "e2e-admin"]
        _run(["users", "add", username, "--role", spec["role"], *extra], env, stdin=spec["password"] + "\n")
    SERVER_ENV.update(env)
    with serving(env, directory, postgres) as base:
        yield base


@contextmanager
def serving(env: dict[str, str], directory: Path, postgres: str | None = None):
    """Run `apa serve` on a free port with `env` until the block ends; yields its base URL. Drops the
    PostgreSQL database `postgres` afterwards."""
    given = os.environ.get("DATABASE_URL", "")
    base = f"http://127.0.0.1:{_free_port()}"
    # The browser's forms say Origin: http://... while the server, told it is behind TLS, expects https://.
    env = {**env, "CSRF_TRUSTED_ORIGINS": base}
    log = (directory / "server.log").open("w")
    process = subprocess.Popen([str(APA), "serve", base.removeprefix("http://")], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"apa serve stopped ({process.returncode}):\n{(directory / 'server.log').read_text()}")
            try:
                probe = urllib.request.Request(base + "/", headers=HTTPS_HEADERS)
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("apa serve did not answer within 30 seconds")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if postgres:
            _drop_postgres_database(given, postgres)


@pytest.fixture
def apa_cli(server):
    """Run an `apa` command against the running server's database."""
    return lambda *args, stdin=None: _run(list(args), SERVER_ENV, stdin=stdin)


def sign_in(page, username: str) -> None:
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(ACCOUNTS[username]["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=f"Sign out {username}").wait_for()


def sign_out(page) -> None:
    page.locator("form[action='/account/sign-out/'] button").click()
    page.get_by_role("link", name="Sign in").wait_for()


@pytest.fixture(scope="package")
def browser():
    # Package scope: Playwright's event loop must be gone before tests that use the database run.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, extra_http_headers=HTTPS_HEADERS)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def page_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False, extra_http_headers=HTTPS_HEADERS)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
