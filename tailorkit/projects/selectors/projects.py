"""Projects with what their pages and API answers show, in a fixed number of queries."""

from django.db.models import Count, Prefetch

from ..models import Barrier, BarrierRating, Goal, Iteration, Project, Review, StrategyOption


def project_queryset(organisation):
    """The organisation's projects with their owner, packs and team."""
    return (Project.objects.filter(organisation=organisation)
            .select_related("owner", "determinant_pack", "strategy_pack").prefetch_related("team"))


# The API's project detail carries this many iterations, the newest; the iterations route pages through
# all of them. A project that went round the cycle a thousand times must not make a 1 MB answer.
ITERATIONS_IN_DETAIL = 10


def project_detail_queryset(organisation):
    """As ``project_queryset``, with every goal, barrier and option of each project, its newest
    ``ITERATIONS_IN_DETAIL`` iterations (``latest_iterations``, newest first) and how many
    iterations it has (``n_iterations``)."""
    return project_queryset(organisation).annotate(n_iterations=Count("iterations")).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("created_at", "id")),
        Prefetch("barriers", queryset=Barrier.objects.select_related("item__pack").prefetch_related(
            Prefetch("ratings", queryset=BarrierRating.objects.all()))),
        Prefetch("strategyoptions", queryset=StrategyOption.objects.select_related("item__pack")
                 .prefetch_related("appraisals")),
        Prefetch("iterations", to_attr="latest_iterations",
                 queryset=Iteration.objects.order_by("-number").select_related("specification")
                 .prefetch_related("focus", "tasks__owner", "criteria", "decisions__decided_by",
                                   Prefetch("reviews", queryset=Review.objects.prefetch_related("judgements")))
                 [:ITERATIONS_IN_DETAIL]),
    )
