"""The project's own details: name, service, content packs, team and start date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tailorkit.core.forms import RowsField
from tailorkit.core.locking import VersionedModelForm
from tailorkit.library.models import ContentPack

from ..models import Project


class ProjectForm(VersionedModelForm):
    class Meta:
        model = Project
        fields = ["name", "service", "determinant_pack", "strategy_pack", "team", "started_on"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}),
                   "team": forms.CheckboxSelectMultiple}
        field_classes = {"team": RowsField}

    def __init__(self, *args, organisation, team_choices, editing=False, creator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["determinant_pack"].queryset = ContentPack.objects.filter(kind__in=["determinants", "framework"])
        self.fields["strategy_pack"].queryset = ContentPack.objects.filter(kind="strategies")
        self.fields["team"].queryset = team_choices
        self.fields["team"].help_text = _("Leads and core team members of your organisation. You are always on it.")
        self.fields["team"].required = False
        if editing:
            # The lists cannot change once barriers and strategies have been picked from them.
            del self.fields["determinant_pack"]
            del self.fields["strategy_pack"]
        else:
            icbt = self.fields["determinant_pack"].queryset.filter(slug="icbt-determinants").first()
            eric = self.fields["strategy_pack"].queryset.filter(slug="eric").first()
            self.initial.setdefault("determinant_pack", icbt.pk if icbt else None)
            self.initial.setdefault("strategy_pack", eric.pk if eric else None)
            if creator is not None:
                # The creator is always on the team (services.project_create adds them), so the box says so.
                self.initial.setdefault("team", [creator.pk])
