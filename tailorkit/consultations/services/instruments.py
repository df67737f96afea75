"""Validated implementation instruments (issue 4, point 3): NoMAD and AIM / IAM / FIM.

Shipped as **structure and scoring only**. The official item wording belongs to its authors, so
every item carries our own placeholder text, clearly marked, until an administrator imports the
official wording they have obtained (``instrument_wording_import``). Facts that are not wording –
the number of items, their grouping, the response options and the scoring rules – follow the
sources:

* **NoMAD** – Rapley T, Girling M, Mair FS, et al. Improving the normalization of complex
  interventions: part 1 – development of the NoMAD instrument. *BMC Med Res Methodol*
  2018;18:133; and Finch TL, Girling M, May CR, et al. … part 2 – validation of the NoMAD
  instrument. *BMC Med Res Methodol* 2018;18:135. Three general normalisation items rated 0–10,
  and 20 items on the four constructs of Normalisation Process Theory: coherence (4), cognitive
  participation (4), collective action (7) and reflexive monitoring (5). Construct items are
  answered on a 5-point agreement scale or with one of three "not relevant" options (to my role /
  at this stage / to the intervention). Scoring (Finch et al. 2018): agreement scored 1 (strongly
  disagree) to 5 (strongly agree); "not relevant" is treated as missing; a construct score is the
  mean of the items a respondent answered on the scale.
* **AIM, IAM, FIM** – Weiner BJ, Lewis CC, Stanick C, et al. Psychometric assessment of three
  newly developed implementation outcome measures. *Implement Sci* 2017;12:108. Acceptability of
  Intervention Measure, Intervention Appropriateness Measure and Feasibility of Intervention
  Measure: 4 items each, 5-point scale from 1 (completely disagree) to 5 (completely agree), no
  reverse-scored items; a scale score is the mean of its four items. The authors give no rule for
  missing items, so we do not impute: a respondent gets a scale score only with all four answered.
"""

import csv
import io
from collections import defaultdict

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tailorkit.core.anonymity import threshold_for, withheld_groups, withheld_note
from tailorkit.core.services import audit_record
from tailorkit.library.packfiles import check_yaml_text

from .. import stats
from ..models import Answer, InstrumentWording, QuestionKind, Response
from . import builder
from .results import group_label, questions_of

PLACEHOLDER = gettext_lazy("[Placeholder wording – import the official items]")
WORDING_MAX = 1000
FILE_MAX_ROWS = 500
FILE_MAX_BYTES = 2 * 1024 * 1024  # the wording of every instrument in a dozen languages fits many times over

NOMAD_AGREEMENT = [("5", gettext_lazy("Strongly agree")), ("4", gettext_lazy("Agree")),
                   ("3", gettext_lazy("Neither agree nor disagree")), ("2", gettext_lazy("Disagree")),
                   ("1", gettext_lazy("Strongly disagree"))]
NOMAD_NOT_RELEVANT = [("nr_role", gettext_lazy("Not relevant to my role")),
                      ("nr_stage", gettext_lazy("Not relevant at this stage")),
                      ("nr_intervention", gettext_lazy("Not relevant to the intervention"))]
WEINER_AGREEMENT = [("1", gettext_lazy("Completely disagree")), ("2", gettext_lazy("Disagree")),
                    ("3", gettext_lazy("Neither agree nor disagree")), ("4", gettext_lazy("Agree")),
                    ("5", gettext_lazy("Completely agree"))]

# Each instrument: its scales (constructs) in order, each with (code, label, number of items,
# what it is about – in our own words, shown as help text), and how a scale is scored.
INSTRUMENTS = {
    "nomad": {
        "name": "NoMAD",
        "source": "Rapley et al. 2018, BMC Med Res Methodol 18:133; Finch et al. 2018, BMC Med Res Methodol 18:135",
        "scales": [
            ("general", gettext_lazy("General normalisation"), 3,
             gettext_lazy("How familiar and how normal the intervention feels in day-to-day work, now and later.")),
            ("coherence", gettext_lazy("Coherence"), 4,
             gettext_lazy("Whether staff understand the intervention and see how it differs from current practice.")),
            ("cognitive_participation", gettext_lazy("Cognitive participation"), 4,
             gettext_lazy("Whether staff commit to the intervention and take part in getting it going.")),
            ("collective_action", gettext_lazy("Collective action"), 7,
             gettext_lazy("Whether the work of the intervention fits people's skills, resources and routines.")),
            ("reflexive_monitoring", gettext_lazy("Reflexive monitoring"), 5,
             gettext_lazy("Whether staff can see and judge the effects of the intervention and adjust it.")),
        ],
        # The three general items are reported one by one (0–10); only the four constructs are scored.
        "scored": ["coherence", "cognitive_participation", "collective_action", "reflexive_monitoring"],
        "rule": "mean_of_answered",
    },
    "aim_iam_fim": {
        "name": "AIM, IAM and FIM",
        "source": "Weiner et al. 2017, Implement Sci 12:108",
        "scales": [
            ("aim", gettext_lazy("Acceptability (AIM)"), 4,
             gettext_lazy("How agreeable or satisfactory the intervention seems to the person answering.")),
            ("iam", gettext_lazy("Appropriateness (IAM)"), 4,
             gettext_lazy("How well the intervention seems to fit the setting, the people and the problem.")),
            ("fim", gettext_lazy("Feasibility (FIM)"), 4,
             gettext_lazy("How possible it seems to carry out the intervention here.")),
        ],
        "scored": ["aim", "iam", "fim"],
        "rule": "mean_of_all",
    },
}
NOMAD_PREFIX = {"general": "g", "coherence": "co", "cognitive_participation": "cp", "collective_action": "ca",
                "reflexive_monitoring": "rm"}


def item_codes(instrument):
    """Item codes in order: the question keys and the codes the wording file uses.

    NoMAD: ``nomad_g1``–``g3``, ``nomad_co1``–``co4``, ``nomad_cp1``–``cp4``, ``nomad_ca1``–``ca7``,
    ``nomad_rm1``–``rm5`` (the order of the published questionnaire). AIM/IAM/FIM: ``aim1``–``aim4``,
    ``iam1``–``iam4``, ``fim1``–``fim4``.
    """
    codes = []
    for scale, _label, count, _about in INSTRUMENTS[instrument]["scales"]:
        prefix = f"nomad_{NOMAD_PREFIX[scale]}" if instrument == "nomad" else scale
        codes += [(f"{prefix}{i}", scale, i, count) for i in range(1, count + 1)]
    return codes


def instrument_choices():
    return [(code, spec["name"]) for code, spec in INSTRUMENTS.items()]


def instrument_catalogue(language):
    """The instruments as the instruments page lists them, each saying whether the official wording
    has been imported in ``language``."""
    catalogue = []
    for code, spec in INSTRUMENTS.items():
        official = InstrumentWording.objects.filter(instrument=code, language=language).exists()
        catalogue.append({"code": code, "name": spec["name"], "source": spec["source"], "official": official,
                          "scales": [{"label": s[1], "count": s[2], "about": s[3]} for s in spec["scales"]],
                          "items": sum(s[2] for s in spec["scales"])})
    return catalogue


def item_codes_by_name():
    """``{instrument name: [item code, …]}``: the codes a wording file uses, for the import page."""
    return {spec["name"]: [c for c, *_rest in item_codes(code)] for code, spec in INSTRUMENTS.items()}


def _question_fields(instrument, code, scale, number, count, wording):
    spec = {s[0]: s for s in INSTRUMENTS[instrument]["scales"]}[scale]
    text = wording.get(code) or _("%(placeholder)s %(scale)s, item %(i)s of %(n)s.") % {
        "placeholder": PLACEHOLDER, "scale": spec[1], "i": number, "n": count}
    meta = {"instrument": instrument, "scale": scale, "item": code, "placeholder": code not in wording}
    fields = {"key": code, "text": text, "help_text": str(spec[3]), "required": False, "meta": meta}
    if instrument == "nomad" and scale == "general":
        fields.update(kind=QuestionKind.SCALE0_10, min_label=_("Not at all"), max_label=_("Completely"))
    elif instrument == "nomad":
        fields.update(kind=QuestionKind.SINGLE,
                      options=[{"value": v, "label": str(label)} for v, label in NOMAD_AGREEMENT + NOMAD_NOT_RELEVANT])
        meta["scores"] = {v: int(v) for v, _label in NOMAD_AGREEMENT}
    else:
        fields.update(kind=QuestionKind.LIKERT5,
                      options=[{"value": v, "label": str(label)} for v, label in WEINER_AGREEMENT])
    return fields


@transaction.atomic
def instrument_questionnaire_create(*, organisation, actor, instrument, title="", language=None):
    """A new questionnaire holding the instrument, one section per scale. Uses the imported
    official wording in the organisation's language when there is one, else the placeholders."""
    if instrument not in INSTRUMENTS:
        raise ValidationError({"instrument": _("Choose one of the listed instruments.")})
    spec = INSTRUMENTS[instrument]
    language = language or organisation.language or "en"
    wording = dict(InstrumentWording.objects.filter(instrument=instrument, language=language)
                   .values_list("item", "text"))
    questionnaire = builder.questionnaire_create(
        organisation=organisation, actor=actor, title=title.strip() or spec["name"],
        description=_("Source: %(source)s.") % {"source": spec["source"]},
        sections=[str(s[1]) for s in spec["scales"]])
    questionnaire.instrument = instrument
    questionnaire.save(update_fields=["instrument"])
    sections = list(questionnaire.sections.order_by("position", "pk"))
    scale_section = {s[0]: sections[i] for i, s in enumerate(spec["scales"])}
    for code, scale, number, count in item_codes(instrument):
        builder.question_create(section=scale_section[scale], actor=actor,
                                 **_question_fields(instrument, code, scale, number, count, wording))
    audit_record(action="consultation.instrument_questionnaire_created", actor=actor, organisation=organisation,
                 target=questionnaire.title,
                 details={"instrument": instrument, "official_wording": bool(wording), "language": language})
    return questionnaire


# --- Scoring ---------------------------------------------------------------------------------

def _item_score(question, value):
    if value is None or isinstance(value, bool):
        return None
    scores = (question.get("meta") or {}).get("scores")
    if scores:
        score = scores.get(str(value))
        return float(score) if score is not None else None
    return float(value) if isinstance(value, int | float) else None


def respondent_scores(consultation):
    """``[(group, {scale: score})]`` per response, scored by the authors' rules (module docstring)."""
    instrument = consultation.questionnaire.instrument
    if instrument not in INSTRUMENTS:
        return []
    spec = INSTRUMENTS[instrument]
    questions = {q["key"]: q for q in questions_of(consultation)
                 if (q.get("meta") or {}).get("instrument") == instrument}
    per_scale = defaultdict(set)
    for q in questions.values():
        per_scale[q["meta"]["scale"]].add(q["key"])
    groups = dict(Response.objects.filter(consultation=consultation).values_list("pk", "group"))
    answers = defaultdict(dict)
    rows = Answer.objects.filter(response__consultation=consultation, question_key__in=questions).values_list(
        "response_id", "question_key", "value", "not_relevant")
    for response_id, key, value, not_relevant in rows:
        score = None if not_relevant else _item_score(questions[key], value)
        if score is not None:
            answers[response_id][key] = score
    result = []
    for response_id, group in groups.items():
        scores = {}
        for scale in spec["scored"]:
            items = [answers[response_id][k] for k in per_scale[scale] if k in answers[response_id]]
            complete = len(items) == len(per_scale[scale])
            if items and (spec["rule"] == "mean_of_answered" or complete):
                scores[scale] = sum(items) / len(items)
        result.append((group or "", scores))
    return result


# Every scored scale is a mean of items scored 1 to 5 (module docstring), so its interval stays there.
SCORE_BOUNDS = {"low": 1, "high": 5}


def instrument_scores(consultation):
    """Scale scores for the results page: mean and 95% CI of respondents' scores per scale,
    overall and by group, with the same anonymity threshold as every other result."""
    instrument = consultation.questionnaire.instrument
    if instrument not in INSTRUMENTS:
        return None
    threshold = threshold_for(consultation.min_group_size)
    spec = INSTRUMENTS[instrument]
    per_respondent = respondent_scores(consultation)
    labels = {s[0]: s[1] for s in spec["scales"]}
    scales = []
    for scale in spec["scored"]:
        values = [(g, s[scale]) for g, s in per_respondent if scale in s]
        entry = {"scale": scale, "label": labels[scale], "n": len(values), "groups": []}
        if len(values) < threshold:
            entry.update(withheld=True, note=withheld_note(threshold))
        else:
            entry.update(withheld=False, summary=stats.summary([v for _g, v in values], **SCORE_BOUNDS))
            by_group = defaultdict(list)
            for g, v in values:
                by_group[g].append(v)
            if set(by_group) - {""}:
                hidden = withheld_groups({g: len(v) for g, v in by_group.items()}, threshold)
                for g in sorted(by_group):
                    label = group_label(consultation, g)
                    if g in hidden:
                        entry["groups"].append({"label": label, "n": None, "withheld": True,
                                                "note": withheld_note(threshold, label)})
                    else:
                        entry["groups"].append({"label": label, "n": len(by_group[g]), "withheld": False,
                                                "summary": stats.summary(by_group[g], **SCORE_BOUNDS)})
        scales.append(entry)
    return {"instrument": instrument, "name": spec["name"], "source": spec["source"], "scales": scales,
            "rule": spec["rule"]}


# --- Importing the official wording ---------------------------------------------------------

def _read_rows(content, filename):
    """``[(line, {"instrument", "item", "text", "language"})]`` from CSV or YAML text."""
    if filename.lower().endswith((".yaml", ".yml")):
        try:
            check_yaml_text(content)  # no aliases, no deep nesting: as for content packs
            data = yaml.safe_load(content)
        except yaml.YAMLError as exc:
            raise ValidationError(_("The file is not valid YAML: %(error)s") % {"error": str(exc)[:200]}) from exc
        if isinstance(data, dict):
            data = data.get("items")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValidationError(_("The YAML file must be a list of entries with instrument, item and text "
                                    "(optionally under “items:”)."))
        return [(n, {k: str(v if v is not None else "").strip() for k, v in r.items()})
                for n, r in enumerate(data, start=1)]
    reader = csv.DictReader(io.StringIO(content))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"instrument", "item", "text"} <= fields:
        raise ValidationError(_("The CSV file needs a header row with the columns instrument, item and text "
                                "(and optionally language)."))
    return [(n, {(k or "").strip().lower(): (v or "").strip() for k, v in r.items() if isinstance(v, str | None)})
            for n, r in enumerate(reader, start=2)]


def wording_check(*, content, filename):
    """Check a wording file. Returns ``(rows, errors)``; each error names the line (CSV) or entry
    (YAML) that is wrong. ``rows`` are ``(instrument, language, item, text)``."""
    kind = _("Entry") if filename.lower().endswith((".yaml", ".yml")) else _("Line")
    raw = _read_rows(content, filename)
    if not raw:
        raise ValidationError(_("The file has no rows."))
    if len(raw) > FILE_MAX_ROWS:
        raise ValidationError(ngettext("The file has more than %(n)s row.", "The file has more than %(n)s rows.",
                                        FILE_MAX_ROWS) % {"n": FILE_MAX_ROWS})
    errors, rows, seen = [], [], {}
    for n, row in raw:
        where = f"{kind} {n}"
        instrument, item = row.get("instrument", "").lower(), row.get("item", "").lower()
        text, language = row.get("text", ""), (row.get("language") or "en").lower()
        if instrument not in INSTRUMENTS:
            errors.append(_("%(where)s: unknown instrument “%(value)s”. Use one of: %(list)s.") % {
                "where": where, "value": instrument[:40], "list": ", ".join(INSTRUMENTS)})
            continue
        codes = [c for c, *_rest in item_codes(instrument)]
        if item not in codes:
            errors.append(_("%(where)s: “%(item)s” is not an item of %(instrument)s. Its items are %(first)s … "
                            "%(last)s.") % {"where": where, "item": item[:60], "instrument": instrument,
                                            "first": codes[0], "last": codes[-1]})
            continue
        if not text:
            errors.append(_("%(where)s: the wording of %(item)s is empty.") % {"where": where, "item": item})
            continue
        if len(text) > WORDING_MAX:
            errors.append(ngettext("%(where)s: the wording of %(item)s is longer than %(n)s character.",
                                   "%(where)s: the wording of %(item)s is longer than %(n)s characters.",
                                   WORDING_MAX) % {"where": where, "item": item, "n": WORDING_MAX})
            continue
        if len(language) > 10:
            errors.append(_("%(where)s: “%(value)s” is not a language code such as en or nl.") % {
                "where": where, "value": language[:20]})
            continue
        key = (instrument, language, item)
        if key in seen:
            errors.append(_("%(where)s: %(item)s (%(language)s) is already given in %(first)s.") % {
                "where": where, "item": item, "language": language, "first": seen[key]})
            continue
        seen[key] = where
        rows.append((instrument, language, item, text))
    # A partial import would mix official and placeholder wording in one questionnaire.
    for instrument, language in sorted({(r[0], r[1]) for r in rows}):
        given = {r[2] for r in rows if r[0] == instrument and r[1] == language}
        missing = [c for c, *_rest in item_codes(instrument) if c not in given]
        if missing:
            errors.append(_("%(instrument)s (%(language)s): items missing from the file: %(items)s.") % {
                "instrument": INSTRUMENTS[instrument]["name"], "language": language, "items": ", ".join(missing)})
    return rows, errors


@transaction.atomic
def instrument_wording_import(*, file, actor, request=None):
    """Replace the official wording of the instruments (and languages) in the file. All or nothing:
    any wrong row stops the import with a list of row errors and nothing is changed."""
    filename = getattr(file, "name", "") or ""
    too_big = _("The file is larger than %(n)s MB. A wording file is much smaller: check that you chose the "
                "right file.") % {"n": FILE_MAX_BYTES // (1024 * 1024)}
    if (getattr(file, "size", None) or 0) > FILE_MAX_BYTES:
        raise ValidationError(too_big)
    data = file.read(FILE_MAX_BYTES + 1)
    if len(data) > FILE_MAX_BYTES:
        raise ValidationError(too_big)
    try:
        content = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file must be UTF-8 text (CSV or YAML).")) from exc
    rows, errors = wording_check(content=content, filename=filename)
    if errors:
        raise ValidationError(errors)
    pairs = sorted({(r[0], r[1]) for r in rows})
    for instrument, language in pairs:
        InstrumentWording.objects.filter(instrument=instrument, language=language).delete()
    for i, lang, item, text in rows:  # one by one, so every row gets its history entry
        InstrumentWording.objects.create(instrument=i, language=lang, item=item, text=text, imported_by=actor)
    audit_record(action="consultation.instrument_wording_imported", actor=actor, target=filename[:200],
                 details={"instruments": [f"{i}/{lang}" for i, lang in pairs], "items": len(rows)},
                 request=request)
    return len(rows)
