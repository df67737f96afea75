"""Help pages: the tailoring cycle, each of its steps, consultations and anonymity, in plain words.

Open to everyone, signed in or not, like the content library: they describe how Tailorkit works,
not anyone's data. A step's page starts from the step registry (``steps.py``: its summary, actions
and consultation template) and the guiding principles pack, so the help and the project pages
never say different things; the longer explanation of each step is in its own template under
``projects/help/steps/``.

They live in ``projects`` because they read the step registry; the consultation and anonymity pages
read the engine's defaults (the minimum group size, how long addresses are kept) so the numbers
they give stay true when the defaults change.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from tailorkit.consultations.models import Consultation, ConsultationTemplate

from .. import steps
from ..guidance import load_principles, principles_for

OTHER_TOPICS = ("consultations", "anonymity", "engaging-stakeholders")


def _consultation_facts():
    return {"min_group_size": Consultation._meta.get_field("min_group_size").default,
            "email_days": settings.TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS}


def help_index(request):
    return render(request, "projects/help/index.html", {"steps": steps.STEPS, "topic": ""})


def help_topic(request, topic):
    info = steps.get(topic)
    if info is not None:
        position = steps.STEPS.index(info)
        return render(request, "projects/help/step.html", {
            "topic": topic, "info": info, "steps": steps.STEPS,
            "principles": principles_for(topic, load_principles()),
            "asks": ConsultationTemplate(info.consultation_template).label if info.consultation_template else "",
            "previous": steps.STEPS[position - 1] if position else None,
            "next": steps.STEPS[position + 1] if position + 1 < len(steps.STEPS) else None,
        })
    if topic not in OTHER_TOPICS:
        raise Http404
    return render(request, f"projects/help/{topic}.html", {"topic": topic, "steps": steps.STEPS,
                                                           **_consultation_facts()})
