"""One translator from the services' refusals to what a form, a page or the API shows.

Services raise ``django.core.exceptions.ValidationError`` keyed by field name (or without a key for
a refusal of the whole action). Views hand it to ``add_to_form`` or ``flash``; the API's one
exception handler (``tailorkit/api/api.py``) uses ``as_dict`` and ``summary``. ``rename`` maps a
service's field names to the names a form or a request body uses, where they differ.
"""

from django.contrib import messages

NON_FIELD = "__all__"


def as_dict(exc, rename=None):
    """``{field: [message, …]}`` of a ValidationError; refusals without a field under ``__all__``."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: list(exc.messages)}
    rename = rename or {}
    return {rename.get(field, field): list(msgs) for field, msgs in errors.items()}


def summary(exc):
    """All messages of a ValidationError in one line."""
    return " ".join(exc.messages)


def add_to_form(form, exc, rename=None):
    """Put each message at its field, or at the top of the form when the field is not on it."""
    for field, msgs in as_dict(exc, rename).items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)


def flash(request, exc):
    """Each message as an error notice on the next page (for actions without a form)."""
    for message in exc.messages:
        messages.error(request, message)
