"""The page where a measure is fed by a survey's instrument scores (``projects.measure_feeds``):
choose the questionnaire and the scale, see what each survey wave gives, and fetch the values again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tailorkit.consultations.models import Questionnaire
from tailorkit.consultations.services.instruments import INSTRUMENTS
from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, VersionedForm, conflict_context
from tailorkit.core.permissions import can, get_object_for_user_or_404
from tailorkit.measures.models import Measure

from .. import measure_feeds as feeds


class FeedForm(VersionedForm):
    questionnaire = forms.ModelChoiceField(label=gettext_lazy("Questionnaire"), queryset=Questionnaire.objects.none(),
                                           help_text=gettext_lazy("Only questionnaires made from a validated "
                                                                  "instrument can feed a measure."))
    scale = forms.ChoiceField(label=gettext_lazy("Scale"), choices=(),
                              help_text=gettext_lazy("Each survey wave gives the mean of this scale's scores."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        questionnaires = feeds.instrument_questionnaires(organisation)
        self.fields["questionnaire"].queryset = questionnaires
        used = sorted({q.instrument for q in questionnaires})
        self.fields["scale"].choices = [(INSTRUMENTS[i]["name"], feeds.scale_choices(i)) for i in used]


def _measure(request, org_slug, measure_id, action="view"):
    return get_object_for_user_or_404(request.user, Measure.objects.select_related("organisation"), org_slug=org_slug,
                                      action=action, pk=measure_id)


def _page(request, measure, form=None, conflict=None):
    org, fed = measure.organisation, feeds.feed_of(measure)
    questionnaire, scale = fed or (None, "")
    if form is None and can(request.user, "edit", measure):
        initial = {"version": measure.version, "questionnaire": questionnaire, "scale": scale}
        form = FeedForm(initial=initial, organisation=org)
    return render(request, "projects/measure_feed.html", {
        "org": org, "measure": measure, "fed": fed is not None, "questionnaire": questionnaire,
        "scale_label": feeds.scale_label(questionnaire.instrument, scale) if questionnaire else scale,
        "waves": feeds.waves(questionnaire, scale) if questionnaire else [],
        "has_instruments": feeds.instrument_questionnaires(org).exists(),
        "is_mean": measure.kind == Measure.Kind.MEAN, "form": form, "conflict": None, "conflict_rows": [],
        **(conflict or {}),
    })


@login_required
def measure_feed(request, org_slug, measure_id):
    """GET: the feed of a measure. POST: choose the questionnaire and scale that feed it."""
    if request.method != "POST":
        return _page(request, _measure(request, org_slug, measure_id))
    measure = _measure(request, org_slug, measure_id, "edit")
    form = FeedForm(request.POST, organisation=measure.organisation)
    if form.is_valid():
        questionnaire, scale = form.cleaned_data["questionnaire"], form.cleaned_data["scale"]
        try:
            _measure_now, counts = feeds.measure_feed_set(measure=measure, actor=request.user,
                                                          questionnaire=questionnaire, scale=scale,
                                                          version=form.cleaned_data.get("version") or 0)
        except StaleEdit as exc:
            now = feeds.feed_of(exc.current) or (None, "")
            return _page(request, measure, conflict=conflict_context(
                exc, form, saved={"questionnaire": now[0] or "", "scale": now[1]}))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _refreshed(counts, _("The survey now feeds this measure.")))
            return redirect("projects:measure_feed", org_slug=measure.organisation.slug, measure_id=measure.pk)
    return _page(request, measure, form=form)


@login_required
def measure_feed_refresh(request, org_slug, measure_id):
    """POST: fetch the values of every survey wave again (changes nothing when nothing changed)."""
    measure = _measure(request, org_slug, measure_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        counts = feeds.measure_feed_refresh(measure=measure, actor=request.user)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _refreshed(counts, _("Values fetched again.")))
    return redirect("projects:measure_feed", org_slug=measure.organisation.slug, measure_id=measure.pk)


def _refreshed(counts, first):
    text = _("%(first)s New values: %(created)s; changed: %(updated)s; unchanged: %(unchanged)s.") % {
        "first": first, **counts}
    if counts["withheld"]:
        text += " " + _("%(n)s wave(s) gave no value: fewer people answered than the smallest group that is "
                        "shown.") % {"n": counts["withheld"]}
    return text
