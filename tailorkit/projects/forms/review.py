"""Forms for apply and review: a review with a judgement per success criterion, and the decision
on what comes next. Forms only parse input; the rules (dates, reasons, iterations) are checked in
``services/review.py``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm

from ..models import Decision, Judgement
from ..selectors.review import review_label
from .planning import DATE


class ReviewForm(VersionedForm):
    """The review's own fields plus a verdict and evidence per success criterion of the iteration
    (fields ``verdict_<id>`` and ``evidence_<id>``)."""

    review_date = forms.DateField(label=_("Date of review"), widget=DATE)
    what_was_done = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}),
                                    max_length=4000)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=4000, help_text=_("What you saw, counted or heard that shows how it went."))

    def __init__(self, *args, criteria, proposals=None, **kwargs):
        """``proposals``: ``{criterion id: selectors.measures.Judged}`` for the criteria tied to a
        measure. A new review starts from the data's verdict and reasoning; a different judgement
        needs the team's own reason (``clean``)."""
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.proposals = {pk: j for pk, j in (proposals or {}).items() if j.verdict}
        for pk, j in self.proposals.items():
            self.initial.setdefault(f"verdict_{pk}", j.verdict.status)
            self.initial.setdefault(f"evidence_{pk}", self.reasoning(pk))
        for c in self.criteria:
            self.fields[f"verdict_{c.pk}"] = forms.ChoiceField(
                label=_("Judgement"), required=False, widget=forms.RadioSelect,
                choices=[("", _("Not judged"))] + list(Judgement.Verdict.choices))
            self.fields[f"evidence_{c.pk}"] = forms.CharField(
                label=_("Evidence for this criterion"), required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))

    def reasoning(self, pk):
        """The data's reasoning on criterion ``pk`` as one text (the evidence field starts with it)."""
        return " ".join(self.proposals[pk].verdict.reasons)[:2000] if pk in self.proposals else ""

    def clean(self):
        data = super().clean()
        for pk, j in self.proposals.items():
            verdict, evidence = data.get(f"verdict_{pk}") or "", (data.get(f"evidence_{pk}") or "").strip()
            if verdict and verdict != j.verdict.status and evidence in ("", self.reasoning(pk).strip()):
                self.add_error(f"evidence_{pk}", _("The data suggest “%(proposed)s”. Say why the team judges it "
                                                   "differently.") % {"proposed": j.status_label})
        return data

    def review_fields(self):
        return [self["review_date"], self["what_was_done"], self["evidence"]]

    def rows(self):
        return [(c, self[f"verdict_{c.pk}"], self[f"evidence_{c.pk}"], self.proposals.get(c.pk))
                for c in self.criteria]

    def judgements(self):
        data = self.cleaned_data
        return [{"criterion": c.pk, "verdict": data.get(f"verdict_{c.pk}") or "",
                 "evidence": data.get(f"evidence_{c.pk}") or "",
                 "proposed": self.proposals[c.pk].verdict.status if c.pk in self.proposals else ""}
                for c in self.criteria]

    @staticmethod
    def initial_for(review):
        initial = {"review_date": review.review_date, "what_was_done": review.what_was_done,
                   "evidence": review.evidence, "version": review.version}
        for j in review.judgements.all():
            initial[f"verdict_{j.criterion_id}"] = j.verdict
            initial[f"evidence_{j.criterion_id}"] = j.evidence
        return initial


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=Decision.Kind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=4000,
                             help_text=_("Needed when you stop for another reason or go back to an earlier step."))
    review = forms.TypedChoiceField(label=_("The review it is based on"), required=False, coerce=int,
                                    empty_value=None)

    def __init__(self, *args, reviews, criteria, **kwargs):
        """``reviews`` from ``selectors.review.reviews_of`` and the iteration's ``criteria``: each
        review is offered as "date · who · 2 of 3 criteria met", not by its date alone."""
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [("", _("No particular review"))] + [
            (r.pk, review_label(r, len(criteria))) for r in reviews]


class ReopenForm(VersionedForm):
    """Reopening a completed or stopped project (the rules are in ``services/projects.py``)."""

    reason = forms.CharField(label=_("Why reopen it? (optional)"), required=False, max_length=100,
                             help_text=_("For example: the effect faded, or a new review is due. Shown in the "
                                         "timeline."))
