"""Stakeholder consultations through the API (issue 4, point 10): build a questionnaire, run a
consultation, invite people and read the results, through the same services and permission layer
as the pages ("view" to read, "edit" to write; viewers and supporters get 403). The list of
invitations needs "edit" too, like the invitees on the consultation's page.

A foreign organisation is refused in auth (404) before any body is parsed; a questionnaire or
consultation of another organisation is a 404 like one that does not exist. Reads record nothing;
the writes record what their services record. Exports stay in the pages, where they are audited.
"""

import math
from urllib.parse import quote, urlencode
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Query, Router, Status

from tailorkit.consultations.models import Invitation, Questionnaire
from tailorkit.consultations.selectors import (
    consultation_queryset,
    questionnaire_detail_queryset,
    questionnaire_queryset,
)
from tailorkit.consultations.services import builder, delivery
from tailorkit.consultations.services.results import (
    ALL,
    NO_GROUP,
    TEXTS_PER_PAGE,
    TEXTS_PREVIEW,
    consultation_results,
    group_label,
    text_answers,
)
from tailorkit.core.anonymity import withheld_groups
from tailorkit.core.errors import as_dict
from tailorkit.core.permissions import get_organisation_or_404

from ..pagination import MAX_OFFSET, page_links
from ..refusals import renames
from ..schemas.common import FORBIDDEN, INVALID, NOT_FOUND, READ, UNAUTHORISED, WRITE, Slug
from ..schemas.consultations import (
    MAX_QUESTIONS,
    ConsultationCreatedOut,
    ConsultationIn,
    ConsultationOut,
    InvitationErrorsOut,
    InvitationOut,
    InvitationsIn,
    InvitationsSentOut,
    QuestionnaireDetailOut,
    QuestionnaireIn,
    QuestionnaireOut,
    ResultsOut,
    TextAnswersOut,
)

router = Router(tags=["consultations"])

ORG = "/organisations/{org_slug}"
CONSULTATION = ORG + "/consultations/{consultation_id}"


# ---- lookups -----------------------------------------------------------------------------------

def get_consultation(request, org_slug, consultation_id, action="view"):
    org = get_organisation_or_404(request.auth, org_slug, action)
    consultation = consultation_queryset(org).filter(uuid=consultation_id).first()
    if consultation is None:
        raise Http404
    return consultation


def consultation_out(consultation):
    status = "closed" if consultation.is_closed() else "open" if consultation.is_open() else "scheduled"
    return {
        "id": consultation.uuid, "title": consultation.title, "purpose": consultation.purpose,
        "questionnaire_id": consultation.questionnaire_id, "mode": consultation.mode,
        "anonymous": consultation.anonymous, "has_access_code": bool(consultation.access_code_hash),
        "status": status, "opens_at": consultation.opens_at, "closes_at": consultation.closes_at,
        "closed_at": consultation.closed_at, "response_limit": consultation.response_limit,
        "min_group_size": consultation.min_group_size, "groups": consultation.groups,
        "reminder_days": consultation.reminder_days, "round": consultation.round,
        "created_at": consultation.created_at, "responses": consultation.n_responses,
        "invitations": {status: getattr(consultation, f"n_{status}") for status in Invitation.Status.values},
    }


def reload(consultation):
    return consultation_queryset(consultation.organisation).get(pk=consultation.pk)


# ---- questionnaires ----------------------------------------------------------------------------

@router.get(ORG + "/questionnaires", response={200: list[QuestionnaireOut], **READ},
            summary="Questionnaires of an organisation")
def questionnaire_list(request, org_slug: Slug):
    return questionnaire_queryset(get_organisation_or_404(request.auth, org_slug))


@router.get(ORG + "/questionnaires/{questionnaire_id}", response={200: QuestionnaireDetailOut, **READ},
            summary="A questionnaire with its sections and questions")
def questionnaire_detail(request, org_slug: Slug, questionnaire_id: int):
    org = get_organisation_or_404(request.auth, org_slug)
    questionnaire = questionnaire_detail_queryset(org).filter(pk=questionnaire_id).first()
    if questionnaire is None:
        raise Http404
    return questionnaire


def _prefixed(exc, prefix):
    """The service's errors, named by where they are in the request body."""
    if hasattr(exc, "error_dict"):
        return {f"{prefix}.{field}" if field != "__all__" else prefix: msgs
                for field, msgs in exc.message_dict.items()}
    return {prefix: exc.messages}


def _question_fields(question):
    fields = question.dict(exclude={"show_if", "options"}, by_alias=False)
    fields["options"] = [option.dict() for option in question.options]
    cond = question.show_if
    if cond is None:
        fields["show_if"] = {}
    elif cond.in_ is not None:
        fields["show_if"] = {"question": cond.question, "in": cond.in_}
    else:
        fields["show_if"] = {"question": cond.question, "equals": cond.equals}
    return fields


def _check_question(question, where):
    """What the builder's form checks before the service (the form parses options from text, so
    the service takes them as given): option codes present and unique, a condition with codes."""
    errors = {}
    codes = [option.value.strip() for option in question.options]
    if any(not code for code in codes) or any(not option.label.strip() for option in question.options):
        errors[f"{where}.options"] = ["Every option needs a code and a label."]
    elif len(set(codes)) != len(codes):
        errors[f"{where}.options"] = ["Each option code may be used once."]
    cond = question.show_if
    if cond is not None and not (cond.in_ or cond.equals):
        errors[f"{where}.show_if"] = ["Give the answer code(s) that show this question, in \"equals\" or \"in\"."]
    return errors


@router.post(ORG + "/questionnaires", response={201: QuestionnaireDetailOut, **WRITE},
             summary="Create a questionnaire with its sections and questions")
def questionnaire_create(request, org_slug: Slug, payload: QuestionnaireIn):
    org = get_organisation_or_404(request.auth, org_slug, "edit")
    total = sum(len(section.questions) for section in payload.sections)
    errors = {} if total <= MAX_QUESTIONS else {
        "sections": [f"At most {MAX_QUESTIONS} questions in one questionnaire."]}
    for s, section in enumerate(payload.sections):
        if not section.title.strip():
            errors[f"sections.{s}.title"] = ["Give the section a title."]
        for q, question in enumerate(section.questions):
            errors.update(_check_question(question, f"sections.{s}.questions.{q}"))
    if errors:
        raise ValidationError(errors)
    # One transaction around the services' own: a wrong question anywhere leaves nothing saved.
    with transaction.atomic():
        questionnaire = builder.questionnaire_create(
            organisation=org, actor=request.auth, title=payload.title, description=payload.description,
            sections=[section.title.strip() for section in payload.sections])
        section_rows = questionnaire.sections.order_by("position", "pk")
        for s, (section_row, section) in enumerate(zip(section_rows, payload.sections, strict=True)):
            if section.intro:
                builder.section_update(section=section_row, actor=request.auth, version=section_row.version,
                                       title=section.title, intro=section.intro)
            for q, question in enumerate(section.questions):
                where = f"sections.{s}.questions.{q}"
                try:
                    builder.question_create(section=section_row, actor=request.auth,
                                             **_question_fields(question))
                except ValidationError as exc:
                    raise ValidationError(_prefixed(exc, where)) from exc
    return Status(201, questionnaire_detail_queryset(org).get(pk=questionnaire.pk))


# ---- consultations -----------------------------------------------------------------------------

@router.get(ORG + "/consultations", response={200: list[ConsultationOut], **READ},
            summary="Consultations of an organisation, newest first")
def consultation_list(request, org_slug: Slug):
    org = get_organisation_or_404(request.auth, org_slug)
    return [consultation_out(c) for c in consultation_queryset(org)]


@router.post(ORG + "/consultations", response={201: ConsultationCreatedOut, **WRITE},
             summary="Start a consultation")
@renames({"questionnaire": "questionnaire_id"})
def consultation_create(request, org_slug: Slug, payload: ConsultationIn):
    org = get_organisation_or_404(request.auth, org_slug, "edit")
    questionnaire = Questionnaire.objects.filter(organisation=org, pk=payload.questionnaire_id).first()
    if questionnaire is None:
        raise ValidationError({"questionnaire_id": ["No questionnaire with this id here."]})
    fields = payload.dict(exclude={"questionnaire_id", "access_code"})
    consultation, token = delivery.consultation_create(
        organisation=org, questionnaire=questionnaire, actor=request.auth, request=request,
        access_code=payload.access_code or "", **fields)
    url = request.build_absolute_uri(reverse("consultations:consultation_open_link", args=[token])) if token else None
    return Status(201, {"consultation": consultation_out(reload(consultation)), "open_link_url": url})


@router.get(CONSULTATION, response={200: ConsultationOut, **READ}, summary="A consultation with its counts")
def consultation_detail(request, org_slug: Slug, consultation_id: UUID):
    return consultation_out(get_consultation(request, org_slug, consultation_id))


@router.post(CONSULTATION + "/close", response={200: ConsultationOut, **WRITE},
             summary="Close a consultation now")
def consultation_close(request, org_slug: Slug, consultation_id: UUID):
    consultation = get_consultation(request, org_slug, consultation_id, "edit")
    delivery.consultation_close(consultation=consultation, actor=request.auth, request=request)
    return consultation_out(reload(consultation))


# ---- invitations -------------------------------------------------------------------------------

LINE_PREFIX = "Line 1: "


def _row_errors(consultation, lines):
    """``{index: [messages]}`` for the rows the service refuses (``None``: a row that is not even a
    line of an address list).

    The service reads a pasted list and names lines; here each row is checked on its own so that an
    error names its row, and repeats within the request are found by comparing rows. Only run once
    the batch has been refused, so a good batch costs one check.
    """
    errors, seen = {}, {}
    for index, line in enumerate(lines):
        if line is None:
            errors[index] = [_("This is not an email address, or it holds a comma, semicolon or space.")]
            continue
        _parsed, messages = delivery.invitations_parse(consultation=consultation, text=line)
        if messages:
            # The row was checked as a list of one line; "Line 1" would point to the wrong place.
            errors[index] = [m.removeprefix(LINE_PREFIX) for m in messages]
            continue
        email = line.split(",", 1)[0].strip().lower()
        if email in seen:
            errors[index] = [_("%(email)s is already in row %(row)s.") % {"email": email, "row": seen[email]}]
        else:
            seen[email] = index
    return errors


def _line(row):
    """The row as a line of the pasted list, or None when it cannot be one (it would be split)."""
    email, group = row.email.strip(), row.group.strip()
    if not email or any(c in email for c in ",;\t") or any(c.isspace() for c in email):
        return None
    line = f"{email}, {group}" if group else email
    return line if line.splitlines() == [line] else None


@router.post(CONSULTATION + "/invitations", response={201: InvitationsSentOut, 400: InvitationErrorsOut,
                                                      **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID},
             summary="Invite people by email (all or none)")
def invitations_send(request, org_slug: Slug, consultation_id: UUID, payload: InvitationsIn):
    consultation = get_consultation(request, org_slug, consultation_id, "edit")
    lines = [_line(row) for row in payload.invitations]
    errors = _row_errors(consultation, lines) if None in lines else {}
    if not errors:
        try:
            sent = delivery.invitations_send(consultation=consultation, actor=request.auth, request=request,
                                             text="\n".join(lines))
        except ValidationError:
            errors = _row_errors(consultation, lines)
            if not errors:  # a refusal of the whole batch (closed, open-link mode)
                raise
    if errors:
        # Its own body: the rows as well as the fields, so a client can mark each wrong row.
        rows = [{"index": i, "messages": msgs} for i, msgs in sorted(errors.items())]
        refusal = ValidationError({f"invitations.{r['index']}": r["messages"] for r in rows})
        detail = ngettext("%(n)s row is wrong; nobody was invited.", "%(n)s rows are wrong; nobody was invited.",
                          len(rows)) % {"n": len(rows)}
        return Status(400, {"detail": detail,
                            "errors": as_dict(refusal), "rows": rows})
    counts = reload(consultation)
    return Status(201, {"invited": len(sent),
                        "counts": {s: getattr(counts, f"n_{s}") for s in Invitation.Status.values}})


@router.get(CONSULTATION + "/invitations", response={200: list[InvitationOut], **READ, **FORBIDDEN},
            summary="Invitations and their status (leads and core team members)")
def invitation_list(request, org_slug: Slug, consultation_id: UUID):
    # Who was invited and who has answered is for those who run the consultation, as on its page;
    # every role reads the counts per status with the consultation.
    consultation = get_consultation(request, org_slug, consultation_id, "edit")
    return [{"id": inv.uuid, "group": inv.group, "status": inv.status, "sent_at": inv.sent_at,
             "opened_at": inv.opened_at, "completed_at": inv.completed_at, "reminders_sent": inv.reminders_sent,
             "erased": inv.erased_at is not None}
            for inv in consultation.invitations.order_by("pk")]


# ---- results -----------------------------------------------------------------------------------

def _number(value):
    # A sum of extreme free numbers can overflow to infinity, which JSON cannot carry.
    return value if value is None or math.isfinite(value) else None


def _block(block, texts_url=None):
    """A results block of the services, for the API. Withheld: the note only, never a number."""
    if block.get("withheld"):
        return {"withheld": True, "note": str(block.get("note", ""))}
    out = {"withheld": False, "n": block["n"], "not_relevant": block["not_relevant"]}
    if "distribution" in block:
        out["distribution"] = [{"value": d["value"], "label": str(d["label"]), "count": d["count"],
                                "percent": round(d["percent"], 2)} for d in block["distribution"]]
    if "ranking" in block:
        out["ranking"] = [{**r, "label": str(r["label"])} for r in block["ranking"]]
    if "summary" in block:
        summary = block["summary"]
        out["mean"] = {"n": summary["n"], **{k: _number(summary.get(k))
                                             for k in ("mean", "ci_low", "ci_high", "sd", "median")},
                       "ci_clipped": bool(summary.get("ci_clipped"))}
    if "texts" in block:
        out.update(texts=block["texts"], texts_more=block["texts_more"], texts_url=texts_url)
    return out


# The ``group`` parameter of the texts route for the respondents who gave no group (whose code is the
# empty string, which a query string cannot tell from "not given" in every client), as on the pages.
NO_GROUP_PARAM = "-"


def _texts_url(request, key, group=ALL):
    """The address of one block's free texts: the results' own address with ``/texts/<key>``."""
    query = "" if group is ALL else "?" + urlencode({"group": group or NO_GROUP_PARAM})
    return request.build_absolute_uri(f"{request.path.rstrip('/')}/texts/{quote(key)}{query}")


@router.get(CONSULTATION + "/results", response={200: ResultsOut, **READ},
            summary="Results per question and group, anonymity rules applied")
def consultation_results_read(request, org_slug: Slug, consultation_id: UUID):
    """Free-text questions carry their first ten answers per block (``texts``) and the address of all
    of them (``texts_url``, fifty at a time)."""
    consultation = get_consultation(request, org_slug, consultation_id)
    results = consultation_results(consultation, chart=False, texts=TEXTS_PREVIEW)
    threshold = results["threshold"]
    counts = {group: n for group, _label, n in results["groups"]}
    # The same rule as each question's groups, so a small group's size cannot be read off here.
    hidden = set(counts) if results["withheld"] else withheld_groups(counts, threshold)
    return {
        "responses": results["total"], "threshold": threshold, "withheld": results["withheld"],
        "note": str(results["note"]),
        "groups": [{"group": group, "label": str(group_label(consultation, group)), "withheld": group in hidden,
                    "responses": None if group in hidden else n} for group, n in counts.items()],
        "questions": [
            {"key": q["key"], "kind": q["kind"], "text": q["question"]["text"],
             "overall": _block(q["overall"], _texts_url(request, q["key"])),
             "groups": [{"group": g["group"], "label": str(g["label"]),
                         **_block(g, _texts_url(request, q["key"], g["group"]))} for g in q["groups"]]}
            for q in results["questions"]
        ],
    }


@router.get(CONSULTATION + "/results/texts/{question_key}", response={200: TextAnswersOut, **READ},
            summary="The free-text answers to one question, a page at a time, anonymity rules applied")
def consultation_texts_read(
    request, org_slug: Slug, consultation_id: UUID, question_key: Slug,
    group: str | None = Query(None, pattern=r"^[-a-zA-Z0-9_]*$", max_length=40,
                              description="A group's code (``-``: those who gave none); without it, everyone's."),
    limit: int = Query(TEXTS_PER_PAGE, ge=1, le=TEXTS_PER_PAGE, description="How many answers to return."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many answers to skip."),
):
    """In alphabetical order: ``items`` holds at most ``limit`` answers (50 unless asked, 50 at most)
    from ``offset``; ``count``, ``next`` and ``previous`` as in every list. Without ``group``, everyone's
    answers; with it, one group's (``-`` for the respondents who gave no group). A block the results
    withhold is withheld here too: its note, and no answer. 404 when the consultation asks no free-text
    question with this key, or has no answers from that group."""
    consultation = get_consultation(request, org_slug, consultation_id)
    code = ALL if group is None else NO_GROUP if group == NO_GROUP_PARAM else group
    try:
        found = text_answers(consultation, question_key, code)
    except LookupError:
        raise Http404 from None
    texts = found["texts"]
    count = len(texts)
    # A window past the end reads nothing; inside, only the texts up to its end are kept.
    items = list(texts[offset:offset + limit]) if offset < count else []
    return {"question": question_key, "text": found["question"]["text"], "group": code, "label": str(found["label"]),
            "withheld": found["withheld"], "note": str(found["note"]), "items": items, "count": count,
            **page_links(request, offset=offset, limit=limit, count=count)}
