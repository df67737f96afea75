"""Hostile input on every page (issue 9, point 5): no input makes a page fail with a server error.

Every route of the staff pages is opened with the objects of the outsider sweep (so a new route is
covered without being listed here), with hostile query parameters; every form on it is sent back
with each field set to a hostile value (long, deeply nested, NUL bytes, huge or impossible numbers
and dates, a file of brackets). Each answer must be below 500: a refusal with a message is fine,
a stack trace is not. The API has the same guarantee from its schema-driven test.
"""

from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SKIP_NAMESPACES = {"api", "admin"}
# Respondent pages need a link's grant and have their own hostile-input tests
# (consultations/tests/test_respondent*.py); sign-in pages belong to allauth.
SKIP_PREFIXES = ("consultations:consultation_form", "consultations:consultation_thanks",
                 "consultations:consultation_invitation_open", "consultations:consultation_open_link",
                 "core:invitation_open", "core:invitation_detail")

HOSTILE_VALUES = [
    "[" * 50_000,  # long and deeply nested at once
    "nul\x00byte",
    "9" * 40,  # beyond any integer column
    "-1e309",
    "9999-12-31T23:59",  # the last moment a date can hold; time zones push it over
]
DESTRUCTIVE = ("_delete", "_erase", "_remove", "_archive", "_close", "_revoke", "/delete", "/erase", "/remove",
               "/archive", "/close", "/withdraw")
HOSTILE_QUERY = {"page": "9" * 30, "iteration": "-1", "q": "[" * 5_000, "at": "9999-12-31T23:59:59",
                 "date": "0000-00-00", "questionnaire": "'; drop table x;--", "step": "\x00"}


def _routes():
    def walk(patterns, namespace=None, outer=()):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace, (*outer, *p.pattern.converters))
            elif isinstance(p, URLPattern) and p.name and namespace not in SKIP_NAMESPACES and namespace:
                yield f"{namespace}:{p.name}", [*outer, *p.pattern.converters]

    return sorted(r for r in walk(get_resolver().url_patterns) if not r[0].startswith(SKIP_PREFIXES))


ROUTES = _routes()


class _PostForms(HTMLParser):
    """The field names (and which are files) of each POST form on a page, with its action."""

    def __init__(self):
        super().__init__()
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            if a.get("type") not in ("submit", "button"):
                self._form["fields"][a["name"]] = a.get("type") == "file"

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _forms_on(html):
    parser = _PostForms()
    parser.feed(html)
    return parser.forms


def test_the_sweep_covers_the_staff_pages():
    names = {name for name, _params in ROUTES}
    assert len(names) > 60
    assert {"core:organisation_edit", "consultations:question_edit", "projects:project_import",
            "projects:project_timeline", "library:pack_upload"} <= names


def _hostile_posts(form):
    for value in HOSTILE_VALUES:
        data = {}
        for field, is_file in form["fields"].items():
            if field != "csrfmiddlewaretoken":
                data[field] = SimpleUploadedFile("hostile.json", ("[" * 50_000).encode()) if is_file else value
        yield value, data


def test_no_hostile_input_makes_a_server_error(client_for, alice, sweep_values, settings):
    """One pass over every route with one set of objects (building them per route would take
    minutes); routes that only delete or close something are left out, as they take no input and
    would remove the objects the later routes need."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = client_for(alice)
    client.raise_request_exception = False
    values = {**sweep_values, "fmt": "responses.csv"}  # as in the outsider sweep
    failures, posts = [], 0
    for name, params in ROUTES:
        if name.endswith(DESTRUCTIVE):
            continue
        url = reverse(name, kwargs={p: values[p] for p in params})
        page = client.get(url, HOSTILE_QUERY)
        if page.status_code >= 500:
            failures.append(f"GET {url} with hostile query parameters: {page.status_code}")
        forms = _forms_on(page.getvalue().decode(errors="replace")) if page.status_code == 200 else []  # streamed too
        if not forms:  # a POST-only route
            forms = [{"action": "", "fields": {"title": False, "text": False, "file": True}}]
        for form in forms:
            target = form["action"] or url
            if target.startswith(("/accounts/", "http")) or target.rstrip("/").endswith(DESTRUCTIVE):
                continue
            for value, data in _hostile_posts(form):
                posts += 1
                answer = client.post(target, data)
                if answer.status_code >= 500:
                    failures.append(f"POST {target} ({name}) with {value[:20]!r}: {answer.status_code}")
    assert posts > 300, "the sweep sent too few forms to be trusted"
    assert failures == []
