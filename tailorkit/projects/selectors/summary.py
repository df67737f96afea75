"""What the project summary (page and PDF) reads: the current iteration in full with its long lists cut
short (``iterations_in_summary``), and what its stakeholders said (issue 10): the consultations made from
a project step, with the figures the step pages read back (``stakeholder_results``).

Bounded (issue 11): the same number of queries for any project, and lists kept short, each with how
many more there are, so a project with 1,000 iterations or 1,000 tasks makes a summary of the usual size.

The anonymity rule is not applied here but read: each question's figures come from
``consultations.services.results.question_result``, the function the results page applies to each
question (with ``core.anonymity``), fed by the same counts read for all the consultations at once, so a
question answered by fewer people than the minimum group size is withheld here exactly as there (with
its note), and free text appears only where that page shows it. The summary reports the overall
figures only; the breakdown by respondent group (with its secondary suppression) stays on the results page.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch

from tailorkit.consultations import batches as consultation_reads
from tailorkit.consultations.models import Consultation, Invitation, QuestionKind
from tailorkit.consultations.selectors import ALL, consultation_queryset
from tailorkit.consultations.services import results
from tailorkit.core.anonymity import threshold_for, withheld_note
from tailorkit.library.models import Item

from .. import steps
from ..models import (
    APEASE,
    Barrier,
    Decision,
    EngagementRecord,
    Focus,
    Judgement,
    Project,
    StakeholderGroup,
    StrategyOption,
)
from ..stakeholders import SUBJECT_TYPE
from . import engagement as engagement_reads

BARRIER_MEASURES = ("importance", "changeability")
# The summary reports the newest consultations of a project and the first comments of each question,
# as the results page previews them; the rest is on each consultation's results page.
CONSULTATIONS_SHOWN = 10
TEXTS_SHOWN = results.TEXTS_PREVIEW


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
    texts_more: bool = False
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
                row.texts, row.texts_more = overall.get("texts", []), overall.get("texts_more", False)
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
            row["texts_more"] = overall.get("texts_more", False)
        rows.append(row)
    return rows


def _by_mean(row):
    values = [row.figure(a).mean for a in BARRIER_MEASURES]
    product = values[0] * values[1] if None not in values else None
    return (product is None, -(product or 0), row.name.lower())


def _released_texts(questions):
    """The overall free-text blocks that the anonymity rule released, as ``(key, ALL)`` pairs (the
    summary reports overall figures only, so the groups' texts stay on the results page)."""
    return [(q["key"], ALL) for q in questions if q["kind"] == QuestionKind.TEXT and not q["overall"]["withheld"]]


def _consultation_figures(consultations):
    """``{consultation id: (threshold, total, [question_result…])}`` for all the consultations, in a fixed
    number of queries: the reads of ``results.consultation_results`` made once for all of them, and the
    same rule (``results.question_result``, which applies ``core.anonymity``) applied to each."""
    versions = consultation_reads.questionnaire_versions_of(consultations)
    per_group = consultation_reads.responses_per_group_of(consultations)
    asked, figures = {}, {}
    for c in consultations:
        threshold, total = threshold_for(c.min_group_size), sum(per_group[c.pk].values())
        figures[c.pk] = (threshold, total, [])
        if total >= threshold:  # below it nothing at all is shown, so nothing is read
            asked[c.pk] = results.questions_in(versions.get(c.questionnaire_id, []))
    counts = consultation_reads.answer_counts_of(asked)
    for c in consultations:
        threshold, _total, questions = figures[c.pk]
        questions.extend(results.question_result(c, q, counts[c.pk].get(q["key"], []), threshold, chart=False)
                         for q in asked.get(c.pk, ()))
    wanted = {pk: _released_texts(questions) for pk, (_t, _n, questions) in figures.items()}
    texts = consultation_reads.first_texts_of(wanted, TEXTS_SHOWN)
    for pk, (_t, _n, questions) in figures.items():
        for q in questions:
            found = texts[pk].get((q["key"], ALL))
            if found is not None:
                q["overall"].update(texts=found, texts_more=q["overall"]["n"] > len(found))
    return figures


def stakeholder_results(project):
    """The project's newest ``CONSULTATIONS_SHOWN`` consultations, oldest first, and how many more there
    are: ``(entries, n_more)``. Each entry is a dict: ``consultation`` (with ``n_responses`` and
    invitation counts), ``step`` (the step it was made from, or None), ``invited``, ``threshold``,
    ``withheld`` and ``note`` (nothing at all can be shown, and why), and its figures: ``barriers``
    (``SubjectRow`` by importance and changeability, ranked by the stakeholders' product), ``options``
    (``SubjectRow`` by APEASE criterion, with the comments) or ``questions`` (everything else). Free text
    is the first ``TEXTS_SHOWN`` answers of a question (``texts_more``: the results page has more).
    The same number of queries for one consultation or a hundred."""
    newest = list(
        consultation_queryset(project.organisation).filter(subject_type=SUBJECT_TYPE, subject_id=project.pk)
        .select_related("questionnaire").order_by("-created_at", "-pk")[:CONSULTATIONS_SHOWN + 1])
    n_more = 0
    if len(newest) > CONSULTATIONS_SHOWN:
        newest = newest[:CONSULTATIONS_SHOWN]
        n_more = Consultation.objects.filter(subject_type=SUBJECT_TYPE, subject_id=project.pk,
                                             organisation=project.organisation).count() - CONSULTATIONS_SHOWN
    consultations = newest[::-1]
    if not consultations:
        return [], 0
    barriers = {b.pk: b.name for b in Barrier.objects.filter(project=project).select_related("item")}
    options = {o.pk: o.name for o in StrategyOption.objects.filter(project=project).select_related("item")}
    figures = _consultation_figures(consultations)
    out = []
    for consultation in consultations:
        threshold, total, questions = figures[consultation.pk]
        withheld = total < threshold
        entry = {
            "consultation": consultation, "step": steps.for_template(consultation.template),
            "invited": sum(getattr(consultation, f"n_{status}", 0) for status in Invitation.Status.values),
            "answered": consultation.n_responses, "threshold": threshold,
            "withheld": withheld, "note": withheld_note(threshold) if withheld and total else "",
            "barriers": _subject_rows(questions, "barrier", barriers, BARRIER_MEASURES),
            "options": _subject_rows(questions, "option", options, APEASE),
        }
        entry["barriers"].sort(key=_by_mean)
        tied = {"barrier", "option"}
        entry["questions"] = _question_rows(
            [q for q in questions if (results.subject_of(q["question"]) or ("",))[0].partition("-")[0] not in tied])
        rows = entry["barriers"] + entry["options"]
        entry["any_withheld"] = any(f.withheld for row in rows for f in row.cells) \
            or any(q["figure"].withheld for q in entry["questions"])
        out.append(entry)
    return out, n_more


def apease_names():
    """``[(criterion code, name)]`` in APEASE order, from the ``apease`` pack (the code when missing)."""
    names = dict(Item.objects.filter(pack__slug="apease").values_list("code", "name"))
    return [(c, names.get(c) or c.capitalize()) for c in APEASE]


# --- The iterations -----------------------------------------------------------------------------

# Earlier iterations listed (the newest), and the current iteration's tasks, success criteria and
# reviews (with their judgements) shown before "N more: see the step page".
EARLIER_SHOWN = 10
ROWS_SHOWN = 20
REVIEWS_SHOWN = 10


def _capped(queryset, n):
    """``(the first n rows, how many there are)``: a count query only when there are more than ``n``."""
    rows = list(queryset[:n + 1])
    if len(rows) <= n:
        return rows, len(rows)
    return rows[:n], queryset.count()


def iterations_in_summary(project):
    """``{"current", "earlier" (the newest EARLIER_SHOWN before it, newest first), "n_earlier", "tasks",
    "n_tasks", "criteria", "n_criteria", "reviews", "n_reviews"}``. The iterations carry
    ``focus_goals``, ``focus_barriers`` and their decisions; reviews their first judgements
    (``shown_judgements``). A fixed number of queries, whatever the number of rows."""
    iterations, n_iterations = _capped(
        project.iterations.order_by("-number")
        .select_related("chosen_option__item", "chosen_option__barrier__item", "specification")
        .prefetch_related(
            Prefetch("focus", queryset=Focus.objects.select_related("goal", "barrier__item__category")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        ), EARLIER_SHOWN + 1)
    for it in iterations:
        it.focus_goals = [f.goal for f in it.focus.all() if f.goal_id]
        it.focus_barriers = [f.barrier for f in it.focus.all() if f.barrier_id]
    current = iterations[0] if iterations else None
    found = {"current": current, "earlier": iterations[1:], "n_earlier": max(0, n_iterations - 1),
             "tasks": [], "n_tasks": 0, "criteria": [], "n_criteria": 0, "reviews": [], "n_reviews": 0}
    if current is None:
        return found
    found["tasks"], found["n_tasks"] = _capped(current.tasks.select_related("owner").order_by("due_date", "id"),
                                               ROWS_SHOWN)
    found["criteria"], found["n_criteria"] = _capped(current.criteria.order_by("id"), ROWS_SHOWN)
    judgements = Judgement.objects.select_related("criterion").order_by("criterion_id", "pk")
    reviews, found["n_reviews"] = _capped(
        current.reviews.order_by("-review_date", "-id").annotate(n_judgements=Count("judgements")).prefetch_related(
            Prefetch("judgements", queryset=judgements[:ROWS_SHOWN], to_attr="shown_judgements")),
        REVIEWS_SHOWN)
    found["reviews"] = reviews[::-1]  # the newest, in the order they were made
    return found


# --- Stakeholder engagement (issue 17) -------------------------------------------------------------

# The newest records of engagement listed; the rest are on the project's engagement page.
RECORDS_SHOWN = 20


def engagement_in_summary(project):
    """``{"engagement": the groups × steps picture (``selectors.engagement.grid``), "engagement_records":
    the newest RECORDS_SHOWN records with their groups and changes, "n_engagement_records"}``, in a fixed
    number of queries: one that asks whether the project has groups and records, and the reads of each
    only when it has. The named people are never read: the summary and its PDF leave the team."""
    has_groups, has_records = Project.objects.filter(pk=project.pk).annotate(
        g=Exists(StakeholderGroup.objects.filter(project=OuterRef("pk"))),
        r=Exists(EngagementRecord.objects.filter(project=OuterRef("pk")))).values_list("g", "r").get()
    picture = engagement_reads.grid(project) if has_groups else {"steps": list(steps.CYCLE), "rows": [],
                                                                 "never_engaged": []}
    records, n_records = _capped(engagement_reads.records_of(project), RECORDS_SHOWN) if has_records else ([], 0)
    return {"engagement": picture, "engagement_records": records, "n_engagement_records": n_records}
