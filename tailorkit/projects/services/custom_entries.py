"""Linking a custom barrier or strategy to an item of the project's lists, or keeping it as
written (issue 12, point 5). The suggestions themselves are read in ``selectors/custom_entries.py``.

Linking sets the entry's ``item`` and keeps ``custom_name``: the team's own wording stays with the
row (the pages show it beside the item's name, "in your words"), and its history shows the
change. From then on the entry is an item of the list, so it gets that item's evidence. Like every
edit, a link names the version the person saw and is refused when someone changed the entry since.

Keeping an entry as written changes no row: it is recorded in the audit log with the wording kept,
so the suggestions stay hidden until the wording changes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import lock_versioned
from tailorkit.core.services import audit_record

from ..models import Barrier, StrategyOption
from ..selectors.custom_entries import KEPT_ACTION, kept_target
from .projects import project_touch


def _set_item(model, entry, project, item, version):
    """``apply_versioned`` for the one change, without checking ``created_by``: an entry whose author
    was deleted (SET_NULL) can still be linked."""
    row = lock_versioned(model, pk=entry.pk, project=project, expected_version=version, submitted={"item": item})
    row.item = item
    row.version += 1
    row.full_clean(exclude=["created_by"])
    row.save()
    return row


def _check_item(item, pack, list_message):
    if item is None or item.pack_id != pack.pk:
        raise ValidationError({"item": list_message % {"pack": pack.name}})
    if item.is_retired:
        raise ValidationError({"item": _("“%(name)s” is no longer part of the current list.") % {"name": item.name}})


@transaction.atomic
def barrier_link_item(*, project, user, barrier, item, version):
    """Make the custom ``barrier`` the item ``item`` of the project's determinant list."""
    if barrier.project_id != project.pk:
        raise ValidationError(_("Choose a barrier of this project."))
    if barrier.item_id is not None:
        raise ValidationError(_("“%(name)s” is already an item of your barrier list.") % {"name": barrier.name})
    _check_item(item, project.determinant_pack,
                _("That barrier is not in this project's barrier list (%(pack)s)."))
    if Barrier.objects.filter(project=project, item=item).exists():
        raise ValidationError({"item": _("“%(name)s” is already on your list. Keep this barrier as written, or "
                                         "delete it and add your words to the notes of “%(name)s”.")
                                       % {"name": item.name}})
    barrier = _set_item(Barrier, barrier, project, item, version)
    project_touch(project)
    return barrier


@transaction.atomic
def option_link_item(*, project, user, option, item, version):
    """Make the custom strategy ``option`` the item ``item`` of the project's strategy catalogue."""
    if option.project_id != project.pk:
        raise ValidationError(_("Choose a strategy of this project."))
    if option.item_id is not None:
        raise ValidationError(_("“%(name)s” is already a strategy of your catalogue.") % {"name": option.name})
    _check_item(item, project.strategy_pack,
                _("That strategy is not in this project's strategy catalogue (%(pack)s)."))
    if StrategyOption.objects.filter(project=project, barrier_id=option.barrier_id, item=item).exists():
        raise ValidationError({"item": _("“%(name)s” is already a candidate for this barrier. Keep this strategy "
                                         "as written, or delete one of the two.") % {"name": item.name}})
    option = _set_item(StrategyOption, option, project, item, version)
    project_touch(project)
    return option


def _keep(project, user, entry, request):
    if entry.project_id != project.pk:
        raise ValidationError(_("Choose a barrier or strategy of this project."))
    if entry.item_id is not None:
        raise ValidationError(_("“%(name)s” is already an item of your list.") % {"name": entry.name})
    audit_record(action=KEPT_ACTION, actor=user, organisation=project.organisation, target=kept_target(entry),
                 details={"project": project.pk, "name": entry.custom_name}, request=request)


@transaction.atomic
def barrier_keep_custom(*, project, user, barrier, request=None):
    """The team keeps its custom barrier as written: no more suggestions for this wording."""
    _keep(project, user, barrier, request)


@transaction.atomic
def option_keep_custom(*, project, user, option, request=None):
    """The team keeps its custom strategy as written: no more suggestions for this wording."""
    _keep(project, user, option, request)
