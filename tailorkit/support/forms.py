from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.forms import RowsField
from tailorkit.core.locking import VersionedForm
from tailorkit.library.models import Item, PackKind
from tailorkit.projects.models import Project

from .models import Channel, DevelopmentPlan, Level, SupportKind

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


FOLLOW_UPS = 3


class ContactForm(VersionedForm):
    """Log (or change) a contact with a site. On a new contact, up to three next steps with dates."""

    contact_on = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time (optional)"), required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 help_text=_("Lets Tailorkit warn you about two entries for the same time."))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=720,
                                 error_messages={"min_value": _("Give the length in minutes: 1 or more.")})
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)
    kind = forms.ChoiceField(label=_("Kind of support"), choices=[("", _("Choose one")), *SupportKind.choices],
                             help_text=_("Training and information: you share knowledge. Responsive help: the team "
                                         "asked for help with something. Co-creation: you and the team worked it "
                                         "out together."))
    project = forms.ModelChoiceField(label=_("Project (optional)"), queryset=None, required=False,
                                     empty_label=_("The site in general"))
    people = forms.CharField(label=_("Who took part (optional)"), required=False, max_length=300,
                             help_text=_("Roles are enough, for example \u201cteam lead, two nurses\u201d."))
    summary = forms.CharField(label=_("What was done"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    competencies = RowsField(label=_("Competencies you used (optional)"), queryset=None,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    strategies = RowsField(
        label=_("Implementation strategies used (optional)"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."))

    def __init__(self, *args, organisation, guide, follow_ups=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_on"].initial = timezone.localdate()
        self.fields["project"].queryset = Project.objects.filter(organisation=organisation).exclude(
            status=Project.Status.ARCHIVED).order_by("name")
        self.fields["competencies"].queryset = Item.objects.filter(pk__in=[c.pk for c in guide.competencies]).order_by(
            "category__order", "order")
        self.fields["strategies"].queryset = Item.objects.filter(pack__kind=PackKind.STRATEGIES).select_related(
            "pack").order_by("pack__name", "name")
        self.fields["strategies"].label_from_instance = lambda item: item.name
        self.follow_up_names = []
        if follow_ups:
            for i in range(1, FOLLOW_UPS + 1):
                self.fields[f"next_step_{i}"] = forms.CharField(label=_("Next step %(n)d") % {"n": i}, required=False,
                                                                max_length=300)
                self.fields[f"due_{i}"] = forms.DateField(label=_("Due date of step %(n)d") % {"n": i}, required=False,
                                                          widget=DATE)
                self.follow_up_names.append((f"next_step_{i}", f"due_{i}"))

    def values(self):
        return {k: self.cleaned_data[k] for k in ("contact_on", "start_time", "minutes", "channel", "kind", "project",
                                                  "people", "summary", "competencies", "strategies")}

    @property
    def follow_up_fields(self):
        return [(self[a], self[b]) for a, b in self.follow_up_names]

    def follow_ups(self):
        return [(self.cleaned_data.get(a), self.cleaned_data.get(b)) for a, b in self.follow_up_names]
