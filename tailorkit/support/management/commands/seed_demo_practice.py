"""Add "My practice" demo content to the demo lead made by ``seed_demo`` (idempotent; `make run`).

A command of its own because the support app sits above projects, where ``seed_demo`` lives."""

from django.core.management.base import BaseCommand

from tailorkit.core.models import Organisation, User
from tailorkit.projects.management.commands.seed_demo import DEMO_EMAIL, DEMO_MEMBER, DEMO_ORG
from tailorkit.projects.models import Project
from tailorkit.support.demo import demo_practice_create, demo_support_log_create


class Command(BaseCommand):
    help = ("Give the demo lead self-assessments, plans, notes and a support log under My practice, and the demo "
            "organisation a coach's contacts (run after seed_demo).")

    def handle(self, *args, **options):
        user, colleague = User.objects.filter(email=DEMO_EMAIL).first(), User.objects.filter(email=DEMO_MEMBER).first()
        if user is None or colleague is None:
            self.stderr.write("Run seed_demo first: there is no demo lead yet.")
            return
        made = demo_practice_create(user=user, colleague=colleague)
        state = "created" if made else "already there"
        self.stdout.write(f"  My practice: two self-assessments, plans and notes ({state})")
        org = Organisation.objects.filter(memberships__user=user, name=DEMO_ORG).first()
        project = Project.objects.filter(organisation=org).order_by("pk").first()
        made = demo_support_log_create(organisation=org, lead=user, project=project)
        state = "created" if made else "already there"
        self.stdout.write(f"  Support log: an outside coach's contacts with the demo organisation, and the demo lead's "
                          f"with another practice ({state})")
