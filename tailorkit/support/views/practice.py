"""My practice: a practitioner's self-assessments, plans to develop competencies and reflective
notes. Personal pages (no organisation in the URL); who sees what is decided in ``selectors``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context

from .. import selectors, services
from ..forms import AssessmentForm, CommentForm, DevelopmentPlanForm, ReflectionForm, ShareForm
from ..models import AssessmentShare, DevelopmentPlan, Reflection

HOME = "support:growth"


@login_required
def growth(request):
    return render(request, "support/growth.html", selectors.growth(request.user))


@login_required
def assessment_new(request):
    guide = selectors.framework()
    latest = selectors.latest_assessment(request.user)
    previous = selectors.levels_of(latest) if latest else None
    form = AssessmentForm(request.POST or None, guide=guide, previous=previous)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(user=request.user, taken_on=form.cleaned_data["taken_on"],
                                                    levels=form.levels(), note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Self-assessment saved. Only you can see it until you share it."))
            return redirect("support:assessment_detail", assessment.pk)
    return render(request, "support/assessment_form.html", {"form": form, "guide": guide})


@login_required
def assessment_detail(request, assessment_id):
    assessment = selectors.assessment_for(request.user, assessment_id)
    own = assessment.owner_id == request.user.pk
    comment_form = CommentForm(request.POST or None)
    if request.method == "POST" and comment_form.is_valid():
        try:
            services.assessment_comment_add(assessment=assessment, user=request.user,
                                            text=comment_form.cleaned_data["text"])
        except ValidationError as exc:
            errors.add_to_form(comment_form, exc)
        else:
            messages.success(request, _("Comment added."))
            return redirect("support:assessment_detail", assessment.pk)
    guide = selectors.framework()
    levels = selectors.levels_of(assessment)
    rows = [(d.category, [(c, levels.get(c.pk)) for c in d.competencies]) for d in guide.domains]
    return render(request, "support/assessment_detail.html", {
        "assessment": assessment, "own": own, "rows": rows, "comment_form": comment_form,
        "comments": assessment.comments.select_related("author"),
        "shares": assessment.shares.select_related("shared_with") if own else (),
        "share_form": ShareForm(peers=selectors.peers_for(request.user)) if own else None,
    })


@login_required
def assessment_share(request, assessment_id):
    assessment = selectors.assessment_for(request.user, assessment_id, own=True)
    if request.method != "POST":
        return redirect("support:assessment_detail", assessment.pk)
    form = ShareForm(request.POST, peers=selectors.peers_for(request.user))
    if form.is_valid():
        try:
            services.assessment_share(assessment=assessment, user=request.user,
                                      with_user=form.cleaned_data["shared_with"])
        except ValidationError as exc:
            messages.error(request, errors.summary(exc))
        else:
            messages.success(request, _("Shared. They can read this self-assessment and comment on it."))
    else:
        messages.error(request, _("Choose a colleague from the list."))
    return redirect("support:assessment_detail", assessment.pk)


def _confirm(request, *, what, name, cancel_url, consequence=""):
    return render(request, "support/confirm_delete.html",
                  {"what": what, "name": name, "cancel_url": cancel_url, "consequence": consequence})


@login_required
def assessment_unshare(request, assessment_id, share_id):
    assessment = selectors.assessment_for(request.user, assessment_id, own=True)
    share = AssessmentShare.objects.filter(assessment=assessment, pk=selectors.bounded(share_id)).select_related(
        "shared_with").first()
    if share is None:
        raise Http404
    if request.method == "POST":
        services.assessment_unshare(share=share, user=request.user)
        messages.success(request, _("They can no longer see this self-assessment."))
        return redirect("support:assessment_detail", assessment.pk)
    return render(request, "support/confirm_unshare.html", {"assessment": assessment, "share": share})


@login_required
def assessment_delete(request, assessment_id):
    assessment = selectors.assessment_for(request.user, assessment_id, own=True)
    if request.method == "POST":
        services.assessment_delete(assessment=assessment, user=request.user)
        messages.success(request, _("Self-assessment deleted."))
        return redirect(HOME)
    return _confirm(request, what=_("self-assessment"), name=str(assessment),
                    cancel_url=reverse("support:assessment_detail", args=[assessment.pk]),
                    consequence=_("Its ratings and the comments on it are deleted for good."))


def _save(request, form, save, *, title, message, row=None, intro=""):
    """The create and edit pages of plans and notes: ``save(values, version)`` writes through the
    service; a stale edit shows both versions, a refused value its message at the field."""
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            save(form.values(), form.cleaned_data.get("version"))
        except StaleEdit as exc:
            context = conflict_context(exc, form)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, message)
            return redirect(HOME)
    return render(request, "support/personal_form.html", {"form": form, "row": row, "intro": intro,
                                                           "title": title, **context})


@login_required
def plan_new(request):
    form = DevelopmentPlanForm(request.POST or None, guide=selectors.framework(),
                               initial={"competency": request.GET.get("competency")})
    return _save(request, form, lambda values, _version: services.development_plan_create(user=request.user,
                                                                                         **values),
                 title=_("Add a competency to develop"), message=_("Plan saved."))


@login_required
def plan_edit(request, development_plan_id):
    row = selectors.own_or_404(DevelopmentPlan, request.user, development_plan_id)
    initial = {"competency": row.competency_id, "plan": row.plan, "review_on": row.review_on, "status": row.status,
               "version": row.version}
    form = DevelopmentPlanForm(request.POST or None, guide=selectors.framework(), initial=initial)
    return _save(request, form, lambda values, version: services.development_plan_update(
        development_plan=row, user=request.user, version=version, **values),
        title=_("Edit plan"), message=_("Plan saved."), row=row)


@login_required
def plan_delete(request, development_plan_id):
    row = selectors.own_or_404(DevelopmentPlan, request.user, development_plan_id)
    if request.method == "POST":
        services.development_plan_delete(development_plan=row, user=request.user)
        messages.success(request, _("Plan deleted."))
        return redirect(HOME)
    return _confirm(request, what=_("plan"), name=str(row), cancel_url=reverse(HOME))


@login_required
def reflection_new(request):
    form = ReflectionForm(request.POST or None, guide=selectors.framework(),
                          initial={"question": request.GET.get("question")})
    return _save(request, form, lambda values, _version: services.reflection_create(user=request.user, **values),
                 title=_("Write a note"), message=_("Note saved. Only you can see it."),
                 intro=_("Only you can see your notes."))


@login_required
def reflection_edit(request, reflection_id):
    row = selectors.own_or_404(Reflection, request.user, reflection_id)
    initial = {"written_on": row.written_on, "text": row.text, "question": row.question_id, "version": row.version}
    form = ReflectionForm(request.POST or None, guide=selectors.framework(), initial=initial)
    return _save(request, form, lambda values, version: services.reflection_update(
        reflection=row, user=request.user, version=version, **values),
        title=_("Edit note"), message=_("Note saved."), row=row, intro=_("Only you can see your notes."))


@login_required
def reflection_delete(request, reflection_id):
    row = selectors.own_or_404(Reflection, request.user, reflection_id)
    if request.method == "POST":
        services.reflection_delete(reflection=row, user=request.user)
        messages.success(request, _("Note deleted."))
        return redirect(HOME)
    return _confirm(request, what=_("note"), name=str(row), cancel_url=reverse(HOME))
