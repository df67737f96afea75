"""Respondent pages (no account): link exchange, access code, the paged form, thanks.

A link token is swapped on first visit for a signed grant cookie and the browser is sent to the
token-free ``/c/form/``, so the token does not linger in history, logs or Referer headers.
The form is plain HTML: every page is a POST that the server answers, show-if included, so it
works without JavaScript and with any screen reader.
"""

import hashlib
import secrets
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import answering, responding
from .delivery import access_code_matches
from .forms import AccessCodeForm
from .models import CHOICE_KINDS, Consultation, Invitation, QuestionKind, Response

GRANT = "consultation_access"
GRANT_SALT = "tailorkit.consultations.grant"


# --- The grant: a signed cookie, not a session row ----------------------------------------------
# Why a cookie signed with SECRET_KEY (django.core.signing, HMAC-SHA256 with a timestamp) and not a
# database session: a session row meant one INSERT on the link exchange and one UPDATE on submit,
# and a read on every request, for each respondent; under load those writes queued behind the
# single SQLite writer. What the grant says can be kept client-side because it cannot be forged
# and nothing in it must stay secret from its holder:
#   c, inv  the consultation and invitation (UUIDs, so no row counts leak), fixed when the server
#           exchanged a valid link; the signature stops a respondent from naming another one;
#   code    whether the access code was given; only the server can set it;
#   rk      a random key naming the browser's draft (only its hash is stored with the draft);
#   sk      the submission key the form carries, so a one-page form needs no draft row at all;
#   d       whether a draft was saved for this browser (open links), so a one-page submit does not
#           look for one; a draft is saved by the request that sets it, so it cannot be missed;
#   done    set after submitting; it then carries nothing that points at the invitation.
# Replaying an older cookie gains nothing: every request re-checks the state that matters in the
# database (consultation open and not full, invitation not completed or erased, submission key
# unique, invitation row locked on submit), and for an open link a fresh grant is one click away
# anyway. The cookie is HttpOnly, SameSite=Lax, Secure like the session cookie, limited to the
# respondent pages, and expires with SESSION_COOKIE_AGE. Staff previews still use the session.

def grant_from_cookie(value):
    try:
        return signing.loads(value, salt=GRANT_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _read_grant(request):
    value = request.COOKIES.get(GRANT)
    grant = grant_from_cookie(value) if value else None
    return grant if isinstance(grant, dict) and grant.get("c") else None


def _with_grant(response, grant):
    respondent_pages = reverse("consultations:consultation_thanks").rsplit("thanks/", 1)[0]  # "/c/"
    response.set_cookie(GRANT, signing.dumps(grant, salt=GRANT_SALT, compress=True),
                        max_age=settings.SESSION_COOKIE_AGE, path=respondent_pages,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


def _new_grant(consultation, invitation=None, code=True):
    grant = {"c": str(consultation.uuid), "inv": str(invitation.uuid) if invitation else None, "code": code,
             "sk": str(uuid.uuid4()), "d": False}
    if invitation is None:
        # A random key identifies this browser's draft; only its hash is stored with the draft.
        grant["rk"] = secrets.token_urlsafe(32)
    return grant


# --- Rate limiting ------------------------------------------------------------------------------
# A per-IP counter in Django's cache (the database cache by default, Redis when CACHE_URL says so),
# shared by all app processes. Hand-written because it is two views and ten lines; a rate-limit
# library would be a dependency for this alone, and allauth's limiter is not public API. The IP is
# hashed, so the cache never holds it in clear. Fixed one-minute windows, counted with incr first:
# one read and one write per attempt on the database cache (add-then-incr cost two writes, and
# BaseCache.incr re-set the expiry on every hit). On the database cache two simultaneous attempts
# can count as one; Redis counts atomically. Either way a guesser gets at most about the limit.

def _rate_limited(request, bucket):
    limit = int(getattr(settings, "TAILORKIT_CONSULTATION_RATE_LIMIT", 60))
    window = 60
    ip = request.META.get("REMOTE_ADDR", "")
    ip_hash = hashlib.sha256(f"{settings.SECRET_KEY}{ip}".encode()).hexdigest()[:32]
    key = f"consult-rl:{bucket}:{ip_hash}:{int(time.time() // window)}"
    try:
        count = cache.incr(key)
    except ValueError:  # first attempt in this window
        count = 1 if cache.add(key, 1, window * 2) else cache.incr(key)
    return count > limit


def _problem(request, status=404):
    """One page for every link that cannot be answered: it must not tell an unknown link from a
    closed or full one, nor name the organisation."""
    return render(request, "consultations/respondent/problem.html", status=status)


def _too_many(request):
    return render(request, "consultations/respondent/problem.html", {"too_many": True}, status=429)


# --- Link exchange ------------------------------------------------------------------------------

def invitation_open(request, token):
    if _rate_limited(request, "link"):
        return _too_many(request)
    invitation = responding.invitation_for_token(token)
    consultation = invitation.consultation if invitation else None
    if invitation is not None and invitation.status == Invitation.Status.COMPLETED:
        return redirect("consultations:consultation_thanks")
    if not responding.can_answer(consultation, invitation):
        return _problem(request)
    if invitation.status == Invitation.Status.SENT:
        responding.invitation_mark_opened(invitation=invitation)
    return _with_grant(redirect("consultations:consultation_form"), _new_grant(consultation, invitation))


def open_link(request, token):
    if _rate_limited(request, "link"):
        return _too_many(request)
    consultation = responding.consultation_for_open_token(token)
    if not responding.can_answer(consultation):
        return _problem(request)
    grant = _read_grant(request) or {}
    if grant.get("c") != str(consultation.uuid) or grant.get("done") or grant.get("inv"):
        grant = _new_grant(consultation, code=not consultation.access_code_hash)
    return _with_grant(redirect("consultations:consultation_form"), grant)


def thanks(request):
    return render(request, "consultations/respondent/thanks.html")


# --- The form -----------------------------------------------------------------------------------

def _load_grant(request):
    """The grant and what it names: ``(grant, consultation, invitation, draft)``.

    On a submit, the consultation query also says whether this submission key is already stored
    (``consultation.already_sent``), so a double click or retry is answered without another query.
    The draft of an invitation comes with the invitation (one query; it may have been saved on
    another device). An open-link draft is looked up only when the grant says one was made ("d";
    grants from before that flag existed have no "d" and are looked up).
    """
    grant = _read_grant(request)
    if not grant or grant.get("done"):
        return grant, None, None, None
    # Every respondent request starts with this one query: the consultation with the questionnaire
    # version it asks (no ORDER BY: uuid is unique).
    consultations = Consultation.objects.select_related("questionnaire__current_version").filter(
        uuid=grant["c"]).order_by()
    key = _posted_submission_key(request)
    if key is not None:
        consultations = consultations.annotate(already_sent=Exists(Response.objects.filter(submission_key=key)))
    consultation = next(iter(consultations[:1]), None)
    invitation = draft = None
    if grant.get("inv"):
        invitation = Invitation.objects.select_related("draft__version").filter(uuid=grant["inv"]).first()
        try:
            draft = invitation.draft if invitation is not None else None
        except ObjectDoesNotExist:
            draft = None
    elif consultation is not None and grant.get("rk") and grant.get("d", True):
        draft = responding.draft_find(consultation=consultation, respondent_key=grant.get("rk"))
    return grant, consultation, invitation, draft


def _posted_submission_key(request):
    if request.method != "POST" or request.POST.get("action") != "submit":
        return None
    try:
        return uuid.UUID(str(request.POST.get("submission_key")))
    except ValueError:
        return None


def respondent_form(request):
    grant, consultation, invitation, draft = _load_grant(request)
    if grant and grant.get("done"):
        return redirect("consultations:consultation_thanks")
    if invitation is not None and invitation.status == Invitation.Status.COMPLETED:
        return redirect("consultations:consultation_thanks")
    if getattr(consultation, "already_sent", False) or (
            consultation is None and responding.submitted_with_key(_posted_submission_key(request)) is not None):
        return redirect("consultations:consultation_thanks")  # the same submit again (double click, retry)
    if grant is None or not responding.can_answer(consultation, invitation):
        return _problem(request)
    if not grant.get("code"):
        return _access_code(request, grant, consultation)
    # Opening the form writes nothing: a draft row is made only when answers must be kept between
    # requests (another page, "save", or errors), never for a one-page form sent straight away.
    version = draft.version if draft else responding.version_to_answer(consultation)
    draft_flag = grant.get("d")
    response = render_form_page(request, snapshot=version.snapshot, draft=draft, consultation=consultation,
                                grant=grant, invitation=invitation, version=version)
    if grant.get("d") and not draft_flag and GRANT not in response.cookies:
        response = _with_grant(response, grant)  # a draft was made on this request: the grant says so
    return response


def _access_code(request, grant, consultation):
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request, "code"):
            return _too_many(request)
        if form.is_valid() and access_code_matches(consultation, form.cleaned_data["access_code"]):
            return _with_grant(redirect("consultations:consultation_form"), {**grant, "code": True})
        if form.is_valid():
            form.add_error("access_code", _("This code is not right. Check it and try again."))
    return render(request, "consultations/respondent/access_code.html", {"form": form, "consultation": consultation})


def _items(section, shown, answers, errors):
    """What the template needs for each shown question of one page."""
    items = []
    for q in section["questions"]:
        if q["key"] not in shown:
            continue
        entry = answers.get(q["key"]) or {}
        value = entry.get("value")
        values = value if isinstance(value, list) else ([] if value is None else [value])
        selected = {str(v) for v in values}
        places = {str(v): i for i, v in enumerate(values, start=1)} if q["kind"] == QuestionKind.RANKING else {}
        items.append({
            "q": q, "name": answering.field_name(q), "error": errors.get(q["key"]),
            "radio": q["kind"] in CHOICE_KINDS, "checkboxes": q["kind"] == QuestionKind.MULTIPLE,
            "choices": [(v, label, v in selected, places.get(v)) for v, label in answering.choices_for(q)],
            "positions": range(1, len(q.get("options") or []) + 1),
            "not_relevant": bool(entry.get("not_relevant")), "nr_value": answering.NOT_RELEVANT,
            "text": "" if value is None or isinstance(value, list) else str(value),
        })
    return items


def render_form_page(request, *, snapshot, draft=None, consultation=None, grant=None, invitation=None, version=None,
                     preview_of=None, org=None):
    """Show and process one page of a questionnaire snapshot: for a respondent (``grant``, with their
    ``draft`` if answers were kept before) or, with ``preview_of``, a staff preview whose answers are
    kept in the session only."""
    preview_key = f"consultation-preview-{preview_of.pk}" if preview_of else None
    if preview_of:
        answers = request.session.get(preview_key, {})
        group, groups, version_number, submission_key = "", [], None, None
    else:
        answers = dict(draft.answers) if draft else {}
        group = draft.group if draft else (invitation.group if invitation else "")
        groups, version_number = consultation.groups, version.number
        submission_key = draft.submission_key if draft else grant["sk"]
    questions = [q for s in snapshot["sections"] for q in s["questions"]]
    visible_pages = answering.pages(snapshot, answers) or [0]
    try:
        page = int(request.POST.get("page") if request.method == "POST" else request.GET.get("page", visible_pages[0]))
    except (TypeError, ValueError):
        page = visible_pages[0]
    if page not in visible_pages:
        page = visible_pages[0]
    errors, notice = {}, None
    show_group = bool(groups) and invitation is None and page == visible_pages[0]

    def keep():
        """Keep this page's answers until the next request: in the session for a preview, else in
        the respondent's draft (made now if this is the first time something must be kept)."""
        nonlocal draft
        if preview_of:
            request.session[preview_key] = answers
            return
        if draft is None:
            draft = responding.draft_get_or_create(consultation=consultation, invitation=invitation,
                                                   respondent_key=grant.get("rk"), version=version,
                                                   submission_key=grant["sk"])
            grant["d"] = True  # respondent_form puts this in the cookie, so later requests look it up
        responding.draft_save(draft=draft, answers=answers, group=group)

    if request.method == "POST":
        action = request.POST.get("action", "next")
        if not preview_of and str(request.POST.get("version")) != str(version_number):
            errors["__form__"] = _("The questionnaire changed since this page was opened. Nothing from this page "
                                   "was saved; please answer it again.")
        else:
            shown_before = answering.visible_keys(questions, answers)
            page_qs = [q for q in snapshot["sections"][page]["questions"] if q["key"] in shown_before]
            answers, errors = answering.check_page(page_qs, request.POST, answers)
            if show_group:
                posted_group = request.POST.get("group", "")
                if posted_group in groups:
                    group = posted_group
                elif posted_group or action in ("next", "submit"):
                    errors["__group__"] = _("Please choose the group that describes you best.")
            shown_after = answering.visible_keys(questions, answers)
            appeared = [q for q in snapshot["sections"][page]["questions"]
                        if q["key"] in shown_after and q["key"] not in shown_before]
            visible_pages = answering.pages(snapshot, answers) or [0]
            later = [p for p in visible_pages if p > page]
            finishing = action in ("next", "submit") and not errors and not appeared and not later
            if finishing:
                page_now = [q for q in snapshot["sections"][page]["questions"] if q["key"] in shown_after]
                errors = answering.missing_required(page_now, answers)
            if not finishing or errors or draft is not None or preview_of:
                keep()
            if action == "back":
                earlier = [p for p in visible_pages if p < page]
                return redirect(f"{request.path}?page={earlier[-1] if earlier else visible_pages[0]}")
            if action == "save" and not errors:
                messages.success(request, _("Your answers are saved. Open the same link again to finish.")
                                 if not preview_of else _("Preview: answers are kept for this session only."))
                return redirect(f"{request.path}?page={page}")
            if action in ("next", "submit") and not errors:
                page_now = [q for q in snapshot["sections"][page]["questions"] if q["key"] in shown_after]
                errors = answering.missing_required(page_now, answers)
                if appeared:
                    notice = _("Your answers opened more questions on this page. Please look at them.")
                elif not errors:
                    if later:
                        return redirect(f"{request.path}?page={later[0]}")
                    done, page, errors = _finish(request, snapshot, draft, grant, preview_of, preview_key,
                                                 visible_pages, consultation=consultation, invitation=invitation,
                                                 version=version, answers=answers, group=group)
                    if done is not None:
                        return done
                    if draft is None:
                        keep()  # refused (e.g. a required answer on a page never opened): keep this page
                    submission_key = draft.submission_key if draft else submission_key
    shown = answering.visible_keys(questions, answers)
    section = snapshot["sections"][page]
    show_group = bool(groups) and invitation is None and page == visible_pages[0]
    return render(request, "consultations/respondent/form.html", {
        "snapshot": snapshot, "section": section, "items": _items(section, shown, answers, errors),
        "errors": errors, "error_list": _error_list(errors, questions), "notice": notice, "page": page,
        "page_number": visible_pages.index(page) + 1 if page in visible_pages else 1, "page_count": len(visible_pages),
        "is_first": page == visible_pages[0], "is_last": page == visible_pages[-1],
        "consultation": consultation, "preview_of": preview_of, "org": org,
        "version_number": version_number, "submission_key": submission_key,
        "show_group": show_group, "group": group, "group_error": errors.get("__group__"),
        "group_choices": [(g, consultation.group_label(g)) for g in groups] if consultation else [],
        "feedback": _round_feedback(consultation),
    })


def _round_feedback(consultation):
    """A later consensus round shows each item's result from the round before (issue 4, point 8)."""
    if consultation is None or consultation.previous_round_id is None:
        return {}
    from .rounds import previous_round_feedback  # rounds imports results; only later rounds need them

    return previous_round_feedback(consultation)


def _error_list(errors, questions):
    texts = {q["key"]: q["text"] for q in questions}
    return [{"key": k, "anchor": "group" if k == "__group__" else (f"q-{k}" if k in texts else ""),
             "question": texts.get(k, ""), "message": m} for k, m in errors.items()]


def _finish(request, snapshot, draft, grant, preview_of, preview_key, visible_pages, *, consultation, invitation,
            version, answers, group):
    """Submit. Returns ``(response, page, errors)``: a redirect, or the page to show with errors."""
    if preview_of:
        request.session.pop(preview_key, None)
        messages.success(request, _("End of the preview. In a real consultation the answers would now be sent."))
        return redirect(request.path), None, None
    posted_key = request.POST.get("submission_key")
    try:
        if draft is not None:
            responding.response_submit(draft=draft, submission_key=posted_key,
                                       version_number=request.POST.get("version"))
        elif str(posted_key) != str(grant["sk"]):
            raise ValidationError(_("This form is out of date. Please reload the page; your saved answers are kept."))
        else:
            # Sent straight away from a one-page form: one transaction, no draft row written.
            responding.response_submit_new(consultation=consultation, invitation=invitation,
                                           respondent_key=grant.get("rk"), version=version, group=group,
                                           answers=answers, submission_key=grant["sk"],
                                           may_have_draft=invitation is not None or grant.get("d", True))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            # A required answer is missing on an earlier page: go there and say so.
            first = next((p for p in visible_pages for q in snapshot["sections"][p]["questions"]
                          if q["key"] in exc.error_dict), visible_pages[0])
            return None, first, {k: v[0] for k, v in exc.message_dict.items()}
        return None, visible_pages[-1], {"__form__": " ".join(exc.messages)}
    # Keep nothing in the grant that points at the invitation once the response is in.
    return _with_grant(redirect("consultations:consultation_thanks"), {"c": grant["c"], "done": True}), None, None


def preview_url(questionnaire):
    return reverse("consultations:questionnaire_preview", args=[questionnaire.organisation.slug, questionnaire.pk])
