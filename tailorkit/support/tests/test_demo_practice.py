"""The demo shows "My practice" with realistic content (make run), and running it again adds nothing."""

import io

from django.core.management import call_command
from django.urls import reverse

from tailorkit.core.models import User
from tailorkit.support.models import AssessmentComment, DevelopmentPlan, Reflection, SelfAssessment, SupportContact


def test_the_demo_lead_has_a_practice_to_look_at(db, client):
    call_command("load_packs", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    for _ in range(2):
        call_command("seed_demo_practice", stdout=io.StringIO())
    lead = User.objects.get(email="demo@tailorkit.local")
    assert SelfAssessment.objects.filter(owner=lead).count() == 2
    assert DevelopmentPlan.objects.filter(owner=lead, status="active").count() == 2
    assert Reflection.objects.filter(owner=lead).count() == 3
    assert AssessmentComment.objects.get().author.email == "sam@tailorkit.local"
    client.force_login(lead)
    page = client.get(reverse("support:growth")).content.decode()
    assert "What changed from" in page and '<span class="change-up">+2</span>' in page
    assert "Conducting improvement cycles" in page
    # The support log: the demo organisation received a coach's support; the lead supports another practice.
    org = lead.memberships.get(role="lead").organisation
    assert SupportContact.objects.filter(organisation=org, supporter__email="alex.coach@tailorkit.local").count() == 8
    site = client.get(reverse("support:site_support", args=[org.slug])).content.decode()
    assert "Alex Coach" in site and "Co-creation with the team" in site
    mine = client.get(reverse("support:my_log")).content.decode()
    assert "Riverside Primary Care Practice" in mine and "Review the criterion together" in mine
    assert SupportContact.objects.filter(supporter=lead).count() == 5
