"""Organisations, their members, and a person as other objects show them."""

from datetime import datetime

from ninja import Field, Schema


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
