"""No silent overwrites: optimistic locking for every editable row.

Every editable row carries a ``version``. A form or API write sends back the version it was built
from; the save locks the row, compares, and refuses with ``StaleEdit`` when someone else saved
meanwhile. The view then shows both versions side by side and lets the person re-apply theirs on
purpose; the API answers 409. Hand-written because the available packages (django-concurrency and
friends) patch ``save()`` globally, which would hide the check from the services that must handle
it explicitly.
"""

from django import forms
from django.db import models
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


def apply_versioned(model, *, pk, expected_version, changes, extra=None, **lookup):
    """Lock the row, refuse a stale edit, apply ``changes`` and bump the version. Call inside
    a transaction. ``extra`` fields are written without being part of the comparison."""
    obj = model.objects.select_for_update().get(pk=pk, **lookup)
    if expected_version is None or int(expected_version) != obj.version:
        raise StaleEdit(current=obj, submitted=changes)
    for field, value in {**changes, **(extra or {})}.items():
        setattr(obj, field, value)
    obj.version += 1
    obj.full_clean()
    obj.save()
    return obj


class VersionedForm(forms.Form):
    """Carries the version the form was built from, as a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
