"""Staff pages: the questionnaire builder and preview, consultations, invitations and erasure."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can, get_organisation_or_404

from . import services
from .forms import QuestionForm, QuestionnaireForm, SectionForm
from .models import Consultation, Question, Questionnaire, Section
from .respondent_views import render_form_page


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _flash_errors(request, exc):
    for error in exc.messages:
        messages.error(request, error)


def _questionnaire(request, org_slug, questionnaire_id, action="view"):
    org = get_organisation_or_404(request.user, org_slug, action)
    return org, get_object_or_404(Questionnaire, organisation=org, pk=questionnaire_id)


def _consultation(request, org_slug, consultation_id, action="view"):
    org = get_organisation_or_404(request.user, org_slug, action)
    return org, get_object_or_404(
        Consultation.objects.select_related("questionnaire"), organisation=org, uuid=consultation_id
    )


@login_required
def consultation_list(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    return render(
        request,
        "consultations/consultation_list.html",
        {
            "org": org,
            "can_edit": can(request.user, "edit", org),
            "consultations": Consultation.objects.filter(organisation=org).select_related("questionnaire"),
            "questionnaires": Questionnaire.objects.filter(organisation=org),
        },
    )


# --- Builder ----------------------------------------------------------------------------------


@login_required
def questionnaire_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        q = services.questionnaire_create(organisation=org, actor=request.user, **form.cleaned_data)
        return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=q.pk)
    return render(
        request,
        "consultations/simple_form.html",
        {"org": org, "form": form, "title": _("New questionnaire"), "submit": _("Create questionnaire")},
    )


@login_required
def questionnaire_detail(request, org_slug, questionnaire_id):
    org, questionnaire = _questionnaire(request, org_slug, questionnaire_id)
    sections = questionnaire.sections.prefetch_related("questions")
    return render(
        request,
        "consultations/questionnaire_detail.html",
        {
            "org": org,
            "questionnaire": questionnaire,
            "sections": sections,
            "can_edit": can(request.user, "edit", org),
            "version": questionnaire.latest_version,
            "section_form": SectionForm(),
        },
    )


@login_required
def questionnaire_edit(request, org_slug, questionnaire_id):
    org, questionnaire = _questionnaire(request, org_slug, questionnaire_id, "edit")
    form = QuestionnaireForm(
        request.POST or None, initial={"title": questionnaire.title, "description": questionnaire.description}
    )
    if request.method == "POST" and form.is_valid():
        services.questionnaire_update(questionnaire=questionnaire, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Questionnaire saved."))
        return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=questionnaire.pk)
    return render(
        request,
        "consultations/simple_form.html",
        {
            "org": org,
            "form": form,
            "title": _("Edit questionnaire"),
            "submit": _("Save"),
            "questionnaire": questionnaire,
        },
    )


@login_required
def questionnaire_preview(request, org_slug, questionnaire_id):
    """The questionnaire exactly as respondents see it; answers live in the session, nothing is stored."""
    org, questionnaire = _questionnaire(request, org_slug, questionnaire_id)
    return render_form_page(request, snapshot=services.snapshot_of(questionnaire), preview_of=questionnaire, org=org)


@login_required
def section_create(request, org_slug, questionnaire_id):
    org, questionnaire = _questionnaire(request, org_slug, questionnaire_id, "edit")
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.section_create(questionnaire=questionnaire, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Section added."))
        return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=questionnaire.pk)
    return render(
        request,
        "consultations/simple_form.html",
        {
            "org": org,
            "form": form,
            "title": _("New section"),
            "submit": _("Add section"),
            "questionnaire": questionnaire,
        },
    )


def _section(request, org_slug, section_id):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    return org, get_object_or_404(Section.objects.select_related("questionnaire"), organisation=org, pk=section_id)


@login_required
def section_edit(request, org_slug, section_id):
    org, section = _section(request, org_slug, section_id)
    form = SectionForm(request.POST or None, initial={"title": section.title, "intro": section.intro})
    if request.method == "POST" and form.is_valid():
        services.section_update(section=section, actor=request.user, **form.cleaned_data)
        return redirect(
            "consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=section.questionnaire_id
        )
    return render(
        request,
        "consultations/simple_form.html",
        {
            "org": org,
            "form": form,
            "title": _("Edit section"),
            "submit": _("Save"),
            "questionnaire": section.questionnaire,
        },
    )


@login_required
def section_delete(request, org_slug, section_id):
    org, section = _section(request, org_slug, section_id)
    return _part_delete(
        request,
        org,
        section,
        lambda: services.section_delete(section=section, actor=request.user),
        _("Section deleted."),
    )


@login_required
def section_move(request, org_slug, section_id):
    org, section = _section(request, org_slug, section_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _part_change(
        request,
        org,
        section,
        lambda: services.section_move(section=section, actor=request.user, direction=request.POST.get("direction")),
    )


def _part_change(request, org, part, change, done_message=None):
    """Run ``change()``, a service call on a section or question, and go back to the questionnaire;
    a refusal is shown there as a message."""
    try:
        change()
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        if done_message:
            messages.success(request, done_message)
    return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=part.questionnaire_id)


def _part_delete(request, org, part, delete, done_message):
    """The "delete this?" page for a section or question; the delete itself on POST."""
    if request.method == "POST":
        return _part_change(request, org, part, delete, done_message)
    return render(
        request, "consultations/confirm_delete.html", {"org": org, "object": part, "questionnaire": part.questionnaire}
    )


def _question_form(request, questionnaire, section, question=None):
    earlier = services._earlier(
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
    org, section = _section(request, org_slug, section_id)
    form = _question_form(request, section.questionnaire, section)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_create(section=section, actor=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect(
                "consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=section.questionnaire_id
            )
    return render(
        request,
        "consultations/question_form.html",
        {"org": org, "form": form, "section": section, "questionnaire": section.questionnaire},
    )


def _question(request, org_slug, question_id):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    return org, get_object_or_404(
        Question.objects.select_related("questionnaire", "section"), organisation=org, pk=question_id
    )


@login_required
def question_edit(request, org_slug, question_id):
    org, question = _question(request, org_slug, question_id)
    form = _question_form(request, question.questionnaire, question.section, question)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        section_id = form.cleaned_data.get("section")
        if section_id and int(section_id) != question.section_id:
            fields["section"] = get_object_or_404(Section, questionnaire=question.questionnaire, pk=section_id)
        try:
            services.question_update(question=question, actor=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect(
                "consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=question.questionnaire_id
            )
    return render(
        request,
        "consultations/question_form.html",
        {
            "org": org,
            "form": form,
            "section": question.section,
            "question": question,
            "questionnaire": question.questionnaire,
        },
    )


@login_required
def question_delete(request, org_slug, question_id):
    org, question = _question(request, org_slug, question_id)
    return _part_delete(
        request,
        org,
        question,
        lambda: services.question_delete(question=question, actor=request.user),
        _("Question deleted."),
    )


@login_required
def question_move(request, org_slug, question_id):
    org, question = _question(request, org_slug, question_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _part_change(
        request,
        org,
        question,
        lambda: services.question_move(question=question, actor=request.user, direction=request.POST.get("direction")),
    )
