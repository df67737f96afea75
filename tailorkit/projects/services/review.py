"""Apply and review (issue 3, point 6): reviews with a judgement per success criterion,
and the decision that closes a pass through the cycle.

Going back (to goals, barriers, strategy or plan) starts a new iteration, following the cycle of
the ItFits-toolkit (Finch et al., Implement Sci 2024;19:48, Table 1: "go back to an earlier step").
The earlier iteration is left exactly as it was, so it stays readable as the record of that pass.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from tailorkit.core.locking import apply_versioned
from tailorkit.core.services import audit_record

from ..dates import review_date_error
from ..models import Decision, Focus, Iteration, Judgement, Project, Review, Specification, Step, SuccessCriterion, Task
from .projects import CLOSED, CLOSING, project_close, project_set_step, project_touch
from .validation import check_current, check_lengths

Kind = Decision.Kind

# Going back: which Iteration.back_to it records and which step the project returns to.
BACK = {
    Kind.BACK_GOALS: (Iteration.BackTo.GOALS, Step.GOALS),
    Kind.BACK_BARRIERS: (Iteration.BackTo.BARRIERS, Step.GOALS),
    Kind.BACK_STRATEGY: (Iteration.BackTo.STRATEGY, Step.MATCH),
    Kind.BACK_PLAN: (Iteration.BackTo.PLAN, Step.PLAN),
}

# What carries over into the new iteration (also shown on the review page, next to the decision).
# The rule: each thing carries over as long as what it depends on is kept. Success criteria say
# what will show that the *goal* is reached, so they follow the focused goal: whenever the goal
# is kept (back to barriers, strategy or plan) its criteria are copied, and the team can change or
# delete the copies in step 3. The specification and the tasks describe the chosen strategy, so
# they carry over only when the strategy is kept (back to plan).
# - back to goals:    nothing; the team starts the cycle afresh (goals and barriers stay on record
#                     in the project, only the focus and everything after it starts empty).
# - back to barriers: the focused goal(s) and the success criteria; the barrier focus and the
#                     strategy start empty.
# - back to strategy: the whole focus (goals and barriers, with the reason for choosing more than
#                     one) and the success criteria, but no chosen strategy: the team matches
#                     strategies again.
# - back to plan:     the focus, the chosen strategy and its justification, a copy of the
#                     specification and of the success criteria, and a copy of every task that is
#                     not done or dropped.
# Always copies (without judgements), so that the earlier iteration keeps its own rows.
CARRY_OVER = {
    Kind.BACK_GOALS: gettext_lazy("Nothing carries over: you choose a new focus. Goals and barriers stay on record."),
    Kind.BACK_BARRIERS: gettext_lazy("The focused goal and its success criteria carry over; you choose the barrier "
                                     "again."),
    Kind.BACK_STRATEGY: gettext_lazy("The focus (goals and barriers) and the success criteria carry over; you "
                                     "choose a strategy again."),
    Kind.BACK_PLAN: gettext_lazy("The focus, the chosen strategy and its justification, the specification, the success "
                      "criteria and the tasks not yet done or dropped carry over as copies."),
}


# --- Reviews -------------------------------------------------------------------------------------------


def _review_values(iteration, review_date, what_was_done, evidence):
    values = {"what_was_done": (what_was_done or "").strip(), "evidence": (evidence or "").strip()}
    errors = {}
    if not values["what_was_done"]:
        errors["what_was_done"] = _("Say what was done, even briefly.")
    if review_date is None:
        errors["review_date"] = _("Give the date of the review.")
    elif message := review_date_error(iteration.project.started_on, review_date):  # the one set of date rules
        errors["review_date"] = message
    if errors:
        raise ValidationError(errors)
    check_lengths(Review, values)
    return {**values, "review_date": review_date}


def _clean_judgements(iteration, judgements):
    """``judgements``: iterable of dicts with ``criterion`` (a SuccessCriterion or its id), ``verdict``
    ("" or None = not judged), ``evidence`` and optionally ``proposed``, the verdict the measure's
    data suggested (issue 13): a judgement that differs from it needs the team's reason in
    ``evidence``. Returns {criterion_id: (verdict, evidence, proposed)}."""
    ids = set(SuccessCriterion.objects.filter(iteration=iteration).values_list("pk", flat=True))
    cleaned, errors = {}, []
    for row in judgements or ():
        criterion = row.get("criterion")
        cid = getattr(criterion, "pk", criterion)
        verdict = row.get("verdict") or ""
        evidence = (row.get("evidence") or "").strip()
        proposed = row.get("proposed")  # None: not sent (the API), the stored one stays
        if cid not in ids:
            errors.append(_("A judgement names a success criterion that is not part of this iteration."))
            continue
        if cid in cleaned:
            errors.append(_("A success criterion is judged twice."))
        elif (verdict and verdict not in Judgement.Verdict.values) or (proposed and proposed not in
                                                                        Judgement.Verdict.values):
            errors.append(_("Choose met, not met, not yet or unclear."))
        elif verdict and proposed and verdict != proposed and not evidence:
            errors.append(_("A judgement differs from what the data suggested: say why."))
        elif evidence and not verdict:
            errors.append(_("Evidence was given for a criterion without a judgement: choose met, not met, not yet or "
                            "unclear."))
        elif len(evidence) > Judgement._meta.get_field("evidence").max_length:
            errors.append(_("Keep the evidence for a criterion to %(n)d characters.") % {
                "n": Judgement._meta.get_field("evidence").max_length})
        cleaned[cid] = (verdict, evidence, proposed)
    if errors:
        raise ValidationError({"judgements": errors})
    return cleaned


def _write_judgements(review, cleaned):
    existing = {j.criterion_id: j for j in review.judgements.all()}
    for cid, (verdict, evidence, proposed) in cleaned.items():
        current = existing.get(cid)
        if proposed is None:
            proposed = current.proposed if current is not None else ""
        if not verdict:
            if current is not None:
                current.delete()
        elif current is None:
            Judgement.objects.create(organisation=review.organisation, review=review, criterion_id=cid,
                                     verdict=verdict, evidence=evidence, proposed=proposed)
        elif (current.verdict, current.evidence, current.proposed) != (verdict, evidence, proposed):
            current.verdict, current.evidence, current.proposed = verdict, evidence, proposed
            current.save(update_fields=["verdict", "evidence", "proposed"])


@transaction.atomic
def review_create(*, iteration, user, review_date, what_was_done, evidence="", judgements=()):
    check_current(iteration)
    values = _review_values(iteration, review_date, what_was_done, evidence)
    cleaned = _clean_judgements(iteration, judgements)
    review = Review(organisation=iteration.organisation, project=iteration.project, iteration=iteration,
                    created_by=user, **values)
    review._history_user = user
    review.full_clean()
    review.save()
    _write_judgements(review, cleaned)
    project_touch(iteration.project)
    return review


@transaction.atomic
def review_update(*, review, user, version, review_date, what_was_done, evidence="", judgements=()):
    """Update a review and its judgements together. The review's version covers its judgements: a
    judgement changed by someone else meanwhile makes this a stale edit as well."""
    check_current(review.iteration)
    values = _review_values(review.iteration, review_date, what_was_done, evidence)
    cleaned = _clean_judgements(review.iteration, judgements)
    # Bumped even when only judgements change, so that the version protects them too.
    review = apply_versioned(Review, pk=review.pk, expected_version=version, changes=values)
    _write_judgements(review, cleaned)
    project_touch(review.project)
    return review


# --- Decisions and iterations -------------------------------------------------------------------------


def _copy(obj, **overrides):
    """A new row with the same field values (no pk, version 1)."""
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
              if not f.primary_key and f.attname not in {"version"}}
    return type(obj)(**{**fields, **overrides})


@transaction.atomic
def iteration_start_next(*, iteration, user, back_to):
    """Start iteration number + 1 after ``iteration``, carrying over what ``back_to`` keeps (see
    CARRY_OVER above)."""
    project = iteration.project
    new = Iteration.objects.create(organisation=project.organisation, project=project,
                                   number=iteration.number + 1, back_to=back_to)
    if back_to == Iteration.BackTo.GOALS:
        return new
    focus = list(Focus.objects.filter(iteration=iteration))
    if back_to == Iteration.BackTo.BARRIERS:
        focus = [f for f in focus if f.goal_id]
    # With history rows, so the project "as it was on a date" shows the new iteration's focus too.
    bulk_create_with_history([Focus(organisation=f.organisation, iteration=new, goal_id=f.goal_id,
                                    barrier_id=f.barrier_id) for f in focus], Focus)
    if back_to in {Iteration.BackTo.STRATEGY, Iteration.BackTo.PLAN}:
        new.focus_reason = iteration.focus_reason
    if any(f.goal_id for f in focus):  # the goal is kept, so are its success criteria (see CARRY_OVER)
        for criterion in SuccessCriterion.objects.filter(iteration=iteration).order_by("id"):
            _copy(criterion, iteration_id=new.pk).save()
    if back_to == Iteration.BackTo.PLAN:
        new.chosen_option_id = iteration.chosen_option_id
        new.choice_justification = iteration.choice_justification
        spec = Specification.objects.filter(iteration=iteration).first()
        if spec is not None:
            copy = _copy(spec, iteration_id=new.pk, updated_by_id=user.pk)
            copy.save()
        open_tasks = Task.objects.filter(iteration=iteration).exclude(
            status__in=[Task.Status.DONE, Task.Status.DROPPED]).order_by("id")
        for task in open_tasks:
            _copy(task, iteration_id=new.pk).save()
    new.save()
    return new


@transaction.atomic
def decision_record(*, iteration, user, kind, reason="", review=None):
    """Record a decision on ``iteration``. A step back starts the next iteration and moves the project
    to the step it goes back to; returns (decision, new iteration or None)."""
    check_current(iteration)
    if Project.objects.filter(pk=iteration.project_id, status__in=CLOSED).exists():
        raise ValidationError(_("This cycle is finished: the team decided to stop. Reopen the project to decide "
                                "again."))
    reason = (reason or "").strip()
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose one of the decisions listed.")})
    if kind in Decision.REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Say why: “%(kind)s” needs a reason, so the team can see later why "
                                           "it went this way.") % {"kind": Kind(kind).label}})
    check_lengths(Decision, {"reason": reason})
    if review is not None and review.iteration_id != iteration.pk:
        raise ValidationError({"review": _("That review belongs to another iteration.")})
    decision = Decision(organisation=iteration.organisation, project=iteration.project, iteration=iteration,
                        review=review, kind=kind, reason=reason, decided_by=user)
    decision._history_user = user
    decision.full_clean()
    decision.save()
    new = None
    if kind in BACK:
        back_to, step = BACK[kind]
        new = iteration_start_next(iteration=iteration, user=user, back_to=back_to)
        project_set_step(project=iteration.project, user=user, step=step)
    if kind in CLOSING:
        project = project_close(project=iteration.project, user=user, kind=kind)
        audit_record(action=f"project.{CLOSING[kind]}", actor=user, organisation=project.organisation,
                     target=project.name, details={"iteration": iteration.number, "reason": reason})
    project_touch(iteration.project)
    return decision, new
