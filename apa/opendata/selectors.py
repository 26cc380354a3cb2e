"""Which releases may be read: those whose moment has come (a release dated ahead, for a cycle scheduled to
publish, is not listed or served before then), and the indicator data releases (every applied import)."""

from django.utils import timezone

from apa.errors import NotFound, Problem
from apa.indicators.models import Import
from apa.indicators.selectors import import_list

from .models import Release


def releases_public(*, now=None):
    return Release.objects.filter(as_at__lte=now or timezone.now()).order_by("-as_at", "-number")


def release_get(*, number: int, now=None) -> Release:
    release = releases_public(now=now).filter(number=number).first()
    if release is None:
        raise NotFound(Problem(f"no open-data release {number}; `apa opendata releases` lists them"))
    return release


def release_latest(*, now=None) -> Release:
    release = releases_public(now=now).first()
    if release is None:
        raise NotFound(Problem("no open-data release yet: one is made when results are imported or published"))
    return release


def data_releases():
    return import_list()


def data_release_get(*, number: int | None = None) -> Import:
    """An indicator data release by number (its import's), or the latest."""
    found = data_releases().filter(pk=number).first() if number is not None else data_releases().first()
    if found is None:
        raise NotFound(Problem(f"no indicator data release {number}" if number is not None
                               else "no indicator data release yet: import indicator data first"))
    return found
