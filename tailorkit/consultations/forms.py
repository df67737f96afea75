from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm

from .models import Consultation, QuestionKind, RespondentGroup
from .services.builder import options_text, parse_options


class QuestionnaireForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Introduction for respondents"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class SectionForm(VersionedForm):
    title = forms.CharField(label=_("Section title"), max_length=200)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _question_choices(questions):
    """``(key, label)`` for a list of questions: the question itself, shortened, not its code; the
    code is added only where two questions read the same (a step template repeats its questions
    for each strategy)."""
    labels = [Truncator(q.text).chars(80) for q in questions]
    return [(q.key, f"{label} ({q.key})" if labels.count(label) > 1 else label)
            for q, label in zip(questions, labels, strict=True)]


class QuestionForm(VersionedForm):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Type of answer"), choices=QuestionKind.choices)
    help_text = forms.CharField(label=_("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    options_text = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single choice, multiple choice and ranking: one option per line, either the label alone "
                    "or “code = label”. For agreement scales you may relabel the points, e.g. “1 = Not at all”."))
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    allow_not_relevant = forms.BooleanField(label=_("Offer “not relevant”"), required=False)
    min_value = forms.FloatField(label=_("Lowest allowed number"), required=False)
    max_value = forms.FloatField(label=_("Highest allowed number"), required=False)
    min_label = forms.CharField(label=_("Label of the low end (0–10 scales)"), required=False, max_length=100)
    max_label = forms.CharField(label=_("Label of the high end (0–10 scales)"), required=False, max_length=100)
    show_if_question = forms.ChoiceField(label=_("Show this question only if"), required=False)
    show_if_values = forms.CharField(
        label=_("…is answered with (codes, separated by commas)"), required=False, max_length=500,
        help_text=_("Leave the first box empty to always show the question."))
    key = forms.SlugField(label=_("Short code"), required=False, max_length=60,
                          help_text=_("Names this question in exports. Made from the question if left empty."))
    section = forms.ChoiceField(label=_("Section"), required=False)

    def __init__(self, *args, earlier=(), sections=(), question=None, **kwargs):
        if question is not None and "initial" not in kwargs:
            cond = question.show_if or {}
            kwargs["initial"] = {
                "text": question.text, "kind": question.kind, "help_text": question.help_text,
                "options_text": options_text(question.options), "required": question.required,
                "allow_not_relevant": question.allow_not_relevant, "min_value": question.min_value,
                "max_value": question.max_value, "min_label": question.min_label, "max_label": question.max_label,
                "show_if_question": cond.get("question", ""),
                "show_if_values": ", ".join(str(v) for v in cond.get("in", [cond.get("equals")] if cond else [])),
                "key": question.key, "section": question.section_id, "version": question.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["show_if_question"].choices = [("", _("(always show)"))] + _question_choices(earlier)
        if sections:
            self.fields["section"].choices = [(s.pk, s.title) for s in sections]
        else:
            del self.fields["section"]

    def clean(self):
        data = super().clean()
        try:
            data["options"] = parse_options(data.get("options_text", ""))
        except ValidationError as exc:
            self.add_error("options_text", exc)
        ref = data.get("show_if_question")
        values = [v.strip() for v in (data.get("show_if_values") or "").split(",") if v.strip()]
        if ref and not values:
            self.add_error("show_if_values", _("Give the answer code or codes that show this question."))
        data["show_if"] = ({"question": ref, "equals": values[0]} if len(values) == 1
                           else {"question": ref, "in": values}) if ref else {}
        return data

    def service_fields(self):
        d = self.cleaned_data
        fields = {k: d.get(k) for k in ("text", "kind", "help_text", "options", "required", "allow_not_relevant",
                                        "min_label", "max_label", "show_if")}
        fields["min_value"], fields["max_value"] = d.get("min_value"), d.get("max_value")
        if d.get("key"):
            fields["key"] = d["key"]
        return fields


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ConsultationForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(label=_("Why you ask, and what you will do with the answers"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    questionnaire = forms.ChoiceField(label=_("Questionnaire"))
    mode = forms.ChoiceField(label=_("How people take part"), choices=Consultation.Mode.choices,
                             widget=forms.RadioSelect, initial=Consultation.Mode.INVITATIONS)
    anonymous = forms.BooleanField(
        label=_("Anonymous"), required=False, initial=True,
        help_text=_("Nothing links a sent answer to a person: no address, no IP, dates only to the day. It cannot be "
                    "turned off once invitations are sent or the open link opens."))
    access_code = forms.CharField(label=_("Access code for the open link (optional)"), required=False,
                                  max_length=100)
    opens_at = forms.DateTimeField(label=_("Opens"), required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes"), required=False, widget=DateTimeInput())
    response_limit = forms.IntegerField(label=_("Maximum number of responses"), required=False, min_value=1)
    min_group_size = forms.IntegerField(
        label=_("Hide results of groups smaller than"), initial=5, min_value=1,
        help_text=_("Once anyone has answered, this can be raised but not lowered."))
    groups = forms.MultipleChoiceField(label=_("Respondent groups"), choices=RespondentGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    reminder_days = forms.CharField(
        label=_("Send reminders after (days, separated by commas)"), required=False, max_length=50,
        help_text=_("For example “3, 7”. Only people who have not finished get a reminder."))

    def __init__(self, *args, questionnaires=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [(q.pk, q.title) for q in questionnaires]
        if editing:
            del self.fields["questionnaire"], self.fields["mode"]
            self.fields["access_code"].help_text = _("Leave empty to keep the current code.")
            self.fields["clear_access_code"] = forms.BooleanField(label=_("Remove the access code"), required=False)

    def clean_reminder_days(self):
        text = self.cleaned_data.get("reminder_days") or ""
        try:
            days = [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
        except ValueError:
            raise ValidationError(_("Write whole numbers of days, for example “3, 7”.")) from None
        if any(d < 1 or d > 90 for d in days):
            raise ValidationError(_("Reminders can be 1 to 90 days after the invitation."))
        return days


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label=_("Email addresses"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One person per line: the address, optionally followed by a comma and their group, "
                    "e.g. “sam@example.org, clinician”."))
    default_group = forms.ChoiceField(label=_("Group for lines without one"), required=False,
                                      choices=[("", _("(no group)"))] + list(RespondentGroup.choices))


class AccessCodeForm(forms.Form):
    access_code = forms.CharField(label=_("Access code"), max_length=100)
