"""Staff pages for the results of a consultation and the downloads of its responses."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tailorkit.core import errors
from tailorkit.core.permissions import can, get_object_for_user_or_404

from .. import subjects
from ..models import Consultation
from ..services import instruments, results, rounds

# The responses are streamed (CSV: an iterator of byte chunks) or sent from a temporary file (XLSX), so
# neither is ever whole in memory (issue 11, point 4); the codebook, one row per column, is small.
EXPORTS = {
    "responses.csv": (results.stream_responses_csv, "text/csv; charset=utf-8"),
    "codebook.csv": (results.export_codebook_csv, "text/csv; charset=utf-8"),
    "responses.xlsx": (results.export_responses_xlsx_file,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def consultation_for_results(request, org_slug, consultation_id, action="view"):
    """The consultation with what its results pages read of it, if the user may do ``action``."""
    return get_object_for_user_or_404(
        request.user, Consultation.objects.select_related("questionnaire", "organisation", "previous_round"),
        org_slug=org_slug, action=action, uuid=consultation_id)


# The ``group`` parameter of the page of one question's texts: absent for everyone, this for the
# respondents who gave no group (whose code is the empty string), else the group's code.
NO_GROUP_PARAM = "-"


@login_required
def results_page(request, org_slug, consultation_id):
    consultation = consultation_for_results(request, org_slug, consultation_id)
    if "texts" in request.GET:
        return text_answers_page(request, consultation)
    org = consultation.organisation
    return render(request, "consultations/results/results.html", {
        "org": org, "consultation": consultation,
        "results": results.consultation_results(consultation, texts=results.TEXTS_PREVIEW),
        "scores": instruments.instrument_scores(consultation), "rounds": rounds.rounds_of(consultation),
        "can_edit": can(request.user, "edit", org),
        "back_url": reverse("consultations:consultation_detail", args=[org.slug, consultation.uuid]),
        "subject": subjects.subject_link(consultation),
    })


def text_answers_page(request, consultation):
    """One free-text question's answers (``?texts=<key>``, optionally ``&group=<code>``), a page
    at a time, in alphabetical order, with the same anonymity rules as the results page."""
    key, group = request.GET["texts"], request.GET.get("group", results.ALL)
    group = results.NO_GROUP if group == NO_GROUP_PARAM else group
    try:
        found = results.text_answers(consultation, key, group)
    except LookupError:
        raise Http404 from None
    page = Paginator(found["texts"], results.TEXTS_PER_PAGE).get_page(request.GET.get("page"))
    params = {"texts": key, **({} if group is results.ALL else {"group": group or NO_GROUP_PARAM})}
    return render(request, "consultations/results/texts.html", {
        **found, "org": consultation.organisation, "consultation": consultation, "page": page,
        "query": urlencode(params) + "&",
    })


@login_required
def export(request, org_slug, consultation_id, fmt):
    if fmt not in EXPORTS:
        raise Http404
    consultation = consultation_for_results(request, org_slug, consultation_id, "edit")
    build, content_type = EXPORTS[fmt]
    try:
        data = build(consultation=consultation, actor=request.user, request=request)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect("consultations:consultation_results", org_slug=consultation.organisation.slug,
                        consultation_id=consultation.uuid)
    name = f"consultation-{str(consultation.uuid)[:8]}-{fmt}"
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    elif fmt.endswith(".xlsx"):
        response = FileResponse(data, content_type=content_type)
    else:
        response = StreamingHttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
