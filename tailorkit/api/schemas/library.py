"""The content library: packs, categories, items, links between items, and the filters of the
item and link lists."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from .common import Code, ItemRef, SearchText, Slug


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
