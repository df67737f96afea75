"""Writes for organisations, memberships, invitations and audit events.

Views, the API and management commands all call these functions; none writes these models itself.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .locking import apply_versioned, lock_versioned
from .models import AuditEvent, Invitation, Membership, Organisation, Role, User
from .net import client_ip
from .tokens import hash_token, new_token

INVITATION_LIFETIME = timedelta(days=14)


def _client_ip(request):
    return None if request is None else client_ip(request)


def audit_record(*, action, actor=None, organisation=None, target="", details=None, request=None):
    """Append an audit event. Never raises on a missing actor: system actions have none."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        organisation=organisation,
        target=str(target)[:200],
        details=details or {},
        ip_address=_client_ip(request),
    )


def _unique_slug(name):
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def organisation_create(*, user, name, country, language="en", sector="health", shares_practice_evidence=False,
                        request=None):
    """Create a service site; its creator becomes its implementation lead."""
    org = Organisation(name=name.strip(), slug=_unique_slug(name), country=country.strip(),
                       language=language, sector=sector, shares_practice_evidence=shares_practice_evidence)
    org.full_clean()
    org.save()
    Membership.objects.create(organisation=org, user=user, role=Role.LEAD)
    audit_record(action="organisation.created", actor=user, organisation=org, target=org.name,
                 request=request)
    return org


@transaction.atomic
def organisation_update(*, organisation, actor, version, request=None, **fields):
    """Change the organisation's details; ``StaleEdit`` when someone saved them meanwhile. Turning
    the sharing of practice counts on or off is audited: it decides what other organisations see."""
    changes = {key: fields[key] for key in ("name", "country", "language", "sector", "shares_practice_evidence")
               if key in fields}
    # Read under the lock (a second lock of the row in this transaction is a no-op), not from the
    # object the view fetched, which may be older than the version being changed.
    was_sharing = lock_versioned(Organisation, pk=organisation.pk, expected_version=version,
                                 submitted=changes).shares_practice_evidence
    org = apply_versioned(Organisation, pk=organisation.pk, expected_version=version, changes=changes)
    if org.shares_practice_evidence != was_sharing:
        audit_record(action="organisation.sharing_changed", actor=actor, organisation=org, target=org.name,
                     details={"shares_practice_evidence": org.shares_practice_evidence}, request=request)
    return org


def _lead_count(organisation):
    return Membership.objects.select_for_update().filter(organisation=organisation, role=Role.LEAD).count()


@transaction.atomic
def membership_change_role(*, membership, role, actor, request=None):
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    if old == Role.LEAD and _lead_count(membership.organisation) <= 1:
        raise ValidationError(
            _("%(name)s is the only implementation lead. Make someone else a lead first.")
            % {"name": membership.user}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(action="membership.role_changed", actor=actor, organisation=membership.organisation,
                 target=membership.user.email, details={"from": old, "to": role}, request=request)
    return membership


@transaction.atomic
def membership_remove(*, membership, actor, request=None):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.LEAD and _lead_count(membership.organisation) <= 1:
        raise ValidationError(
            _("%(name)s is the only implementation lead and cannot be removed. Make someone else a lead first.")
            % {"name": membership.user}
        )
    org, email, role = membership.organisation, membership.user.email, membership.role
    membership.delete()
    audit_record(action="membership.removed", actor=actor, organisation=org, target=email,
                 details={"role": role}, request=request)


@transaction.atomic
def invitation_create(*, organisation, email, role, invited_by, request=None):
    """Invite ``email`` to the organisation and queue the email. Returns the invitation.

    No working link exists yet: the row holds the hash of a token nobody ever sees, and the email
    task makes the real link with ``invitation_issue_link``, so no secret sits in the task queue.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is already a member of this organisation.") % {"email": email}})
    # A new invitation replaces an older pending one, so only the newest link works.
    Invitation.objects.filter(organisation=organisation, email__iexact=email,
                              status=Invitation.Status.PENDING).update(status=Invitation.Status.REVOKED)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=invited_by,
        token_hash=hash_token(new_token()), expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    audit_record(action="invitation.sent", actor=invited_by, organisation=organisation, target=email,
                 details={"role": role}, request=request)
    from .tasks import enqueue_with_transaction, send_invitation_email

    base_url = request.build_absolute_uri("/") if request is not None else settings.SITE_URL
    enqueue_with_transaction(send_invitation_email, invitation.pk, base_url)
    return invitation


@transaction.atomic
def invitation_issue_link(*, invitation):
    """A fresh link token for a pending invitation; only its hash is stored, and it replaces the
    previous one. Called by the email task, so the raw token exists only in the email."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only a pending invitation can be sent."))
    token = new_token()
    # A queryset update: the hash is left out of the history, so a new link adds no history row.
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
    return token


def invitation_for_token(token):
    """The invitation a link token belongs to, or None (for any kind of bad token)."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()


def invitation_problem(invitation):
    """Why this invitation cannot be accepted, in words for the person holding it; or None."""
    if invitation is None:
        return _("This invitation link is not valid. Ask the person who invited you to send a new one.")
    if invitation.status == Invitation.Status.ACCEPTED:
        return _("This invitation has already been used. Sign in to reach the organisation.")
    if invitation.status == Invitation.Status.REVOKED:
        return _("This invitation was withdrawn or replaced by a newer one. Use the newest email you received.")
    if invitation.is_expired:
        return _("This invitation has expired. Ask the person who invited you to send a new one.")
    return None


@transaction.atomic
def invitation_accept(*, token, user, request=None):
    invitation = invitation_for_token(token)
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(invited)s, but you are signed in as %(current)s. "
              "Sign out and sign in with the invited address.")
            % {"invited": invitation.email, "current": user.email}
        )
    if Membership.objects.filter(organisation=invitation.organisation, user=user).exists():
        raise ValidationError(_("You are already a member of %(org)s.") % {"org": invitation.organisation})
    membership = Membership.objects.create(organisation=invitation.organisation, user=user, role=invitation.role)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    audit_record(action="invitation.accepted", actor=user, organisation=invitation.organisation,
                 target=user.email, details={"role": invitation.role}, request=request)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation, actor, request=None):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only a pending invitation can be withdrawn."))
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(action="invitation.revoked", actor=actor, organisation=invitation.organisation,
                 target=invitation.email, request=request)


def task_results_prune(*, days=None):
    """Delete finished background-task rows (done or failed) older than ``days``, by default
    ``TAILORKIT_TASK_RESULT_DAYS``, from every database task backend: their arguments, results and
    tracebacks need not outlive the work. Uses django-tasks-db's ``prune_db_task_results``."""
    from django.core.management import call_command
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    days = settings.TAILORKIT_TASK_RESULT_DAYS if days is None else days
    for alias in settings.TASKS:
        if isinstance(task_backends[alias], DatabaseBackend):
            # As command-line options, so that the command's own parsing turns the alias into its backend.
            call_command("prune_db_task_results", f"--backend={alias}", "--queue-name=*", f"--min-age-days={days}",
                         verbosity=0)
