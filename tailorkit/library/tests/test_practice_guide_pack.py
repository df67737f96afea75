"""The shipped isp-practice-guide pack keeps the structure of the Practice Guide to Supporting
Implementation (Metz et al. 2021): 6 principles, 15 core competencies in 3 domains, 10 questions.

Other code relies on these codes. The check that our wording shares no long run of words with the
guide is a one-off script run against the source text, which the repository does not hold.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tailorkit.library.models import Category, ContentPack, Item
from tailorkit.library.services import pack_load

PACK = Path(settings.BASE_DIR) / "content" / "packs" / "isp-practice-guide"
DOMAINS = ["co-creation-and-engagement", "ongoing-improvement", "sustaining-change"]
COMPETENCIES = {
    "co-creation-and-engagement": ["co-learning", "brokering", "addressing-power-differentials", "co-design",
                                   "tailoring-support"],
    "ongoing-improvement": ["assessing-needs-and-assets", "understanding-context",
                            "applying-and-integrating-implementation-frameworks-strategies-and-approaches",
                            "facilitation", "communication", "conducting-improvement-cycles"],
    "sustaining-change": ["growing-and-sustaining-relationships", "developing-teams", "building-capacity",
                          "cultivating-leaders-and-champions"],
}


@pytest.fixture
def guide(db):
    return pack_load(path=PACK, builtin=True).pack


def items_in(pack, category):
    return list(Item.objects.filter(pack=pack, category__code=category).order_by("order"))


def test_the_pack_cites_the_guide(guide):
    assert guide.slug == "isp-practice-guide" and guide.kind == "framework" and guide.language == "en"
    assert "Metz A" in guide.source and "A Practice Guide to Supporting Implementation" in guide.source
    assert guide.licence and guide.is_builtin


def test_six_principles(guide):
    principles = items_in(guide, "principles")
    assert [i.name for i in principles] == ["Be empathetic", "Be curious", "Be committed", "Advance equity",
                                            "Use critical thinking", "Embrace cross-disciplinary approaches"]
    assert all(i.attributes["element"] == "principle" for i in principles)


def test_fifteen_competencies_in_three_domains(guide):
    top = Category.objects.get(pack=guide, code="competencies", parent__isnull=True)
    assert top.name == "Core competencies"
    domains = list(top.children.order_by("order"))
    assert [d.code for d in domains] == DOMAINS
    assert [d.name for d in domains] == ["Co-creation and engagement", "Ongoing improvement", "Sustaining change"]
    competencies = Item.objects.filter(pack=guide, category__parent=top)
    assert competencies.count() == 15
    for domain in domains:
        items = items_in(guide, domain.code)
        assert [i.code for i in items] == COMPETENCIES[domain.code]
        for item in items:
            assert item.attributes["element"] == "competency"
            assert item.attributes["domain"] == item.category.code == domain.code
            activities = item.attributes["key_activities"]
            assert 3 <= len(activities) <= 6 and all(isinstance(a, str) and a for a in activities), item.code


def test_ten_reflective_questions(guide):
    questions = items_in(guide, "reflective-questions")
    assert [q.code for q in questions] == [f"q{n}" for n in range(1, 11)]
    assert all(q.name.endswith("?") and q.attributes["element"] == "reflective_question" for q in questions)


def test_codes_are_unique_and_every_item_is_described_and_cited(guide):
    items = list(Item.objects.filter(pack=guide))
    assert len(items) == 6 + 15 + 10
    assert len({i.code for i in items}) == len(items)
    categories = list(Category.objects.filter(pack=guide))
    assert len({c.code for c in categories}) == len(categories) == 6
    for item in items:
        assert item.description and item.source, item.code
        assert len(item.description.split()) <= 40, item.code


def test_loading_again_changes_nothing(guide):
    assert pack_load(path=PACK, builtin=True).status == "unchanged"
    assert ContentPack.objects.filter(slug="isp-practice-guide").count() == 1
