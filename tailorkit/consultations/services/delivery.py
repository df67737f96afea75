"""Delivering a consultation: creating and closing it, open links, inviting people, reminders, and
the respondents' rights (erasure on request, automatic deletion of addresses after closing).

Audit events here never carry an email address: the audit log cannot be edited, so an address in
it would survive erasure (GDPR art. 17). Invitations are named by their uuid instead.
"""

import logging
import re
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tailorkit.core.locking import lock_versioned
from tailorkit.core.services import audit_record
from tailorkit.core.tasks import enqueue_with_transaction
from tailorkit.core.tokens import hash_token, new_token

from .. import closings
from ..models import Consultation, Draft, Invitation, InvitationLink, RespondentGroup
from .builder import questionnaire_sync_version

# Lead-only actions (erasure) use the core permission that only leads hold.
LEAD_ACTION = "manage_organisation"
MAX_INVITATIONS_PER_BATCH = 1000


def email_retention_days():
    """Days after closing before personal addresses are deleted (setting, default 30)."""
    return int(getattr(settings, "TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS", 30))


def day_only(moment):
    """Midnight (UTC) of the day of ``moment``: how anonymous consultations keep times."""
    moment = moment or timezone.now()
    return datetime.combine(moment.astimezone(UTC).date(), time.min, tzinfo=UTC)


def stamp(consultation, moment=None):
    """The time to record for ``consultation``: the day only when it is anonymous (``day_only``)."""
    moment = moment or timezone.now()
    return day_only(moment) if consultation.anonymous else moment


def _clean_groups(groups):
    valid = set(RespondentGroup.values)
    groups = [g for g in (groups or []) if g]
    bad = [g for g in groups if g not in valid]
    if bad:
        raise ValidationError({"groups": _("Unknown respondent group: %(g)s.") % {"g": ", ".join(bad)}})
    return list(dict.fromkeys(groups))


def _clean_reminders(days):
    days = sorted({int(d) for d in days or []})
    if any(d < 1 or d > 90 for d in days):
        raise ValidationError({"reminder_days": _("Reminders can be 1 to 90 days after the invitation.")})
    return days


def _check_dates(consultation):
    if consultation.closes_at and consultation.closes_at <= consultation.opens_at:
        raise ValidationError({"closes_at": _("The closing date must be after the opening date.")})


@transaction.atomic
def consultation_create(*, organisation, questionnaire, actor, title, purpose="", mode=Consultation.Mode.INVITATIONS,
                        anonymous=True, access_code="", opens_at=None, closes_at=None, response_limit=None,
                        min_group_size=5, groups=None, reminder_days=None, subject_type="", subject_id=None,
                        template="", round=1, previous_round=None, request=None):
    """Create a consultation. Returns ``(consultation, open_link_token)``; the token (open-link mode
    only, else None) is shown once to the team and only its hash is kept."""
    if questionnaire.organisation_id != organisation.pk:
        raise ValidationError({"questionnaire": _("Choose a questionnaire of this organisation.")})
    if not questionnaire.questions.exists():
        raise ValidationError({"questionnaire": _("This questionnaire has no questions yet. Add some first.")})
    if previous_round is not None and previous_round.organisation_id != organisation.pk:
        raise ValidationError({"previous_round": _("Choose a consultation of this organisation.")})
    consultation = Consultation(
        organisation=organisation, questionnaire=questionnaire, title=title.strip(), purpose=purpose, mode=mode,
        anonymous=anonymous, opens_at=opens_at or timezone.now(), closes_at=closes_at,
        response_limit=response_limit, min_group_size=min_group_size if min_group_size is not None else 5,
        groups=_clean_groups(groups), reminder_days=_clean_reminders(reminder_days), subject_type=subject_type,
        subject_id=subject_id, template=template, round=round, previous_round=previous_round, created_by=actor,
    )
    if access_code:
        consultation.access_code_hash = make_password(access_code.strip())
    token = None
    if mode == Consultation.Mode.OPEN_LINK:
        token = new_token()
        consultation.open_token_hash = hash_token(token)
    _check_dates(consultation)
    consultation.full_clean()
    consultation.save()
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)
    audit_record(action="consultation.created", actor=actor, organisation=organisation, target=consultation.title,
                 details={"uuid": str(consultation.uuid), "mode": mode, "anonymous": anonymous}, request=request)
    return consultation, token


def _answered(consultation):
    """Has anyone answered, or saved answers as a draft?"""
    return consultation.responses.exists() or consultation.drafts.exists()


def _anonymity_promised(consultation):
    """Have respondents already been told that their answers are anonymous? By the invitation
    emails once any invitation was sent; by the form itself once the open link is open."""
    if consultation.mode == Consultation.Mode.INVITATIONS:
        return consultation.invitations.exists()
    return consultation.opens_at <= timezone.now()


def _check_promises(consultation, fields):
    """Refuse a change that takes back what respondents were promised. ``consultation`` holds the
    stored settings; ``fields`` the new ones."""
    errors, answered = {}, None
    if "anonymous" in fields and fields["anonymous"] != consultation.anonymous:
        answered = _answered(consultation)
        if answered:
            errors["anonymous"] = _("People have already answered under the current setting, so anonymity can no "
                                    "longer be changed.")
        elif consultation.anonymous and _anonymity_promised(consultation):
            errors["anonymous"] = (
                _("The invitations already told people that their answers are anonymous, so this cannot be "
                  "turned off.") if consultation.mode == Consultation.Mode.INVITATIONS else
                _("The open link is already open and tells people that their answers are anonymous, so this "
                  "cannot be turned off."))
    size = fields.get("min_group_size")
    if size is not None and size < consultation.min_group_size:
        if answered is None:
            answered = _answered(consultation)
        if answered:
            errors["min_group_size"] = _("People have already answered, so this can no longer be lowered. You can "
                                         "raise it.")
    if errors:
        raise ValidationError(errors)


# Settings that protect respondents: every change of them goes to the audit log.
PROTECTIONS = {"anonymous": "consultation.anonymity_changed", "min_group_size": "consultation.min_group_size_changed"}


@transaction.atomic
def consultation_update(*, consultation, actor, version, request=None, access_code=None, clear_access_code=False,
                        **fields):
    """Change settings; ``StaleEdit`` when someone saved them meanwhile. What respondents were
    promised cannot be taken back: anonymity cannot be turned off once invitations went out or the
    open link opened, nor changed at all once anyone has answered (a draft counts), and the minimum
    group size cannot be lowered once anyone has answered (raising it is fine). Every change of
    either is written to the audit log."""
    consultation = lock_versioned(Consultation, pk=consultation.pk, expected_version=version, submitted=fields)
    _check_promises(consultation, fields)
    before = {field: getattr(consultation, field) for field in PROTECTIONS}
    if "groups" in fields:
        fields["groups"] = _clean_groups(fields["groups"])
    if "reminder_days" in fields:
        fields["reminder_days"] = _clean_reminders(fields["reminder_days"])
    for key in ("title", "purpose", "anonymous", "opens_at", "closes_at", "response_limit", "min_group_size",
                "groups", "reminder_days"):
        if key in fields:
            setattr(consultation, key, fields[key])
    if clear_access_code:
        consultation.access_code_hash = ""
    elif access_code:
        consultation.access_code_hash = make_password(access_code.strip())
    _check_dates(consultation)
    consultation.version += 1
    consultation.full_clean()
    consultation.save()
    for field, action in PROTECTIONS.items():
        if getattr(consultation, field) != before[field]:
            audit_record(action=action, actor=actor, organisation=consultation.organisation, target=consultation.title,
                         details={"uuid": str(consultation.uuid), "from": before[field],
                                  "to": getattr(consultation, field)}, request=request)
    return consultation


def access_code_matches(consultation, code):
    return bool(consultation.access_code_hash) and check_password((code or "").strip(), consultation.access_code_hash)


@transaction.atomic
def consultation_new_open_link(*, consultation, actor, request=None):
    """Make a new open link (the old one stops working). Returns the raw token to show once."""
    if consultation.mode != Consultation.Mode.OPEN_LINK:
        raise ValidationError(_("This consultation uses personal invitations, not an open link."))
    token = new_token()
    consultation.open_token_hash = hash_token(token)
    consultation.save(update_fields=["open_token_hash"])
    audit_record(action="consultation.open_link_renewed", actor=actor, organisation=consultation.organisation,
                 target=consultation.title, details={"uuid": str(consultation.uuid)}, request=request)
    return token


@transaction.atomic
def consultation_close(*, consultation, actor, request=None):
    """Close now. A consultation closed by hand never opens again (``effective_close``), so its
    drafts, which can no longer be sent, are deleted at once."""
    if consultation.is_closed():
        raise ValidationError(_("This consultation is already closed."))
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["closed_at"])
    drafts, _details = consultation.drafts.all().delete()
    audit_record(action="consultation.closed", actor=actor, organisation=consultation.organisation,
                 target=consultation.title, details={"uuid": str(consultation.uuid), "drafts_deleted": drafts},
                 request=request)
    _announce_closing(consultation)
    return consultation


def _announce_closing(consultation):
    """Tell the apps above (``closings.py``) once that ``consultation`` has closed."""
    claimed = Consultation.objects.filter(pk=consultation.pk, closing_announced_at=None).update(
        closing_announced_at=timezone.now())
    if claimed:
        closings.announce(consultation)


def closings_announce_due(now=None):
    """Announce every consultation whose closing time has passed and that was not announced yet
    (run by the periodic reminder job). Each one in its own transaction, so one listener's error
    does not hold up the rest. Returns how many were announced."""
    now = now or timezone.now()
    due = (Consultation.objects.filter(closing_announced_at=None)
           .filter(Q(closed_at__lte=now) | Q(closes_at__lte=now)).order_by("pk").values_list("pk", flat=True))
    announced = 0
    for pk in list(due[:500]):
        try:
            with transaction.atomic():
                consultation = (Consultation.objects.select_for_update()
                                .filter(pk=pk, closing_announced_at=None).first())
                if consultation is not None:
                    _announce_closing(consultation)
                    announced += 1
        except Exception:
            # Rolled back with its listener's work, and tried again on the next tick; the rest go on.
            logger.exception("Announcing that consultation %s closed failed", pk)
    return announced


# --- Invitations ------------------------------------------------------------------------------

logger = logging.getLogger(__name__)

SPLIT = re.compile(r"[,;\t]")


def invitations_parse(*, consultation, text, default_group=""):
    """Read a pasted list, one person per line: ``address`` or ``address, group``.

    Returns ``(rows, errors)``: rows are ``(email, group)``; errors name the line that is wrong.
    """
    groups = {g: g for g in RespondentGroup.values}
    groups.update({str(label).lower(): code for code, label in RespondentGroup.choices})
    invited = {e.lower() for e in consultation.invitations.exclude(email=None).values_list("email", flat=True)}
    rows, errors, seen = [], [], {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in SPLIT.split(line, maxsplit=1)]
        email = parts[0].lower()
        group_text = parts[1] if len(parts) > 1 else ""
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("Line %(n)s: “%(text)s” is not an email address.") % {"n": n, "text": parts[0][:80]})
            continue
        group = groups.get(group_text.lower()) if group_text else default_group
        if group_text and group is None:
            errors.append(_("Line %(n)s: unknown group “%(g)s”. Use one of: %(list)s.") % {
                "n": n, "g": group_text[:40], "list": ", ".join(RespondentGroup.values)})
            continue
        if email in seen:
            errors.append(_("Line %(n)s: %(email)s is already on line %(first)s.") % {
                "n": n, "email": email, "first": seen[email]})
            continue
        if email in invited:
            errors.append(_("Line %(n)s: %(email)s has already been invited to this consultation.") % {
                "n": n, "email": email})
            continue
        seen[email] = n
        rows.append((email, group or ""))
    if not rows and not errors:
        errors.append(_("Paste at least one email address."))
    if len(rows) > MAX_INVITATIONS_PER_BATCH:
        errors.append(ngettext("Send at most %(n)s invitation at a time.", "Send at most %(n)s invitations at a time.",
                               MAX_INVITATIONS_PER_BATCH) % {"n": MAX_INVITATIONS_PER_BATCH})
    return rows, errors


def _next_reminder(consultation, sent_at, reminders_sent):
    days = consultation.reminder_days or []
    if reminders_sent >= len(days) or sent_at is None:
        return None
    return sent_at + timedelta(days=days[reminders_sent])


@transaction.atomic
def invitations_send(*, consultation, actor, text, default_group="", request=None):
    """Invite everyone in the pasted list, or nobody: any wrong line stops the whole batch."""
    from ..tasks import send_consultation_email

    if consultation.mode != Consultation.Mode.INVITATIONS:
        raise ValidationError(_("This consultation uses an open link, not personal invitations."))
    if consultation.is_closed():
        raise ValidationError(_("This consultation is closed, so no invitations can be sent."))
    if default_group:
        _clean_groups([default_group])
    rows, errors = invitations_parse(consultation=consultation, text=text, default_group=default_group)
    if errors:
        raise ValidationError(errors)
    sent_at = stamp(consultation)
    invitations = Invitation.objects.bulk_create([
        Invitation(organisation=consultation.organisation, consultation=consultation, email=email, group=group,
                   sent_at=sent_at, next_reminder_at=_next_reminder(consultation, sent_at, 0), created_by=actor)
        for email, group in rows
    ])
    ids = [inv.pk for inv in Invitation.objects.filter(consultation=consultation, email__in=[r[0] for r in rows],
                                                       reminders_sent=0, erased_at=None)]
    base_url = request.build_absolute_uri("/") if request is not None else settings.SITE_URL
    for pk in ids:
        enqueue_with_transaction(send_consultation_email, pk, base_url, False)
    audit_record(action="consultation.invitations_sent", actor=actor, organisation=consultation.organisation,
                 target=consultation.title, details={"uuid": str(consultation.uuid), "count": len(invitations)},
                 request=request)
    return invitations


def reminders_send_due(*, now=None, base_url=None):
    """Queue a reminder for every invitee who has not completed and whose reminder is due.

    Called by the ``send_reminders`` command / task; safe to run as often as you like, because each
    invitation's next reminder time moves forward in the same transaction that queues it.
    """
    from ..tasks import send_consultation_email

    now = now or timezone.now()
    due = (Invitation.objects.filter(next_reminder_at__lte=now, email__isnull=False, erased_at=None)
           .exclude(status=Invitation.Status.COMPLETED)
           .select_related("consultation"))
    per_consultation = {}
    for invitation in due:
        consultation = invitation.consultation
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.next_reminder_at is None or locked.next_reminder_at > now:
                continue
            # update(), not save(): an edit-history row would record the exact time, and the status
            # at that time, of every invitee's reminder.
            if not consultation.is_open(now):
                Invitation.objects.filter(pk=locked.pk).update(next_reminder_at=None)
                continue
            reminders_sent = locked.reminders_sent + 1
            Invitation.objects.filter(pk=locked.pk).update(
                reminders_sent=reminders_sent,
                next_reminder_at=_next_reminder(consultation, locked.sent_at, reminders_sent))
            pk = locked.pk
            url = base_url or settings.SITE_URL
            enqueue_with_transaction(send_consultation_email, pk, url, True)
        per_consultation.setdefault(consultation, 0)
        per_consultation[consultation] += 1
    for consultation, count in per_consultation.items():
        audit_record(action="consultation.reminders_sent", organisation=consultation.organisation,
                     target=consultation.title, details={"uuid": str(consultation.uuid), "count": count})
    return sum(per_consultation.values())


@transaction.atomic
def invitation_issue_link(*, invitation):
    """A fresh link token for one email (called by the email task, so the raw token is never
    written to the task queue's table)."""
    token = new_token()
    InvitationLink.objects.create(organisation=invitation.organisation, invitation=invitation,
                                  token_hash=hash_token(token))
    return token


# --- Rights -----------------------------------------------------------------------------------

@transaction.atomic
def invitation_erase(*, invitation, actor, request=None):
    """Erase a respondent's identified data on request: the address, every link, the saved draft,
    and in identified consultations their responses. In anonymous mode nothing links a response to
    the person, so the responses stay (and cannot be found)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.erased_at:
        raise ValidationError(_("This person's data has already been erased."))
    removed = 0
    if not invitation.consultation.anonymous:
        removed, _details = invitation.responses.all().delete()
    Draft.objects.filter(invitation=invitation).delete()
    invitation.links.all().delete()
    invitation.email = None
    invitation.erased_at = timezone.now()
    invitation.next_reminder_at = None
    invitation.save(update_fields=["email", "erased_at", "next_reminder_at"])
    audit_record(action="consultation.respondent_erased", actor=actor, organisation=invitation.organisation,
                 target=f"invitation {invitation.uuid}",
                 details={"consultation": str(invitation.consultation.uuid), "rows_deleted": removed},
                 request=request)
    return invitation


def consultation_emails_purge_due(*, now=None):
    """Delete every invitee address and link of consultations closed more than the retention period
    ago. Per invitation, on every run: addresses of people invited after a consultation was reopened
    (its closing date moved later) go once it has closed again, like the others. Returns how many
    addresses were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=email_retention_days())
    left = Q(Exists(Invitation.objects.filter(consultation=OuterRef("pk"), email__isnull=False))
             | Exists(InvitationLink.objects.filter(invitation__consultation=OuterRef("pk"))))
    due = Consultation.objects.filter(Q(closes_at__lte=cutoff) | Q(closed_at__lte=cutoff)).filter(left)
    purged = 0
    for consultation in due.select_related("organisation"):
        with transaction.atomic():
            count = consultation.invitations.exclude(email=None).update(email=None, next_reminder_at=None)
            InvitationLink.objects.filter(invitation__consultation=consultation).delete()
            # The last time addresses were deleted (a reopened consultation may be purged again).
            Consultation.objects.filter(pk=consultation.pk).update(emails_purged_at=now)
            if count:
                audit_record(action="consultation.emails_purged", organisation=consultation.organisation,
                             target=consultation.title, details={"uuid": str(consultation.uuid), "count": count,
                                                                 "retention_days": email_retention_days()})
        purged += count
    return purged


def drafts_purge_due(*, now=None):
    """Delete the drafts of every closed consultation: they can no longer be sent. A draft of a
    personal invitation is tied to the invitation, and so to the address, and its answers can match
    the response sent later: it is kept no longer than it is useful. (A consultation reopened after
    this run has lost its unsent drafts.) Returns how many drafts were deleted."""
    now = now or timezone.now()
    due = Consultation.objects.filter(Q(closes_at__lte=now) | Q(closed_at__lte=now)).filter(
        Exists(Draft.objects.filter(consultation=OuterRef("pk"))))
    deleted = 0
    for consultation in due.select_related("organisation"):
        with transaction.atomic():
            count, _details = Draft.objects.filter(consultation=consultation).delete()
            if count:
                audit_record(action="consultation.drafts_deleted", organisation=consultation.organisation,
                             target=consultation.title, details={"uuid": str(consultation.uuid), "count": count})
        deleted += count
    return deleted
