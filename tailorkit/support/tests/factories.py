"""Builders for the practitioner's growth pages: a small Practice Guide pack (the real one is in
``content/packs/isp-practice-guide``) and one of everything for the outsider sweeps."""

from datetime import date

from tailorkit.library.models import Category, ContentPack, Item

from .. import services
from ..models import PACK, DevelopmentPlan


def tiny_guide():
    """The pack's shape with 2 principles, 2 domains of 2 competencies and 2 questions. Calling it
    again returns the same rows."""
    pack = ContentPack.objects.get_or_create(slug=PACK, defaults={
        "name": "Test practice guide", "version": "1", "kind": "framework", "source": "Test source",
        "licence": "CC BY 4.0", "checksum": "2" * 64})[0]

    def category(code, name, order, parent=None):
        return Category.objects.get_or_create(pack=pack, code=code,
                                              defaults={"name": name, "order": order, "parent": parent})[0]

    def item(cat, code, name, order, **attributes):
        return Item.objects.get_or_create(pack=pack, code=code, defaults={
            "category": cat, "name": name, "order": order, "attributes": attributes,
            "description": f"What {name.lower()} means in practice."})[0]

    principles = category("principles", "Principles", 1)
    competencies = category("competencies", "Core competencies", 2)
    first, second = category("co-creation", "Co-creation", 1, competencies), category("improving", "Improving", 2,
                                                                                        competencies)
    questions = category("reflective-questions", "Questions for reflection", 3)
    item(principles, "p1", "Be curious", 1, element="principle")
    item(principles, "p2", "Be humble", 2, element="principle")
    comps = [item(first, "co-learning", "Co-learning", 1, element="competency", domain="co-creation"),
             item(first, "brokering", "Brokering", 2, element="competency", domain="co-creation"),
             item(second, "tailoring", "Tailoring support", 3, element="competency", domain="improving"),
             item(second, "data-use", "Using data", 4, element="competency", domain="improving")]
    qs = [item(questions, "q1", "Question 1", 1, element="reflective_question"),
          item(questions, "q2", "Question 2", 2, element="reflective_question")]
    return {"pack": pack, "competencies": comps, "questions": qs}


def levels(guide, level=3):
    return {c.pk: level for c in guide["competencies"]}


def sweep_values(org, user, peer):
    """One of each personal row of ``user``, shared with ``peer``: for the outsider sweeps."""
    guide = tiny_guide()
    assessment = services.assessment_create(user=user, taken_on=date(2026, 1, 15), levels=levels(guide))
    share = services.assessment_share(assessment=assessment, user=user, with_user=peer)
    plan = services.development_plan_create(user=user, competency=guide["competencies"][0], plan="Read two papers",
                                            status=DevelopmentPlan.Status.ACTIVE)
    note = services.reflection_create(user=user, written_on=date(2026, 1, 20), text="The team meeting went well.",
                                      question=guide["questions"][0])
    contact = services.support_contact_create(
        organisation=org, supporter=user, contact_on=date(2026, 1, 21), minutes=45, channel="video",
        kind="co_creation", summary="Went through the barrier ratings with the team.",
        competencies=[guide["competencies"][1]], follow_ups=[("Send the meeting notes", date(2026, 1, 28))])
    return {"assessment_id": assessment.pk, "share_id": share.pk, "development_plan_id": plan.pk,
            "reflection_id": note.pk, "contact_id": contact.pk, "follow_up_id": contact.follow_ups.get().pk}
