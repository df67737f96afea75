"""No silent overwrites, anywhere (issue 9, point 4): the whole class of problem, not five forms.

Three walks, so that a form, page or API route added later cannot skip the version check unnoticed:

1. every form class of the project either carries the version it was built from or is listed
   below as one that edits no stored row (with the reason);
2. every edit page (a URL named ``*_edit``) is loaded as a real person would, someone else saves
   the row meanwhile, and the form is sent back unchanged: the page must show the conflict and
   the row must keep the other person's save;
3. every API route that changes a row (PUT or PATCH) must require ``version`` in its body.
"""

import importlib
import pkgutil
from html.parser import HTMLParser

import pytest
from django import forms
from django.db.models import F
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tailorkit
from tailorkit.consultations.models import Consultation, Question, Questionnaire, Section
from tailorkit.core import services
from tailorkit.core.models import Organisation
from tailorkit.measures.models import Measure
from tailorkit.projects.models import (
    Barrier,
    EngagementPlan,
    EngagementRecord,
    Goal,
    Project,
    Review,
    StakeholderGroup,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.support.models import DevelopmentPlan, Reflection, SupportContact

# Forms that write no existing row, so a stale copy cannot overwrite anything.
EDITS_NO_ROW = {
    "EffortForm": "logs a new effort entry",
    "ImportForm": "uploads a file that becomes a new project",
    "DecisionForm": "records a new decision; the step it moves the project to is checked by the service",
    "BarrierSearchForm": "a search box",
    "InviteForm": "sends new invitations",
    "AccessCodeForm": "a respondent's access code",
    "PackUploadForm": "loads a content pack, itself versioned by its pack file",
    "SearchForm": "a search box",
    "TokenForm": "makes a new API token",
    "InvitationForm": "makes a new organisation invitation",
    "RoleForm": "one choice per member, and the change is written to the audit log; the last decision "
                "is the one that counts",
    "SignupForm": "makes a new account",
    "AnnotationForm": "adds a new note to a period of a measure's chart",
    "PersonForm": "adds a new named person to a stakeholder group (people are added and erased, never edited)",
    "CopyGroupsForm": "copies another project's stakeholder groups as new groups; names already on the map are skipped",
    "BaselineForm": "adds a new phase of limits; a second one from the same period is refused by the service",
    "MeasureLinkForm": "links a measure to a project (a new link; linking twice is refused)",
    "ValuesGridForm": "each row carries the version of its stored value (version_<n>), which "
                      "observations_save checks before changing or removing it",
    "AssessmentForm": "makes a new self-assessment (kept as it was made; it is never edited)",
    "ShareForm": "shares a self-assessment with one more person",
    "CommentForm": "adds a new comment to a shared self-assessment",
    "MeasureUploadForm": "uploads a file; its values are stored only after the person saw the preview and "
                         "confirmed, and every change is kept in the history",
}

# The row an edit page changes: the model named by the last parameter of its URL.
ROW_OF_PARAMETER = {
    "org_slug": (Organisation, "slug"),
    "project_id": (Project, "pk"),
    "goal_id": (Goal, "pk"),
    "barrier_id": (Barrier, "pk"),
    "option_id": (StrategyOption, "pk"),
    "task_id": (Task, "pk"),
    "criterion_id": (SuccessCriterion, "pk"),
    "review_id": (Review, "pk"),
    "questionnaire_id": (Questionnaire, "pk"),
    "section_id": (Section, "pk"),
    "question_id": (Question, "pk"),
    "consultation_id": (Consultation, "uuid"),
    "measure_id": (Measure, "pk"),
    "group_id": (StakeholderGroup, "pk"),
    "plan_id": (EngagementPlan, "pk"),
    "record_id": (EngagementRecord, "pk"),
    "development_plan_id": (DevelopmentPlan, "pk"),
    "reflection_id": (Reflection, "pk"),
    "contact_id": (SupportContact, "pk"),
}

CONFLICT_TEXT = "Someone else saved this"


def _project_forms():
    for info in pkgutil.walk_packages(tailorkit.__path__, "tailorkit."):
        if ".tests" in info.name or ".migrations" in info.name or not (
                info.name.endswith((".forms", ".views")) or ".forms." in info.name or ".views." in info.name):
            continue
        importlib.import_module(info.name)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            module = sub.__module__
            if module.startswith("tailorkit.") and ".tests" not in module and module != "tailorkit.core.locking":
                seen.add(sub)
    return seen


def test_every_form_carries_a_version_or_edits_no_row():
    found = _project_forms()
    assert len(found) > 20, "the walk found too few forms to be trusted"
    unversioned = {cls.__name__ for cls in found if "version" not in cls.base_fields}
    assert unversioned - set(EDITS_NO_ROW) == set(), (
        "These forms edit without a version: use VersionedForm/VersionedModelForm from "
        "tailorkit.core.locking, or list them in EDITS_NO_ROW with the reason")
    # The list holds no stale entries either.
    assert set(EDITS_NO_ROW) <= {cls.__name__ for cls in found}


def _edit_routes():
    def walk(patterns, namespace=None, outer=()):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace, (*outer, *p.pattern.converters))
            elif isinstance(p, URLPattern) and p.name and p.name.endswith("_edit"):
                yield f"{namespace}:{p.name}", [*outer, *p.pattern.converters]

    return sorted(walk(get_resolver().url_patterns))


EDIT_ROUTES = _edit_routes()


class _FormFields(HTMLParser):
    """The fields of the form that carries ``version``, as a browser would send them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = []
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self._form.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self._form.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self._form.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _versioned_form(html):
    parser = _FormFields()
    parser.feed(html)
    found = [f for f in parser.forms if any(name == "version" for name, _value in f)]
    assert len(found) == 1, "the page should have exactly one form carrying a version"
    data = {}
    for name, value in found[0]:
        data.setdefault(name, []).append(value.removeprefix("\n"))
    return data


def test_the_walk_finds_the_edit_pages():
    names = {name for name, _params in EDIT_ROUTES}
    # The five that overwrote silently before, and the tailoring cycle's own.
    assert {"core:organisation_edit", "consultations:questionnaire_edit", "consultations:section_edit",
            "consultations:question_edit", "consultations:consultation_edit", "projects:project_edit",
            "projects:project_goal_edit", "projects:project_review_edit"} <= names


@pytest.mark.parametrize(("name", "params"), EDIT_ROUTES, ids=[name for name, _params in EDIT_ROUTES])
def test_a_stale_edit_page_is_refused_and_keeps_the_other_save(name, params, client_for, alice, sweep_values):
    assert params[-1] in ROW_OF_PARAMETER, f"{name}: say which model its last URL parameter names"
    model, lookup = ROW_OF_PARAMETER[params[-1]]
    row = model.objects.filter(**{lookup: sweep_values[params[-1]]})
    url = reverse(name, kwargs={p: sweep_values[p] for p in params})
    client = client_for(alice)

    page = client.get(url)
    assert page.status_code == 200, f"{name}: the edit page does not open"
    data = _versioned_form(page.content.decode())
    assert data["version"] == [str(row.get().version)]

    row.update(version=F("version") + 1)  # someone else saves meanwhile
    saved_by_them = row.get().version
    stale = client.post(url, data)

    assert stale.status_code == 200 and CONFLICT_TEXT in stale.content.decode(), (
        f"{name}: a stale form was not refused")
    assert row.get().version == saved_by_them, f"{name}: the stale form was written over the other save"
    # The page now builds on their version, so saving again is a deliberate choice and goes through.
    again = _versioned_form(stale.content.decode())
    assert again["version"] == [str(saved_by_them)]
    assert client.post(url, again).status_code == 302
    assert row.get().version == saved_by_them + 1


def _carries_versions(body, components):
    """``version`` is required in the body, or the body is a set of parts (the APEASE criteria of an
    appraisal) that each carry their own version, where 0 means "not written yet" and so refuses
    a part someone else has written meanwhile."""
    if "version" in body.get("required", []):
        return True
    parts = []
    for prop in body.get("properties", {}).values():
        refs = [s["$ref"] for s in prop.get("anyOf", [prop]) if "$ref" in s]
        parts += [components[r.rsplit("/", 1)[-1]] for r in refs]
    return bool(parts) and all("version" in part.get("properties", {}) for part in parts)


def test_every_api_write_requires_the_version(client):
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    # Each person's own ratings: no one else writes them (see ratings_save).
    own_rows_only = {("put", "/api/organisations/{org_slug}/projects/{project_id}/ratings")}
    checked = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in ("put", "patch") or (method, path) in own_rows_only:
                continue
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            body = components[ref.rsplit("/", 1)[-1]]
            assert _carries_versions(body, components), (
                f"{method.upper()} {path} does not require the version it was built from")
            checked.append(path)
    assert len(checked) >= 10, "the walk found too few API writes to be trusted"


def test_the_conflict_shows_both_versions_side_by_side(client_for, alice, org):
    client = client_for(alice)
    url = reverse("core:organisation_edit", kwargs={"org_slug": org.slug})
    data = _versioned_form(client.get(url).content.decode())
    services.organisation_update(organisation=org, actor=alice, version=org.version, name="Their name",
                                 country=org.country)
    page = client.post(url, {**data, "name": "My name"}).content.decode()
    assert CONFLICT_TEXT in page
    their_cell, my_cell = page.index("<td>Their name</td>"), page.index("<td>My name</td>")
    assert their_cell < my_cell  # "saved by the other person" comes first, then "your version"
    assert Organisation.objects.get(pk=org.pk).name == "Their name"
