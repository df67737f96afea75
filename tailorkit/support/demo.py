"""Demo content for "My practice": the demo lead also supports other teams, and has assessed
themself twice, works on two competencies and keeps notes; Sam, a colleague, comments on the
latest self-assessment. Made-up data, idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .models import DevelopmentPlan, Reflection, SelfAssessment
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
