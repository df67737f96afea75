"""Demo content for "My practice" and the support log. The demo lead also supports another team: they
assessed themself twice, work on two competencies, keep notes (Sam, a colleague, comments on the
latest self-assessment) and log their contacts with a small practice; an outside coach logs theirs
with the demo organisation. Made-up data, idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tailorkit.core import services as core_services
from tailorkit.core.models import Membership, Organisation, Role, User
from tailorkit.library.models import Item

from . import services
from .models import DevelopmentPlan, Reflection, SelfAssessment, SupportContact
from .selectors import framework

# Levels (1–5) by competency code: first sitting, then five months later.
FIRST = {"co-learning": 3, "brokering": 2, "addressing-power-differentials": 2, "co-design": 2,
         "tailoring-support": 3, "assessing-needs-and-assets": 3, "understanding-context": 3,
         "applying-and-integrating-implementation-frameworks-strategies-and-approaches": 2, "facilitation": 3,
         "communication": 4, "conducting-improvement-cycles": 2, "growing-and-sustaining-relationships": 3,
         "developing-teams": 2, "building-capacity": 2, "cultivating-leaders-and-champions": 2}
LATER = {**FIRST, "brokering": 4, "co-design": 3, "conducting-improvement-cycles": 3, "developing-teams": 3,
         "communication": 4, "building-capacity": 3}
NOTES = [
    (150, "q1", "Most of my week goes to the two primary care teams. I explain less and ask more than I did a "
                "year ago, and the teams bring their own data to our meetings now."),
    (60, None, "The GP practice stalled on referrals again. Going through the barrier list with their "
               "practice manager showed the real problem was the booking system, not motivation."),
    (12, "q2", "I noticed I pushed my favourite strategy (educational meetings) too early. Next time I will "
               "let the team rank the options before I say anything."),
]


@transaction.atomic
def demo_practice_create(*, user, colleague):
    """Returns True when it made the rows, False when they were there already (or the pack is missing)."""
    guide = framework()
    if not guide.loaded or SelfAssessment.objects.filter(owner=user).exists():
        return False
    today = timezone.localdate()
    by_code = {c.code: c for c in guide.competencies}

    def levels(table):
        return {c.pk: table.get(code, 3) for code, c in by_code.items()}

    services.assessment_create(user=user, taken_on=today - timedelta(days=160), levels=levels(FIRST),
                               note="Before starting with the two primary care teams.")
    latest = services.assessment_create(user=user, taken_on=today - timedelta(days=14), levels=levels(LATER))
    services.assessment_share(assessment=latest, user=user, with_user=colleague)
    services.assessment_comment_add(assessment=latest, user=colleague,
                                    text="Agree on brokering: the link you made with the IT team unblocked us. "
                                         "Improvement cycles still feel new to both of us.")
    services.development_plan_create(user=user, competency=by_code["conducting-improvement-cycles"],
                                     plan="Run one small test of change with each team and review it together "
                                          "after four weeks.", review_on=today + timedelta(days=30))
    services.development_plan_create(user=user, competency=by_code["developing-teams"],
                                     plan="Ask each team to name who does what between meetings.",
                                     review_on=today + timedelta(days=45))
    services.development_plan_create(user=user, competency=by_code["brokering"],
                                     plan="Introduce the teams to the regional IT support desk.",
                                     status=DevelopmentPlan.Status.DONE)
    questions = {q.code: q for q in guide.questions}
    for days, code, text in NOTES:
        Reflection.objects.create(owner=user, written_on=today - timedelta(days=days), text=text,
                                  question=questions.get(code))
    return True


# --- The support log -----------------------------------------------------------------------------
COACH_EMAIL = "alex.coach@tailorkit.local"
SITE_NAME = "Riverside Primary Care Practice"
SITE_LEAD_EMAIL = "lead@riverside.tailorkit.local"

# (days ago, minutes, channel, kind, competency codes, ERIC strategy names, summary, next step or None)
COACH_CONTACTS = [
    (230, 90, "in_person", "training", ["co-learning"], ["Conduct educational meetings"],
     "Introduced the tailoring cycle to the whole team and agreed how we would work together.", None),
    (200, 60, "video", "co_creation", ["co-design", "facilitation"], [],
     "Wrote the project goal with the team lead and two therapists.", None),
    (170, 20, "phone", "responsive", ["tailoring-support"], [],
     "The team asked how to rate barriers when people disagree; talked it through.", None),
    (140, 75, "in_person", "co_creation", ["facilitation", "brokering"], ["Audit and provide feedback"],
     "Workshop on matching strategies to the two focused barriers.", ("Share the evidence table", 126)),
    (95, 45, "video", "co_creation", ["conducting-improvement-cycles"], ["Audit and provide feedback"],
     "Planned the first month of monthly feedback to GPs; set success criteria.", None),
    (60, 15, "email", "responsive", ["communication"], [],
     "Answered a question about the measure's definition.", None),
    (30, 60, "video", "co_creation", ["conducting-improvement-cycles", "developing-teams"], [],
     "Looked at the run chart together; the team decided to continue.", ("Send the slides for the board", 20)),
    (9, 30, "phone", "responsive", ["building-capacity"], [],
     "Helped the new team member find their way around the project.", ("Check in after the next team meeting", -14)),
]
LEAD_CONTACTS = [
    (160, 120, "in_person", "training", ["co-learning", "understanding-context"], ["Conduct educational meetings"],
     "Kick-off with the practice: what tailored implementation is and what the next months look like.", None),
    (120, 45, "video", "co_creation", ["assessing-needs-and-assets"], [],
     "Went through the barrier list with the practice manager.", None),
    (75, 30, "phone", "responsive", ["brokering"], [],
     "Put the practice in touch with the regional IT support desk about the booking system.", None),
    (40, 60, "in_person", "co_creation", ["co-design", "facilitation"], [],
     "Chose a strategy with the team and specified who does what.", ("Send the TIDieR draft", 33)),
    (12, 25, "video", "responsive", ["tailoring-support"], [],
     "The team lead asked for help with the first success criterion.", ("Review the criterion together", -10)),
]


def _log(organisation, supporter, rows, by_code, strategies, today, project=None):
    for days, minutes, channel, kind, codes, strategy_names, summary, step in rows:
        day = today - timedelta(days=days)
        follow_ups = [(step[0], today - timedelta(days=step[1]))] if step else []
        services.support_contact_create(
            organisation=organisation, supporter=supporter, contact_on=day, minutes=minutes, channel=channel,
            kind=kind, summary=summary, project=project if kind != "training" else None,
            competencies=[by_code[c] for c in codes if c in by_code],
            strategies=[strategies[n] for n in strategy_names if n in strategies], follow_ups=follow_ups)


@transaction.atomic
def demo_support_log_create(*, organisation, lead, project=None):
    """An outside coach's contacts with the demo organisation, and the demo lead's own contacts as a
    supporter of a small made-up practice. Returns True when it made them."""
    guide = framework()
    if not guide.loaded or SupportContact.objects.filter(organisation=organisation).exists():
        return False
    today = timezone.localdate()
    by_code = {c.code: c for c in guide.competencies}
    strategies = {i.name: i for i in Item.objects.filter(pack__slug="eric")}
    coach = User.objects.filter(email=COACH_EMAIL).first() or User.objects.create_user(
        email=COACH_EMAIL, password=None, name="Alex Coach")
    Membership.objects.get_or_create(organisation=organisation, user=coach, defaults={"role": Role.SUPPORTER})
    _log(organisation, coach, COACH_CONTACTS, by_code, strategies, today, project=project)
    site = Organisation.objects.filter(name=SITE_NAME).first()
    if site is None:
        site_lead = User.objects.filter(email=SITE_LEAD_EMAIL).first() or User.objects.create_user(
            email=SITE_LEAD_EMAIL, password=None, name="Robin Practice-Manager")
        site = core_services.organisation_create(user=site_lead, name=SITE_NAME, country="Netherlands")
    Membership.objects.get_or_create(organisation=site, user=lead, defaults={"role": Role.SUPPORTER})
    _log(site, lead, LEAD_CONTACTS, by_code, strategies, today)
    return True
