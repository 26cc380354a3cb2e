"""`apa serve`: the web server, gunicorn (static files by WhiteNoise); `--dev` for Django's development server."""

import os
import socket

from apa.errors import ApaError, Problem


def register(commands) -> None:
    p = commands.add_parser("serve", help="run the web server, gunicorn (default 127.0.0.1:8000)")
    p.add_argument("addrport", nargs="?", default="127.0.0.1:8000", metavar="HOST:PORT")
    p.add_argument("--dev", action="store_true", help="Django's development server instead (one process)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (default: WEB_CONCURRENCY, else 2 x CPUs + 1)")
    p.set_defaults(handler=cmd_serve)


def address(text: str) -> tuple[str, int]:
    """(host, port) from HOST:PORT, [IPv6]:PORT or PORT alone (host 127.0.0.1)."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ApaError(Problem(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:8000)"))
    return host, int(port)


def worker_count(given: int | None) -> int:
    if given is not None:
        if given < 1:
            raise ApaError(Problem("--workers must be at least 1"))
        return given
    concurrency = os.environ.get("WEB_CONCURRENCY", "").strip()
    if concurrency:
        if not concurrency.isdigit() or int(concurrency) < 1:
            raise ApaError(Problem(f"WEB_CONCURRENCY must be a whole number of workers, not {concurrency!r}"))
        return int(concurrency)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cpus + 1


def _check_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ApaError(Problem(f"cannot listen on {host}:{port}: {exc.strerror or exc}")) from None


def cmd_serve(args) -> int:
    from django.conf import settings

    refusal = getattr(settings, "SERVE_REFUSAL", "")
    if refusal:
        raise ApaError(Problem(refusal))
    host, port = address(args.addrport)
    _check_free(host, port)
    if args.dev:
        from django.core.management import call_command

        call_command("runserver", f"[{host}]:{port}" if ":" in host else f"{host}:{port}", use_reloader=False)
        return 0
    workers = worker_count(args.workers)
    from django.db import connections

    connections.close_all()  # no connection of this process is shared with the workers it forks
    _gunicorn({
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "control_socket_disable": True,  # several servers may run on one machine (tests, staging)
    }).run()
    return 0


def _gunicorn(options: dict):
    """gunicorn run in this process with these options (no command line or config file of its own); each
    worker loads `apa.wsgi`, which refuses to serve on unsafe settings as this command does."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from apa.wsgi import application

            return application

    return Server()
