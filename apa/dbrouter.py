"""Public reads from a read replica (DATABASE_REPLICA_URL, docs/deploy.md); everything else on the primary.

A request is public when it is a GET, HEAD or OPTIONS that carries no session cookie: nobody is signed in, so
there is nothing of theirs to read back. Its reads go to the `replica` alias, except
- after the request's first write (the write goes to the primary, and so does every read after it), and
- inside a transaction the request opened (its reads must see its own writes and hold its locks).
Everything else — signed-in people (whose every request saves their session), forms, the command line, the
jobs — reads and writes the primary, so whoever changes something reads it back at once. The replica may trail
the primary by a moment: a public page may show a publication a moment late, never early.

Without DATABASE_REPLICA_URL the settings install no router and the middleware only marks requests."""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _PublicReads:
    """One public request's state: the primary's transaction depth when it began, and whether it has written."""

    __slots__ = ("depth", "wrote")

    def __init__(self, depth: int):
        self.depth = depth
        self.wrote = False


_current: contextvars.ContextVar[_PublicReads | None] = contextvars.ContextVar("apa_public_reads", default=None)


@contextmanager
def public_reads():
    """What runs inside reads from the replica (when there is one), as a public request does."""
    token = _current.set(_PublicReads(len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
    try:
        yield
    finally:
        _current.reset(token)


class PublicReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        with public_reads():
            return self.get_response(request)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _current.get()
        if (state is None or state.wrote or REPLICA not in settings.DATABASES
                or len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > state.depth):
            return DEFAULT_DB_ALIAS  # named, not None: Django would follow an instance read from the replica
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _current.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
