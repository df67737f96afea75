"""Defining a measure: create, edit (with the stale-edit check) and delete (after a confirmation that
says how many values go with it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context
from tailorkit.core.permissions import get_object_for_user_or_404, get_organisation_or_404

from ..forms.measures import MeasureForm, measure_initial
from ..models import Measure
from ..services import measures as services


def get_measure_or_404(request, org_slug, measure_id, action="view"):
    return get_object_for_user_or_404(request.user, Measure.objects.select_related("organisation"),
                                      org_slug=org_slug, action=action, pk=measure_id)


def _form_page(request, org, form, measure=None, conflict=None):
    return render(request, "measures/measure_form.html", {"org": org, "form": form, "measure": measure,
                                                          **(conflict or {})})


@login_required
def measure_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") else {}
    form = MeasureForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_create(organisation=org, actor=request.user, **form.values())
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Measure created. Enter its values or upload a file."))
            return redirect("measures:measure_detail", org_slug=org.slug, measure_id=measure.pk)
    return _form_page(request, org, form)


@login_required
def measure_edit(request, org_slug, measure_id):
    measure = get_measure_or_404(request, org_slug, measure_id, "edit")
    initial = measure_initial(measure)
    if request.GET.get("kind"):  # the rate field appears or hides as the kind changes (htmx)
        initial["kind"] = request.GET["kind"]
    form = MeasureForm(request.POST or None, organisation=measure.organisation, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(measure=measure, actor=request.user, version=form.cleaned_data["version"],
                                    **form.values())
        except StaleEdit as exc:
            conflict = conflict_context(exc, form)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("measures:measure_detail", org_slug=org_slug, measure_id=measure.pk)
    return _form_page(request, measure.organisation, form, measure, conflict)


@login_required
def measure_delete(request, org_slug, measure_id):
    measure = get_measure_or_404(request, org_slug, measure_id, "edit")
    if request.method == "POST":
        services.measure_delete(measure=measure, actor=request.user, request=request)
        messages.success(request, _("Measure “%(name)s” deleted, with its values.") % {"name": measure.name})
        return redirect("measures:measure_overview", org_slug=org_slug)
    return render(request, "measures/measure_confirm_delete.html", {
        "org": measure.organisation, "measure": measure, "values": measure.observations.count(),
        "notes": measure.annotations.count()})
