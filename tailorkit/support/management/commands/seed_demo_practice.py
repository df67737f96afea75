"""Add "My practice" demo content to the demo lead made by ``seed_demo`` (idempotent; `make run`).

A command of its own because the support app sits above projects, where ``seed_demo`` lives."""

from django.core.management.base import BaseCommand

from tailorkit.core.models import User
from tailorkit.projects.management.commands.seed_demo import DEMO_EMAIL, DEMO_MEMBER
from tailorkit.support.demo import demo_practice_create


class Command(BaseCommand):
    help = "Give the demo lead self-assessments, plans and notes under My practice (run after seed_demo)."

    def handle(self, *args, **options):
        user, colleague = User.objects.filter(email=DEMO_EMAIL).first(), User.objects.filter(email=DEMO_MEMBER).first()
        if user is None or colleague is None:
            self.stderr.write("Run seed_demo first: there is no demo lead yet.")
            return
        made = demo_practice_create(user=user, colleague=colleague)
        state = "created" if made else "already there"
        self.stdout.write(f"  My practice: two self-assessments, plans and notes ({state})")
