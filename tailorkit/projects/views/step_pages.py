"""The step-view kit: what the pages of all four steps share.

- ``page_context``: the project, the step (for the process map), its guidance and principles, and
  whether the user may change anything; every page of a step starts from it.
- ``step_page_context``: a step's own page, which shows one iteration: the current one, or an
  earlier one read-only with ``?iteration=<number>`` (an unknown number is a 404), with the
  iteration switcher and the "Ask stakeholders" panel.
- ``iteration_to_change`` and ``refuse_earlier``: forms that write into an iteration post to a URL
  that names the iteration they were built for, so a form left open while someone else went back to
  an earlier step is refused rather than written into the new iteration.
- ``confirm_delete``: the "delete this?" page (GET) and the deletion (POST).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.permissions import can

from .. import steps
from ..guidance import load_principles, principles_for
from ..models import Iteration
from ..selectors.iterations import load_iterations
from . import stakeholders


def page_context(request, project, step):
    """The context every page of ``step`` starts from."""
    principles = load_principles()
    can_edit = can(request.user, "edit", project)
    return {"project": project, "org": project.organisation, "active_step": step, "step": step,
            "guidance": steps.get(step).guidance, "principles": principles_for(step, principles),
            "all_principles": principles, "can_edit": can_edit, "read_only": not can_edit}


def pick_iteration(request, iterations):
    """(shown, current): ``?iteration=<number>`` or the current (newest) iteration; unknown → 404."""
    if not iterations:
        raise Http404
    current = iterations[-1]
    raw = request.GET.get("iteration")
    if raw in (None, ""):
        return current, current
    try:
        number = int(raw)
    except ValueError:
        raise Http404 from None
    shown = next((i for i in iterations if i.number == number), None)
    if shown is None:
        raise Http404
    return shown, current


def step_page_context(request, project, step):
    """The context of a step's own page: ``page_context`` plus the iteration shown, the iteration
    switcher and the "Ask stakeholders" panel. An earlier iteration is read-only."""
    iterations = load_iterations(project)
    shown, current = pick_iteration(request, iterations)
    context = page_context(request, project, step)
    earlier = shown.pk != current.pk
    context.update({
        "iterations": iterations, "iteration": shown, "current_iteration": current, "is_earlier": earlier,
        "read_only": earlier or context["read_only"],
        "stakeholder_panel": stakeholders.step_panel(request=request, project=project, step=step,
                                                     iteration=current),
    })
    return context


def step_url(step, project, iteration=None, anchor=""):
    """The page of ``step`` (a ``Step`` code), of an earlier ``iteration`` if given, at ``anchor``."""
    url = reverse(steps.get(step).url_name, args=[project.organisation.slug, project.pk])
    if iteration is not None:
        url += f"?iteration={iteration.number}"
    return url + (f"#{anchor}" if anchor else "")


def refuse_earlier(request, project, iteration, step):
    messages.error(request, _("Iteration %(n)d is an earlier iteration: it can be read but no longer changed.")
                   % {"n": iteration.number})
    return redirect(step_url(step, project, iteration))


def is_earlier(iteration):
    return Iteration.objects.filter(project_id=iteration.project_id, number__gt=iteration.number).exists()


def iteration_to_change(request, project, step):
    """(iteration, None) for the iteration a form writes into (``?iteration=<number>``, or the
    current one), or (iteration, the refusal) when that is an earlier iteration."""
    shown, current = pick_iteration(request, load_iterations(project))
    return shown, (refuse_earlier(request, project, shown, step) if shown.pk != current.pk else None)


def refuse_if_earlier(request, project, row, step):
    """The refusal when ``row`` belongs to an earlier iteration, else None."""
    return refuse_earlier(request, project, row.iteration, step) if is_earlier(row.iteration) else None


def post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


# --- Deleting ----------------------------------------------------------------------------------------


def confirm_delete(request, context, delete, done_message, next_url):
    """The "delete this?" page for one row (``context`` names it: ``what``, ``name``, and optionally
    ``consequence``), and on POST ``delete()``, the service call: a refusal (ValidationError) is
    shown on the same page and nothing is deleted."""
    context = {**context, "cancel_url": next_url}
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            context["error"] = errors.summary(exc)
            return render(request, "projects/confirm_delete.html", context, status=400)
        messages.success(request, done_message)
        return redirect(next_url)
    return render(request, "projects/confirm_delete.html", context)
