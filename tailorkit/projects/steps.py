"""The steps of the tailoring cycle, written down once; everything else reads them from here.

The process follows the ItFits-toolkit (Finch et al., Implement Sci 2024;19:48, Tables 1–2): 0
set-up, 1 identify goals and barriers, 2 match strategies, 3 design and plan, 4 apply and review.
The guidance is in Tailorkit's own words; the six guiding principles it points to are read from the
`tailoring-principles` pack (see ``guidance.py``).

Each step has: its code (the value stored in ``Project.step`` and ``EffortEntry.step``, from the
``Step`` choices of the model, which migrations need), its number, its label (the choice label),
the short label of the process map, the URL name of its page, the code the principles pack uses for
it, the guidance (summary and actions), and the consultation template its "Ask stakeholders" button
makes (``stakeholders.py``).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tailorkit.consultations.models import ConsultationTemplate

from .models import Step


@dataclass(frozen=True)
class StepInfo:
    code: str
    number: int
    short_label: str
    url_name: str | None            # the step page; set-up has none (its page is the project form)
    principles_code: str            # the pack's ``where_it_matters`` code
    summary: str
    actions: tuple
    consultation_template: str | None = None

    @property
    def label(self):
        return Step(self.code).label

    @property
    def guidance(self):
        return {"summary": self.summary, "actions": self.actions}


STEPS = (
    StepInfo(
        code=Step.SETUP, number=0, short_label=_("Set up"), url_name=None, principles_code="setup",
        summary=_("Name the project, the service you want used, and the people who will do the work."),
        actions=(_("Choose the barrier list and strategy catalogue that fit your service."),
                 _("Add the leads and core team members who will work on the project."),
                 _("Think about which stakeholders you will want to ask along the way.")),
    ),
    StepInfo(
        code=Step.GOALS, number=1, short_label=_("1 · Goals and barriers"), url_name="projects:project_step_goals",
        principles_code="goals-barriers", consultation_template=ConsultationTemplate.BARRIER_PRIORITISATION,
        summary=_("Agree what you want to achieve and what stands in the way, then pick one goal and one "
                  "barrier to work on first."),
        actions=(_("Write a goal: who should benefit, what should change, and what matters most."),
                 _("Add barriers from the list or in your own words."),
                 _("Each team member rates how important and how changeable each barrier is."),
                 _("Choose the focus: the goal and the barrier you will tackle in this round.")),
    ),
    StepInfo(
        code=Step.MATCH, number=2, short_label=_("2 · Match strategies"), url_name="projects:project_step_match",
        principles_code="match-strategies", consultation_template=ConsultationTemplate.STRATEGY_APPRAISAL,
        summary=_("Look at strategies that could overcome the focused barrier, weigh them up, and choose one."),
        actions=(_("Read the suggestions and the evidence behind each one."),
                 _("Add your own ideas as custom strategies."),
                 _("Rate each candidate on the APEASE criteria."),
                 _("Choose one strategy and write down why.")),
    ),
    StepInfo(
        code=Step.PLAN, number=3, short_label=_("3 · Design and plan"), url_name="projects:project_step_plan",
        principles_code="design-plan", consultation_template=ConsultationTemplate.PLAN_FEEDBACK,
        summary=_("Describe the strategy precisely enough that someone else could carry it out, break it into "
                  "tasks, and decide in advance how you will know it worked."),
        actions=(_("Fill in who does what, for whom, when, how often and why."),
                 _("Create tasks with an owner and a due date."),
                 _("Set success criteria, with a number and a date where you can.")),
    ),
    StepInfo(
        code=Step.REVIEW, number=4, short_label=_("4 · Apply and review"), url_name="projects:project_step_review",
        principles_code="apply-review", consultation_template=ConsultationTemplate.IMPACT_REVIEW,
        summary=_("Carry out the plan, look at what happened, judge your success criteria, and decide what "
                  "comes next."),
        actions=(_("Record what was done and the evidence you have."),
                 _("Judge each success criterion: met, not met or unclear."),
                 _("Decide: stop because it worked, continue, or go back to an earlier step.")),
    ),
)

BY_CODE = {info.code: info for info in STEPS}
# The four steps with a page of their own (everything but set-up), in order.
CYCLE = tuple(info for info in STEPS if info.url_name)


def get(code):
    """The step with this code, or None for an unknown code."""
    return BY_CODE.get(code)


def is_before(code, other):
    """Does step ``code`` come before step ``other`` in the cycle?"""
    return BY_CODE[code].number < BY_CODE[other].number


def for_template(template):
    """The step whose "Ask stakeholders" button makes ``template``, or None."""
    return next((info for info in CYCLE if info.consultation_template == template), None)
