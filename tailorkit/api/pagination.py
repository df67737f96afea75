"""Limit/offset pagination with bounds and links, for every list of the API that can grow.

ninja's stock LimitOffsetPagination accepts any integer; a limit or offset beyond the database's
64-bit range makes PostgreSQL fail with a server error instead of the caller getting a 422. It
answers ``{"items": [...], "count": n}``; this one adds ``next`` and ``previous``, the addresses
of the neighbouring pages (null at either end), so a client can walk a list without arithmetic.
"""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


def page_address(request, *, offset, limit):
    """The address of this request with ``offset`` and ``limit`` replaced (its other parameters kept)."""
    query = request.GET.copy()
    query["offset"], query["limit"] = offset, limit
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_links(request, *, offset, limit, count):
    """``next`` and ``previous`` of a page of ``limit`` rows from ``offset`` in ``count`` rows."""
    return {
        "next": page_address(request, offset=offset + limit, limit=limit) if offset + limit < count else None,
        "previous": page_address(request, offset=max(0, offset - limit), limit=limit) if offset else None,
    }


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many rows to return.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many rows to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="How many rows there are in all.")
        next: str | None = Field(None, description="The address of the next page; null on the last page.")
        previous: str | None = Field(None, description="The address of the previous page; null on the first.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        limit = min(pagination.limit, self.max_limit)
        return {**page, **page_links(request, offset=pagination.offset, limit=limit, count=page["count"])}


# Rows that carry everything in them (an iteration with its plan, reviews and decisions is a few
# kB and a dozen related rows): a smaller page, so one request stays a few tens of kB.
FULL_ROWS_DEFAULT_LIMIT = 10
FULL_ROWS_MAX_LIMIT = 50


class FullRowsInput(Schema):
    limit: int = Field(FULL_ROWS_DEFAULT_LIMIT, ge=1, le=FULL_ROWS_MAX_LIMIT, description="How many rows to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many rows to skip.")


class FullRowsPagination(BoundedLimitOffsetPagination):
    """As ``BoundedLimitOffsetPagination``, ten rows a page unless asked and fifty at most."""

    Input = FullRowsInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.max_limit = FULL_ROWS_MAX_LIMIT
