from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm
from tailorkit.library.models import Item

from .models import DevelopmentPlan, Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(forms.Form):
    """One radio group per competency (``level_<item id>``), grouped by domain in the template."""

    taken_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note to yourself (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, guide, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()
        previous = previous or {}
        self.groups = []
        for domain in guide.domains:
            names = []
            for competency in domain.competencies:
                name = f"level_{competency.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=competency.name, choices=Level.choices, coerce=int, widget=forms.RadioSelect,
                    error_messages={"required": _("Choose a level for this competency.")})
                self.fields[name].competency = competency
                self.fields[name].previous = Level(previous[competency.pk]).label if competency.pk in previous else None
                names.append(name)
            self.groups.append((domain.category, [self[n] for n in names]))

    def levels(self):
        return {int(name.removeprefix("level_")): value for name, value in self.cleaned_data.items()
                if name.startswith("level_")}


class ShareForm(forms.Form):
    shared_with = forms.ModelChoiceField(label=_("Share with"), queryset=None,
                                         empty_label=_("Choose a colleague"))

    def __init__(self, *args, peers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = peers
        self.fields["shared_with"].label_from_instance = lambda u: f"{u.name} ({u.email})" if u.name else u.email


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DevelopmentPlanForm(VersionedForm):
    competency = forms.ModelChoiceField(label=_("Competency"), queryset=None, empty_label=_("Choose one"))
    plan = forms.CharField(label=_("What I will do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Small, concrete steps: what you will try, read, practise or ask for."))
    review_on = forms.DateField(label=_("Look at it again on"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=DevelopmentPlan.Status.choices,
                               initial=DevelopmentPlan.Status.ACTIVE)

    def __init__(self, *args, guide, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = Item.objects.filter(pk__in=[c.pk for c in guide.competencies])


class ReflectionForm(VersionedForm):
    written_on = forms.DateField(label=_("Date"), widget=DATE)
    question = forms.ModelChoiceField(label=_("Question (optional)"), queryset=None, required=False,
                                      empty_label=_("No particular question"))
    text = forms.CharField(label=_("Your note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, guide, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["written_on"].initial = timezone.localdate()
        self.fields["question"].queryset = Item.objects.filter(pk__in=[q.pk for q in guide.questions]).order_by(
            "order", "code")
