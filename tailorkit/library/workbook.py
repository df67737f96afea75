"""Reading a wide matrix of links, such as the CFIR–ERIC Matching Tool workbook, into link dicts.

The official Matching Tool (cfirguide.org) is a spreadsheet with one row per ERIC strategy and one
column per CFIR (2009) construct; each cell holds the percent of experts who endorsed that strategy
for that barrier. Administrators upload it as it comes, so this reader finds the layout instead of
assuming one (rules in docs/content-packs.md, "Matching workbooks"):

* The heading row is the row, within the first ``HEADER_SCAN_ROWS`` rows of any sheet, whose cells
  name the most items of one pack (the determinants, or the strategies for a sheet laid out the
  other way round). Rows above it (titles, notes) are skipped.
* The label column is the column below that row whose cells name the most items of the other pack.
* Columns headed by a summary word (cluster, total, cumulative, sum, ...) are skipped; rows whose
  value cells are all empty (cluster headings, notes) are skipped. Every other heading, and the
  label of every row with values, must name a known item; if not, the problem lists the closest
  known names (``difflib``: the lists are short, and the standard library needs no new dependency).
* Values: see `_weights`. Empty, "-" and 0 mean that no expert endorsed the pair: no link.

Hand-written rather than, say, pandas: no library finds a matrix whose position is unknown, and
openpyxl (read-only mode) and ``csv`` already read the cells. Nothing here touches the database:
names are looked up in ``services.ItemIndex`` objects passed in. If there is any problem, the
caller loads nothing.
"""

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .models import PackKind
from .packfiles import MAX_PACK_BYTES, RESERVED_SLUGS, SLUG_RE, PackError, Problem, normalise_name

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
# The Matching Tool has 73 strategies and 39 constructs; the caps keep a hostile file from
# filling memory (openpyxl's read-only mode streams rows, so only what we keep counts).
MAX_ROWS = 1000
MAX_COLUMNS = 200
HEADER_SCAN_ROWS = 30
MIN_HEADER_NAMES = 2

# A column (or row) headed only by these words is a summary that Tailorkit skips, e.g. "Cluster",
# "ERIC cluster", "Cumulative %", "Total", "Sum", "No." At least one SUMMARY word must be present.
SUMMARY_WORDS = {"cluster", "clusters", "total", "totals", "sum", "cumulative", "average", "mean", "median",
                 "count", "rank", "ranking", "number", "no", "nr", "id", "#", "n"}
FILLER_WORDS = {"eric", "cfir", "strategy", "strategies", "score", "scores", "percent", "percentage", "%", "of",
                "the", "endorsement", "endorsements", "barrier", "barriers", "selected", "all", "overall", "level"}
EMPTY_TEXTS = {"", "-", "\u2013", "\u2014"}

# "I.A Intervention Source", "IV.B.2. Champions", "12. Access new funding", "A) Adaptability"
_DOTTED_PREFIX = re.compile(r"^(?:[IVX]+|[A-Z]|\d+)(?:\.(?:[A-Z]|\d+))+\.?\s+")
_SIMPLE_PREFIX = re.compile(r"^(?:[IVX]+|[A-Za-z]|\d+)[.):]\s+")
_TRAILING_BRACKETS = re.compile(r"\s*\([^()]*\)\s*$")


class Unreadable(Exception):
    """The file cannot be read as a spreadsheet at all."""


@dataclass
class Sheet:
    name: str  # "" for a CSV file
    rows: list  # rows of (value, is_percent_format) pairs
    truncated: bool = False

    def cell(self, row, col):
        cells = self.rows[row] if row < len(self.rows) else []
        return cells[col] if col < len(cells) else (None, False)

    @property
    def width(self):
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    """What was read: link dicts (as ``packfiles.parse_links_csv`` returns them), problems, layout."""

    links: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    label_column: str = ""
    n_columns: int = 0
    n_rows: int = 0
    skipped: list = field(default_factory=list)
    fractions: bool = False


def column_letter(col):
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names; CSV files open in spreadsheets too)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _is_percent_format(cell):
    """True for a number shown as a percent (Excel stores 73 % as 0.73). Quoted text and escaped
    characters in the format, such as 0"%" or 0\\%, show a percent sign without scaling."""
    fmt = getattr(cell, "number_format", None) or ""
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)


# --- reading -------------------------------------------------------------------------------------


def _read_xlsx(data):
    import openpyxl  # slow to import; only needed for XLSX files

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for damaged files
        raise Unreadable(_("is not a readable Excel workbook (.xlsx). Open it in a spreadsheet program and "
                           "save it again as .xlsx or .csv.")) from None
    sheets = []
    try:
        for worksheet in book.worksheets:
            worksheet.reset_dimensions()  # some programs write a wrong size; read what is there
            sheet = Sheet(worksheet.title, [])
            for index, row in enumerate(worksheet.iter_rows()):
                if index >= MAX_ROWS:
                    sheet.truncated = True
                    break
                if len(row) > MAX_COLUMNS:
                    sheet.truncated = True
                sheet.rows.append([(c.value, _is_percent_format(c)) for c in row[:MAX_COLUMNS]])
            sheets.append(sheet)
    except Exception:  # noqa: BLE001 - as above, for damaged sheets
        raise Unreadable(_("could not be read to the end; save it again as .xlsx or .csv.")) from None
    finally:
        book.close()
    return sheets


def _read_csv(data):
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV in cp1252
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unreadable(_("is not text in UTF-8 or Windows encoding."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    sheet = Sheet("", [])
    try:
        for index, row in enumerate(csv.reader(io.StringIO(text), dialect)):
            if index >= MAX_ROWS:
                sheet.truncated = True
                break
            sheet.truncated |= len(row) > MAX_COLUMNS
            sheet.rows.append([(value, False) for value in row[:MAX_COLUMNS]])
    except csv.Error as exc:
        raise Unreadable(_("is not a readable CSV file (%(error)s).") % {"error": exc}) from None
    return [sheet]


def read_sheets(data, filename):
    """The cells of every sheet of an .xlsx/.xlsm workbook or a .csv file. Raises Unreadable."""
    name = filename.lower()
    if name.endswith(XLSX_SUFFIXES) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith(CSV_SUFFIXES):
        return _read_csv(data)
    raise Unreadable(_("must be an Excel workbook (.xlsx) or a CSV file (.csv)."))


def read_upload(file):
    """(file name, bytes) of an upload, a path or bytes; refuses files over the pack size limit."""
    if isinstance(file, bytes):
        label, data = ("workbook.xlsx" if file[:4] == b"PK\x03\x04" else "workbook.csv"), file
    elif isinstance(file, str | Path):
        label, data = Path(file).name, Path(file).read_bytes()
    else:
        label = Path(getattr(file, "name", "") or "workbook").name
        data = file.read(MAX_PACK_BYTES + 1)
    if len(data) > MAX_PACK_BYTES:
        raise PackError([Problem(label, message=_("is larger than 5 MB; the Matching Tool workbook is much smaller."))])
    return label, data


# --- names ---------------------------------------------------------------------------------------


def _variants(text):
    """The cell text, then without a numbering prefix, a trailing (note) and a 'Domain:' prefix."""
    variants = [text]
    for change in (lambda t: _DOTTED_PREFIX.sub("", t, count=1), lambda t: _SIMPLE_PREFIX.sub("", t, count=1),
                   lambda t: _TRAILING_BRACKETS.sub("", t), lambda t: t.rsplit(":", 1)[-1].strip()):
        text = change(text)
        if text and text not in variants:
            variants.append(text)
    return variants


class Names:
    """Looks cell texts up among one pack's item names and aliases (not codes, which are Tailorkit's
    own numbering and would match the numbers in a spreadsheet)."""

    def __init__(self, index):
        self.pack = index.pack
        self.by_name = index.by_name
        self.keys = sorted(self.by_name)

    def lookup(self, text):
        """Every item the text names (normally one); empty when it names none."""
        for variant in _variants(text):
            matches = self.by_name.get(normalise_name(variant))
            if matches:
                return sorted(matches.values(), key=lambda item: item.code)
        return []

    def closest(self, text, n=3):
        keys = difflib.get_close_matches(normalise_name(_variants(text)[-1]), self.keys, n=n * 2, cutoff=0.6)
        names = []
        for key in keys:
            for item in self.by_name[key].values():
                if item.name not in names:
                    names.append(item.name)
        return names[:n]

    def unknown(self, text):
        """A message for a name that is not in the pack, with the closest known names."""
        message = _("'%(name)s' is not a name in %(pack)s.") % {"name": text, "pack": self.pack.name}
        close = self.closest(text)
        if close:
            return message + " " + _("Closest known names: %(names)s.") % {
                "names": "; ".join(f"'{name}'" for name in close)}
        return message + " " + _("No known name is close; check the spelling or the chosen pack.")

    def ambiguous(self, text, items):
        return _("'%(name)s' names more than one item in %(pack)s (%(names)s).") % {
            "name": text, "pack": self.pack.name, "names": "; ".join(f"'{i.name}'" for i in items)}


def is_summary_heading(text):
    words = re.findall(r"[#%]|[^\W\d_]+", normalise_name(text))
    allowed = SUMMARY_WORDS | FILLER_WORDS
    return bool(words) and any(w in SUMMARY_WORDS for w in words) and all(w in allowed for w in words)


# --- layout --------------------------------------------------------------------------------------


def _where(sheet, row, col):
    cell = f"{column_letter(col)}{row + 1}"
    if sheet.name:
        return _("sheet '%(sheet)s', cell %(cell)s") % {"sheet": sheet.name, "cell": cell}
    return _("row %(row)d, column %(col)s") % {"row": row + 1, "col": column_letter(col)}


def _sheet_where(sheet):
    return _("sheet '%(sheet)s'") % {"sheet": sheet.name} if sheet.name else ""


def _names_in(cells, names, fuzzy):
    """How many cells name an item (or, when ``fuzzy``, come close to a name: a heading row full of
    misspellings is still found, and each misspelling is then reported with the closest names)."""
    count = 0
    for value in cells:
        text = _text(value)
        if text and (names.lookup(text) or (fuzzy and len(text) > 3 and names.closest(text, n=1))):
            count += 1
    return count


def _find_header(sheets, orientations):
    """(sheet, row, header names, label names, transposed) of the row naming most items, or None."""
    for fuzzy in (False, True):
        best, best_score = None, MIN_HEADER_NAMES - 1
        for header_names, label_names, transposed in orientations:
            for sheet in sheets:
                for row in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
                    score = _names_in((value for value, _fmt in sheet.rows[row]), header_names, fuzzy)
                    if score > best_score:
                        best, best_score = (sheet, row, header_names, label_names, transposed), score
        if best is not None:
            return best
    return None


def _find_label_column(sheet, header_row, label_names):
    for fuzzy in (False, True):
        best, best_score = None, 0
        for col in range(sheet.width):
            cells = (sheet.cell(row, col)[0] for row in range(header_row + 1, len(sheet.rows)))
            score = _names_in(cells, label_names, fuzzy)
            if score > best_score:
                best, best_score = col, score
        if best is not None:
            return best
    return None


def _resolve(names, text, where, seen, problems):
    """The one item ``text`` names, or None with a problem; ``seen`` catches the same item twice."""
    items = names.lookup(text)
    if not items:
        problems.append(Problem("", where, "", names.unknown(text)))
        return None
    if len(items) > 1:
        problems.append(Problem("", where, "", names.ambiguous(text, items)))
        return None
    item = items[0]
    if item.pk in seen:
        problems.append(Problem("", where, "", _("'%(name)s' is the same item as %(other)s.")
                                % {"name": text, "other": seen[item.pk]}))
        return None
    seen[item.pk] = where
    return item


def _value(value, percent_format):
    """(number, how) with how 'fraction' (percent-formatted number), 'percent' (text such as '73%')
    or 'plain'; None for an empty cell. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError
        return float(value), "fraction" if percent_format else "plain"
    if not isinstance(value, str):
        raise ValueError  # a date or time in a value cell
    text = value.strip()
    if text in EMPTY_TEXTS:
        return None
    how = "percent" if text.endswith("%") else "plain"
    text = text.removesuffix("%").strip()
    if re.fullmatch(r"-?\d+,\d+", text):  # a decimal comma, as European spreadsheets write
        text = text.replace(",", ".")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number, how


def _weights(cells):
    """Percents from parsed cells, and whether plain numbers were read as fractions.

    A percent-formatted number is a fraction (Excel shows 0.73 as 73 %); text such as "73%" is a
    percent as written. Other numbers are fractions when every one of them is at most 1 and one is
    above 0 (a sheet of 0.73, 0.18, ...), and percents otherwise (73, 18, ...).
    """
    plain = [number for number, how in cells.values() if how == "plain"]
    fractions = bool(plain) and all(n <= 1 for n in plain) and any(n > 0 for n in plain)
    weights = {}
    for key, (number, how) in cells.items():
        scaled = how == "fraction" or (how == "plain" and fractions)
        weights[key] = round(number * 100 if scaled else number, 2)
    return weights, fractions


def parse_workbook(data, *, filename, from_index, to_index, source, kind="expert_endorsement"):
    """Read a wide matrix into link dicts between the packs of ``from_index`` and ``to_index``
    (``services.ItemIndex`` objects). Returns a `Workbook`; the caller loads nothing if it has problems."""
    result = Workbook()

    def problem(where, message):
        result.problems.append(Problem(filename, where, "", message))

    try:
        sheets = read_sheets(data, filename)
    except Unreadable as exc:
        problem("", str(exc))
        return result
    from_names, to_names = Names(from_index), Names(to_index)
    found = _find_header(sheets, [(from_names, to_names, False), (to_names, from_names, True)])
    if found is None:
        problem("", _("no sheet has a row naming items of %(a)s (or of %(b)s) in its first %(n)d rows. The "
                      "workbook needs one heading row of names from one pack, and one column of names from the "
                      "other (one row per strategy, one column per barrier).")
                % {"a": from_index.pack.name, "b": to_index.pack.name, "n": HEADER_SCAN_ROWS})
        return result
    sheet, header_row, header_names, label_names, transposed = found
    result.sheet, result.header_row = sheet.name, header_row + 1
    if sheet.truncated:
        problem(_sheet_where(sheet), _("has more than %(rows)d rows or %(cols)d columns; the Matching Tool has 73 "
                                       "strategies and 39 constructs. Remove what is not part of the matrix.")
                % {"rows": MAX_ROWS, "cols": MAX_COLUMNS})
        return result
    label_col = _find_label_column(sheet, header_row, label_names)
    if label_col is None:
        problem(_where(sheet, header_row, 0), _("below this heading row, no column names items of %(pack)s.")
                % {"pack": label_names.pack.name})
        return result
    result.label_column = column_letter(label_col)
    problems = []

    # Rows: those with any value need a known label; the others are headings, notes or blank.
    columns = [c for c in range(sheet.width) if c != label_col]
    data_rows = [r for r in range(header_row + 1, len(sheet.rows))
                 if any(_text(sheet.cell(r, c)[0]) for c in columns)]
    # Columns: a known name, a summary word, or empty throughout.
    heads, seen = {}, {}
    for col in columns:
        text, where = _text(sheet.cell(header_row, col)[0]), _where(sheet, header_row, col)
        if not text:
            if any(_text(sheet.cell(r, col)[0]) for r in data_rows):
                problems.append(Problem("", where, "", _("column %(col)s has values but no heading.")
                                        % {"col": column_letter(col)}))
            continue
        if is_summary_heading(text) and not header_names.lookup(text):
            result.skipped.append(text)
            continue
        item = _resolve(header_names, text, where, seen, problems)
        if item is not None:
            heads[col] = item
    # Values only count in item columns: a row with values only in summary columns is a summary row.
    labels, seen = {}, {}
    for row in data_rows:
        if not any(_text(sheet.cell(row, c)[0]) for c in heads):
            continue
        text, where = _text(sheet.cell(row, label_col)[0]), _where(sheet, row, label_col)
        if not text:
            problems.append(Problem("", where, "", _("row %(row)d has values but no name in column %(col)s.")
                                    % {"row": row + 1, "col": column_letter(label_col)}))
        elif is_summary_heading(text) and not label_names.lookup(text):
            result.skipped.append(text)
        elif (item := _resolve(label_names, text, where, seen, problems)) is not None:
            labels[row] = item
    cells = {}
    for row in labels:
        for col in heads:
            value = sheet.cell(row, col)
            try:
                parsed = _value(*value)
            except ValueError:
                problems.append(Problem("", _where(sheet, row, col), "", _("'%(value)s' is not a number or a percent.")
                                        % {"value": _text(value[0])}))
                continue
            if parsed is not None:
                cells[(row, col)] = parsed
    weights, result.fractions = _weights(cells)
    for (row, col), weight in weights.items():
        if not 0 <= weight <= 100:
            problems.append(Problem("", _where(sheet, row, col), "", _("%(value)s is not a percent from 0 to 100.")
                                    % {"value": f"{weight:g}"}))
    result.problems.extend(Problem(filename, p.where, p.field, p.message) for p in problems)
    if result.problems:
        return result
    result.n_columns, result.n_rows = len(heads), len(labels)
    for (row, col), weight in sorted(weights.items()):
        if weight == 0:
            continue  # no expert endorsed the pair
        construct, strategy = (labels[row], heads[col]) if transposed else (heads[col], labels[row])
        result.links.append({
            "from_pack": from_index.pack.slug, "from_item": construct.code,
            "to_pack": to_index.pack.slug, "to_item": strategy.code, "weight": weight, "kind": kind,
            "source": source, "file": filename, "where": _where(sheet, row, col), "from_field": "", "to_field": "",
        })
    if not result.links:
        problem(_sheet_where(sheet), _("has no endorsements: every value cell is empty or 0."))
    return result



def pack_detail_problems(*, slug, name, version, source, licence, existing, replace):
    """What is wrong with the details of a links pack made from a workbook (``existing``: the pack
    with that slug, or None; ``replace``: whether the upload is a newer version of it)."""
    where = _("pack details")
    problems = []

    def add(field_name, message):
        problems.append(Problem(where, "", field_name, message))

    values = {"slug": slug, "name": name, "version": version, "source": source, "licence": licence}
    for key, value in values.items():
        if not str(value or "").strip():
            add(key, _("is required."))
    if slug and not SLUG_RE.match(slug):
        add("slug", _("use lower-case letters, digits and single hyphens, e.g. 'cfir-eric-matching-tool'."))
    elif slug in RESERVED_SLUGS:
        add("slug", _("'%(slug)s' is reserved; choose another.") % {"slug": slug})
    for key, limit in (("slug", 80), ("name", 200), ("version", 40)):
        if len(values[key] or "") > limit:
            add(key, _("is longer than %(n)d characters.") % {"n": limit})
    if replace:
        if existing is None:
            add("slug", _("there is no pack '%(slug)s' to replace.") % {"slug": slug})
        elif existing.kind != PackKind.LINKS:
            add("slug", _("pack '%(slug)s' is not a links pack; only links packs can be replaced by a workbook.")
                % {"slug": slug})
        elif existing.version == version:
            add("version", _("version %(version)s is the one loaded now; give the newer workbook a new version.")
                % {"version": version})
    elif existing is not None:
        add("slug", _("a pack called '%(slug)s' already exists; choose to replace it, or choose another short name.")
            % {"slug": slug})
    return problems
