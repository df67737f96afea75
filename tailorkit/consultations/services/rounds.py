"""Consensus rounds (issue 4, point 8): a Delphi-style second round that shows respondents the
first round's group results, with agreement per item.

Round 2 answers its own copy of the questionnaire, built from the version round 1 was answered on,
so the team can drop or reword items for the new round without touching what round 1 answered.

Agreement rule (see ``stats``): for scale questions, the share of answers within one point of the
median, consensus at 75% or more; for single-choice questions, the share of the most chosen option,
same threshold (Diamond et al. 2014, J Clin Epidemiol 67:401–409). The interquartile range is shown
beside it, because many Delphi studies report IQR ≤ 1 as their criterion instead.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.services import audit_record

from ..models import Consultation, Section
from . import builder, delivery
from .builder import QUESTION_FIELDS
from .results import consultation_results


def _answered_version(consultation):
    """The newest version this round was answered on (the latest version if none was answered)."""
    version_id = consultation.responses.order_by("-version__number").values_list("version", flat=True).first()
    if version_id:
        return consultation.questionnaire.versions.get(pk=version_id)
    return consultation.questionnaire.latest_version


def consensus_keys(consultation):
    """Keys of the questions that reached consensus (shown overall results only)."""
    results = consultation_results(consultation, chart=False)
    return {r["key"] for r in results["questions"]
            if not r["overall"].get("withheld") and (r["overall"].get("agreement") or {}).get("consensus")}


@transaction.atomic
def round_create_next(*, consultation, actor, title="", closes_at=None, drop_consensus_items=False, request=None):
    """Create the next round of ``consultation``. Returns ``(new consultation, open-link token)``.

    Copies the questionnaire as round 1's respondents saw it and the consultation's settings
    (mode, anonymity, groups, threshold, subject). An access code is not copied: only its hash is
    kept, so the team sets one again if it wants one.
    """
    if consultation.next_rounds.exists():
        raise ValidationError(_("A next round of this consultation already exists."))
    if not consultation.responses.exists():
        raise ValidationError(_("The next round shows this round's results, but nobody has answered yet."))
    version = _answered_version(consultation)
    skip = consensus_keys(consultation) if drop_consensus_items else set()
    snapshot = version.snapshot
    kept = [[q for q in s["questions"] if q["key"] not in skip] for s in snapshot["sections"]]
    if not any(kept):
        raise ValidationError(_("Every item reached consensus, so there is nothing left to ask in a next round."))
    number = consultation.round + 1
    title = title.strip() or _("%(title)s – round %(n)s") % {"title": consultation.title, "n": number}
    sections = [(s, qs) for s, qs in zip(snapshot["sections"], kept, strict=True) if qs]
    questionnaire = builder.questionnaire_create(
        organisation=consultation.organisation, actor=actor, title=title, description=snapshot.get("description", ""),
        sections=[s["title"] for s, _qs in sections])
    questionnaire.instrument = consultation.questionnaire.instrument
    questionnaire.save(update_fields=["instrument"])
    new_sections = list(Section.objects.filter(questionnaire=questionnaire).order_by("position", "pk"))
    present = set()
    for (section, questions), target in zip(sections, new_sections, strict=True):
        if section.get("intro"):
            builder.section_update(section=target, actor=actor, version=target.version, title=target.title,
                                   intro=section["intro"])
        for q in questions:
            fields = {f: q.get(f) for f in QUESTION_FIELDS}
            if (fields.get("show_if") or {}).get("question") not in present:
                fields["show_if"] = {}  # the question it depended on was dropped with the consensus items
            builder.question_create(section=target, actor=actor, **fields)
            present.add(q["key"])
    new, token = delivery.consultation_create(
        organisation=consultation.organisation, questionnaire=questionnaire, actor=actor, title=title,
        purpose=consultation.purpose, mode=consultation.mode, anonymous=consultation.anonymous, closes_at=closes_at,
        response_limit=consultation.response_limit, min_group_size=consultation.min_group_size,
        groups=consultation.groups, reminder_days=consultation.reminder_days,
        subject_type=consultation.subject_type, subject_id=consultation.subject_id, template=consultation.template,
        round=number, previous_round=consultation, request=request)
    audit_record(action="consultation.round_created", actor=actor, organisation=consultation.organisation,
                 target=new.title, request=request,
                 details={"uuid": str(new.uuid), "previous": str(consultation.uuid), "round": number,
                          "dropped": sorted(skip)})
    return new, token


def previous_round_feedback(consultation):
    """What respondents of a later round see beside each question: the previous round's overall
    result per question key (median, IQR, mean, distribution, agreement), anonymity applied.

    Returns ``{}`` for a first round. Withheld questions come back as ``{"withheld": True, "note"}``.
    """
    previous = consultation.previous_round
    if previous is None or previous.organisation_id != consultation.organisation_id:
        return {}
    results = consultation_results(previous, chart=False)
    feedback = {}
    for r in results["questions"]:
        overall = r["overall"]
        feedback[r["key"]] = {"round": previous.round, **overall}
    if results["withheld"] and results["total"]:
        return {"__all__": {"withheld": True, "note": results["note"]}}
    return feedback


def feedback_for(feedback, key):
    return feedback.get(key) or feedback.get("__all__")


def rounds_of(consultation):
    """All rounds of this consultation's chain, first round first."""
    first = consultation
    seen = {first.pk}
    while first.previous_round_id and first.previous_round_id not in seen:
        first = Consultation.objects.get(pk=first.previous_round_id)
        seen.add(first.pk)
    chain, current = [first], first
    while True:
        nxt = current.next_rounds.order_by("pk").first()
        if nxt is None or nxt.pk in {c.pk for c in chain}:
            return chain
        chain.append(nxt)
        current = nxt
