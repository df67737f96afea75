"""Builders for tests that need a small content library (the real packs take seconds to load)."""

from tailorkit.library.models import Category, ContentPack, Item, Link


def tiny_library(prefix="test"):
    """Two packs (determinants and strategies), a category, items and an expert-endorsement link.
    Calling it again with the same ``prefix`` returns the same rows."""

    def pack(kind, name, checksum):
        return ContentPack.objects.get_or_create(
            slug=f"{prefix}-{kind}", defaults={"name": name, "version": "1", "kind": kind, "source": "Test source",
                                               "licence": "CC BY 4.0", "checksum": checksum})[0]

    determinants = pack("determinants", "Test determinants", "0" * 64)
    strategies = pack("strategies", "Test strategies", "1" * 64)
    knowledge = Category.objects.get_or_create(pack=determinants, code="knowledge",
                                               defaults={"name": "Knowledge", "order": 1})[0]
    barrier = Item.objects.get_or_create(pack=determinants, code="D1", defaults={
        "category": knowledge, "name": "Lack of training", "order": 1,
        "description": "Staff were never shown how the service works."})[0]
    other = Item.objects.get_or_create(pack=determinants, code="D2",
                                       defaults={"name": "Cost of licences", "order": 2})[0]
    strategy = Item.objects.get_or_create(pack=strategies, code="S1", defaults={
        "name": "Conduct educational meetings", "order": 1, "attributes": {"importance": 3.9}})[0]
    link = Link.objects.get_or_create(pack=strategies, from_item=barrier, to_item=strategy,
                                      defaults={"weight": 0.8, "source": "Test"})[0]
    return {"determinants": determinants, "strategies": strategies, "category": knowledge,
            "barrier": barrier, "other": other, "strategy": strategy, "link": link}


def sweep_values(library):
    """The library's URL parameters (instance-wide content, readable by everyone)."""
    return {"pack_slug": library["determinants"].slug, "item_code": library["barrier"].code}
