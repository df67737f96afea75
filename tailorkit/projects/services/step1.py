"""Step 1 – goals and barriers (issue 3, point 3): the only write path for goals, barriers, the
team's barrier ratings and the focus of an iteration, plus the read-side ranking of barriers.

Prioritising by importance and changeability follows the ItFits-toolkit's step 1 (Finch et al.,
Implement Sci 2024;19:48, Table 1): barriers that matter most *and* that the team can change rank
highest.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned

from ..models import STEP_ORDER, Barrier, BarrierRating, Focus, Goal, Iteration, Step
from .projects import project_set_step, project_touch
from .validation import length_errors

GOAL_FIELDS = ("target_group", "end_goal", "emphasis")


def _required(errors, key, value, message):
    if not (value or "").strip():
        errors[key] = message


def _check_lengths(model, values, errors):
    for name, message in length_errors(model, values).items():
        errors.setdefault(name, message)


# --- goals -----------------------------------------------------------------------------------------


def _goal_values(target_group, end_goal, emphasis):
    values = {"target_group": (target_group or "").strip(), "end_goal": (end_goal or "").strip(),
              "emphasis": (emphasis or "").strip()}
    errors = {}
    _required(errors, "target_group", values["target_group"], _("Say who should benefit."))
    _required(errors, "end_goal", values["end_goal"], _("Say what should be different when you succeed."))
    _check_lengths(Goal, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def goal_create(*, project, user, target_group, end_goal, emphasis=""):
    values = _goal_values(target_group, end_goal, emphasis)
    goal = Goal(organisation=project.organisation, project=project, created_by=user, **values)
    goal.full_clean()
    goal.save()
    project_touch(project)
    return goal


@transaction.atomic
def goal_update(*, project, user, goal, version, target_group, end_goal, emphasis=""):
    values = _goal_values(target_group, end_goal, emphasis)
    goal = apply_versioned(Goal, pk=goal.pk, project=project, expected_version=version, changes=values)
    project_touch(project)
    return goal


@transaction.atomic
def goal_delete(*, project, user, goal):
    Goal.objects.filter(project=project, pk=goal.pk).delete()
    project_touch(project)


# --- barriers --------------------------------------------------------------------------------------


@transaction.atomic
def barrier_add_from_pack(*, project, user, item, notes=""):
    """Add a determinant of the project's own list. An item of any other pack is refused."""
    if item is None or item.pack_id != project.determinant_pack_id:
        raise ValidationError({"item": _("That barrier is not in this project's barrier list (%(pack)s). "
                                         "Pick one from the list below or add it as a custom barrier.")
                                         % {"pack": project.determinant_pack.name}})
    if item.is_retired:
        raise ValidationError({"item": _("“%(name)s” is no longer part of the current barrier list.")
                                       % {"name": item.name}})
    if Barrier.objects.filter(project=project, item=item).exists():
        raise ValidationError({"item": _("“%(name)s” is already on your list.") % {"name": item.name}})
    values = {"notes": (notes or "").strip()}
    errors = {}
    _check_lengths(Barrier, values, errors)
    if errors:
        raise ValidationError(errors)
    barrier = Barrier(organisation=project.organisation, project=project, item=item, created_by=user, **values)
    barrier.full_clean()
    barrier.save()
    project_touch(project)
    return barrier


def _custom_values(name, category, notes):
    values = {"custom_name": (name or "").strip(), "custom_category": (category or "").strip(),
              "notes": (notes or "").strip()}
    errors = {}
    _required(errors, "custom_name", values["custom_name"], _("Name the barrier."))
    _required(errors, "custom_category", values["custom_category"],
              _("Give the barrier a category, e.g. one of the groups of your barrier list."))
    _check_lengths(Barrier, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def barrier_add_custom(*, project, user, name, category, notes=""):
    values = _custom_values(name, category, notes)
    barrier = Barrier(organisation=project.organisation, project=project, created_by=user, **values)
    barrier.full_clean()
    barrier.save()
    project_touch(project)
    return barrier


@transaction.atomic
def barrier_update(*, project, user, barrier, version, notes, name=None, category=None):
    """Edit the notes (any barrier) and the name and category (custom barriers only)."""
    if barrier.is_custom:
        changes = _custom_values(name, category, notes)
    else:
        changes = {"notes": (notes or "").strip()}
        errors = {}
        _check_lengths(Barrier, changes, errors)
        if errors:
            raise ValidationError(errors)
    barrier = apply_versioned(Barrier, pk=barrier.pk, project=project, expected_version=version, changes=changes)
    project_touch(project)
    return barrier


@transaction.atomic
def barrier_delete(*, project, user, barrier):
    # A chosen strategy is protected (Iteration.chosen_option); say so instead of a ProtectedError.
    if Iteration.objects.filter(project=project, chosen_option__barrier=barrier).exists():
        raise ValidationError(_("A strategy chosen in an iteration is attached to this barrier; choose another "
                                "strategy first, then delete the barrier."))
    Barrier.objects.filter(project=project, pk=barrier.pk).delete()
    project_touch(project)


# --- ratings ---------------------------------------------------------------------------------------


def parse_rating(value, label):
    """A rating is a whole number from 1 to 5; returns it, or raises ValueError with a message."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("%(label)s must be a whole number from 1 to 5, not “%(value)s”.")
                         % {"label": label, "value": value}) from None
    if not 1 <= number <= 5:
        raise ValueError(_("%(label)s must be from 1 to 5, not %(value)d.") % {"label": label, "value": number})
    return number


@transaction.atomic
def ratings_save(*, project, user, ratings):
    """Save ``user``'s ratings: ``{barrier_id: (importance, changeability)}``. Both blank leaves a
    barrier unrated. Every row is checked first; errors are keyed ``"<barrier_id>"`` and nothing is
    saved if any row is wrong. Each person edits only their own rating, so no version check."""
    barriers = {b.pk: b for b in Barrier.objects.filter(project=project, pk__in=list(ratings))}
    errors, clean = {}, {}
    for barrier_id, (importance, changeability) in ratings.items():
        if barrier_id not in barriers:
            errors[str(barrier_id)] = _("This barrier is not part of the project.")
            continue
        blank_i, blank_c = importance in (None, ""), changeability in (None, "")
        if blank_i and blank_c:
            continue
        problems = []
        values = []
        for value, blank, label in ((importance, blank_i, _("Importance")), (changeability, blank_c,
                                                                            _("Changeability"))):
            if blank:
                problems.append(_("%(label)s is missing: rate both or neither.") % {"label": label})
                continue
            try:
                values.append(parse_rating(value, label))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            errors[str(barrier_id)] = " ".join(problems)
        else:
            clean[barrier_id] = values
    if errors:
        raise ValidationError(errors)
    existing = {r.barrier_id: r for r in BarrierRating.objects.select_for_update()
                .filter(barrier_id__in=list(clean), rated_by=user)}
    for barrier_id, (importance, changeability) in clean.items():
        rating = existing.get(barrier_id)
        if rating is None:
            BarrierRating.objects.create(organisation=project.organisation, barrier_id=barrier_id, rated_by=user,
                                         importance=importance, changeability=changeability)
        elif (rating.importance, rating.changeability) != (importance, changeability):
            rating.importance, rating.changeability = importance, changeability
            rating.version += 1
            rating.save()
    project_touch(project)
    return len(clean)


# --- ranking ---------------------------------------------------------------------------------------


@dataclass
class RankedBarrier:
    barrier: Barrier
    n: int = 0
    mean_importance: float | None = None
    mean_changeability: float | None = None
    # Optional second source, e.g. consultations.stakeholder_ratings(): (importance, changeability, n).
    stakeholder: tuple | None = None
    rank: int | None = None
    my_rating: BarrierRating | None = None
    focused: bool = False
    ratings: list = field(default_factory=list)

    @property
    def score(self):
        """Team priority: mean importance × mean changeability (1–25)."""
        if self.mean_importance is None:
            return None
        return self.mean_importance * self.mean_changeability

    @property
    def stakeholder_score(self):
        if not self.stakeholder or not self.stakeholder[2]:
            return None
        return self.stakeholder[0] * self.stakeholder[1]

    @property
    def combined_importance(self):
        return _combine(self.mean_importance, self.stakeholder_mean(0))

    @property
    def combined_changeability(self):
        return _combine(self.mean_changeability, self.stakeholder_mean(1))

    @property
    def combined_score(self):
        i, c = self.combined_importance, self.combined_changeability
        return None if i is None or c is None else i * c

    def stakeholder_mean(self, index):
        if not self.stakeholder or not self.stakeholder[2]:
            return None
        return self.stakeholder[index]


def _combine(team, stakeholders):
    # The team and its stakeholders count half each, whatever their numbers, so a large survey
    # does not drown out the team (nor the reverse) – "be open" without giving up ownership.
    values = [v for v in (team, stakeholders) if v is not None]
    return sum(values) / len(values) if values else None


def project_barriers(project):
    """The project's barriers with their library item, category and ratings in three queries."""
    return list(Barrier.objects.filter(project=project).select_related("item__category", "item__pack")
                .prefetch_related("ratings__rated_by"))


def ranked_barriers(project, stakeholder=None, *, barriers=None, user=None, focused_ids=()):
    """Barriers ranked by priority, best first.

    Ranking rule: the score is mean importance × mean changeability of the team's ratings (both
    1–5, so 1–25). When ``stakeholder`` ratings are given (``{barrier_id: (mean_importance,
    mean_changeability, n)}``, as returned by the consultations app's ``stakeholder_ratings``), the
    rank uses the *combined* score: the team's and the stakeholders' means count half each. Ties go
    to the higher importance, then to the name. Unrated barriers come last, unranked.
    """
    barriers = project_barriers(project) if barriers is None else barriers
    stakeholder = stakeholder or {}
    rows = []
    for barrier in barriers:
        ratings = list(barrier.ratings.all())
        row = RankedBarrier(barrier=barrier, n=len(ratings), ratings=ratings,
                            stakeholder=stakeholder.get(barrier.pk), focused=barrier.pk in set(focused_ids))
        if ratings:
            row.mean_importance = sum(r.importance for r in ratings) / len(ratings)
            row.mean_changeability = sum(r.changeability for r in ratings) / len(ratings)
        if user is not None:
            row.my_rating = next((r for r in ratings if r.rated_by_id == user.pk), None)
        rows.append(row)

    def key(row):
        score = row.combined_score if stakeholder else row.score
        importance = row.combined_importance if stakeholder else row.mean_importance
        return (score is None, -(score or 0), -(importance or 0), row.barrier.name.lower())

    rows.sort(key=key)
    rank = 0
    for row in rows:
        if (row.combined_score if stakeholder else row.score) is not None:
            rank += 1
            row.rank = rank
    return rows


# --- focus -----------------------------------------------------------------------------------------


def focus_of(iteration):
    """(goal ids, barrier ids) the iteration focuses on."""
    pairs = list(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    return [g for g, _b in pairs if g], [b for _g, b in pairs if b]


@transaction.atomic
def focus_set(*, project, user, iteration, version, goals, barriers, reason=""):
    """Set the goal(s) and barrier(s) of ``iteration``. One of each is the norm ("be focused",
    Finch et al. 2024, Table 1); more needs a written reason. Moves the project on to step 2."""
    goals, barriers, reason = list(goals), list(barriers), (reason or "").strip()
    errors = {}
    if any(g.project_id != project.pk for g in goals) or any(b.project_id != project.pk for b in barriers):
        raise ValidationError(_("Choose goals and barriers of this project."))
    if iteration.project_id != project.pk:
        raise ValidationError(_("That iteration belongs to another project."))
    if not goals:
        errors["goals"] = _("Choose the goal you will work on in this round.")
    if not barriers:
        errors["barriers"] = _("Choose the barrier you will tackle in this round.")
    if (len(goals) > 1 or len(barriers) > 1) and not reason:
        errors["reason"] = _("You chose more than one goal or barrier. “Be focused”: one of each works best. "
                             "If you still want more, say why.")
    if len(reason) > Iteration._meta.get_field("focus_reason").max_length:
        errors["reason"] = _("Keep the reason to %(n)d characters or fewer.") % {
            "n": Iteration._meta.get_field("focus_reason").max_length}
    if errors:
        raise ValidationError(errors)
    if len(goals) == 1 and len(barriers) == 1:
        reason = ""  # a reason is only recorded when the team chose to go wider
    iteration = apply_versioned(Iteration, pk=iteration.pk, project=project, expected_version=version,
                                changes={"focus_reason": reason})
    current = set(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    wanted = {(g.pk, None) for g in goals} | {(None, b.pk) for b in barriers}
    for goal_id, barrier_id in current - wanted:
        Focus.objects.filter(iteration=iteration, goal_id=goal_id, barrier_id=barrier_id).delete()
    for goal_id, barrier_id in wanted - current:
        Focus.objects.create(organisation=project.organisation, iteration=iteration, goal_id=goal_id,
                             barrier_id=barrier_id)
    if STEP_ORDER.index(project.step) < STEP_ORDER.index(Step.MATCH):
        project_set_step(project=project, user=user, step=Step.MATCH)
    project_touch(project)
    return iteration

