"""Pieces every API area shares: path and text types, bounded ids, the strict ``In`` base for
request bodies, the reference to a library item, and the error bodies with the response maps that
document them.

Every input is bounded so that no value can reach the database as something it refuses (a server
error): text lengths come from the models themselves, text refuses NUL characters (PostgreSQL
cannot store them) and anything that is not valid Unicode, ids are positive and fit the database.

Every route declares its error bodies too, so that every status code it can answer with is
documented in the OpenAPI schema (and checked by schemathesis). The bodies themselves are built in
one place, the exception handlers of ``tailorkit/api/api.py``.
"""

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

# Path and query text. PostgreSQL refuses NUL characters in a query, so a NUL must be turned away
# as bad input (422) before it can reach the database and become a server error. Item codes never
# hold "/" (the library's own URLs rely on that too), so a code always fits one path segment.
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)]
Code = Annotated[str, StringConstraints(pattern=r"^[^\x00/]+$", max_length=80)]
SearchText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=200)]
PackSlug = Slug


def text(max_length, min_length=0):
    """Free text for a write: PostgreSQL refuses NUL characters, so they are bad input (422)."""
    return Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=max_length, min_length=min_length)]


def model_text(model, name, min_length=0):
    """Free text bounded by the model field's own ``max_length``, so a changed limit in the model
    cannot drift from the API."""
    return text(model._meta.get_field(name).max_length, min_length)


def choices(values):
    return Literal[tuple(values)]


Email = Annotated[str, StringConstraints(pattern=r"^[^\x00\s]+@[^\x00\s]+$", max_length=254)]

# Row ids and version numbers: positive, and well inside the 64-bit range of the database's keys.
Id = Annotated[int, Field(ge=1, le=2**31)]
Version = Annotated[int, Field(ge=0, le=2**31, description="The version you read; a stale one is refused with 409.")]
MAX_ROWS = 500  # ids or rows in one request; far above any real project


class In(Schema):
    """Base of every request body: unknown keys are refused, so that a misspelt field is a 422
    instead of a change that silently did not happen."""

    model_config = ConfigDict(extra="forbid")


class ItemKey(In):
    pack: PackSlug = Field(..., description="Short name of the content pack.")
    code: Code = Field(..., description="The item's code in that pack.")


class ItemRef(Schema):
    """A library item, as other objects (links, barriers, strategy options) point to it."""

    pack: str
    code: str
    name: str

    @staticmethod
    def resolve_pack(obj):
        return obj.pack.slug


# ---- error bodies ----------------------------------------------------------------------------

class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, in words for a person.")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] = Field(..., description="One entry per parameter that is not valid.")


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per field.")


class ConflictOut(Schema):
    detail: str
    current: dict = Field(..., description="The object as it is now saved.")


# The error bodies each kind of route can answer with.
UNAUTHORISED = {401: ErrorOut}
NOT_FOUND = {404: ErrorOut}
INVALID = {422: ValidationErrorOut}
FORBIDDEN = {403: ErrorOut}
BAD = {400: FieldErrorsOut}
CONFLICT = {409: ConflictOut}
READ = {**UNAUTHORISED, **NOT_FOUND, **INVALID}
WRITE = {**BAD, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID}
VERSIONED = {**WRITE, **CONFLICT}
DELETED = {204: None, **WRITE}
