"""Loading content packs and evidence links into the library.

Views, the API and the ``load_packs`` command all call these functions; nothing else writes the
library models. Every load checks the whole pack first and writes in one transaction, so a pack is
either fully loaded or not at all.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tailorkit.core.services import audit_record

from .models import Category, ContentPack, Item, Link, PackKind
from .packfiles import (
    MANIFEST,
    PackError,
    Problem,
    normalise_name,
    parse_links_csv,
    parse_pack,
    read_source,
)
from .workbook import pack_detail_problems, parse_workbook, read_upload

__all__ = ["PackError", "LoadResult", "pack_validate", "pack_load", "links_import_csv"]


@dataclass
class LoadResult:
    pack: ContentPack
    status: str  # "loaded", "updated" or "unchanged"
    counts: dict = field(default_factory=dict)

    @property
    def message(self):
        names = {"pack": self.pack.name, "version": self.pack.version}
        if self.status == "unchanged":
            return _("%(pack)s %(version)s was already loaded; nothing changed.") % names
        if self.status == "updated":
            return _("%(pack)s updated to version %(version)s.") % names
        return _("%(pack)s %(version)s loaded.") % names


# --- matching names to items -------------------------------------------------------------------


class ItemIndex:
    """Finds a pack's item by code, or by name or alias after `normalise_name`."""

    def __init__(self, pack):
        self.pack = pack
        self.by_code = {}
        self.by_name = defaultdict(dict)
        for item in pack.items.all():
            self.by_code[item.code] = item
            for name in [item.name, *item.aliases]:
                self.by_name[normalise_name(name)][item.pk] = item

    def find(self, ref):
        """Return (item, None) or (None, message)."""
        if ref in self.by_code:
            return self.by_code[ref], None
        matches = list(self.by_name.get(normalise_name(ref), {}).values())
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, _("'%(ref)s' matches more than one item in pack '%(pack)s' (%(codes)s); use the code.") % {
                "ref": ref, "pack": self.pack.slug, "codes": ", ".join(sorted(i.code for i in matches))}
        return None, _("no item called '%(ref)s' in pack '%(pack)s'.") % {"ref": ref, "pack": self.pack.slug}


def _resolve_links(raw_links, *, owner_slug=None, packs=None):
    """Turn link dicts (with item names) into (from, to, weight, kind, source, where) rows, or problems."""
    problems, resolved, indexes, seen, missing = [], [], {}, {}, set()
    packs = dict(packs or {})
    for link in raw_links:
        ends = []
        for side in ("from", "to"):
            slug = link[f"{side}_pack"]
            if slug not in indexes:
                pack = packs.get(slug) or ContentPack.objects.filter(slug=slug).first()
                indexes[slug] = ItemIndex(pack) if pack else None
            index = indexes[slug]
            if index is None:
                if slug not in missing:  # once per pack, not once per row
                    missing.add(slug)
                    problems.append(Problem(link["file"], link["where"], f"{side}_pack",
                                            _("pack '%(slug)s' is not loaded; load it first.") % {"slug": slug}))
                ends.append(None)
                continue
            item, message = index.find(link[f"{side}_item"])
            if message:
                problems.append(Problem(link["file"], link["where"], link[f"{side}_field"], message))
            ends.append(item)
        if None in ends:
            continue
        key = (ends[0].pk, ends[1].pk, link["source"])
        if key in seen:
            problems.append(Problem(link["file"], link["where"], "", _("same link and source as %(other)s.")
                                    % {"other": seen[key]}))
            continue
        seen[key] = link["where"]
        resolved.append({"from_item": ends[0], "to_item": ends[1], "weight": link["weight"], "kind": link["kind"],
                         "source": link["source"], "rationale": link.get("rationale", ""),
                         "where": link["where"], "file": link["file"]})
    if resolved and owner_slug is not None:
        # The unique (from, to, source) rule is instance-wide: another pack may already bring this link.
        taken = Link.objects.exclude(pack__slug=owner_slug).filter(
            from_item__in=[r["from_item"] for r in resolved], to_item__in=[r["to_item"] for r in resolved]
        ).select_related("pack")
        owners = {(lk.from_item_id, lk.to_item_id, lk.source): lk.pack.slug for lk in taken}
        for row in resolved:
            other = owners.get((row["from_item"].pk, row["to_item"].pk, row["source"]))
            if other:
                problems.append(Problem(row["file"], row["where"], "", _("pack '%(other)s' already holds this link "
                                        "with the same source.") % {"other": other}))
    return resolved, problems


def _in_row_order(problems):
    """Sort problems by file, then by the row or list index they point at (stable otherwise)."""
    def key(problem):
        match = re.search(r"\d+", problem.where)
        return (problem.file != MANIFEST, problem.file, int(match.group()) if match else -1)

    return sorted(problems, key=key)


# --- validating ----------------------------------------------------------------------------------


def pack_validate(*, path=None, file=None):
    """Read and check a pack against its own rules and the current library. Raises PackError.

    Returns (parsed pack, resolved links, existing ContentPack or None).
    """
    source = read_source(path=path, file=file)
    parsed, problems = parse_pack(source)
    existing = ContentPack.objects.filter(slug=parsed.slug).first() if parsed.slug else None
    if existing and existing.kind != parsed.kind and parsed.kind:
        problems.append(Problem(MANIFEST, "", "kind", _("pack '%(slug)s' is already loaded as kind '%(kind)s'.")
                                % {"slug": existing.slug, "kind": existing.kind}))
    if existing and existing.version == parsed.version and existing.checksum != parsed.checksum:
        problems.append(Problem(MANIFEST, "", "version", _(
            "version %(version)s of pack '%(slug)s' is already loaded with different content; "
            "give the changed pack a new version.") % {"version": parsed.version, "slug": parsed.slug}))
    resolved = []
    if parsed.kind == PackKind.LINKS and parsed.links:
        resolved, link_problems = _resolve_links(parsed.links, owner_slug=parsed.slug)
        problems = _in_row_order(problems + link_problems)
    if problems:
        raise PackError(problems)
    return parsed, resolved, existing


# --- writing -------------------------------------------------------------------------------------


def _parents_first(entries):
    """Order entries so every parent comes before its children (the tree has no loops by now)."""
    by_code = {e["code"]: e for e in entries}
    ordered, done = [], set()

    def visit(entry):
        if entry["code"] in done:
            return
        if entry["parent"]:
            visit(by_code[entry["parent"]])
        done.add(entry["code"])
        ordered.append(entry)

    for entry in entries:
        visit(entry)
    return ordered


def _save_if_changed(obj, values, counts, noun):
    changed = obj.pk is None or any(getattr(obj, k) != v for k, v in values.items())
    if changed:
        counts[f"{noun}_{'created' if obj.pk is None else 'updated'}"] += 1
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save()
    return obj


def _is_referenced(item):
    """True if any row outside this pack's item tree points at the item (links, future project rows)."""
    for rel in Item._meta.related_objects:
        if rel.related_model is Item:
            continue  # children: every kept child already points at a parent inside the new version
        if rel.related_model._default_manager.filter(**{rel.field.name: item}).exists():
            return True
    return False


def _write_tree(pack, parsed, counts):
    categories = {c.code: c for c in pack.categories.all()}
    for entry in _parents_first(parsed.categories):
        obj = categories.get(entry["code"]) or Category(pack=pack, code=entry["code"])
        categories[entry["code"]] = _save_if_changed(obj, {
            "name": entry["name"], "description": entry["description"], "order": entry["order"],
            "attributes": entry["attributes"], "parent": categories[entry["parent"]] if entry["parent"] else None,
        }, counts, "categories")
    items = {i.code: i for i in pack.items.all()}
    for entry in _parents_first(parsed.items):
        obj = items.get(entry["code"]) or Item(pack=pack, code=entry["code"])
        items[entry["code"]] = _save_if_changed(obj, {
            "name": entry["name"], "description": entry["description"], "order": entry["order"],
            "aliases": entry["aliases"], "attributes": entry["attributes"], "source": entry["source"],
            "category": categories[entry["category"]] if entry["category"] else None,
            "parent": items[entry["parent"]] if entry["parent"] else None,
        }, counts, "items")
    # Items dropped from the new version are deleted only when nothing points at them. A project
    # that chose a strategy, or a link from another pack, must keep its target, so such items stay
    # with attributes["retired"] = True and are hidden from browsing and search.
    wanted = {e["code"] for e in parsed.items}
    for code, item in items.items():
        if code in wanted:
            continue
        if _is_referenced(item):
            if not item.is_retired:
                item.attributes = {**item.attributes, "retired": True}
                item.save()
                counts["items_retired"] += 1
        else:
            item.children.update(parent=None)
            item.delete()
            counts["items_deleted"] += 1
    wanted = {e["code"] for e in parsed.categories}
    for code, category in categories.items():
        if code in wanted:
            continue
        if category.items.exists() or category.children.exists():
            if not category.attributes.get("retired"):
                category.attributes = {**category.attributes, "retired": True}
                category.save()
        else:
            category.delete()
            counts["categories_deleted"] += 1


LINK_BATCH = 500


def _write_links(pack, resolved, counts, *, replace):
    """Create, update and (with ``replace``) delete the pack's links, with their history, in bulk:
    a full Matching Tool workbook is about 2,800 links, and saving each with its history row one by
    one took seconds (simple-history's bulk helpers write both tables in batches)."""
    existing = {(lk.from_item_id, lk.to_item_id, lk.source): lk for lk in pack.links.all()}
    created, changed = [], []
    for row in resolved:
        key = (row["from_item"].pk, row["to_item"].pk, row["source"])
        values = {"weight": row["weight"], "kind": row["kind"], "rationale": row["rationale"]}
        obj = existing.pop(key, None)
        if obj is None:
            created.append(Link(pack=pack, from_item=row["from_item"], to_item=row["to_item"], source=row["source"],
                                **values))
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            changed.append(obj)
    if created:
        bulk_create_with_history(created, Link, batch_size=LINK_BATCH)
        counts["links_created"] += len(created)
    if changed:
        bulk_update_with_history(changed, Link, ["weight", "kind", "rationale"], batch_size=LINK_BATCH)
        counts["links_updated"] += len(changed)
    if replace:
        for link in existing.values():
            link.delete()
            counts["links_deleted"] += 1


@transaction.atomic
def pack_load(*, path=None, file=None, user=None, request=None, builtin=False):
    """Validate and load one pack. Same checksum → nothing changes; a new version updates by code.

    Raises PackError (and writes nothing) if anything in the pack is wrong.
    """
    parsed, resolved, existing = pack_validate(path=path, file=file)
    if existing and existing.checksum == parsed.checksum:
        return LoadResult(existing, "unchanged")
    counts = defaultdict(int)
    uploader = user if getattr(user, "is_authenticated", False) else None
    pack = existing or ContentPack(slug=parsed.slug)
    previous_version = pack.version if existing else None
    for key in ("name", "version", "language", "kind", "description", "source", "licence", "checksum"):
        setattr(pack, key, getattr(parsed, key))
    pack.uploaded_by = uploader
    pack.is_builtin = builtin
    pack.save()
    if parsed.kind == PackKind.LINKS:
        _write_links(pack, resolved, counts, replace=True)
    else:
        _write_tree(pack, parsed, counts)
    status = "updated" if existing else "loaded"
    audit_record(action="library.pack_imported", actor=user, target=pack.slug, request=request, details={
        "status": status, "version": pack.version, "previous_version": previous_version,
        "checksum": pack.checksum, "counts": dict(counts),
    })
    return LoadResult(pack, status, dict(counts))


def _as_text(file):
    if isinstance(file, str | Path) and Path(file).is_file():
        return Path(file).name, Path(file).read_text(encoding="utf-8-sig")
    if isinstance(file, bytes):
        return "links.csv", file.decode("utf-8-sig")
    data = file.read()
    name = Path(getattr(file, "name", "") or "links.csv").name
    return name, data.decode("utf-8-sig") if isinstance(data, bytes) else data


def _pack(value):
    return value if isinstance(value, ContentPack) else ContentPack.objects.get(slug=value)


@transaction.atomic
def links_import_csv(*, file, from_pack, to_pack, source_default=None, user=None, pack=None, request=None):
    """Import long-format links (construct, strategy, percent, source) between two loaded packs.

    Every row must resolve, or PackError lists the bad rows and nothing is imported. Links go into
    ``pack`` (a links pack) or, if none is given, into a links pack named after the two packs.
    """
    from_pack, to_pack = _pack(from_pack), _pack(to_pack)
    name, text = _as_text(file)
    rows, problems = parse_links_csv(text, file=name, from_pack=from_pack.slug, to_pack=to_pack.slug,
                                     source_default=source_default or "", kind="expert_endorsement")
    for row in rows:
        if not row["source"]:
            problems.append(Problem(name, row["where"], "source", _("is required when no default source is given.")))
    if not rows and not problems:
        problems.append(Problem(name, "", "", _("has no links.")))
    if problems and not rows:
        raise PackError(problems)
    if pack is None:
        pack, _created = ContentPack.objects.get_or_create(slug=f"{from_pack.slug}--{to_pack.slug}", defaults={
            "name": _("Links from %(a)s to %(b)s") % {"a": from_pack.name, "b": to_pack.name},
            "version": "imported", "kind": PackKind.LINKS, "source": source_default or _("See each link"),
            "licence": _("As given by the source of each link"),
            "checksum": hashlib.sha256(text.encode()).hexdigest(),
            "uploaded_by": user if getattr(user, "is_authenticated", False) else None,
        })
    resolved, link_problems = _resolve_links(rows, owner_slug=pack.slug, packs={from_pack.slug: from_pack,
                                                                                to_pack.slug: to_pack})
    problems = _in_row_order(problems + link_problems)
    if problems:
        raise PackError(problems)
    counts = defaultdict(int)
    _write_links(pack, resolved, counts, replace=False)
    audit_record(action="library.links_imported", actor=user, target=pack.slug, request=request, details={
        "file": name, "from_pack": from_pack.slug, "to_pack": to_pack.slug, "counts": dict(counts)})
    return dict(counts)


# --- matching workbooks (wide matrices) and deleting packs ---------------------------------------


@dataclass
class WorkbookResult:
    pack: ContentPack
    status: str  # "loaded" or "replaced"
    counts: dict
    workbook: object  # workbook.Workbook: where the matrix was found

    @property
    def message(self):
        counts, book = self.counts, self.workbook
        names = {"pack": self.pack.name, "version": self.pack.version, "added": counts.get("links_created", 0),
                 "changed": counts.get("links_updated", 0), "removed": counts.get("links_deleted", 0),
                 "total": len(book.links), "rows": book.n_rows, "cols": book.n_columns}
        if self.status == "replaced":
            text = _("%(pack)s replaced by version %(version)s. Links now: %(total)d (added: %(added)d, changed: "
                     "%(changed)d, removed: %(removed)d).") % names
        else:
            text = _("%(pack)s %(version)s loaded. Links: %(total)d.") % names
        text += " " + _("Rows read: %(rows)d; columns read: %(cols)d.") % names
        if book.skipped:
            text += " " + _("Skipped as summaries: %(names)s.") % {"names": ", ".join(f"'{n}'" for n in book.skipped)}
        return text


@transaction.atomic
def links_pack_import_workbook(*, file, from_pack, to_pack, slug, name, version, source, licence, link_source="",
                               description="", replace=False, user=None, request=None):
    """Make a links pack from a wide matrix (the CFIR–ERIC Matching Tool workbook as it comes, .xlsx or
    .csv): one row per item of ``to_pack``, one column per item of ``from_pack`` (or the other way round).

    ``replace=True`` loads a newer version of the links pack ``slug``: links not in the new file are
    removed. Raises PackError listing every problem (unknown names with the closest known ones, bad
    values, layout) and then writes nothing.
    """
    from_pack, to_pack = _pack(from_pack), _pack(to_pack)
    label, data = read_upload(file)
    existing = ContentPack.objects.select_for_update().filter(slug=slug).first()
    problems = pack_detail_problems(slug=slug, name=name, version=version, source=source, licence=licence,
                                    existing=existing, replace=replace)
    for end, end_pack in (("from_pack", from_pack), ("to_pack", to_pack)):
        if end_pack.kind == PackKind.LINKS:
            problems.append(Problem(_("pack details"), "", end, _("must be a pack of items, not of links.")))
    if problems:
        raise PackError(problems)
    book = parse_workbook(data, filename=label, from_index=ItemIndex(from_pack), to_index=ItemIndex(to_pack),
                          source=(link_source or source).strip())
    if book.problems:
        raise PackError(book.problems)
    resolved, problems = _resolve_links(book.links, owner_slug=slug,
                                        packs={from_pack.slug: from_pack, to_pack.slug: to_pack})
    if problems:
        raise PackError(problems)
    pack = existing or ContentPack(slug=slug, kind=PackKind.LINKS)
    previous_version = existing.version if existing else None
    place = _("sheet '%(sheet)s'") % {"sheet": book.sheet} if book.sheet else label
    pack.name, pack.version, pack.source, pack.licence = name.strip(), version.strip(), source.strip(), licence.strip()
    pack.description = description.strip() or _(
        "Links from %(a)s to %(b)s, read from the matrix in %(place)s of %(file)s: each weight is the percent "
        "of experts who endorsed the strategy for the barrier. Pairs left empty or at 0 have no link."
    ) % {"a": from_pack.name, "b": to_pack.name, "place": place, "file": label}
    pack.checksum = hashlib.sha256(data).hexdigest()
    pack.uploaded_by = user if getattr(user, "is_authenticated", False) else None
    pack.is_builtin = False
    pack.save()
    counts = defaultdict(int)
    _write_links(pack, resolved, counts, replace=True)
    status = "replaced" if existing else "loaded"
    audit_record(action="library.workbook_imported", actor=user, target=pack.slug, request=request, details={
        "status": status, "file": label, "sheet": book.sheet, "header_row": book.header_row,
        "from_pack": from_pack.slug, "to_pack": to_pack.slug, "version": pack.version,
        "previous_version": previous_version, "checksum": pack.checksum, "fractions": book.fractions,
        "skipped": book.skipped, "counts": dict(counts)})
    return WorkbookResult(pack, status, dict(counts), book)


def pack_delete_problems(pack):
    """Why ``pack`` cannot be deleted; empty when it can. A pack whose items other links packs
    point at, or that projects use (a barrier list, a chosen strategy), stays: deleting it would
    take their records with it or change their meaning."""
    problems = []
    linked = sorted(set(Link.objects.filter(Q(from_item__pack=pack) | Q(to_item__pack=pack))
                        .exclude(pack=pack).values_list("pack__name", flat=True)))
    if linked:
        problems.append(Problem(pack.name, "", "", _("links packs point at its items: %(packs)s. Delete those "
                                                     "packs first.") % {"packs": "; ".join(linked)}))
    collector = Collector(using=ContentPack.objects.db)
    try:
        collector.collect([pack])  # a dry run: finds what refuses deletion, deletes nothing
    except (ProtectedError, RestrictedError) as exc:
        used = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or []
        kinds = defaultdict(int)
        for obj in used:
            kinds[str(obj._meta.verbose_name)] += 1
        problems.append(Problem(pack.name, "", "", _(
            "projects use it (%(uses)s). A pack in use cannot be deleted, so that projects keep their records; "
            "load a newer version of it instead.") % {"uses": ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items()))}
        ))
    return problems


@transaction.atomic
def pack_delete(*, pack, user=None, request=None):
    """Delete a pack with its items, groups and links, if nothing depends on it (see
    `pack_delete_problems`; raises PackError otherwise). Returns counts of what was deleted."""
    pack = ContentPack.objects.select_for_update().get(pk=pack.pk)
    problems = pack_delete_problems(pack)
    if problems:
        raise PackError(problems)
    counts = {"links": pack.links.count(), "items": pack.items.count(), "categories": pack.categories.count()}
    details = {"name": pack.name, "version": pack.version, "kind": pack.kind, "builtin": pack.is_builtin,
               "checksum": pack.checksum, "counts": counts}
    try:
        pack.delete()
    except (ProtectedError, RestrictedError):
        raise PackError(pack_delete_problems(pack)) from None
    audit_record(action="library.pack_deleted", actor=user, target=pack.slug, request=request,
                 details=details)
    return counts
