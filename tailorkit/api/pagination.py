"""Limit/offset pagination with bounds.

ninja's stock LimitOffsetPagination accepts any integer; a limit or offset beyond the database's
64-bit range makes PostgreSQL fail with a server error instead of the caller getting a 422.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="How many rows to return.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many rows to skip.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
