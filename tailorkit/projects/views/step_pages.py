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
- ``section_page``: one page of a long list in a section of a step page (tasks, success criteria),
  so a plan of a thousand tasks shows fifty at a time while a plan of thirty looks as it always did.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.permissions import can

from .. import steps
from ..guidance import load_principles, principles_for
from ..models import Iteration
from ..selectors.iterations import iterations_around
from . import stakeholders


def page_context(request, project, step):
    """The context every page of ``step`` starts from."""
    principles = load_principles()
    can_edit = can(request.user, "edit", project)
    return {"project": project, "org": project.organisation, "active_step": step, "step": step,
            "guidance": steps.get(step).guidance, "principles": principles_for(step, principles),
            "all_principles": principles, "can_edit": can_edit, "read_only": not can_edit}


def pick_iteration(request, project):
    """The ``IterationWindow`` of ``?iteration=<number>`` or of the current (newest) iteration;
    an unknown number is a 404."""
    raw = request.GET.get("iteration")
    number = None
    if raw not in (None, ""):
        try:
            number = int(raw)
        except ValueError:
            raise Http404 from None
        if not -2**31 <= number < 2**31:  # beyond any stored number (and any database integer)
            raise Http404
    window = iterations_around(project, number)
    if window is None:
        raise Http404
    return window


def step_page_context(request, project, step):
    """The context of a step's own page: ``page_context`` plus the iteration shown, the iteration
    switcher and the "Ask stakeholders" panel. An earlier iteration is read-only."""
    window = pick_iteration(request, project)
    shown, current = window.shown, window.current
    context = page_context(request, project, step)
    earlier = shown.pk != current.pk
    context.update({
        "iterations": window.rows, "iteration_window": window, "iteration": shown, "current_iteration": current,
        "is_earlier": earlier,
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
    window = pick_iteration(request, project)
    shown, current = window.shown, window.current
    return shown, (refuse_earlier(request, project, shown, step) if shown.pk != current.pk else None)


def refuse_if_earlier(request, project, row, step):
    """The refusal when ``row`` belongs to an earlier iteration, else None."""
    return refuse_earlier(request, project, row.iteration, step) if is_earlier(row.iteration) else None


# Rows of a list section of a step page (tasks, success criteria) shown at a time. Plans have 5–30
# tasks as a rule; a page of fifty keeps those on one page, exactly as before the lists were paged.
SECTION_PAGE_SIZE = 50


def section_page(request, rows, param, per_page=SECTION_PAGE_SIZE):
    """One page of ``rows`` picked by the query parameter ``param`` (e.g. ``tasks_page``), and the
    other parameters of the request as "name=value&" (the iteration, another section's page) for the
    links to the other pages, so that paging one section leaves the rest of the page where it was."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    return page, (others.urlencode() + "&" if others else "")


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
