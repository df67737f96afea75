"""Background work for the core app (run by the db_worker; immediately in tests)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task


@task()
def send_invitation_email(invitation_id, token, base_url=None):
    from .models import Invitation

    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse("core:invitation_open", args=[token])
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=render_to_string("core/email/invitation_subject.txt", context).strip(),
        message=render_to_string("core/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
