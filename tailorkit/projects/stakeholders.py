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
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tailorkit.consultations.models import Consultation, ConsultationTemplate, QuestionKind, RespondentGroup
from tailorkit.consultations.services import builder, delivery, results
from tailorkit.core.anonymity import threshold_for

from . import steps
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


# --- What each template needs before there is anything to ask (issue 10: the button says so) ------

def _no_barriers():
    return _("This project has no barriers yet. Add barriers in step 1 first.")


def _no_candidates():
    return _("There are no candidate strategies for the focused barrier yet. Add candidates in step 2 first.")


def _no_plan():
    return _("There is no plan to show yet. Choose a strategy in step 2 or write the specification in step 3 "
             "first.")


def _focused_options(project, iteration):
    barriers = Focus.objects.filter(iteration=iteration, barrier__isnull=False).values("barrier_id")
    return StrategyOption.objects.filter(project=project, barrier_id__in=barriers)


def nothing_to_ask(project, iteration, template):
    """Why a step's "Ask stakeholders" would have nothing to ask about yet (the message its click
    would give), or None when it is ready. A query or two, whatever the size of the project."""
    if template == T.BARRIER_PRIORITISATION and not project.barriers.exists():
        return _no_barriers()
    if template == T.STRATEGY_APPRAISAL and not _focused_options(project, iteration).exists():
        return _no_candidates()
    if template == T.PLAN_FEEDBACK and not plan_summary(iteration):
        return _no_plan()
    return None


# --- The four templates: each returns (title, purpose, description, [(section, intro, [question])]) ----

def _barrier_help(barrier):
    """What a barrier means, shown under its name: the library item's description (its category,
    such as "Acceptance", says little on its own) and what the team wrote about it at its site."""
    parts = []
    if barrier.item_id and barrier.item.description.strip():
        parts.append(Truncator(barrier.item.description.strip()).chars(400))
    if barrier.notes.strip():
        parts.append(_("At our site: %(notes)s") % {"notes": barrier.notes.strip()})
    return "\n".join(parts)


def _barrier_prioritisation(project, iteration):
    barriers = list(project.barriers.select_related("item__category").order_by("created_at", "pk"))
    if not barriers:
        raise ValidationError(_no_barriers())
    # The question, its answers and the introduction use the same words: "how much does it get in
    # the way" is answered from "not at all" to "very much", "how easy would it be to change it"
    # from "cannot be changed" to "easy to change"; the introduction names no numbers, because the
    # respondent sees only the words.
    importance = _points([_("Not at all"), _("A little"), _("Somewhat"), _("A lot"), _("Very much")])
    changeability = _points([_("Cannot be changed"), _("Hard to change"), _("Could be changed with effort"),
                             _("Fairly easy to change"), _("Easy to change")])
    questions = []
    for barrier in barriers:
        subject = f"barrier-{barrier.pk}"
        for measure, text, points in (
                ("importance", _("How much does “%(name)s” get in the way?"), importance),
                ("changeability", _("How easy would it be to change “%(name)s”?"), changeability)):
            questions.append({
                "key": f"{subject}__{measure}", "kind": QuestionKind.LIKERT5, "text": text % {"name": barrier.name},
                "help_text": _barrier_help(barrier) if measure == "importance" else "", "options": points,
                "allow_not_relevant": True, "meta": {"subject": subject, "measure": measure},
            })
    intro = _("Each possible barrier has two questions: how much it gets in the way, and how easy it would be "
              "to change. Choose the answer closest to your view. If a barrier does not apply to you, choose "
              "“Not relevant”.")
    return (
        _("Which barriers matter most? – %(project)s") % {"project": project.name},
        _("The team working on “%(service)s” wants to know which barriers to tackle first. The team sees "
          "only averages of everyone's answers, next to its own ratings.") % {"service": project.service},
        "", [(_("Barriers"), intro, questions)],
    )


# Statements answered on the agreement scale (its own words, from "Strongly disagree" to "Strongly
# agree"), each worded so that agreeing is good, as a higher APEASE rating of the team is.
APEASE_QUESTIONS = {
    "acceptability": lambda: _("The people involved (staff, patients, others) would accept it."),
    "practicability": lambda: _("It could be done here, with the people, time and means we have."),
    "effectiveness": lambda: _("It would work well against the barrier."),
    "affordability": lambda: _("We could afford it, in money, time and staff."),
    "side-effects": lambda: _("It would have no important unwanted side-effects."),
    "equity": lambda: _("It would be fair: it would reach everyone who needs it, without widening gaps."),
}


def _strategy_appraisal(project, iteration):
    options = list(_focused_options(project, iteration).select_related("item", "barrier__item")
                   .order_by("created_at", "pk"))
    if not options:
        raise ValidationError(_no_candidates())
    sections = []
    for option in options:
        subject = f"option-{option.pk}"
        questions = [{
            "key": f"{subject}__{criterion}", "kind": QuestionKind.LIKERT5, "text": APEASE_QUESTIONS[criterion](),
            "allow_not_relevant": True, "meta": {"subject": subject, "criterion": criterion},
        } for criterion in APEASE]
        questions.append({"key": f"{subject}__comment", "kind": QuestionKind.TEXT,
                          "text": _("Anything else about this strategy? (optional)"),
                          "meta": {"subject": subject, "comment": True}})
        intro = _("A possible way to tackle “%(barrier)s”.") % {"barrier": option.barrier.name}
        if option.description.strip():
            intro += "\n" + option.description.strip()
        intro += "\n" + _("How much do you agree with each statement about it?")
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
    ("who_provides", lambda: _("Who does it")),
    ("action", lambda: _("What they do")), ("action_target", lambda: _("Aimed at")),
    ("how", lambda: _("How")), ("where", lambda: _("Where")), ("when_how_much", lambda: _("When and how much")),
    ("implementation_outcome", lambda: _("What should change")),
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
        raise ValidationError(_no_plan())
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
                              "text": _("Why do you say so about “%(what)s”? (optional)")
                              % {"what": _title(criterion.description, 80)},
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
def consultation_from_step(*, project, iteration, template, user, request=None, mode=Consultation.Mode.INVITATIONS):
    """Make a questionnaire and an anonymous consultation about one step's content, by personal
    invitations unless ``mode`` says an open link (the page makes the link with
    ``delivery.consultation_new_open_link``).

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
        template=template, request=request, mode=mode)
    return consultation


# --- Reading back ----------------------------------------------------------------------------------

def consultations_for(project, template):
    """The project's consultations made from one step template, newest first, with response counts."""
    return (Consultation.objects.filter(organisation=project.organisation, subject_type=SUBJECT_TYPE,
                                        subject_id=project.pk, template=template)
            .annotate(n_responses=Count("responses")).order_by("-created_at", "-pk"))


def consultations_for_project(project):
    """Every consultation made for the project (from any step), newest first: what an engagement
    plan's survey can point to."""
    return Consultation.objects.filter(organisation=project.organisation, subject_type=SUBJECT_TYPE,
                                       subject_id=project.pk).order_by("-created_at", "-pk")


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

    ``{"values": {barrier_id: (importance, changeability, n)}, "withheld": {barrier_id}, "all_withheld":
    bool, ...}`` (``all_withheld``: no stakeholder figure could be shown at all). A
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
    shown = any(n for _i, _c, n in values.values())
    return {"values": values, "withheld": withheld, "all_withheld": bool(withheld) and not shown,
            **_source(consultation)}


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
    shown = any(values.values())
    return {"values": values, "withheld": withheld, "all_withheld": bool(withheld) and not shown,
            **_source(consultation)}


# --- The way back from a consultation to its project ----------------------------------------------

def subject_link(consultation):
    """The link the consultation pages show to the project step a consultation was made for
    (registered with ``tailorkit.consultations.subjects`` in ``apps.py``), or None when the project
    is gone or not of the consultation's organisation."""
    project = (Project.objects.filter(pk=consultation.subject_id, organisation_id=consultation.organisation_id)
               .only("pk", "name").first())
    if project is None:
        return None
    step = steps.for_template(consultation.template)
    slug = consultation.organisation.slug
    if step is None:
        return {"label": project.name, "url": reverse("projects:project_home", args=[slug, project.pk])}
    return {"label": _("%(project)s – %(step)s") % {"project": project.name, "step": step.label},
            "url": reverse(step.url_name, args=[slug, project.pk]) + "#stakeholders"}
