"""What the project summary (page and PDF) reports of its stakeholders (issue 10): every consultation made
from a project step, with the figures the step pages read back.

The anonymity rule is not applied here but read: each consultation's figures come from
``consultations.services.results.consultation_results``, the function the results page uses, so a
question answered by fewer people than the minimum group size is withheld here exactly as there
(with its note), and free text appears only where that page shows it. The summary reports the overall
figures only; the breakdown by respondent group (with its secondary suppression) stays on the results page.
"""

from dataclasses import dataclass, field

from tailorkit.consultations.models import Invitation
from tailorkit.consultations.selectors import consultation_queryset
from tailorkit.consultations.services import results
from tailorkit.library.models import Item

from .. import steps
from ..models import APEASE, Barrier, StrategyOption
from ..stakeholders import SUBJECT_TYPE

BARRIER_MEASURES = ("importance", "changeability")


@dataclass
class Figure:
    """One overall figure of a question: its mean, or why it is withheld."""

    mean: float | None = None
    n: int = 0
    withheld: bool = False
    note: str = ""


@dataclass
class SubjectRow:
    """A barrier or a strategy with the stakeholders' figures about it, by measure or APEASE criterion."""

    name: str
    aspects: tuple = ()
    figures: dict = field(default_factory=dict)
    texts: list = field(default_factory=list)
    withheld_texts: str = ""

    def figure(self, aspect):
        return self.figures.get(aspect) or Figure()

    @property
    def cells(self):
        """The figures in the order of ``aspects``, for the templates."""
        return [self.figure(a) for a in self.aspects]


def _figure(overall):
    if overall.get("withheld"):
        return Figure(withheld=True, note=overall.get("note", ""))
    summary = overall.get("summary") or {}
    return Figure(mean=summary.get("mean"), n=overall.get("n", 0))


def _subject_rows(questions, prefix, names, aspects):
    """``[SubjectRow]`` for the subjects ``<prefix>-<pk>`` of the questions, in the order of ``names``
    (subjects no longer in the project are left out)."""
    rows = {}
    for q in questions:
        tied = results.subject_of(q["question"])
        if tied is None:
            continue
        head, _sep, tail = tied[0].partition("-")
        pk = int(tail) if head == prefix and tail.isdigit() else None
        if pk not in names:
            continue
        row = rows.setdefault(pk, SubjectRow(name=names[pk], aspects=aspects))
        overall = q["overall"]
        if q["kind"] == "text":
            if overall.get("withheld"):
                row.withheld_texts = overall.get("note", "") if overall.get("n") else ""
            else:
                row.texts = overall.get("texts", [])
        elif tied[1] in aspects:
            row.figures[tied[1]] = _figure(overall)
    return [rows[pk] for pk in names if pk in rows]


def _question_rows(questions):
    """The other questions (a plan's clarity, a criterion's verdict, free text): the overall result of each."""
    rows = []
    for q in questions:
        overall = q["overall"]
        row = {"text": q["question"].get("text", ""), "kind": q["kind"], "figure": _figure(overall)}
        if not overall.get("withheld"):
            summary = overall.get("summary") or {}
            row["mean"] = summary.get("mean")
            row["distribution"] = [d for d in overall.get("distribution", []) if d["count"]] \
                if summary.get("mean") is None else []
            row["texts"] = overall.get("texts", [])
        rows.append(row)
    return rows


def _by_mean(row):
    values = [row.figure(a).mean for a in BARRIER_MEASURES]
    product = values[0] * values[1] if None not in values else None
    return (product is None, -(product or 0), row.name.lower())


def stakeholder_results(project):
    """The project's consultations, oldest first, each as a dict: ``consultation`` (with ``n_responses`` and
    invitation counts), ``step`` (the step it was made from, or None), ``invited``, ``threshold``,
    ``withheld`` and ``note`` (nothing at all can be shown, and why), and its figures: ``barriers``
    (``SubjectRow`` by importance and changeability, ranked by the stakeholders' product), ``options``
    (``SubjectRow`` by APEASE criterion, with the comments) or ``questions`` (everything else)."""
    consultations = list(
        consultation_queryset(project.organisation).filter(subject_type=SUBJECT_TYPE, subject_id=project.pk)
        .select_related("questionnaire").order_by("created_at", "pk"))
    if not consultations:
        return []
    barriers = {b.pk: b.name for b in Barrier.objects.filter(project=project).select_related("item")}
    options = {o.pk: o.name for o in StrategyOption.objects.filter(project=project).select_related("item")}
    out = []
    for consultation in consultations:
        found = results.consultation_results(consultation, chart=False)
        questions = found["questions"]
        entry = {
            "consultation": consultation, "step": steps.for_template(consultation.template),
            "invited": sum(getattr(consultation, f"n_{status}", 0) for status in Invitation.Status.values),
            "answered": consultation.n_responses, "threshold": found["threshold"],
            "withheld": found["withheld"], "note": found["note"],
            "barriers": _subject_rows(questions, "barrier", barriers, BARRIER_MEASURES),
            "options": _subject_rows(questions, "option", options, APEASE),
        }
        entry["barriers"].sort(key=_by_mean)
        tied = {"barrier", "option"}
        entry["questions"] = _question_rows(
            [q for q in questions if (results.subject_of(q["question"]) or ("",))[0].partition("-")[0] not in tied])
        entry["any_withheld"] = any(f.withheld for row in entry["barriers"] + entry["options"] for f in row.cells) \
            or any(q["figure"].withheld for q in entry["questions"])
        out.append(entry)
    return out


def apease_names():
    """``[(criterion code, name)]`` in APEASE order, from the ``apease`` pack (the code when missing)."""
    names = dict(Item.objects.filter(pack__slug="apease").values_list("code", "name"))
    return [(c, names.get(c) or c.capitalize()) for c in APEASE]
