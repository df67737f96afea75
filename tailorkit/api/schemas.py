"""The shapes the API reads and returns. Every route declares its error bodies too, so that every
status code it can answer with is documented in the OpenAPI schema (and checked by schemathesis)."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

# Path and query text. PostgreSQL refuses NUL characters in a query, so a NUL must be turned away
# as bad input (422) before it can reach the database and become a server error. Item codes never
# hold "/" (the library's own URLs rely on that too), so a code always fits one path segment.
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)]
Code = Annotated[str, StringConstraints(pattern=r"^[^\x00/]+$", max_length=80)]
SearchText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=200)]


class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, in words for a person.")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] = Field(..., description="One entry per parameter that is not valid.")


# ---- organisations -------------------------------------------------------------------------

class OrganisationOut(Schema):
    slug: str
    name: str
    country: str
    language: str
    sector: str
    created_at: datetime
    role: str | None = Field(None, description="The caller's role in this organisation.")


class PersonOut(Schema):
    name: str
    email: str


class MembershipOut(Schema):
    id: int
    user: PersonOut
    role: str
    role_label: str
    created_at: datetime

    @staticmethod
    def resolve_role_label(obj):
        return str(obj.get_role_display())


# ---- library -------------------------------------------------------------------------------

class PackOut(Schema):
    slug: str
    name: str
    version: str
    language: str
    kind: str
    description: str
    source: str
    licence: str
    loaded_at: datetime
    is_builtin: bool


class CategoryOut(Schema):
    code: str
    name: str
    description: str
    order: int
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class ItemOut(Schema):
    pack: str
    code: str
    name: str
    description: str
    category_code: str | None = None
    parent_code: str | None = None
    aliases: list[Any]
    attributes: dict[str, Any]
    source: str

    @staticmethod
    def resolve_pack(obj):
        return obj.pack.slug

    @staticmethod
    def resolve_category_code(obj):
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class ItemRef(Schema):
    pack: str
    code: str
    name: str

    @staticmethod
    def resolve_pack(obj):
        return obj.pack.slug


class LinkOut(Schema):
    id: int
    pack: str
    kind: str
    weight: float | None = None
    source: str
    from_item: ItemRef
    to_item: ItemRef

    @staticmethod
    def resolve_pack(obj):
        return obj.pack.slug


class ItemFilters(Schema):
    q: SearchText = Field("", description="Words to find in an item's code, name or description.")
    category: Code | None = Field(None, description="Only items in the category with this code.")


class LinkFilters(Schema):
    from_pack: Slug | None = Field(None, description="Only links from items of the pack with this short name.")
    to_pack: Slug | None = Field(None, description="Only links to items of the pack with this short name.")


# The error bodies each kind of route can answer with.
UNAUTHORISED = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ValidationErrorOut}
