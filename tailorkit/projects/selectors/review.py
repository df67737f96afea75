"""Apply and review: an iteration's reviews with a judgement per success criterion."""

from django.db.models import Prefetch

from ..models import Judgement, Review


def reviews_of(iteration):
    """The reviews of ``iteration``, oldest first, with who recorded them and their judgements."""
    judgements = Judgement.objects.select_related("criterion").order_by("criterion_id")
    return list(
        Review.objects.filter(iteration=iteration)
        .select_related("created_by")
        .prefetch_related(Prefetch("judgements", queryset=judgements))
    )


def review_with_judgements(review):
    """One review with its judgements, e.g. again after a write."""
    return Review.objects.prefetch_related("judgements").get(pk=review.pk)
