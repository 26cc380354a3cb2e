"""`apa serve` as an operator runs it: gunicorn in a real subprocess on a free loopback port, fetched over real
HTTP (a page, static files, the security headers, the redirect to HTTPS, the password-reset limit counted by
every worker alike); its refusals without DEBUG, SECRET_KEY or ALLOWED_HOSTS (one line, exit 2), apa.wsgi's,
and `check --deploy` on the production settings reporting nothing."""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.integration  # a database of its own, outside the test's

ROOT = Path(__file__).resolve().parents[1]
APA = ROOT / ".venv" / "bin" / "apa"
HTTPS = {"X-Forwarded-Proto": "https"}
ADMIN_EMAIL = "serve-admin@example.org"


def _base_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "SECURE_PROXY_SSL_HEADER")}
    env.update(extra)
    return env


def production_env(**extra) -> dict[str, str]:
    """DEBUG off, a real-looking key and host list, as an operator sets them."""
    return _base_env(**{"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,apa.example.gov.uk", **extra})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _apa(args, env, stdin=None, timeout=300):
    return subprocess.run([str(APA), *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout)


def _get(port: int, path: str, headers=None, method="GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _start(args, env, log: Path, port: int):
    handle = log.open("w")
    process = subprocess.Popen([str(APA), "serve", f"127.0.0.1:{port}", *args], env=env, stdout=handle,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            handle.close()
            pytest.fail(f"apa serve stopped ({process.returncode}):\n{log.read_text()}")
        try:
            if _get(port, "/", HTTPS)[0] == 200:
                return process, handle
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"apa serve did not answer within 60 seconds:\n{log.read_text()}")
        time.sleep(0.3)


def _stop(process, handle):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    handle.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A freshly initialised SQLite database with one admin who has an email address."""
    directory = tmp_path_factory.mktemp("serve")
    env = production_env(DATABASE_URL=f"sqlite:///{directory / 'serve.sqlite3'}")
    for args, stdin in ((["init", "--skip-indicators"], None),
                        (["users", "add", "serve-admin", "--role", "admin", "--email", ADMIN_EMAIL], "serve-admin-secret\n")):
        done = _apa(args, env, stdin=stdin)
        assert done.returncode == 0, done.stderr
    return directory, env


@pytest.fixture(scope="module")
def server(database):
    """`apa serve` (gunicorn, two workers) without DEBUG, behind a pretend TLS proxy: (port, log file)."""
    directory, env = database
    env = {**env, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    port = _free_port()
    log = directory / "gunicorn.log"
    process, handle = _start(["--workers", "2"], env, log, port)
    yield port, log
    _stop(process, handle)


def _policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def test_apa_serve_is_gunicorn_serving_pages_and_static_files(server):
    port, log = server
    status, headers, body = _get(port, "/", HTTPS)
    assert status == 200 and "Annual Performance Assessment" in body.decode()
    assert headers["Server"].startswith("gunicorn")
    assert len(re.findall(r"Booting worker with pid", log.read_text())) == 2
    for path, kind, source in (("/static/ui/apa.css", "text/css", ROOT / "apa/ui/static/ui/apa.css"),
                               ("/static/ui/js-enabled.js", "javascript", ROOT / "apa/ui/static/ui/js-enabled.js")):
        status, headers, body = _get(port, path, HTTPS)
        assert status == 200 and kind in headers["Content-Type"], (path, status, headers)
        assert body == source.read_bytes()
    status, headers, _ = _get(port, "/assets/govuk-frontend.min.css", HTTPS)
    assert status == 200 and "text/css" in headers["Content-Type"]


def test_every_answer_carries_the_security_headers(server):
    port, _ = server
    for path in ("/", "/static/ui/apa.css", "/no-such-page/", "/account/sign-in/"):
        status, headers, _ = _get(port, path, HTTPS)
        policy = _policy(headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"], (path, policy)
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        if "html" in headers["Content-Type"]:
            assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin", path


def test_plain_http_is_redirected_to_https(server):
    port, _ = server
    status, headers, _ = _get(port, "/authorities/?q=Kent")
    assert status == 301 and headers["Location"] == f"https://127.0.0.1:{port}/authorities/?q=Kent"
    assert "Content-Security-Policy" in headers


def _reset_request(port: int, email: str) -> tuple[int, str]:
    status, headers, body = _get(port, "/account/password-reset/", HTTPS)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    status, headers, _ = _get(port, "/account/password-reset/", {
        **HTTPS, "Cookie": f"csrftoken={cookie}", "Origin": f"https://127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded", "Connection": "close",
    }, method="POST", body=urlencode({"csrfmiddlewaretoken": token, "email": email}))
    return status, headers.get("Location", "")


def test_password_reset_limit_holds_across_the_workers(server):
    port, log = server
    answers = {_reset_request(port, ADMIN_EMAIL) for _ in range(5)}
    assert answers == {(302, "/account/password-reset/sent/")}  # the same answer, sent or not
    deadline = time.monotonic() + 10
    while log.read_text().count(f"To: {ADMIN_EMAIL}") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    assert log.read_text().count(f"To: {ADMIN_EMAIL}") == 3  # the console email backend, in the server's log


def test_apa_serve_dev_keeps_the_development_server(database):
    directory, env = database
    env = {**_base_env(DATABASE_URL=env["DATABASE_URL"]), "DEBUG": "1"}
    port = _free_port()
    process, handle = _start(["--dev"], env, directory / "dev.log", port)
    try:
        status, headers, body = _get(port, "/")  # plain HTTP: DEBUG is for one machine
        assert status == 200 and headers["Server"].startswith("WSGIServer")
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    finally:
        _stop(process, handle)


@pytest.mark.parametrize("unset, line", [
    (("SECRET_KEY",), "error: SECRET_KEY is not set: without DEBUG, set SECRET_KEY and ALLOWED_HOSTS in the environment"),
    (("ALLOWED_HOSTS",), "error: ALLOWED_HOSTS is not set: without DEBUG, set SECRET_KEY and ALLOWED_HOSTS in the environment"),
    (("SECRET_KEY", "ALLOWED_HOSTS"),
     "error: SECRET_KEY and ALLOWED_HOSTS are not set: without DEBUG, set SECRET_KEY and ALLOWED_HOSTS in the environment"),
])
@pytest.mark.parametrize("mode", [[], ["--dev"]])
def test_apa_serve_refuses_without_debug_secret_key_or_allowed_hosts(tmp_path, unset, line, mode):
    env = {k: v for k, v in production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}").items() if k not in unset}
    done = _apa(["serve", f"127.0.0.1:{_free_port()}", *mode], env, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [line + " (docs/operations.md)"]


def test_apa_serve_refuses_the_public_development_key(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", SECRET_KEY="apa-development-only-not-secret")
    done = _apa(["serve", f"127.0.0.1:{_free_port()}"], env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: SECRET_KEY is the public development key: set a secret one "
                                        "(docs/operations.md)"]


@pytest.mark.parametrize("args, line", [
    (["serve", "localhost:http"], "error: 'localhost:http' is not HOST:PORT (e.g. 127.0.0.1:8000)"),
    (["serve", "--workers", "0"], "error: --workers must be at least 1"),
])
def test_apa_serve_problems_are_one_line(tmp_path, args, line):
    done = _apa(args, production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"), timeout=60)
    assert done.returncode == 2 and done.stderr.splitlines() == [line]


def test_apa_serve_on_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _apa(["serve", f"127.0.0.1:{port}"], production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"),
                    timeout=60)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


def _import_wsgi(env):
    return subprocess.run([sys.executable, "-c", "import apa.wsgi; print(type(apa.wsgi.application).__name__)"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_apa_wsgi_refuses_without_secret_key_and_allowed_hosts():
    done = _import_wsgi(_base_env())
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY and ALLOWED_HOSTS are not set: without DEBUG, "
        "set SECRET_KEY and ALLOWED_HOSTS in the environment (docs/operations.md)")
    assert _import_wsgi(production_env()).stdout.strip() == "WSGIHandler"
    assert _import_wsgi(_base_env(DEBUG="1")).stdout.strip() == "WSGIHandler"


def test_check_deploy_reports_nothing_on_the_production_settings():
    """What .ci/run runs: no warning at all, none silenced."""
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=production_env(DJANGO_SETTINGS_MODULE="apa.settings"), capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert (done.returncode, done.stdout.strip(), done.stderr.strip()) == (
        0, "System check identified no issues (0 silenced).", "")
