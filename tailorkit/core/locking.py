"""No silent overwrites: optimistic locking for every editable row.

Every editable row carries a ``version``. A form or API write sends back the version it was built
from; the save locks the row, compares, and refuses with ``StaleEdit`` when someone else saved
meanwhile. The view then shows both versions side by side and lets the person re-apply theirs on
purpose; the API answers 409. Hand-written because the available packages (django-concurrency and
friends) patch ``save()`` globally, which would hide the check from the services that must handle
it explicitly.
"""

from datetime import datetime
from decimal import Decimal

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


class Versioned(models.Model):
    """Optimistic locking: a save must name the version it started from."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class StaleEdit(Exception):
    def __init__(self, current, submitted):
        self.current = current          # the row as it is now in the database
        self.submitted = submitted      # the changes that were refused (field → value)
        super().__init__(_("Someone else saved this while you were editing."))


def lock_versioned(model, *, pk, expected_version, submitted, **lookup):
    """Lock the row and return it, or refuse with ``StaleEdit`` when it is no longer the version
    the edit started from. Call inside a transaction; the caller applies the edit and must bump
    ``version`` when it saves (``apply_versioned`` does both for plain field changes)."""
    obj = model.objects.select_for_update().get(pk=pk, **lookup)
    if expected_version is None or int(expected_version) != obj.version:
        raise StaleEdit(current=obj, submitted=submitted)
    return obj


def apply_versioned(model, *, pk, expected_version, changes, extra=None, **lookup):
    """Lock the row, refuse a stale edit, apply ``changes`` and bump the version. Call inside
    a transaction. ``extra`` fields are written without being part of the comparison."""
    obj = lock_versioned(model, pk=pk, expected_version=expected_version, submitted=changes, **lookup)
    for field, value in {**changes, **(extra or {})}.items():
        setattr(obj, field, value)
    obj.version += 1
    obj.full_clean()
    obj.save()
    return obj


class _CarriesVersion:
    def values(self):
        """The cleaned values without ``version``: what a create service takes."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class VersionedForm(_CarriesVersion, forms.Form):
    """Carries the version the form was built from, as a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionedModelForm(_CarriesVersion, forms.ModelForm):
    """The same for model forms. Build an edit form without ``instance`` (values in ``initial``,
    with ``version``) so that a refused save never changes the object the page compares with."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- The "someone else saved this" screen (template ``core/_conflict.html``) ------------------


def _show(value, field=None):
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_show(v, field) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        value = timezone.localtime(value).replace(second=0, microsecond=0)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str({str(k): v for k, v in field.choices}.get(str(value), value))
    return str(value)


def conflict_rows(form, current, names=None, saved=None):
    """(label, their value, your value) for each field where the saved row and the refused edit
    differ. ``names`` defaults to the form's fields; ``saved`` gives the saved value of a form
    field whose name is not the model's (e.g. ``name`` for ``custom_name``)."""
    rows = []
    for name in names or [n for n in form.fields if n != "version"]:
        field = form.fields[name]
        theirs = saved[name] if saved and name in saved else getattr(current, name, "")
        theirs, yours = _show(theirs, field), _show(form.cleaned_data.get(name), field)
        if theirs.strip() != yours.strip():
            rows.append((field.label, theirs, yours))
    return rows


def rebind_with_version(form, version):
    """Keep the user's values but build on the version now saved (so saving again is deliberate)."""
    form.data = form.data.copy()
    form.data["version"] = version
    return form


def conflict_context(exc, form, rows=None, saved=None):
    """What the page needs after a ``StaleEdit``: the form rebound to the saved version, and the
    conflict with its rows for ``core/_conflict.html`` (by default every field that differs;
    ``saved`` as in ``conflict_rows``)."""
    if rows is None:
        rows = conflict_rows(form, exc.current, saved=saved)
    return {"form": rebind_with_version(form, exc.current.version), "conflict": exc, "conflict_rows": rows}
