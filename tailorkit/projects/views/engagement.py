"""Stakeholder engagement pages (being written)."""
from django.http import Http404


def organisation_stakeholders(request, *args, **kwargs):
    raise Http404


def stakeholder_map(request, *args, **kwargs):
    raise Http404


def group_create(request, *args, **kwargs):
    raise Http404


def groups_copy(request, *args, **kwargs):
    raise Http404


def group_edit(request, *args, **kwargs):
    raise Http404


def group_remove(request, *args, **kwargs):
    raise Http404


def person_add(request, *args, **kwargs):
    raise Http404


def person_erase(request, *args, **kwargs):
    raise Http404


def engagement(request, *args, **kwargs):
    raise Http404


def plan_create(request, *args, **kwargs):
    raise Http404


def plan_edit(request, *args, **kwargs):
    raise Http404


def plan_delete(request, *args, **kwargs):
    raise Http404


def record_create(request, *args, **kwargs):
    raise Http404


def record_detail(request, *args, **kwargs):
    raise Http404


def record_edit(request, *args, **kwargs):
    raise Http404


def record_delete(request, *args, **kwargs):
    raise Http404

