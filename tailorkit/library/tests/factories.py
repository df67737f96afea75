"""Builders for tests that need a small content library (the real packs take seconds to load)."""

from tailorkit.library.models import Category, ContentPack, Item, Link


def tiny_library(prefix="test"):
    """Two packs (determinants and strategies), a category, items and an expert-endorsement link."""
    determinants = ContentPack.objects.create(
        slug=f"{prefix}-determinants", name="Test determinants", version="1", kind="determinants",
        source="Test source", licence="CC BY 4.0", checksum="0" * 64,
    )
    strategies = ContentPack.objects.create(
        slug=f"{prefix}-strategies", name="Test strategies", version="1", kind="strategies",
        source="Test source", licence="CC BY 4.0", checksum="1" * 64,
    )
    knowledge = Category.objects.create(pack=determinants, code="knowledge", name="Knowledge", order=1)
    barrier = Item.objects.create(pack=determinants, category=knowledge, code="D1", name="Lack of training",
                                  description="Staff were never shown how the service works.", order=1)
    other = Item.objects.create(pack=determinants, code="D2", name="Cost of licences", order=2)
    strategy = Item.objects.create(pack=strategies, code="S1", name="Conduct educational meetings", order=1,
                                   attributes={"importance": 3.9})
    link = Link.objects.create(pack=strategies, from_item=barrier, to_item=strategy, weight=0.8, source="Test")
    return {"determinants": determinants, "strategies": strategies, "category": knowledge,
            "barrier": barrier, "other": other, "strategy": strategy, "link": link}


def sweep_values(library):
    """The library's URL parameters (instance-wide content, readable by everyone)."""
    return {"pack_slug": library["determinants"].slug, "item_code": library["barrier"].code}
