"""Reading and checking content pack files before anything touches the database.

A pack arrives as a folder, a single ``pack.yaml`` or a ``.zip`` holding ``pack.yaml`` (and a links
CSV). Everything here is pure: it turns bytes into plain Python values and a list of `Problem`s, so
`services.pack_validate` can report every mistake at once and `services.pack_load` never writes
half a pack. The file format is described in docs/content-packs.md.
"""

import csv
import hashlib
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from django.utils.translation import gettext as _

from .linkkinds import EXPERT_ENDORSEMENT, for_each_pack, kind_problems
from .models import PackKind

MANIFEST = "pack.yaml"
# Packs are small text files (ERIC is ~40 kB); the cap keeps a hostile zip from filling memory.
MAX_PACK_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 50
# These words are URL paths under /library/, so a pack may not take them as its slug.
RESERVED_SLUGS = {"search", "upload"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[^/\s]([^/]*[^/\s])?$")
ATTRIBUTE_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

MANIFEST_FIELDS = {
    "slug", "name", "version", "language", "kind", "description", "source", "licence",
    "categories", "items", "links", "links_csv", "from_pack", "to_pack", "link_kind",
}
CATEGORY_FIELDS = {"code", "name", "description", "order", "parent", "attributes"}
ITEM_FIELDS = {"code", "name", "category", "parent", "description", "order", "aliases", "attributes", "source"}
LINK_FIELDS = {"from_pack", "from_item", "to_pack", "to_item", "weight", "kind", "source", "rationale"}
CSV_COLUMNS = ("construct", "strategy", "percent")

QUADRANTS = {"I", "II", "III", "IV"}


@dataclass(frozen=True)
class Problem:
    """One mistake, located as precisely as the file allows."""

    file: str
    where: str = ""
    field: str = ""
    message: str = ""

    def __str__(self):
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(_("field '%(field)s'") % {"field": self.field})
        return f"{', '.join(parts)}: {self.message}"


class PackError(Exception):
    """Raised with every problem found; nothing has been saved when it is raised."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class PackSource:
    label: str
    files: dict = field(default_factory=dict)

    @property
    def checksum(self):
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name] + b"\0")
        return digest.hexdigest()


@dataclass
class ParsedPack:
    slug: str
    name: str
    version: str
    language: str
    kind: str
    description: str
    source: str
    licence: str
    checksum: str
    categories: list = field(default_factory=list)
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------


def _too_big(label):
    return PackError([Problem(label, message=_("is larger than 5 MB; a pack should be a few text files."))])


def _read_zip(label, data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackError([Problem(label, message=_("is not a readable zip file."))]) from None
    infos = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_PACK_BYTES:
        raise _too_big(label)
    manifests = [i for i in infos if PurePosixPath(i.filename).name == MANIFEST]
    if len(manifests) != 1:
        raise PackError([Problem(label, message=_("must contain exactly one pack.yaml (found %(n)d).")
                                 % {"n": len(manifests)})])
    folder = PurePosixPath(manifests[0].filename).parent
    files = {}
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.parent == folder and (path.name == MANIFEST or path.suffix.lower() == ".csv"):
            files[path.name] = archive.read(info)
    return PackSource(label, files)


def read_source(*, path=None, file=None):
    """Collect the pack's files (pack.yaml plus any CSV beside it) from a folder, a path or an upload."""
    if path is not None:
        path = Path(path)
        if path.is_dir():
            manifest = path / MANIFEST
            if not manifest.is_file():
                raise PackError([Problem(path.name, message=_("has no pack.yaml."))])
            files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()
                     and (p.name == MANIFEST or p.suffix.lower() == ".csv")}
            return PackSource(path.name, files)
        if not path.is_file():
            raise PackError([Problem(str(path), message=_("does not exist."))])
        label, data = path.name, path.read_bytes()
    elif file is not None:
        label = Path(getattr(file, "name", "") or "upload").name
        if getattr(file, "size", 0) and file.size > MAX_PACK_BYTES:
            raise _too_big(label)
        data = file.read(MAX_PACK_BYTES + 1)
    else:
        raise ValueError("pass path or file")
    if len(data) > MAX_PACK_BYTES:
        raise _too_big(label)
    if data[:4] == b"PK\x03\x04" or label.lower().endswith(".zip"):
        return _read_zip(label, data)
    if not label.lower().endswith((".yaml", ".yml")):
        raise PackError([Problem(label, message=_("must be a .yaml file or a .zip file holding pack.yaml."))])
    return PackSource(label, {MANIFEST: data})


# libyaml's C parser when PyYAML was built with it (the wheels are): ten times faster than the
# pure-Python one, which matters because every test that needs the content packs loads them.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Deeper nesting than this is refused before the YAML is built: a file of nothing but "[" sends
# the parser into a slow (and, in libyaml, crashing) descent. Real packs nest four or five levels.
MAX_YAML_DEPTH = 50


def check_yaml_text(text):
    """Refuse YAML that could blow up when loaded: aliases (*name), which let a tiny file expand
    into a huge one ("billion laughs"), and nesting deeper than ``MAX_YAML_DEPTH``. Checked on the
    event stream, which the C parser produces too (a loader subclass could not hook into it), and
    which stops at the first offending event. Raises ``yaml.YAMLError`` with a translated problem;
    shared with the other YAML uploads (the instruments' wording)."""
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.scanner.ScannerError(None, None, _("aliases (*name) are not allowed"), event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise yaml.scanner.ScannerError(None, None, _("lists and mappings are nested more than %(n)d "
                                                              "levels deep") % {"n": MAX_YAML_DEPTH},
                                                event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _text(source, name):
    try:
        return source.files[name].decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackError([Problem(name, message=_("is not UTF-8 text (byte %(pos)d).") % {"pos": exc.start})]) from None


def load_manifest(source):
    text = _text(source, MANIFEST)
    try:
        check_yaml_text(text)
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - the safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line %(line)d, column %(col)d") % {"line": mark.line + 1, "col": mark.column + 1} if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        message = _("is not valid YAML: %(problem)s") % {"problem": problem}
        raise PackError([Problem(MANIFEST, where, "", message)]) from None
    if not isinstance(data, dict):
        raise PackError([Problem(MANIFEST, message=_("must be a mapping of fields such as slug, name and items."))])
    return data


def peek_manifest(path):
    """Slug, kind and link endpoints of a pack folder, for ordering a batch load. Never raises."""
    try:
        data = load_manifest(read_source(path=path))
    except (PackError, OSError):
        return {}
    return data


# --- names ---------------------------------------------------------------------------------------

# British and American spellings that appear in the ERIC and CFIR names and in papers citing them.
SPELLINGS = {"advisor": "adviser", "advisors": "advisers", "organisation": "organization",
             "organisational": "organizational", "centralise": "centralize", "organise": "organize"}


def normalise_name(value):
    """Fold case, '&' vs 'and', hyphens and spacing so printed tables match catalogue names."""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[\u2010-\u2015_-]", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"[\s.,;:]+$", "", text)
    return " ".join(SPELLINGS.get(word, word) for word in text.split())


# --- checking ------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, file):
        self.file = file
        self.problems = []

    def add(self, where, field_name, message):
        self.problems.append(Problem(self.file, where, field_name, message))

    def unknown_fields(self, data, allowed, where):
        for key in data:
            if key not in allowed:
                self.add(where, str(key), _("unknown field; allowed fields are: %(fields)s")
                         % {"fields": ", ".join(sorted(allowed))})

    def text(self, data, key, where, required=False, default=""):
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(where, key, _("is required."))
            return default
        if isinstance(value, float):
            # YAML reads 2015.10 as the number 2015.1; quoting keeps what the author wrote.
            self.add(where, key, _("must be text; put the value in quotes, e.g. \"%(value)s\".") % {"value": value})
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(where, key, _("must be text."))
            return default
        return str(value).strip()

    def code(self, data, key, where, required=True):
        value = self.text(data, key, where, required=required)
        if value and not CODE_RE.match(value):
            self.add(where, key, _("'%(code)s' may not contain '/' or start or end with a space.") % {"code": value})
        return value

    def integer(self, data, key, where, default):
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, key, _("must be a whole number."))
            return default
        return value

    def attributes(self, data, where):
        value = data.get("attributes")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(where, "attributes", _("must be a mapping of name: value."))
            return {}
        result = {}
        for key, val in value.items():
            label = f"attributes.{key}"
            if not isinstance(key, str) or not ATTRIBUTE_KEY_RE.match(key):
                self.add(where, label, _("names must be lower case letters, digits and underscores."))
            elif key == "retired":
                self.add(where, label, _("is set by Tailorkit when an item leaves a pack; do not write it."))
            elif val is None:
                # A missing value means "not given in the source": store nothing rather than a null.
                continue
            elif (message := _attribute_problem(key, val)) is not None:
                self.add(where, label, message)
            else:
                result[key] = val
        return result

    def aliases(self, data, where):
        value = data.get("aliases")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(where, "aliases", _("must be a list of names."))
            return []
        return [v.strip() for v in value]


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _attribute_problem(key, value):
    if key in ("mean_importance", "mean_feasibility"):
        if not _is_number(value) or not 1 <= value <= 5:
            return _("must be a number from 1 to 5 (the rating scale of the ERIC study).")
    elif key == "go_zone_quadrant":
        if value not in QUADRANTS:
            return _("must be one of I, II, III, IV.")
    elif key == "strategy_no":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return _("must be a whole number of 1 or more.")
    elif isinstance(value, list):
        if not all(isinstance(v, str | bool) or _is_number(v) for v in value):
            return _("lists may hold only text, numbers or true/false.")
    elif not (isinstance(value, str | bool) or _is_number(value)):
        return _("must be text, a number, true/false or a list of those.")
    return None


def _label(section, index, code):
    return f"{section}[{index}] (code '{code}')" if code else f"{section}[{index}]"


def _entries(check, data, key):
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        check.add("", key, _("must be a list."))
        return []
    return value


def _check_tree(check, section, noun, entries):
    """Unknown parents and parent loops, for categories or items (codes are unique by now)."""
    parents = {e["code"]: e["parent"] for e in entries if e["code"]}
    for index, entry in enumerate(entries):
        code, parent = entry["code"], entry["parent"]
        if not parent:
            continue
        where = _label(section, index, code)
        if parent not in parents:
            check.add(where, "parent", _("unknown %(noun)s '%(code)s'.") % {"noun": noun, "code": parent})
            continue
        seen, node = [code], parent
        while node and node in parents:
            if node == code:
                check.add(where, "parent", _("parents go round in a loop: %(chain)s.")
                          % {"chain": " → ".join([*seen, code])})
                break
            if node in seen:
                break  # a loop further up; reported at its own members
            seen.append(node)
            node = parents[node]


def _check_unique(check, section, entries):
    seen = {}
    for index, entry in enumerate(entries):
        code = entry["code"]
        if not code:
            continue
        if code in seen:
            check.add(_label(section, index, code), "code",
                      _("duplicate code; already used by %(section)s[%(first)d].")
                      % {"section": section, "first": seen[code]})
        else:
            seen[code] = index


def _parse_categories(check, data):
    result = []
    for index, raw in enumerate(_entries(check, data, "categories")):
        where = _label("categories", index, "")
        if not isinstance(raw, dict):
            check.add(where, "", _("must be a mapping with at least code and name."))
            continue
        code = check.code(raw, "code", where)
        where = _label("categories", index, code)
        check.unknown_fields(raw, CATEGORY_FIELDS, where)
        result.append({
            "code": code, "name": check.text(raw, "name", where, required=True),
            "description": check.text(raw, "description", where),
            "order": check.integer(raw, "order", where, index + 1),
            "parent": check.code(raw, "parent", where, required=False),
            "attributes": check.attributes(raw, where),
        })
    _check_unique(check, "categories", result)
    _check_tree(check, "categories", _("category"), result)
    return result


def _parse_items(check, data, category_codes):
    result = []
    for index, raw in enumerate(_entries(check, data, "items")):
        where = _label("items", index, "")
        if not isinstance(raw, dict):
            check.add(where, "", _("must be a mapping with at least code and name."))
            continue
        code = check.code(raw, "code", where)
        where = _label("items", index, code)
        check.unknown_fields(raw, ITEM_FIELDS, where)
        category = check.code(raw, "category", where, required=False)
        if category and category not in category_codes:
            check.add(where, "category", _("unknown category '%(code)s'.") % {"code": category})
        result.append({
            "code": code, "name": check.text(raw, "name", where, required=True),
            "category": category, "parent": check.code(raw, "parent", where, required=False),
            "description": check.text(raw, "description", where),
            "order": check.integer(raw, "order", where, index + 1),
            "aliases": check.aliases(raw, where), "attributes": check.attributes(raw, where),
            "source": check.text(raw, "source", where),
        })
    _check_unique(check, "items", result)
    _check_tree(check, "items", _("item"), result)
    return result


def parse_weight(check, value, where, field_name):
    """A weight is a number, or a percent such as '73%'. Empty means not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            value = float(text)
        except ValueError:
            check.add(where, field_name, _("'%(value)s' is not a number.") % {"value": value})
            return None
    if not _is_number(value):
        check.add(where, field_name, _("must be a number."))
        return None
    return float(value)


def parse_links_csv(text, *, file, from_pack, to_pack, source_default, kind):
    """Long-format links (construct, strategy, percent[, source]) → link dicts and problems."""
    check = _Checker(file)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        check.add(_("row 1 (header)"), "", _("missing column(s): %(cols)s; expected construct, strategy, percent, "
                                             "source.") % {"cols": ", ".join(missing)})
        return [], check.problems
    reader.fieldnames = header
    links = []
    for line, row in enumerate(reader, start=2):
        where = _("row %(n)d") % {"n": line}
        if None in row:
            check.add(where, "", _("has more cells than the header."))
            continue
        construct, strategy = (row.get("construct") or "").strip(), (row.get("strategy") or "").strip()
        if not construct and not strategy and not (row.get("percent") or "").strip():
            continue  # blank line
        if not construct:
            check.add(where, "construct", _("is required."))
        if not strategy:
            check.add(where, "strategy", _("is required."))
        weight = parse_weight(check, row.get("percent"), where, "percent")
        links.append({"from_pack": from_pack, "from_item": construct, "to_pack": to_pack, "to_item": strategy,
                      "weight": weight, "kind": kind, "source": (row.get("source") or "").strip() or source_default,
                      "rationale": (row.get("rationale") or "").strip(),
                      "file": file, "where": where, "from_field": "construct", "to_field": "strategy"})
    return links, check.problems


def _pack_slugs(check, data, key):
    """The top-level ``from_pack``: one slug, or a list of slugs whose packs share item codes (two
    versions of one list). Each link is then made once per listed pack."""
    value = data.get(key)
    if not isinstance(value, list):
        slug = check.text(data, key, "")
        return [slug] if slug else []
    slugs = []
    for index, entry in enumerate(value):
        if not isinstance(entry, str) or not SLUG_RE.match(entry.strip()):
            check.add("", f"{key}[{index}]", _("must be the slug of a loaded pack, e.g. 'cfir-2009'."))
        elif entry.strip() in slugs:
            check.add("", f"{key}[{index}]", _("'%(slug)s' is listed twice.") % {"slug": entry.strip()})
        else:
            slugs.append(entry.strip())
    if not value:
        check.add("", key, _("the list of packs is empty."))
    return slugs


def _parse_links(check, data, source, manifest_source):
    kind = check.text(data, "link_kind", "") or EXPERT_ENDORSEMENT
    from_packs = _pack_slugs(check, data, "from_pack")
    # A single top-level from_pack works as before; a list is expanded after reading (see below).
    from_default = from_packs[0] if len(from_packs) == 1 else None
    to_default = check.text(data, "to_pack", "")
    links = []
    for index, raw in enumerate(_entries(check, data, "links")):
        where = f"links[{index}]"
        if not isinstance(raw, dict):
            check.add(where, "", _("must be a mapping with from_item and to_item."))
            continue
        check.unknown_fields(raw, LINK_FIELDS, where)
        # The link's own from_pack wins; else the one at the top; else None: one copy per listed pack.
        link = {"from_pack": check.text(raw, "from_pack", where) or (from_default if from_packs else ""),
                "from_item": check.text(raw, "from_item", where, required=True),
                "to_pack": check.text(raw, "to_pack", where) or to_default,
                "to_item": check.text(raw, "to_item", where, required=True),
                "weight": parse_weight(check, raw.get("weight"), where, "weight"),
                "kind": check.text(raw, "kind", where) or kind,
                "source": check.text(raw, "source", where) or manifest_source,
                "rationale": check.text(raw, "rationale", where),
                "file": MANIFEST, "where": where, "from_field": "from_item", "to_field": "to_item"}
        for end in ("from_pack", "to_pack"):
            if link[end] == "":
                check.add(where, end, _("is required (here or at the top of pack.yaml)."))
        links.append(link)
    csv_name = check.text(data, "links_csv", "")
    if csv_name:
        if not from_packs or not to_default:
            check.add("", "links_csv", _("needs from_pack and to_pack at the top of pack.yaml."))
        elif csv_name not in source.files:
            check.add("", "links_csv", _("file '%(name)s' is not in the pack.") % {"name": csv_name})
        else:
            try:
                text = _text(source, csv_name)
            except PackError as exc:
                check.problems.extend(exc.errors)
            else:
                rows, problems = parse_links_csv(text, file=csv_name, from_pack=from_default, to_pack=to_default,
                                                 source_default=manifest_source, kind=kind)
                links.extend(rows)
                check.problems.extend(problems)
    if not links and not check.problems:
        check.add("", "links", _("a links pack needs a links list or a links_csv file."))
    check.problems.extend(Problem(*problem) for problem in kind_problems(links))
    return for_each_pack(links, from_packs)


def parse_pack(source):
    """Check a pack's files without the database. Returns (ParsedPack, problems)."""
    data = load_manifest(source)
    check = _Checker(MANIFEST)
    check.unknown_fields(data, MANIFEST_FIELDS, "")
    slug = check.text(data, "slug", "", required=True)
    if slug and not SLUG_RE.match(slug):
        check.add("", "slug", _("use lower-case letters, digits and single hyphens, e.g. 'eric'."))
    elif slug in RESERVED_SLUGS:
        check.add("", "slug", _("'%(slug)s' is reserved; choose another.") % {"slug": slug})
    kind = check.text(data, "kind", "", required=True)
    if kind and kind not in PackKind.values:
        check.add("", "kind", _("must be one of: %(kinds)s.") % {"kinds": ", ".join(PackKind.values)})
    parsed = ParsedPack(
        slug=slug, kind=kind, name=check.text(data, "name", "", required=True),
        version=check.text(data, "version", "", required=True), language=check.text(data, "language", "") or "en",
        description=check.text(data, "description", ""), source=check.text(data, "source", "", required=True),
        licence=check.text(data, "licence", "", required=True), checksum=source.checksum,
    )
    if len(parsed.slug) > 80 or len(parsed.version) > 40 or len(parsed.language) > 10 or len(parsed.name) > 200:
        check.add("", "", _("slug (80), name (200), version (40) or language (10) is longer than allowed."))
    if kind == PackKind.LINKS:
        if data.get("items") or data.get("categories"):
            check.add("", "items", _("a links pack holds links only; put items in their own pack."))
        parsed.links = _parse_links(check, data, source, parsed.source)
    else:
        if data.get("links") or data.get("links_csv"):
            check.add("", "links", _("links belong in a pack of kind 'links'."))
        parsed.categories = _parse_categories(check, data)
        parsed.items = _parse_items(check, data, {c["code"] for c in parsed.categories})
        if not parsed.items and not check.problems:
            check.add("", "items", _("the pack has no items."))
    return parsed, check.problems
