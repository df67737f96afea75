"""Suggestions for custom entries (issue 12, point 5): link a custom barrier (step 1) or custom
strategy (step 2) to the closest item of the project's own list, or keep it as written. The
suggestions are shown on the step pages (``selectors/custom_entries.py``); these views take the
one-click POSTs and go back to where the buttons were."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit
from tailorkit.library.models import Item

from ..access import get_project_or_404, get_row_or_404
from ..models import Barrier, Step, StrategyOption
from ..services import custom_entries as services
from .step_pages import post_only, step_url


def _posted_number(request, name):
    """A posted id or version, or None when missing, garbled or beyond any database integer."""
    raw = str(request.POST.get(name, ""))
    return int(raw) if raw.isdigit() and int(raw) < 2**31 else None


def _posted_item(request):
    number = _posted_number(request, "item")
    return Item.objects.filter(pk=number).select_related("pack").first() if number else None


def _posted_version(request):
    return _posted_number(request, "version")  # missing or garbled: refused as a stale edit


def _link(request, link, entry, back):
    """Call ``link(item, version)``; say what happened; back to ``back``."""
    item = _posted_item(request)
    try:
        link(item, _posted_version(request))
    except StaleEdit:
        messages.error(request, _("Someone else changed “%(name)s” while you were looking. Nothing was changed: "
                                  "check it below and choose again.") % {"name": entry.name})
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("“%(yours)s” is now “%(item)s” of the list, with its evidence. Your own words "
                                    "are kept beside it.") % {"yours": entry.custom_name, "item": item.name})
    return redirect(back)


def _keep(request, keep, entry, back):
    try:
        keep()
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("“%(name)s” is kept as written.") % {"name": entry.custom_name})
    return redirect(back)


@login_required
def barrier_link(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if (refused := post_only(request)) is not None:
        return refused
    return _link(request, lambda item, version: services.barrier_link_item(
        project=project, user=request.user, barrier=barrier, item=item, version=version),
        barrier, step_url(Step.GOALS, project, anchor="barriers"))


@login_required
def barrier_keep(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if (refused := post_only(request)) is not None:
        return refused
    return _keep(request, lambda: services.barrier_keep_custom(project=project, user=request.user, barrier=barrier,
                                                               request=request),
                 barrier, step_url(Step.GOALS, project, anchor="barriers"))


@login_required
def option_link(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    if (refused := post_only(request)) is not None:
        return refused
    return _link(request, lambda item, version: services.option_link_item(
        project=project, user=request.user, option=option, item=item, version=version),
        option, step_url(Step.MATCH, project, anchor="candidates"))


@login_required
def option_keep(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    if (refused := post_only(request)) is not None:
        return refused
    return _keep(request, lambda: services.option_keep_custom(project=project, user=request.user, option=option,
                                                              request=request),
                 option, step_url(Step.MATCH, project, anchor="candidates"))
