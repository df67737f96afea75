"""Respondent pages (no account): link exchange, access code, the paged form, thanks.

A link token is swapped on first visit for a signed grant cookie and the browser is sent to the
token-free ``/c/form/``, so later pages, the browser's address bar and Referer headers do not carry
it. The first request does: web servers write its path to their access logs. gunicorn's logger in
``gunicorn.conf.py`` masks the token there; a proxy in front needs the same (docs/deploy.md). What
a page of the form shows and keeps is decided by ``services.responding.RespondentForm``.
"""

import functools
import hashlib
import secrets
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core.net import address_block, client_ip

from ..forms import AccessCodeForm
from ..models import Invitation
from ..services import responding
from ..services.delivery import access_code_matches
from ..services.responding import RespondentForm

GRANT = "consultation_access"
GRANT_SALT = "tailorkit.consultations.grant"
FORM_TEMPLATE = "consultations/respondent/form.html"


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


@functools.lru_cache(maxsize=16)
def _path(name):
    """A URL without arguments, reversed once per process (a respondent's every submit redirects, to
    it with ``HttpResponseRedirect``: ``redirect()`` would first try the path as a URL name)."""
    return reverse(name)


def _with_grant(response, grant):
    respondent_pages = _path("consultations:consultation_thanks").rsplit("thanks/", 1)[0]  # "/c/"
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
# Counters per client address (core/net.py: behind TAILORKIT_TRUSTED_PROXIES proxies it is read
# from X-Forwarded-For; an IPv6 client counts by its /64) in Django's cache (the database cache of
# settings.CACHES), shared by all app processes. Hand-written because it is
# two views and a few lines; allauth's limiter is not public API. The address is hashed, so the
# cache never holds it in clear. Fixed one-minute windows, two counters:
#   fail  links that do not work and wrong access codes, TAILORKIT_CONSULTATION_RATE_LIMIT a
#         minute. Once it is reached every attempt from the address is refused, a working link
#         too, so a guesser cannot tell a hit from a miss. This is what stops token guessing.
#   ok    links that work, TAILORKIT_CONSULTATION_OPENINGS_LIMIT a minute: generous, because a
#         whole clinic behind one NAT address may open a survey at once.
# Counted with incr first: one read and one write on the database cache (add-then-incr cost two
# writes, and BaseCache.incr re-set the expiry on every hit); a working link costs one more read,
# of the fail counter. On the database cache two simultaneous attempts can count as one (a cache
# with atomic increments, such as Redis, would not); either way a guesser gets at most about the
# limit.
WINDOW = 60


def _counter(request, kind, bucket):
    address = address_block(client_ip(request))
    digest = hashlib.sha256(f"{settings.SECRET_KEY}{address}".encode()).hexdigest()[:32]
    return f"consult-rl:{bucket}:{kind}:{digest}:{int(time.time() // WINDOW)}"


def _count(key):
    try:
        return cache.incr(key)
    except ValueError:  # first attempt in this window
        return 1 if cache.add(key, 1, WINDOW * 2) else cache.incr(key)


def _too_many_failures(request, bucket):
    return (cache.get(_counter(request, "fail", bucket)) or 0) >= settings.TAILORKIT_CONSULTATION_RATE_LIMIT


def _count_failure(request, bucket):
    _count(_counter(request, "fail", bucket))


def _too_many_openings(request):
    """Count a link that works; True when this address has opened too many this minute."""
    return _count(_counter(request, "ok", "link")) > settings.TAILORKIT_CONSULTATION_OPENINGS_LIMIT


def _problem(request, status=404):
    """One page for every link that cannot be answered: it must not tell an unknown link from a
    closed or full one, nor name the organisation."""
    return render(request, "consultations/respondent/problem.html", status=status)


def _too_many(request):
    return render(request, "consultations/respondent/problem.html", {"too_many": True}, status=429)


# --- Link exchange ------------------------------------------------------------------------------

def _link_failed(request):
    _count_failure(request, "link")
    return _problem(request)


def invitation_open(request, token):
    if _too_many_failures(request, "link"):
        return _too_many(request)
    invitation = responding.invitation_for_token(token)
    consultation = invitation.consultation if invitation else None
    if invitation is not None and invitation.status == Invitation.Status.COMPLETED:
        return redirect("consultations:consultation_thanks")
    if not responding.can_answer(consultation, invitation):
        return _link_failed(request)
    if _too_many_openings(request):
        return _too_many(request)
    if invitation.status == Invitation.Status.SENT:
        responding.invitation_mark_opened(invitation=invitation)
    return _with_grant(redirect("consultations:consultation_form"), _new_grant(consultation, invitation))


def open_link(request, token):
    if _too_many_failures(request, "link"):
        return _too_many(request)
    consultation = responding.consultation_for_open_token(token)
    if not responding.can_answer(consultation):
        return _link_failed(request)
    if _too_many_openings(request):
        return _too_many(request)
    grant = _read_grant(request) or {}
    if grant.get("c") != str(consultation.uuid) or grant.get("done") or grant.get("inv"):
        grant = _new_grant(consultation, code=not consultation.access_code_hash)
    return _with_grant(redirect("consultations:consultation_form"), grant)


def thanks(request):
    return render(request, "consultations/respondent/thanks.html")


# --- The form -----------------------------------------------------------------------------------

def _posted_submission_key(request):
    if request.method != "POST" or request.POST.get("action") != "submit":
        return None
    try:
        return uuid.UUID(str(request.POST.get("submission_key")))
    except ValueError:
        return None


def page_asked(request):
    """The page of the form the request names (the form's own field on a POST, ``?page=`` else)."""
    return request.POST.get("page") if request.method == "POST" else request.GET.get("page")


def follow(request, go):
    """The redirect a ``services.responding.Go`` asks for, with its message."""
    if go.message:
        messages.success(request, go.message)
    return redirect(request.path if go.page is None else f"{request.path}?page={go.page}")


def render_form(request, form, *, preview_of=None, org=None):
    return render(request, FORM_TEMPLATE, {**form.context(), "preview_of": preview_of, "org": org})


def respondent_form(request):
    grant = _read_grant(request)
    if grant and grant.get("done"):
        return redirect(_path("consultations:consultation_thanks"))
    posted_key = _posted_submission_key(request)
    consultation, invitation, draft = responding.grant_objects(grant)
    if invitation is not None and invitation.status == Invitation.Status.COMPLETED:
        return redirect(_path("consultations:consultation_thanks"))
    if grant is None or not responding.can_answer(consultation, invitation):
        # A submit that was stored before the consultation closed or filled up, sent again (double
        # click, retry), is thanked; asked only here, on the way to a refusal.
        if posted_key is not None and responding.submitted_with_key(posted_key) is not None:
            return redirect(_path("consultations:consultation_thanks"))
        return _problem(request)
    if not grant.get("code"):
        return _access_code(request, grant, consultation)
    version = draft.version if draft else responding.version_to_answer(consultation)
    draft_flag = grant.get("d")
    form = RespondentForm(snapshot=version.snapshot, page=page_asked(request), consultation=consultation,
                          grant=grant, invitation=invitation, draft=draft, version=version)
    go = form.post(request.POST) if request.method == "POST" else None
    if go is not None and go.submitted:
        # Keep nothing in the grant that points at the invitation once the response is in.
        return _with_grant(HttpResponseRedirect(_path("consultations:consultation_thanks")),
                           {"c": grant["c"], "done": True})
    response = follow(request, go) if go is not None else render_form(request, form)
    if grant.get("d") and not draft_flag:
        response = _with_grant(response, grant)  # a draft was made on this request: the grant says so
    return response


def _access_code(request, grant, consultation):
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST":
        if _too_many_failures(request, "code"):
            return _too_many(request)
        if form.is_valid() and access_code_matches(consultation, form.cleaned_data["access_code"]):
            return _with_grant(redirect("consultations:consultation_form"), {**grant, "code": True})
        _count_failure(request, "code")
        if form.is_valid():
            form.add_error("access_code", _("This code is not right. Check it and try again."))
    return render(request, "consultations/respondent/access_code.html", {"form": form, "consultation": consultation})
