"""Paging: `limit` and `offset`, with the total `count` and `next`/`previous` links (absolute URLs that keep the
request's filters; null at the ends)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 1_000_000


class Mapped:
    """A queryset or list, sliced first and then turned into response items: the work per item (grades,
    versions, links) is done for one page only."""

    def __init__(self, items, transform):
        self.items, self.transform = items, transform

    def __len__(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __getitem__(self, window: slice):
        return self.transform(list(self.items[window]))


def _link(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class Paged(PaginationBase):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="how many items (at most 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="how many items to skip")

    class Output(Schema):
        count: int = Field(description="how many items there are in all")
        next: str | None = Field(description="the next page's URL; null on the last page")
        previous: str | None = Field(description="the previous page's URL; null on the first page")
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params) -> Any:
        offset, limit = pagination.offset, pagination.limit
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {
            "count": count,
            "next": _link(request, offset + limit, limit) if offset + limit < count else None,
            "previous": _link(request, max(offset - limit, 0), limit) if offset > 0 else None,
            "items": queryset[offset: offset + limit],
        }
