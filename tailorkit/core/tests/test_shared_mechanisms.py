"""The mechanisms every app shares: fetch-if-allowed, error translation, tokens (charts: test_charts.py)."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tailorkit.core import errors, selectors
from tailorkit.core.models import Membership
from tailorkit.core.permissions import access_in, can, get_object_for_user_or_404
from tailorkit.core.tokens import hash_token, new_token


@pytest.fixture
def membership(org, bob):
    return Membership.objects.get(organisation=org, user=bob)


def test_fetch_if_allowed_gives_the_row_to_a_member(org, alice, membership):
    found = get_object_for_user_or_404(alice, Membership.objects.all(), org_slug=org.slug, pk=membership.pk)
    assert found == membership


def test_fetch_if_allowed_is_a_404_for_an_outsider_and_for_a_row_elsewhere(org, mallory, alice, membership):
    with pytest.raises(Http404):
        get_object_for_user_or_404(mallory, Membership.objects.all(), org_slug=org.slug, pk=membership.pk)
    other = Membership.objects.get(user=mallory)
    with pytest.raises(Http404):  # alice's organisation, mallory's row: not found, not forbidden
        get_object_for_user_or_404(alice, Membership.objects.all(), org_slug=org.slug, pk=other.pk)


def test_fetch_if_allowed_is_a_403_for_a_member_without_the_right(org, dave, membership):
    with pytest.raises(PermissionDenied):
        get_object_for_user_or_404(dave, Membership.objects.all(), org_slug=org.slug, action="edit",
                                   pk=membership.pk)


def test_access_names_the_role_and_its_actions(org, alice, dave, mallory):
    lead, viewer = access_in(alice, org), access_in(dave, org)
    assert lead.role == "lead" and "manage_members" in lead.actions and lead.allows("edit")
    assert viewer.allows("view") and not viewer.allows("edit") and not can(dave, "edit", org)
    assert access_in(mallory, org) is None


def test_organisations_with_role_costs_one_query_for_any_number(alice, org, django_assert_num_queries):
    from tailorkit.core import services

    for i in range(5):
        services.organisation_create(user=alice, name=f"Clinic {i}", country="Spain")
    with django_assert_num_queries(1):
        rows = [(o.slug, o.my_role) for o in selectors.organisations_with_role(alice)]
    assert len(rows) == 6 and {role for _slug, role in rows} == {"lead"}


class NameForm(forms.Form):
    name = forms.CharField()


def test_service_errors_land_at_their_field_or_on_top_of_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    errors.add_to_form(form, ValidationError({"name": "Too short.", "elsewhere": "Not on this form."}))
    assert form.errors["name"] == ["Too short."] and form.non_field_errors() == ["Not on this form."]
    exc = ValidationError({"title": ["Say what it is."]})
    assert errors.as_dict(exc, rename={"title": "name"}) == {"name": ["Say what it is."]}
    assert errors.as_dict(ValidationError("Refused.")) == {"__all__": ["Refused."]}
    assert errors.summary(ValidationError(["One.", "Two."])) == "One. Two."


def test_tokens_are_long_random_and_stored_as_hashes():
    first, second = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert hash_token(first) == hash_token(first) and len(hash_token(first)) == 64 and first not in hash_token(first)
