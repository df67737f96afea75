"""Guidance for each step of the tailoring cycle, in Tailorkit's own words.

The process and its six guiding principles follow the ItFits-toolkit (Finch et al., Implement Sci
2024;19:48, Table 1); the principles themselves are read from the `tailoring-principles` pack.
"""

from django.utils.translation import gettext_lazy as _

from .models import Step

# Step → the code used in the principles pack's `where_it_matters` attribute.
PACK_STEP = {Step.SETUP: "setup", Step.GOALS: "goals-barriers", Step.MATCH: "match-strategies",
             Step.PLAN: "design-plan", Step.REVIEW: "apply-review"}

GUIDANCE = {
    Step.SETUP: {
        "summary": _("Name the project, the service you want used, and the people who will do the work."),
        "actions": [_("Choose the barrier list and strategy catalogue that fit your service."),
                    _("Add the leads and core team members who will work on the project."),
                    _("Think about which stakeholders you will want to ask along the way.")],
    },
    Step.GOALS: {
        "summary": _("Agree what you want to achieve and what stands in the way, then pick one goal and one "
                     "barrier to work on first."),
        "actions": [_("Write a goal: who should benefit, what should change, and what matters most."),
                    _("Add barriers from the list or in your own words."),
                    _("Each team member rates how important and how changeable each barrier is."),
                    _("Choose the focus: the goal and the barrier you will tackle in this round.")],
    },
    Step.MATCH: {
        "summary": _("Look at strategies that could overcome the focused barrier, weigh them up, and choose one."),
        "actions": [_("Read the suggestions and the evidence behind each one."),
                    _("Add your own ideas as custom strategies."),
                    _("Rate each candidate on the APEASE criteria."),
                    _("Choose one strategy and write down why.")],
    },
    Step.PLAN: {
        "summary": _("Describe the strategy precisely enough that someone else could carry it out, break it into "
                     "tasks, and decide in advance how you will know it worked."),
        "actions": [_("Fill in who does what, for whom, when, how often and why."),
                    _("Create tasks with an owner and a due date."),
                    _("Set success criteria, with a number and a date where you can.")],
    },
    Step.REVIEW: {
        "summary": _("Carry out the plan, look at what happened, judge your success criteria, and decide what "
                     "comes next."),
        "actions": [_("Record what was done and the evidence you have."),
                    _("Judge each success criterion: met, not met or unclear."),
                    _("Decide: stop because it worked, continue, or go back to an earlier step.")],
    },
}


def principles_for(step, principles):
    """The principles (library Items) that matter in ``step``."""
    code = PACK_STEP[step]
    return [p for p in principles if code in str(p.attributes.get("where_it_matters", ""))]


def load_principles():
    from tailorkit.library.models import Item

    items = Item.objects.filter(pack__slug="tailoring-principles", category__isnull=False).order_by("order", "id")
    # Filtered in Python: excluding on a JSON key also drops rows that lack the key (SQL NULL).
    return [item for item in items if not item.is_retired]
