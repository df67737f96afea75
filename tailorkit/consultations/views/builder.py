"""Staff pages of the questionnaire builder: questionnaires, their sections and questions, and the
preview that shows a questionnaire exactly as respondents see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context
from tailorkit.core.permissions import can, get_object_for_user_or_404, get_organisation_or_404

from .. import selectors, subjects
from ..forms import QuestionForm, QuestionnaireForm, SectionForm
from ..models import Question, Questionnaire, Section
from ..services import builder
from ..services.responding import RespondentForm
from .responding import follow, page_asked, render_form

PER_PAGE = 25


@login_required
def questionnaire_list(request, org_slug):
    """The organisation's questionnaires, a page at a time; without an app above that lists the
    consultations (``subjects.overview_url_name``), also the newest consultations."""
    org = get_organisation_or_404(request.user, org_slug)
    page = Paginator(selectors.questionnaires_with_use(org), PER_PAGE).get_page(request.GET.get("page"))
    overview = subjects.overview_url_name()
    return render(request, "consultations/questionnaire_list.html", {
        "org": org, "can_edit": can(request.user, "edit", org), "page": page, "questionnaires": page.object_list,
        "consultations": None if overview else selectors.consultations_of(org)[:PER_PAGE + 1],
        "per_page": PER_PAGE, "overview_url_name": overview,
    })


def _questionnaire(request, org_slug, questionnaire_id, action="view"):
    return get_object_for_user_or_404(request.user, Questionnaire.objects.select_related("organisation"),
                                      org_slug=org_slug, action=action, pk=questionnaire_id)


def _section(request, org_slug, section_id):
    return get_object_for_user_or_404(request.user, Section.objects.select_related("questionnaire", "organisation"),
                                      org_slug=org_slug, action="edit", pk=section_id)


def _question(request, org_slug, question_id):
    return get_object_for_user_or_404(
        request.user, Question.objects.select_related("questionnaire", "section", "organisation"),
        org_slug=org_slug, action="edit", pk=question_id)


def _to_questionnaire(org, questionnaire_id):
    return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=questionnaire_id)


def _simple_form(request, org, form, title, submit, questionnaire=None, conflict=None):
    context = {"org": org, "form": form, "title": title, "submit": submit, **(conflict or {})}
    if questionnaire is not None:
        context["questionnaire"] = questionnaire
    return render(request, "consultations/simple_form.html", context)


# --- Questionnaires -----------------------------------------------------------------------------

@login_required
def questionnaire_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        q = builder.questionnaire_create(organisation=org, actor=request.user, **form.values())
        return _to_questionnaire(org, q.pk)
    return _simple_form(request, org, form, _("New questionnaire"), _("Create questionnaire"))


@login_required
def questionnaire_detail(request, org_slug, questionnaire_id):
    questionnaire = get_object_for_user_or_404(
        request.user, selectors.questionnaire_detail_queryset().select_related("organisation"), org_slug=org_slug,
        pk=questionnaire_id)
    org = questionnaire.organisation
    sections = questionnaire.sections.all()
    texts = {q.key: q.text for s in sections for q in s.questions.all()}
    for question in (q for s in sections for q in s.questions.all() if q.show_if):
        # People read the question a condition depends on, not its code.
        question.show_if_text = texts.get(question.show_if.get("question"), question.show_if.get("question"))
    return render(request, "consultations/questionnaire_detail.html", {
        "org": org, "questionnaire": questionnaire, "sections": sections,
        "can_edit": can(request.user, "edit", org), "version": questionnaire.latest_version,
        "section_form": SectionForm(),
    })


@login_required
def questionnaire_edit(request, org_slug, questionnaire_id):
    questionnaire = _questionnaire(request, org_slug, questionnaire_id, "edit")
    org = questionnaire.organisation
    form = QuestionnaireForm(request.POST or None, initial={
        "title": questionnaire.title, "description": questionnaire.description, "version": questionnaire.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            builder.questionnaire_update(questionnaire=questionnaire, actor=request.user, **form.cleaned_data)
        except StaleEdit as exc:
            conflict = conflict_context(exc, form)
        else:
            messages.success(request, _("Questionnaire saved."))
            return _to_questionnaire(org, questionnaire.pk)
    return _simple_form(request, org, form, _("Edit questionnaire"), _("Save"), questionnaire, conflict)


@login_required
def questionnaire_preview(request, org_slug, questionnaire_id):
    """The questionnaire exactly as respondents see it; answers live in the session, nothing is stored."""
    questionnaire = _questionnaire(request, org_slug, questionnaire_id)
    key = f"consultation-preview-{questionnaire.pk}"
    form = RespondentForm(snapshot=builder.snapshot_of(questionnaire), page=page_asked(request),
                          preview_answers=request.session.get(key, {}))
    go = form.post(request.POST) if request.method == "POST" else None
    if form.kept:
        request.session[key] = form.answers
    if go is not None and go.submitted:
        request.session.pop(key, None)
    if go is not None:
        return follow(request, go)
    return render_form(request, form, preview_of=questionnaire, org=questionnaire.organisation)


# --- Sections -----------------------------------------------------------------------------------

@login_required
def section_create(request, org_slug, questionnaire_id):
    questionnaire = _questionnaire(request, org_slug, questionnaire_id, "edit")
    org = questionnaire.organisation
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        builder.section_create(questionnaire=questionnaire, actor=request.user, **form.values())
        messages.success(request, _("Section added."))
        return _to_questionnaire(org, questionnaire.pk)
    return _simple_form(request, org, form, _("New section"), _("Add section"), questionnaire)


@login_required
def section_edit(request, org_slug, section_id):
    section = _section(request, org_slug, section_id)
    org = section.organisation
    form = SectionForm(request.POST or None,
                       initial={"title": section.title, "intro": section.intro, "version": section.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            builder.section_update(section=section, actor=request.user, **form.cleaned_data)
        except StaleEdit as exc:
            conflict = conflict_context(exc, form)
        else:
            return _to_questionnaire(org, section.questionnaire_id)
    return _simple_form(request, org, form, _("Edit section"), _("Save"), section.questionnaire, conflict)


@login_required
def section_delete(request, org_slug, section_id):
    section = _section(request, org_slug, section_id)
    return _confirm_delete(request, section, lambda: builder.section_delete(section=section, actor=request.user),
                           _("Section deleted."))


@login_required
def section_move(request, org_slug, section_id):
    section = _section(request, org_slug, section_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _change(request, section, lambda: builder.section_move(
        section=section, actor=request.user, direction=request.POST.get("direction")))


def _change(request, part, change, done_message=None):
    """Run ``change()``, a builder call on a section or question, and go back to the questionnaire;
    a refusal is shown there as a message."""
    try:
        change()
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        if done_message:
            messages.success(request, done_message)
    return _to_questionnaire(part.organisation, part.questionnaire_id)


def _confirm_delete(request, part, delete, done_message):
    """The "delete this?" page for a section or question; the delete itself on POST."""
    if request.method == "POST":
        return _change(request, part, delete, done_message)
    return render(request, "consultations/confirm_delete.html",
                  {"org": part.organisation, "object": part, "questionnaire": part.questionnaire})


# --- Questions ----------------------------------------------------------------------------------

def _question_form(request, questionnaire, section, question=None):
    earlier = builder.questions_before(
        questionnaire, section, question.position if question else 10**9, question.pk if question else None
    ).values()
    return QuestionForm(
        request.POST or None,
        earlier=list(earlier),
        question=question,
        sections=questionnaire.sections.all() if question else (),
    )


@login_required
def question_create(request, org_slug, section_id):
    section = _section(request, org_slug, section_id)
    org = section.organisation
    form = _question_form(request, section.questionnaire, section)
    if request.method == "POST" and form.is_valid():
        try:
            builder.question_create(section=section, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Question added."))
            return _to_questionnaire(org, section.questionnaire_id)
    return render(request, "consultations/question_form.html",
                  {"org": org, "form": form, "section": section, "questionnaire": section.questionnaire})


@login_required
def question_edit(request, org_slug, question_id):
    question = _question(request, org_slug, question_id)
    org = question.organisation
    form = _question_form(request, question.questionnaire, question.section, question)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        section_id = form.cleaned_data.get("section")
        if section_id and int(section_id) != question.section_id:
            fields["section"] = get_object_or_404(Section, questionnaire=question.questionnaire, pk=section_id)
        try:
            builder.question_update(question=question, actor=request.user, version=form.cleaned_data["version"],
                                    **fields)
        except StaleEdit as exc:
            conflict = conflict_context(exc, form, saved=_question_as_form(exc.current))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return _to_questionnaire(org, question.questionnaire_id)
    return render(request, "consultations/question_form.html", {
        "org": org, "form": form, "section": question.section, "question": question,
        "questionnaire": question.questionnaire, **conflict,
    })


def _question_as_form(current):
    """The saved question in the form's own terms, for the side-by-side comparison."""
    return QuestionForm(question=current, sections=current.questionnaire.sections.all()).initial


@login_required
def question_delete(request, org_slug, question_id):
    question = _question(request, org_slug, question_id)
    return _confirm_delete(request, question, lambda: builder.question_delete(question=question, actor=request.user),
                           _("Question deleted."))


@login_required
def question_move(request, org_slug, question_id):
    question = _question(request, org_slug, question_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _change(request, question, lambda: builder.question_move(
        question=question, actor=request.user, direction=request.POST.get("direction")))
