"""The organisation's consultations across its projects, as the main navigation opens them: what
state each is in, how many have answered, when it closes, and where its results are.

This is the one list of consultations: the engine's ``consultations:consultation_list`` leads here
(registered in ``ProjectsConfig.ready``), and the engine keeps a page of its questionnaires
(``consultations:questionnaire_list``). This list adds what only the projects app knows, the project
each consultation was made for, and is paginated.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tailorkit.core.permissions import can, get_organisation_or_404

from ..selectors.consultations import STATES, organisation_consultations, with_projects

PER_PAGE = 25
STATE_LABELS = {"upcoming": _("Not open yet"), "open": _("Open"), "closed": _("Closed")}


@login_required
def consultation_overview(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    state = request.GET.get("state") if request.GET.get("state") in STATES else ""
    page = Paginator(organisation_consultations(org, state), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/consultations.html", {
        "org": org, "page": page, "consultations": with_projects(page.object_list), "state": state,
        "states": [(s, STATE_LABELS[s]) for s in STATES], "can_edit": can(request.user, "edit", org),
    })
