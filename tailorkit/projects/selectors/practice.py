"""What worked elsewhere: practice-based evidence from the projects on this Tailorkit (issue 12, point 4).

For a barrier from a determinant list, which strategies of the project's catalogue the projects of
*other* organisations chose for the same determinant, and what came of it. This is evidence from
practice on this server, not expert evidence from the literature, and the page labels it so.

The rule, applied here and nowhere else:

- **Who counts.** Only projects of organisations that opted in
  (``Organisation.shares_practice_evidence``, off by default, changed by a lead on the
  organisation's settings page), and never the asking project's own organisation: its own choices
  are already shown beside the suggestions (``projects.suggestions``). An organisation that stops
  sharing drops out of every figure at once, since the opt-in is read on every request.
- **What a figure is.** One strategy item (of the asking project's strategy catalogue) chosen in
  some iteration for a barrier whose item is the determinant asked about (``Iteration.chosen_option``
  → ``StrategyOption.item`` and ``StrategyOption.barrier.item``). Custom barriers and custom
  strategies never count: their names are the team's own words, and words are never shared.
- **Counting.** Each project counts once per figure, however many iterations it spent on it. Its
  outcome is its latest decision on an iteration of that figure: stopped as a success, continued,
  went back (to the goals, the barriers, the strategy or the plan), stopped for another reason, or
  no decision yet; so these add up to the number of projects. Success criteria are those of the
  project's latest iteration of the figure (criteria are copied when a team goes back, so earlier
  iterations would count them twice), each with its latest verdict; "assessed" means judged met or
  not met ("not yet" and "unclear" are not assessed).
- **Threshold.** A figure is shown only when at least ``MIN_PROJECTS`` projects from at least
  ``MIN_ORGANISATIONS`` organisations stand behind it, and every count shown (decisions, criteria)
  is part of a figure that passed; nothing is shown about a figure that did not. The numbers 5 and
  3 are the product decision of issue 12, not a value taken from the literature.
- **Nothing identifying.** No name or id of an organisation, project or person leaves this module;
  a figure carries the strategy item and counts only.

The aggregation runs in the database in a constant number of queries (at most four), whatever the
number of barriers, projects or organisations.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery

from tailorkit.core.models import Organisation
from tailorkit.library.models import Item

from ..models import Decision, Iteration, Judgement, SuccessCriterion

MIN_PROJECTS = 5
MIN_ORGANISATIONS = 3

Kind = Decision.Kind
WENT_BACK = [Kind.BACK_GOALS, Kind.BACK_BARRIERS, Kind.BACK_STRATEGY, Kind.BACK_PLAN]
ASSESSED = [Judgement.Verdict.MET, Judgement.Verdict.NOT_MET]


@dataclass
class PracticeFigure:
    """What the projects of other organisations did with one strategy for one determinant."""

    strategy: Item
    projects: int
    organisations: int
    success: int            # projects whose latest decision was "stop: the strategy worked"
    continued: int
    went_back: int
    stopped_other: int
    criteria_met: int
    criteria_assessed: int

    @property
    def undecided(self):
        return self.projects - self.success - self.continued - self.went_back - self.stopped_other


@dataclass
class BarrierPractice:
    """The figures for one barrier, with what the page says around them."""

    figures: list = field(default_factory=list)
    organisations_sharing: int = 0      # other organisations that share counts (shown only with figures)
    min_projects: int = MIN_PROJECTS
    min_organisations: int = MIN_ORGANISATIONS


@dataclass
class PracticeEvidence:
    by_item: dict = field(default_factory=dict)    # determinant item id → [PracticeFigure]
    organisations_sharing: int = 0

    def for_item(self, item_id):
        return BarrierPractice(figures=self.by_item.get(item_id, []), organisations_sharing=self.organisations_sharing)


def _shared(queryset, project, via=""):
    """``queryset`` narrowed to rows of other organisations that opted in, whose iteration (reached
    through ``via``) chose a strategy of the project's catalogue."""
    return (queryset.filter(**{f"{via}organisation__shares_practice_evidence": True,
                               f"{via}chosen_option__item__pack_id": project.strategy_pack_id})
            .exclude(**{f"{via}organisation_id": project.organisation_id}))


def _same_figure(via=""):
    """Lookups tying a subquery's iteration to the outer row's project and figure."""
    return {"project_id": OuterRef(f"{via}project_id"),
            "chosen_option__item_id": OuterRef(f"{via}chosen_option__item_id"),
            "chosen_option__barrier__item_id": OuterRef(f"{via}chosen_option__barrier__item_id")}


def _figures(project, item_ids):
    """(determinant, strategy) → counts, for the figures that pass the threshold (one query)."""
    latest_decision = (Decision.objects.filter(**{f"iteration__{k}": v for k, v in _same_figure().items()})
                       .order_by("-decided_at", "-pk").values("kind")[:1])
    rows = (_shared(Iteration.objects, project)
            .filter(chosen_option__barrier__item_id__in=item_ids)
            .annotate(outcome=Subquery(latest_decision))
            .values(determinant=F("chosen_option__barrier__item_id"), strategy=F("chosen_option__item_id"))
            .annotate(projects=Count("project_id", distinct=True),
                      organisations=Count("organisation_id", distinct=True),
                      success=Count("project_id", distinct=True, filter=Q(outcome=Kind.SUCCESS)),
                      continued=Count("project_id", distinct=True, filter=Q(outcome=Kind.CONTINUE)),
                      went_back=Count("project_id", distinct=True, filter=Q(outcome__in=WENT_BACK)),
                      stopped_other=Count("project_id", distinct=True, filter=Q(outcome=Kind.STOP_OTHER)))
            .filter(projects__gte=MIN_PROJECTS, organisations__gte=MIN_ORGANISATIONS)
            .order_by())
    return {(r.pop("determinant"), r.pop("strategy")): r for r in rows}


def _criteria(project, figures):
    """(determinant, strategy) → (met, assessed) for ``figures`` (one query)."""
    latest_iteration = (Iteration.objects.filter(**_same_figure("iteration__"))
                        .order_by("-number").values("number")[:1])
    latest_verdict = (Judgement.objects.filter(criterion_id=OuterRef("pk"))
                      .order_by("-review__review_date", "-review_id").values("verdict")[:1])
    rows = (_shared(SuccessCriterion.objects, project, via="iteration__")
            .filter(iteration__chosen_option__barrier__item_id__in={d for d, _s in figures},
                    iteration__chosen_option__item_id__in={s for _d, s in figures},
                    iteration__number=Subquery(latest_iteration))
            .annotate(verdict=Subquery(latest_verdict))
            .values(determinant=F("iteration__chosen_option__barrier__item_id"),
                    strategy=F("iteration__chosen_option__item_id"))
            .annotate(met=Count("pk", filter=Q(verdict=Judgement.Verdict.MET)),
                      assessed=Count("pk", filter=Q(verdict__in=ASSESSED)))
            .order_by())
    return {(r["determinant"], r["strategy"]): (r["met"], r["assessed"]) for r in rows}


def practice_evidence(*, project, item_ids):
    """The practice-based figures for the determinants ``item_ids``, as seen from ``project``
    (see the module's docstring for the rule). At most four queries."""
    item_ids = {i for i in item_ids if i}
    if not item_ids:
        return PracticeEvidence()
    figures = _figures(project, item_ids)
    if not figures:
        return PracticeEvidence()
    criteria = _criteria(project, figures)
    strategies = Item.objects.select_related("pack", "category").in_bulk({s for _d, s in figures})
    sharing = (Organisation.objects.filter(shares_practice_evidence=True)
               .exclude(pk=project.organisation_id).count())
    by_item = {}
    for (determinant, strategy), counts in figures.items():
        met, assessed = criteria.get((determinant, strategy), (0, 0))
        by_item.setdefault(determinant, []).append(PracticeFigure(
            strategy=strategies[strategy], criteria_met=met, criteria_assessed=assessed, **counts))
    for found in by_item.values():
        found.sort(key=lambda f: (-f.projects, -f.success, f.strategy.name.lower()))
    return PracticeEvidence(by_item=by_item, organisations_sharing=sharing)
