"""Public pages as the anonymous public sees them, kept in Django's cache under a key made of the request and the
state of the data the page is read from (docs/operations.md, "Caching").

The state is a function of the app whose data the page shows (`apa.publication.selectors.publication_state`,
`apa.indicators.selectors.indicators_state`), read again on every request: it names the latest publication at or
before now and the data as stored, so a publication whose time passes, a correction or a new import changes the
key, and the next request renders the page afresh. Nothing is ever invalidated; an entry that is no longer asked
for expires (PAGE_CACHE_SECONDS).

Only what everyone sees is kept: a signed-in person's pages, a request with a message waiting, a page that used
the CSRF token or set a cookie, and any answer but 200 are never stored, and a stored page is served only to an
anonymous GET or HEAD.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

KEY_PREFIX = "apa:page:"


logger = logging.getLogger(__name__)


def _anonymous(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    waiting = getattr(request, "_messages", None)
    return waiting is None or len(waiting) == 0


def page_key(request, state: str) -> str:
    """The cache key of this request's page: the data's state, and the absolute URL (scheme, host, path, query)."""
    text = f"{state}\n{request.build_absolute_uri()}"
    return KEY_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def _storable(request, response) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def public_page(request, *, state: Callable[[], str], build: Callable[[], HttpResponse]) -> HttpResponse:
    """The page `build` answers, from the cache when the same page was built for the same state of the data."""
    if not _anonymous(request):
        return build()
    key = page_key(request, state())
    try:
        kept = cache.get(key)
    except Exception:  # a shared cache (Redis) that does not answer: the page is built, as on a miss
        logger.warning("page cache unreachable; serving %s uncached", request.path, exc_info=True)
        kept = None
    if kept is not None:
        status, headers, content = kept
        return HttpResponse(content, status=status, headers=headers)
    response = build()
    if _storable(request, response):
        try:
            cache.set(key, (response.status_code, dict(response.headers.items()), response.content),
                      settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache unreachable; %s not stored", request.path, exc_info=True)
    return response


def cached_for_public(state: Callable[[], str]):
    """A view decorator: `public_page` with the state function of the data the view shows."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return public_page(request, state=state, build=lambda: view(request, *args, **kwargs))

        return wrapper

    return decorate
