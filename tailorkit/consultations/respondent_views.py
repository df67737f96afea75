"""Respondent pages (no account): link exchange, access code, the paged form, thanks.

A link token is swapped on first visit for a grant in the session cookie and the browser is sent
to the token-free ``/c/form/``, so the token does not linger in history, logs or Referer headers.
The form is plain HTML: every page is a POST that the server answers, show-if included, so it
works without JavaScript and with any screen reader.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import answering, responding
from .delivery import access_code_matches
from .forms import AccessCodeForm
from .models import CHOICE_KINDS, Consultation, Invitation, QuestionKind

GRANT = "consultation_access"


# --- Rate limiting ------------------------------------------------------------------------------
# A per-IP counter in Django's (database) cache, shared by all app processes. Hand-written because
# it is two views and ten lines; a rate-limit library would be a dependency for this alone, and
# allauth's limiter is not public API. The IP is hashed, so the cache never holds it in clear.

def _rate_limited(request, bucket):
    limit = int(getattr(settings, "TAILORKIT_CONSULTATION_RATE_LIMIT", 60))
    window = 60
    ip = request.META.get("REMOTE_ADDR", "")
    key = f"consult-rl:{bucket}:{hashlib.sha256(f'{settings.SECRET_KEY}{ip}'.encode()).hexdigest()[:32]}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
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
        return redirect("consultation_thanks")
    if not responding.can_answer(consultation, invitation):
        return _problem(request)
    responding.invitation_mark_opened(invitation=invitation)
    request.session.cycle_key()
    request.session[GRANT] = {"c": consultation.pk, "inv": invitation.pk, "code": True}
    return redirect("consultation_form")


def open_link(request, token):
    if _rate_limited(request, "link"):
        return _too_many(request)
    consultation = responding.consultation_for_open_token(token)
    if not responding.can_answer(consultation):
        return _problem(request)
    grant = request.session.get(GRANT) or {}
    if grant.get("c") != consultation.pk or grant.get("done"):
        # A random key identifies this browser's draft; only its hash is stored with the draft.
        grant = {"c": consultation.pk, "inv": None, "rk": secrets.token_urlsafe(32),
                 "code": not consultation.access_code_hash}
    request.session[GRANT] = grant
    return redirect("consultation_form")


def thanks(request):
    return render(request, "consultations/respondent/thanks.html")


# --- The form -----------------------------------------------------------------------------------

def _load_grant(request):
    grant = request.session.get(GRANT)
    if not grant:
        return None, None, None
    consultation = Consultation.objects.select_related("organisation", "questionnaire").filter(pk=grant["c"]).first()
    invitation = Invitation.objects.filter(pk=grant["inv"]).first() if grant.get("inv") else None
    return grant, consultation, invitation


def respondent_form(request):
    grant, consultation, invitation = _load_grant(request)
    if grant and grant.get("done"):
        return redirect("consultation_thanks")
    if invitation is not None and invitation.status == Invitation.Status.COMPLETED:
        return redirect("consultation_thanks")
    if request.method == "POST" and request.POST.get("action") == "submit" and \
            responding.submitted_with_key(request.POST.get("submission_key")) is not None:
        return redirect("consultation_thanks")  # the same submit again (double click, retry)
    if grant is None or not responding.can_answer(consultation, invitation):
        return _problem(request)
    if not grant.get("code"):
        return _access_code(request, grant, consultation)
    draft = responding.draft_get_or_create(consultation=consultation, invitation=invitation,
                                           respondent_key=grant.get("rk"))
    return render_form_page(request, snapshot=draft.version.snapshot, draft=draft, consultation=consultation,
                            grant=grant)


def _access_code(request, grant, consultation):
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request, "code"):
            return _too_many(request)
        if form.is_valid() and access_code_matches(consultation, form.cleaned_data["access_code"]):
            grant["code"] = True
            request.session[GRANT] = grant
            return redirect("consultation_form")
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


def render_form_page(request, *, snapshot, draft=None, consultation=None, grant=None, preview_of=None, org=None):
    """Show and process one page of a questionnaire snapshot: for a respondent's ``draft`` or, with
    ``preview_of``, a staff preview whose answers are kept in the session only."""
    preview_key = f"consultation-preview-{preview_of.pk}" if preview_of else None
    if preview_of:
        answers = request.session.get(preview_key, {})
        group, groups, version_number = "", [], None
    else:
        answers, group, groups = dict(draft.answers), draft.group, consultation.groups
        version_number = draft.version.number
    questions = [q for s in snapshot["sections"] for q in s["questions"]]
    visible_pages = answering.pages(snapshot, answers) or [0]
    try:
        page = int(request.POST.get("page") if request.method == "POST" else request.GET.get("page", visible_pages[0]))
    except (TypeError, ValueError):
        page = visible_pages[0]
    if page not in visible_pages:
        page = visible_pages[0]
    errors, notice = {}, None
    show_group = bool(groups) and not (draft and draft.invitation_id) and page == visible_pages[0]

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
            if preview_of:
                request.session[preview_key] = answers
            else:
                responding.draft_save(draft=draft, answers=answers, group=group)
            visible_pages = answering.pages(snapshot, answers) or [0]
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
                    later = [p for p in visible_pages if p > page]
                    if later:
                        return redirect(f"{request.path}?page={later[0]}")
                    done, page, errors = _finish(request, snapshot, draft, grant, preview_of, preview_key,
                                                 visible_pages)
                    if done is not None:
                        return done
    shown = answering.visible_keys(questions, answers)
    section = snapshot["sections"][page]
    show_group = bool(groups) and not (draft and draft.invitation_id) and page == visible_pages[0]
    return render(request, "consultations/respondent/form.html", {
        "snapshot": snapshot, "section": section, "items": _items(section, shown, answers, errors),
        "errors": errors, "error_list": _error_list(errors, questions), "notice": notice, "page": page,
        "page_number": visible_pages.index(page) + 1 if page in visible_pages else 1, "page_count": len(visible_pages),
        "is_first": page == visible_pages[0], "is_last": page == visible_pages[-1],
        "consultation": consultation, "draft": draft, "preview_of": preview_of, "org": org,
        "show_group": show_group, "group": group, "group_error": errors.get("__group__"),
        "group_choices": [(g, consultation.group_label(g)) for g in groups] if consultation else [],
    })


def _error_list(errors, questions):
    texts = {q["key"]: q["text"] for q in questions}
    return [{"key": k, "anchor": "group" if k == "__group__" else (f"q-{k}" if k in texts else ""),
             "question": texts.get(k, ""), "message": m} for k, m in errors.items()]


def _finish(request, snapshot, draft, grant, preview_of, preview_key, visible_pages):
    """Submit. Returns ``(response, page, errors)``: a redirect, or the page to show with errors."""
    if preview_of:
        request.session.pop(preview_key, None)
        messages.success(request, _("End of the preview. In a real consultation the answers would now be sent."))
        return redirect(request.path), None, None
    try:
        responding.response_submit(draft=draft, submission_key=request.POST.get("submission_key"),
                                   version_number=request.POST.get("version"))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            # A required answer is missing on an earlier page: go there and say so.
            first = next((p for p in visible_pages for q in snapshot["sections"][p]["questions"]
                          if q["key"] in exc.error_dict), visible_pages[0])
            return None, first, {k: v[0] for k, v in exc.message_dict.items()}
        return None, visible_pages[-1], {"__form__": " ".join(exc.messages)}
    # Keep nothing in the session that points at the invitation once the response is in.
    request.session[GRANT] = {"c": grant["c"], "done": True}
    return redirect("consultation_thanks"), None, None


def preview_url(questionnaire):
    return reverse("questionnaire_preview", args=[questionnaire.organisation.slug, questionnaire.pk])
