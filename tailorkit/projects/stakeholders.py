"""Step templates (issue 4, points 2 and 7): one click on a project step makes a consultation about
that step's content, and the stakeholders' answers flow back into goals and matching.

Layering: the consultations engine sits below projects and knows nothing of them (a consultation
points at its subject through ``subject_type``/``subject_id`` and opaque subject keys). This module
is the project side of that join: it builds the questionnaires from project objects and reads the
engine's figures back for the step pages (``views/stakeholders.py`` holds the matching views).

How answers are tied to project objects is the convention of ``results.py``: every rated question
carries ``meta = {"subject": "barrier-<pk>", "measure": "importance" | "changeability"}`` or
``{"subject": "option-<pk>", "criterion": <APEASE code>}``, and its key repeats it as
``<subject>__<aspect>`` (the fallback ``results.subject_of`` reads).

All writes go through the builder (``services.builder``) and ``delivery.consultation_create``; the wording
is our own, in plain language, and translatable (it is stored in the creator's language).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tailorkit.consultations.models import Consultation, ConsultationTemplate, QuestionKind, RespondentGroup
from tailorkit.consultations.services import builder, delivery, results
from tailorkit.core.anonymity import threshold_for

from .models import APEASE, Focus, Iteration, Project, Specification, StrategyOption, SuccessCriterion

T = ConsultationTemplate
SUBJECT_TYPE = "project"
# Which step page offers which template is in the step registry (``steps.py``).
# A second click on the same button within this window returns the consultation the first click
# made, instead of a duplicate (double clicks, retried requests).
DOUBLE_CLICK_WINDOW = timedelta(seconds=15)


def _title(text, limit=200):
    return Truncator(text).chars(limit)


def _points(labels):
    return [{"value": str(n), "label": label} for n, label in enumerate(labels, start=1)]


# --- The four templates: each returns (title, purpose, description, [(section, intro, [question])]) ----

def _barrier_prioritisation(project, iteration):
    barriers = list(project.barriers.select_related("item__category").order_by("created_at", "pk"))
    if not barriers:
        raise ValidationError(_("This project has no barriers yet. Add barriers in step 1 first."))
    importance = _points([_("Not important"), _("A little important"), _("Fairly important"), _("Important"),
                          _("Very important")])
    changeability = _points([_("Cannot be changed"), _("Hard to change"), _("Could be changed with effort"),
                             _("Fairly easy to change"), _("Easy to change")])
    questions = []
    for barrier in barriers:
        subject = f"barrier-{barrier.pk}"
        about = barrier.notes.strip() or barrier.category_name
        for measure, text, points in (
                ("importance", _("How much does this get in the way: “%(name)s”?"), importance),
                ("changeability", _("How much could we change it: “%(name)s”?"), changeability)):
            questions.append({
                "key": f"{subject}__{measure}", "kind": QuestionKind.LIKERT5, "text": text % {"name": barrier.name},
                "help_text": about if measure == "importance" else "", "options": points,
                "allow_not_relevant": True, "meta": {"subject": subject, "measure": measure},
            })
    intro = _("For each possible barrier, say how much it gets in the way (1 = not at all, 5 = very much) and "
              "how much it could be changed (1 = not at all, 5 = easily). If a barrier does not apply to you, "
              "choose “Not relevant”.")
    return (
        _("Which barriers matter most? – %(project)s") % {"project": project.name},
        _("The team working on “%(service)s” wants to know which barriers to tackle first. The team sees "
          "only averages of everyone's answers, next to its own ratings.") % {"service": project.service},
        "", [(_("Barriers"), intro, questions)],
    )


APEASE_QUESTIONS = {
    "acceptability": lambda: _("Would the people involved (staff, patients, others) find it acceptable?"),
    "practicability": lambda: _("Could it be done here, with the people, time and means we have?"),
    "effectiveness": lambda: _("How well would it work against the barrier?"),
    "affordability": lambda: _("Could we afford it, in money, time and staff?"),
    "side-effects": lambda: _("How free would it be of unwanted side-effects? (5 = none expected)"),
    "equity": lambda: _("Would it be fair: would it reach everyone who needs it, without widening gaps?"),
}


def _strategy_appraisal(project, iteration):
    barriers = [f.barrier_id for f in Focus.objects.filter(iteration=iteration, barrier__isnull=False)]
    options = list(StrategyOption.objects.filter(project=project, barrier_id__in=barriers)
                   .select_related("item", "barrier__item").order_by("created_at", "pk"))
    if not options:
        raise ValidationError(_("There are no candidate strategies for the focused barrier yet. Add candidates in "
                                "step 2 first."))
    scale = _points([_("Very poor"), _("Poor"), _("Fair"), _("Good"), _("Very good")])
    sections = []
    for option in options:
        subject = f"option-{option.pk}"
        questions = [{
            "key": f"{subject}__{criterion}", "kind": QuestionKind.LIKERT5, "text": APEASE_QUESTIONS[criterion](),
            "options": scale, "allow_not_relevant": True, "meta": {"subject": subject, "criterion": criterion},
        } for criterion in APEASE]
        questions.append({"key": f"{subject}__comment", "kind": QuestionKind.TEXT,
                          "text": _("Anything else about this strategy? (optional)"),
                          "meta": {"subject": subject, "comment": True}})
        intro = _("A possible way to tackle “%(barrier)s”.") % {"barrier": option.barrier.name}
        if option.description.strip():
            intro += "\n" + option.description.strip()
        intro += "\n" + _("Rate it from 1 (very poor) to 5 (very good) on each point.")
        sections.append((_title(option.name), intro, questions))
    return (
        _("Which strategy should we choose? – %(project)s") % {"project": project.name},
        _("The team working on “%(service)s” is comparing ways to tackle a barrier. The team sees only averages "
          "of everyone's answers, next to its own appraisal.") % {"service": project.service},
        "", sections,
    )


# Plain-language headings for the specification summary shown to respondents (TIDieR / Proctor
# fields of ``projects.models.Specification``); empty fields are left out.
PLAN_SUMMARY_FIELDS = [
    ("brief_name", lambda: _("In short")), ("why", lambda: _("Why")),
    ("what_procedures", lambda: _("What will be done")), ("what_materials", lambda: _("Materials")),
    ("who_provides", lambda: _("Who does it")), ("actor", lambda: _("Who acts")),
    ("action", lambda: _("What they do")), ("action_target", lambda: _("Aimed at")),
    ("how", lambda: _("How")), ("where", lambda: _("Where")), ("when_how_much", lambda: _("When and how much")),
    ("temporality", lambda: _("When")), ("dose", lambda: _("How often or how much")),
    ("implementation_outcome", lambda: _("What should change")),
    ("justification", lambda: _("Why we think it will work")),
]


def plan_summary(iteration):
    """The chosen strategy and its specification as plain text for respondents."""
    spec = Specification.objects.filter(iteration=iteration).first()
    lines = []
    if iteration.chosen_option_id:
        lines.append(_("The strategy: %(name)s") % {"name": iteration.chosen_option.name})
    for field, label in PLAN_SUMMARY_FIELDS:
        value = (getattr(spec, field) or "").strip() if spec else ""
        if value:
            lines.append(f"{label()}: {value}")
    return "\n".join(lines)


def _plan_feedback(project, iteration):
    summary = plan_summary(iteration)
    if not summary:
        raise ValidationError(_("There is no plan to show yet. Choose a strategy in step 2 or write the "
                                "specification in step 3 first."))
    questions = [
        {"key": "plan_clear", "kind": QuestionKind.LIKERT5, "text": _("The plan is clear to me."),
         "meta": {"subject": f"plan-{iteration.pk}", "aspect": "clarity"}},
        {"key": "plan_feasible", "kind": QuestionKind.LIKERT5,
         "text": _("The plan can be carried out here as described."),
         "meta": {"subject": f"plan-{iteration.pk}", "aspect": "feasibility"}},
        {"key": "plan_change", "kind": QuestionKind.TEXT, "text": _("What would you change in the plan?"),
         "meta": {"subject": f"plan-{iteration.pk}", "aspect": "change"}},
    ]
    return (
        _("What do you think of our plan? – %(project)s") % {"project": project.name},
        _("The team working on “%(service)s” has planned how to put a strategy into practice and would like your "
          "view before it starts.") % {"service": project.service},
        summary, [(_("The plan"), _("Read the plan above, then tell us what you think."), questions)],
    )


def _impact_review(project, iteration):
    criteria = list(SuccessCriterion.objects.filter(iteration=iteration).order_by("pk"))
    verdicts = [{"value": "met", "label": _("Achieved")}, {"value": "not_met", "label": _("Not achieved")},
                {"value": "unclear", "label": _("Not clear yet")}]
    sections = []
    if criteria:
        questions = []
        for criterion in criteria:
            subject = f"criterion-{criterion.pk}"
            target = ""
            if criterion.target_value is not None:
                target = _("Target: %(value)s %(unit)s") % {"value": f"{criterion.target_value.normalize():f}",
                                                            "unit": criterion.target_unit}
                if criterion.target_date:
                    target += " " + _("by %(date)s") % {"date": criterion.target_date.isoformat()}
            questions.append({"key": f"{subject}__verdict", "kind": QuestionKind.SINGLE,
                              "text": _("Has this been achieved: “%(what)s”?") % {"what": criterion.description},
                              "help_text": target.strip(), "options": verdicts,
                              "meta": {"subject": subject, "aspect": "verdict"}})
            questions.append({"key": f"{subject}__comment", "kind": QuestionKind.TEXT,
                              "text": _("What makes you say so? (optional)"),
                              "meta": {"subject": subject, "aspect": "comment"}})
        sections.append((_("What we set out to achieve"),
                         _("Before starting, the team wrote down how it would know the strategy worked."), questions))
    sections.append((_("Overall"), "", [{"key": "overall_improved", "kind": QuestionKind.LIKERT5,
                                         "text": _("Overall, things have improved since we started."),
                                         "meta": {"subject": f"iteration-{iteration.pk}", "aspect": "overall"}}]))
    strategy = iteration.chosen_option.name if iteration.chosen_option_id else ""
    return (
        _("Is it working? – %(project)s") % {"project": project.name},
        _("The team working on “%(service)s” has been applying a strategy and wants to know whether it is making "
          "a difference.") % {"service": project.service},
        _("The strategy: %(name)s") % {"name": strategy} if strategy else "", sections,
    )


BUILDERS = {T.BARRIER_PRIORITISATION: _barrier_prioritisation, T.STRATEGY_APPRAISAL: _strategy_appraisal,
            T.PLAN_FEEDBACK: _plan_feedback, T.IMPACT_REVIEW: _impact_review}


@transaction.atomic
def consultation_from_step(*, project, iteration, template, user, request=None):
    """Make a questionnaire and an (invitation, anonymous) consultation about one step's content.

    Returns the consultation. Raises ``ValidationError`` when the step has nothing to ask about
    yet (no barriers, no candidates, no plan). A repeat of the same click by the same person within
    ``DOUBLE_CLICK_WINDOW`` returns the consultation the first click made.
    """
    build = BUILDERS.get(template)
    if build is None:
        raise ValidationError({"template": _("Unknown consultation template.")})
    if iteration is None or iteration.project_id != project.pk:
        raise ValidationError({"iteration": _("That iteration belongs to another project.")})
    # Serialise clicks on the same project so the double-click check below cannot race.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    recent = (Consultation.objects.filter(organisation=project.organisation, subject_type=SUBJECT_TYPE,
                                          subject_id=project.pk, template=template, created_by=user,
                                          created_at__gte=timezone.now() - DOUBLE_CLICK_WINDOW)
              .order_by("-created_at").first())
    if recent is not None and not recent.invitations.exists():
        return recent
    iteration = Iteration.objects.select_related("chosen_option__item").get(pk=iteration.pk)
    title, purpose, description, sections = build(project, iteration)
    questionnaire = builder.questionnaire_create(organisation=project.organisation, actor=user, title=_title(title),
                                                  description=description, sections=[_title(s[0]) for s in sections])
    for section, (_name, intro, questions) in zip(questionnaire.sections.order_by("position", "pk"), sections,
                                                  strict=True):
        if intro:
            builder.section_update(section=section, actor=user, version=section.version, title=section.title,
                                   intro=intro)
        for question in questions:
            builder.question_create(section=section, actor=user, **question)
    consultation, _token = delivery.consultation_create(
        organisation=project.organisation, questionnaire=questionnaire, actor=user, title=_title(title),
        purpose=purpose, groups=list(RespondentGroup.values), subject_type=SUBJECT_TYPE, subject_id=project.pk,
        template=template, request=request)
    return consultation


# --- Reading back ----------------------------------------------------------------------------------

def consultations_for(project, template):
    """The project's consultations made from one step template, newest first, with response counts."""
    return (Consultation.objects.filter(organisation=project.organisation, subject_type=SUBJECT_TYPE,
                                        subject_id=project.pk, template=template)
            .annotate(n_responses=Count("responses")).order_by("-created_at", "-pk"))


def latest_answered(project, template):
    """The newest consultation of ``template`` that has at least one response, or None."""
    return consultations_for(project, template).filter(n_responses__gt=0).first()


def _pk_of(subject, prefix):
    head, _sep, tail = str(subject).partition("-")
    return int(tail) if head == prefix and tail.isdigit() else None


def _source(consultation):
    return {"title": consultation.title, "uuid": consultation.uuid, "responses": consultation.n_responses,
            "threshold": threshold_for(consultation.min_group_size)}


def stakeholder_barrier_figures(project):
    """Stakeholder ratings per barrier from the latest answered barrier-prioritisation consultation.

    ``{"values": {barrier_id: (importance, changeability, n)}, "withheld": {barrier_id}, ...}``. A
    barrier whose mean is withheld by the anonymity threshold gets ``(None, None, 0)`` so that the
    ranking treats it as unrated by stakeholders, and is listed in ``withheld`` so the page can say
    why. None when there is no such consultation.
    """
    consultation = latest_answered(project, T.BARRIER_PRIORITISATION)
    if consultation is None:
        return None
    values, withheld = {}, set()
    for subject, (importance, changeability, n) in results.stakeholder_barrier_ratings(consultation).items():
        pk = _pk_of(subject, "barrier")
        if pk is None:
            continue
        if importance is None or changeability is None:
            values[pk] = (None, None, 0)
            if n:  # some answers, but fewer than the threshold (n == 0: nobody rated it at all)
                withheld.add(pk)
        else:
            values[pk] = (importance, changeability, n)
    return {"values": values, "withheld": withheld, **_source(consultation)}


def stakeholder_apease_figures(project):
    """Stakeholder APEASE means per option from the latest answered strategy-appraisal consultation:
    ``{"values": {option_id: {criterion: mean}}, "withheld": {(option_id, criterion)}, ...}``."""
    consultation = latest_answered(project, T.STRATEGY_APPRAISAL)
    if consultation is None:
        return None
    values, withheld = {}, set()
    for subject, means in results.stakeholder_apease_means(consultation).items():
        pk = _pk_of(subject, "option")
        if pk is None:
            continue
        values[pk] = {c: m for c, m in means.items() if m is not None}
        withheld.update((pk, c) for c, m in means.items() if m is None)
    return {"values": values, "withheld": withheld, **_source(consultation)}
