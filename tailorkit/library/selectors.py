"""Reads of the content library that pages and the API share. The library is instance-wide
content: every signed-in person may read it, so nothing here is filtered by organisation."""

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import ContentPack, Item, Link

SEARCH_LIMIT = 200


def items():
    """Items with what every listing shows beside them (pack, category, parent)."""
    return Item.objects.select_related("pack", "category", "parent")


def links():
    """Links with both ends and their packs."""
    return Link.objects.select_related("pack", "from_item__pack", "to_item__pack")


def pack_or_none(pack_slug):
    return ContentPack.objects.filter(slug=pack_slug).first()


def item_in(pack_slug, item_code):
    """One item of a pack, or None."""
    return items().filter(pack__slug=pack_slug, code=item_code).first()


def search(query, pack_slug="", *, limit=SEARCH_LIMIT):
    """Items whose name, description, alias or code matches ``query`` (retired items left out),
    at most ``limit`` of them, and whether there were more."""
    # Aliases live in a JSON list; casting it to text lets one icontains cover every alias on
    # both SQLite and PostgreSQL without a database-specific JSON search.
    found = Item.objects.annotate(aliases_text=Cast("aliases", TextField())).filter(
        Q(name__icontains=query) | Q(description__icontains=query) | Q(aliases_text__icontains=query)
        | Q(code__iexact=query)
    ).exclude(attributes__has_key="retired").select_related("pack", "category").order_by("pack__name", "order", "code")
    if pack_slug:
        found = found.filter(pack__slug=pack_slug)
    found = list(found[: limit + 1])
    return found[:limit], len(found) > limit
