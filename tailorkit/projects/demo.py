"""The demo project `make run` adds: an iCBT project part-way through the cycle (in step 3), so a
newcomer sees a realistic example at once. Built only through the services, like real work."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tailorkit.library.models import ContentPack, Item

from .models import APEASE, Project
from .services import goals, matching, planning
from .services import projects as project_services

DEMO_PROJECT = "Online CBT for depression in primary care"


def _item(pack, name):
    return Item.objects.get(pack=pack, name=name)


@transaction.atomic
def demo_project_create(*, organisation, lead, member):
    existing = Project.objects.filter(organisation=organisation, name=DEMO_PROJECT).first()
    if existing:
        return existing, False
    icbt = ContentPack.objects.get(slug="icbt-determinants")
    eric = ContentPack.objects.get(slug="eric")
    project = project_services.project_create(
        organisation=organisation, user=lead, name=DEMO_PROJECT,
        service="Therapist-guided internet CBT for adults with depression", determinant_pack=icbt,
        strategy_pack=eric, team=[lead, member], started_on=timezone.localdate() - timedelta(days=21))
    goal = goals.goal_create(
        project=project, user=lead, target_group="Adults with mild to moderate depression referred by their GP",
        end_goal="Half of eligible referrals are offered online CBT within two weeks of referral.", emphasis="Reach")
    goals.goal_create(project=project, user=member, target_group="Therapists in the talking therapies team",
                      end_goal="Every therapist has guided at least three online CBT patients.",
                      emphasis="Confidence")
    awareness = goals.barrier_add_from_pack(
        project=project, user=lead, item=_item(icbt, "Awareness"),
        notes="Many GPs do not know that online CBT is available here, so they rarely mention it.")
    skills = goals.barrier_add_from_pack(project=project, user=member, item=_item(icbt, "Skills and competences"))
    time = goals.barrier_add_from_pack(project=project, user=member, item=_item(icbt, "Time"),
                                       notes="Therapists say guiding online patients comes on top of a full list.")
    referral = goals.barrier_add_custom(project=project, user=lead, name="Referral letters do not mention online CBT",
                                        category="Referral pathway")
    goals.ratings_save(project=project, user=lead, ratings={awareness.pk: (5, 4), skills.pk: (3, 4),
                                                            time.pk: (4, 2), referral.pk: (4, 5)})
    goals.ratings_save(project=project, user=member, ratings={awareness.pk: (4, 4), skills.pk: (4, 3),
                                                              time.pk: (5, 2), referral.pk: (3, 4)})
    iteration = project.iterations.get(number=1)
    goals.focus_set(project=project, user=lead, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[awareness])
    champions = matching.option_add_from_pack(project=project, user=lead, barrier=awareness,
                                              item=_item(eric, "Identify and prepare champions"))
    meetings = matching.option_add_from_pack(project=project, user=member, barrier=awareness,
                                             item=_item(eric, "Conduct educational meetings"))
    video = matching.option_add_custom(project=project, user=member, barrier=awareness,
                                       name="Two-minute video for GP practices",
                                       description="A short film showing how a patient starts online CBT.")
    scores = {champions: [5, 4, 4, 4, 5, 4], meetings: [4, 3, 3, 3, 5, 4], video: [4, 5, 2, 5, 5, 3]}
    for option, ratings in scores.items():
        matching.appraisal_save(project=project, user=lead, option=option,
                                values={c: (r, "") for c, r in zip(APEASE, ratings, strict=True)},
                                versions={c: 0 for c in APEASE})
    iteration.refresh_from_db()
    matching.option_choose(project=project, user=lead, iteration=iteration, option=champions, version=iteration.version,
                           justification="Rated best on acceptability and effectiveness; GPs trust a colleague more "
                                      "than a leaflet.")
    iteration.refresh_from_db()
    planning.spec_save(iteration=iteration, user=lead, version=None, data={
        "brief_name": "GP champions for online CBT",
        "why": "GPs rarely offer online CBT because they do not know it exists or how it works.",
        "actor": "Two GPs who already refer to online CBT, supported by the iCBT lead therapist.",
        "action": "Present online CBT at practice meetings and answer colleagues' questions.",
        "action_target": "GPs and practice nurses in the six practices that refer most.",
        "temporality": "Starting next month, one practice every two weeks.",
        "dose": "One 20-minute slot per practice, plus a follow-up email.",
    })
    today = timezone.localdate()
    planning.task_create(iteration=iteration, user=lead, title="Ask two GPs to become champions", owner=lead,
                         due_date=today + timedelta(days=7), status="doing")
    planning.task_create(iteration=iteration, user=lead, title="Prepare a one-page guide to referring", owner=member,
                         due_date=today + timedelta(days=14))
    planning.task_create(iteration=iteration, user=lead, title="Book practice meeting slots", owner=member,
                         due_date=today + timedelta(days=21))
    planning.criterion_create(iteration=iteration, user=lead,
                              description="Share of eligible referrals offered online CBT", target_value=50,
                              target_unit="%", target_date=today + timedelta(days=90))
    return project, True
