"""The questionnaire builder: writes for questionnaires, sections, questions and their frozen versions.

Consultations, invitations and rights are in ``delivery.py``; answering in ``responding.py``.
Every builder write ends with ``questionnaire_sync_version`` so respondents always get a frozen
version and a version that has been answered is never changed.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from tailorkit.core.locking import apply_versioned, lock_versioned

from .. import answering
from ..models import OPTION_KINDS, Question, QuestionKind, Questionnaire, QuestionnaireVersion, Section

QUESTION_FIELDS = ("key", "kind", "text", "help_text", "options", "required", "allow_not_relevant", "show_if",
                   "min_value", "max_value", "min_label", "max_label", "meta")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def snapshot_of(questionnaire):
    """The questionnaire as respondents see it, as plain JSON (stored in ``QuestionnaireVersion``)."""
    questions = {}
    for q in Question.objects.filter(questionnaire=questionnaire).order_by("position", "pk"):
        questions.setdefault(q.section_id, []).append({f: getattr(q, f) for f in QUESTION_FIELDS})
    return {
        "title": questionnaire.title,
        "description": questionnaire.description,
        "sections": [
            {"title": s.title, "intro": s.intro, "questions": questions.get(s.pk, [])}
            for s in Section.objects.filter(questionnaire=questionnaire).order_by("position", "pk")
        ],
    }


@transaction.atomic
def questionnaire_sync_version(*, questionnaire, actor=None):
    """Make the latest version match the live questionnaire.

    A version nobody has started answering is updated in place; once it has a draft or a response
    an edit creates the next version number, so every response keeps exactly what it answered.
    """
    snapshot = snapshot_of(questionnaire)
    latest = (QuestionnaireVersion.objects.select_for_update()
              .filter(questionnaire=questionnaire).order_by("-number").first())
    if latest is not None and latest.snapshot == snapshot:
        version = latest
    elif latest is not None and not latest.responses.exists() and not latest.drafts.exists():
        latest.snapshot = snapshot
        latest.save(update_fields=["snapshot"])
        version = latest
    else:
        version = QuestionnaireVersion.objects.create(
            organisation=questionnaire.organisation, questionnaire=questionnaire,
            number=(latest.number + 1) if latest else 1, snapshot=snapshot, created_by=actor,
        )
    # update(), not save(): the pointer is bookkeeping, not an edit worth a history row. Always
    # asked of the database, as this instance may be older than the row.
    Questionnaire.objects.filter(pk=questionnaire.pk).exclude(current_version=version).update(current_version=version)
    questionnaire.current_version = version
    return version


@transaction.atomic
def questionnaire_create(*, organisation, actor, title, description="", sections=None):
    """Create a questionnaire with one first section (or the named ``sections``)."""
    questionnaire = Questionnaire(organisation=organisation, title=title.strip(), description=description,
                                  created_by=actor)
    questionnaire.full_clean()
    questionnaire.save()
    for i, section_title in enumerate(sections or [_("Questions")]):
        Section.objects.create(organisation=organisation, questionnaire=questionnaire, title=section_title,
                               position=i)
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)
    return questionnaire


@transaction.atomic
def questionnaire_update(*, questionnaire, actor, version, title, description=""):
    questionnaire = apply_versioned(Questionnaire, pk=questionnaire.pk, expected_version=version,
                                    changes={"title": title.strip(), "description": description})
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)
    return questionnaire


@transaction.atomic
def section_create(*, questionnaire, actor, title, intro=""):
    last = questionnaire.sections.aggregate(m=Max("position"))["m"]
    section = Section.objects.create(organisation=questionnaire.organisation, questionnaire=questionnaire,
                                     title=title.strip(), intro=intro, position=(last or 0) + 1)
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)
    return section


@transaction.atomic
def section_update(*, section, actor, version, title, intro=""):
    section = apply_versioned(Section, pk=section.pk, expected_version=version,
                              changes={"title": title.strip(), "intro": intro})
    questionnaire_sync_version(questionnaire=section.questionnaire, actor=actor)
    return section


@transaction.atomic
def section_delete(*, section, actor):
    if section.questions.exists():
        raise ValidationError(_("This section still has questions. Move or delete them first."))
    if section.questionnaire.sections.count() <= 1:
        raise ValidationError(_("A questionnaire needs at least one section."))
    questionnaire = section.questionnaire
    section.delete()
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)


def _swap(items, obj, direction, actor):
    """Move ``obj`` one place up or down in ``items`` and renumber all positions: one UPDATE and one
    INSERT of history rows for all the rows whose position changes, however many there are
    (django-simple-history's ``bulk_update_with_history``, not a ``save()`` per row)."""
    items = list(items)
    i = next(n for n, item in enumerate(items) if item.pk == obj.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        bulk_update_with_history(changed, type(obj), ["position"], default_user=actor)


@transaction.atomic
def section_move(*, section, actor, direction):
    _swap(section.questionnaire.sections.order_by("position", "pk"), section, direction, actor)
    _check_show_if_order(section.questionnaire)
    questionnaire_sync_version(questionnaire=section.questionnaire, actor=actor)


# --- Questions --------------------------------------------------------------------------------

def parse_options(text):
    """Options from a text box, one per line: ``label`` or ``code = label``. Codes stay stable in
    exports, so a label can be reworded later without changing the data."""
    options, seen = [], set()
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if "=" in line:
            code, label = (part.strip() for part in line.split("=", 1))
        else:
            code, label = slugify(line)[:40] or str(n), line
        if not code or not label:
            raise ValidationError(_("Line %(n)s: write “code = label” or just the label.") % {"n": n})
        if code in seen:
            raise ValidationError(_("Line %(n)s: the code “%(code)s” is used twice.") % {"n": n, "code": code})
        seen.add(code)
        options.append({"value": code, "label": label})
    return options


def options_text(options):
    return "\n".join(f"{o['value']} = {o['label']}" for o in options or [])


def _ordered_questions(questionnaire):
    """The questionnaire's questions in the order respondents meet them, each with its section (read
    in the same query: ``questions_before`` compares section positions)."""
    return list(Question.objects.filter(questionnaire=questionnaire).select_related("section")
                .order_by("section__position", "section_id", "position", "pk"))


def _check_show_if_order(questionnaire):
    """Every show-if must refer to a question that comes earlier; raise before anything is saved."""
    seen = {}
    for q in _ordered_questions(questionnaire):
        ref = (q.show_if or {}).get("question")
        if ref and ref not in seen:
            raise ValidationError(
                _("Question “%(q)s” is shown depending on “%(ref)s”, which would no longer come before it. "
                  "Change its condition first.") % {"q": q.key, "ref": ref})
        seen[q.key] = q


def _clean_question(question, earlier):
    """Check a question's fields; ``earlier`` are the questions before it, keyed by key."""
    errors = {}
    if not KEY_RE.match(question.key or ""):
        errors["key"] = _("Use lower-case letters, digits, - and _ only, starting with a letter or digit.")
    elif (Question.objects.filter(questionnaire=question.questionnaire, key=question.key)
          .exclude(pk=question.pk).exists()):
        errors["key"] = _("Another question in this questionnaire already uses this code.")
    if question.kind not in QuestionKind.values:
        errors["kind"] = _("Choose one of the listed question types.")
    if not (question.text or "").strip():
        errors["text"] = _("Write the question.")
    if question.kind in OPTION_KINDS and len(question.options or []) < 2:
        errors["options"] = _("Give at least two options, one per line.")
    if question.kind not in OPTION_KINDS and question.kind not in (QuestionKind.LIKERT5, QuestionKind.LIKERT7):
        question.options = []
    if question.kind == QuestionKind.NUMBER:
        if (question.min_value is not None and question.max_value is not None
                and question.min_value > question.max_value):
            errors["max_value"] = _("The highest number must not be lower than the lowest.")
    else:
        question.min_value = question.max_value = None
    cond = question.show_if or {}
    if cond:
        ref = earlier.get(cond.get("question"))
        wanted = cond.get("in", [cond.get("equals")])
        if ref is None:
            errors["show_if"] = _("A condition can only depend on a question that comes before this one.")
        else:
            allowed = answering.possible_values({f: getattr(ref, f) for f in QUESTION_FIELDS})
            if allowed is None:
                errors["show_if"] = _("Conditions can depend on choice and scale questions only.")
            elif not wanted or any(str(v) not in allowed for v in wanted):
                errors["show_if"] = _("Use answer codes of that question: %(codes)s.") % {"codes": ", ".join(allowed)}
    if errors:
        raise ValidationError(errors)


def questions_before(questionnaire, section, position, exclude_pk=None):
    """``{key: question}`` of the questions before ``position`` in ``section`` (those a show-if
    condition there may refer to), leaving out the question ``exclude_pk`` itself."""
    result = {}
    for q in _ordered_questions(questionnaire):
        if q.pk == exclude_pk:
            continue
        if (q.section.position, q.section_id, q.position) < (section.position, section.pk, position):
            result[q.key] = q
    return result


def _unique_key(questionnaire, text):
    base = slugify(text)[:30].replace("-", "_") or "q"
    if not base[0].isalnum():
        base = "q" + base
    key, n = base, 2
    while Question.objects.filter(questionnaire=questionnaire, key=key).exists():
        key, n = f"{base}_{n}", n + 1
    return key


@transaction.atomic
def question_create(*, section, actor, **fields):
    questionnaire = section.questionnaire
    last = section.questions.aggregate(m=Max("position"))["m"]
    question = Question(organisation=questionnaire.organisation, questionnaire=questionnaire, section=section,
                        position=(last if last is not None else -1) + 1)
    for f in QUESTION_FIELDS:
        if f in fields and fields[f] is not None:
            setattr(question, f, fields[f])
    if not question.key:
        question.key = _unique_key(questionnaire, question.text)
    _clean_question(question, questions_before(questionnaire, section, question.position))
    question.save()
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)
    return question


@transaction.atomic
def question_update(*, question, actor, version, **fields):
    """Change a question; ``StaleEdit`` when someone saved it meanwhile (``fields`` as in
    ``question_create``, plus ``section`` to move it to the end of another section)."""
    question = lock_versioned(Question, pk=question.pk, expected_version=version, submitted=fields)
    for f in QUESTION_FIELDS:
        if f in fields and fields[f] is not None:
            setattr(question, f, fields[f])
    if "section" in fields and fields["section"].pk != question.section_id:
        question.section = fields["section"]
        last = question.section.questions.aggregate(m=Max("position"))["m"]
        question.position = (last if last is not None else -1) + 1
    earlier = questions_before(question.questionnaire, question.section, question.position, question.pk)
    _clean_question(question, earlier)
    old_key = Question.objects.get(pk=question.pk).key
    question.version += 1
    question.save()
    if old_key != question.key:
        # Keep conditions of later questions pointing at the renamed question.
        dependants = list(Question.objects.filter(questionnaire=question.questionnaire, show_if__question=old_key))
        for dependant in dependants:
            dependant.show_if = {**dependant.show_if, "question": question.key}
        if dependants:
            bulk_update_with_history(dependants, Question, ["show_if"], default_user=actor)
    _check_show_if_order(question.questionnaire)
    questionnaire_sync_version(questionnaire=question.questionnaire, actor=actor)
    return question


@transaction.atomic
def question_delete(*, question, actor):
    dependants = [q.key for q in Question.objects.filter(questionnaire=question.questionnaire)
                  if (q.show_if or {}).get("question") == question.key]
    if dependants:
        raise ValidationError(_("Questions %(keys)s are shown depending on this one. Change their conditions first.")
                              % {"keys": ", ".join(dependants)})
    questionnaire = question.questionnaire
    question.delete()
    questionnaire_sync_version(questionnaire=questionnaire, actor=actor)


@transaction.atomic
def question_move(*, question, actor, direction):
    _swap(question.section.questions.order_by("position", "pk"), question, direction, actor)
    _check_show_if_order(question.questionnaire)
    questionnaire_sync_version(questionnaire=question.questionnaire, actor=actor)
