"""Create the demo organisation, its accounts and a demo project (idempotent). Used by `make run`.

It lives in the projects app because it builds a project; core stays free of imports from above.
"""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tailorkit.core import services
from tailorkit.core.models import Membership, Organisation, Role, User
from tailorkit.projects.demo import (
    demo_consultations_create,
    demo_effort_log,
    demo_engagement_record,
    demo_finished_project_create,
    demo_measures_create,
    demo_measures_link,
    demo_project_create,
    demo_stakeholder_map_create,
)
from tailorkit.projects.demo_practice import PEERS, PROJECTS, demo_practice_network_create

DEMO_MEMBER = "sam@tailorkit.local"

DEMO_EMAIL = "demo@tailorkit.local"
DEMO_ORG = "Demo Community Mental Health Service"


def _demo_password():
    # A random password kept in the data folder: the demo works again after a restart, and no
    # instance ships with a password known to everyone who has read the source.
    path = settings.DATA_DIR / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = ("Create (or refresh) the demo organisation, its implementation lead, a demo project with its "
            "consultations and a completed one, and a network of peer organisations that share practice counts.")

    @transaction.atomic
    def handle(self, *args, **options):
        password = _demo_password()
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(email=DEMO_EMAIL, password=password, name="Demo Lead")
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True})
        org = Organisation.objects.filter(memberships__user=user, name=DEMO_ORG).first()
        if org is None:
            org = services.organisation_create(
                user=user, name=DEMO_ORG, country="Netherlands", language="en", sector="mental_health"
            )
        Membership.objects.update_or_create(organisation=org, user=user, defaults={"role": Role.LEAD})
        member = User.objects.filter(email=DEMO_MEMBER).first()
        if member is None:
            # A colleague on the team; no usable password, the demo signs in as the lead only.
            member = User.objects.create_user(email=DEMO_MEMBER, password=None, name="Sam Therapist")
        Membership.objects.get_or_create(organisation=org, user=member, defaults={"role": Role.MEMBER})
        project, created = demo_project_create(organisation=org, lead=user, member=member)
        self.stdout.write(f"  Demo project: {project.name} ({'created' if created else 'already there'})")
        demo_stakeholder_map_create(project=project, lead=user)
        demo_consultations_create(project=project, lead=user)
        demo_engagement_record(project=project, lead=user, member=member)
        demo_effort_log(project=project, lead=user, member=member)
        measures = demo_measures_create(organisation=org, lead=user, member=member)
        demo_measures_link(project=project, measures=measures, lead=user)
        finished, created = demo_finished_project_create(organisation=org, lead=user, member=member)
        self.stdout.write(f"  Completed demo project: {finished.name} ({'created' if created else 'already there'})")
        made = demo_practice_network_create(demo_organisation=org, lead=user)
        self.stdout.write(f"  Peer network for “What worked elsewhere”: {len(PEERS)} organisations sharing counts, "
                          f"{len(PROJECTS)} projects ({'created' if made else 'already there'})")
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Demo organisation: {org.name}\n  Sign in at http://127.0.0.1:8000/accounts/login/\n"
                f"  Email:    {DEMO_EMAIL}\n  Password: {password}\n"
            )
        )
