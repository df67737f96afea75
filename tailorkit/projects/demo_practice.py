"""The demo's peer network (issue 12, point 4: "What worked elsewhere"): four further mental-health
services, in countries of the ItFits trial, that share counts from their projects, so the demo
project's step 2 page shows practice-based evidence for its focused barrier ("Awareness").

Eleven iCBT projects tackled "Awareness" with an ERIC strategy and went round the cycle (success
criteria judged in a review, then a decision), built through the services like real work. They are
spread so that one figure passes the threshold of ``selectors.practice`` (5 projects from 3
organisations) and the others do not:

- "Identify and prepare champions": 6 projects in 4 organisations; 3 stopped as a success, 1
  continued, 1 went back to the plan, 1 has no decision yet; 4 of 5 assessed criteria met. Shown.
- "Conduct educational meetings": 3 projects in 3 organisations (one went back to the strategy and
  then chose champions). Below the threshold: not shown.
- "Develop educational materials": 2 projects in 2 organisations; "Use mass media": 1. Not shown.

The organisations, projects and people are made up; the figures are the demo's own, not taken from
the literature or from the trial. Their leads have no usable password: nobody signs in as them, and
the demo lead is not a member of any of them.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tailorkit.core import services as core_services
from tailorkit.core.models import Organisation, User
from tailorkit.library.models import ContentPack, Item

from .models import Decision, Step, StrategyOption
from .services import goals, matching, planning, review
from .services import projects as project_services

Kind = Decision.Kind
CHAMPIONS = "Identify and prepare champions"
MEETINGS = "Conduct educational meetings"
MATERIALS = "Develop educational materials"
MASS_MEDIA = "Use mass media"

# key: (organisation, country, language, lead's name, lead's email)
PEERS = {
    "de": ("Online-Therapie-Ambulanz Rhein-Main", "Germany", "de", "Lena Hoffmann", "lena.hoffmann@tailorkit.local"),
    "dk": ("North Jutland Online Therapy Clinic", "Denmark", "en", "Mette Nielsen", "mette.nielsen@tailorkit.local"),
    "es": ("Servicio de Salud Mental Comunitaria Levante", "Spain", "es", "Lucía Romero",
           "lucia.romero@tailorkit.local"),
    "au": ("Coastal eMental Health Clinic", "Australia", "en", "Olivia Walsh", "olivia.walsh@tailorkit.local"),
}

# One dict per project. ``rounds``: one per iteration; each names the strategy chosen, why, the success
# criteria (description, target, unit; none when criteria carried over from the round before), and
# optionally the review ((days after the start, what was done, evidence), [(verdict, evidence)]) and
# the decision (kind, reason).
PROJECTS = [
    {"org": "de", "name": "Hausärztinnen und Hausärzte als Fürsprecher", "days": 300,
     "service": "Internetbasierte KVT für Erwachsene mit Depression",
     "goal": ("Erwachsene mit leichter bis mittelgradiger Depression in der Hausarztpraxis",
              "Jede zweite geeignete Überweisung nennt die Online-Therapie.", "Reichweite"),
     "notes": "Viele Hausärzte kennen unser Online-Angebot nicht.",
     "rounds": [{"strategy": CHAMPIONS, "why": "Hausärzte hören am ehesten auf Kolleginnen und Kollegen.",
                 "criteria": [("Überweisungen, die die Online-Therapie nennen", 50, "%")],
                 "review": ((120, "Zwei Hausärztinnen stellten das Angebot in acht Qualitätszirkeln vor.",
                             "58 % der Überweisungen nannten die Online-Therapie, vorher 21 %."),
                            [("met", "58 % bei einem Ziel von 50 %.")]),
                 "decision": (Kind.SUCCESS, "Ziel erreicht; die Fürsprecherinnen machen weiter.")}]},
    {"org": "de", "name": "Psychotherapeutische Praxen informieren", "days": 90,
     "service": "Internetbasierte KVT für Erwachsene mit Depression",
     "goal": ("Psychotherapeutinnen und -therapeuten mit Warteliste",
              "Wer auf einen Platz wartet, erfährt von der Online-Therapie.", "Reichweite"),
     "rounds": [{"strategy": CHAMPIONS, "why": "Drei Kolleginnen sind in Intervisionsgruppen gut vernetzt.",
                 "criteria": [("Neue Zuweisungen aus psychotherapeutischen Praxen pro Monat", 12, "Zuweisungen")],
                 "review": ((80, "Drei Kolleginnen stellten das Angebot in ihren Intervisionsgruppen vor.",
                             "Erst zwei Monate Daten; die Zahlen schwanken stark."),
                            [("unclear", "Zu wenige Monate, um es zu beurteilen.")])}]},
    {"org": "de", "name": "Infoblatt für Wartezimmer", "days": 400,
     "service": "Internetbasierte KVT für Erwachsene mit Depression",
     "goal": ("Patientinnen und Patienten in Hausarztpraxen",
              "Patienten fragen selbst nach der Online-Therapie.", "Reichweite"),
     "rounds": [{"strategy": MATERIALS, "why": "Ein Infoblatt ist schnell gemacht und erreicht die Patienten direkt.",
                 "criteria": [("Patientenanfragen zur Online-Therapie pro Monat", 10, "Anfragen")],
                 "review": ((150, "Ein Infoblatt wurde entworfen, aber nur in zwei Praxen ausgelegt.",
                             "Die Mittel für den Druck wurden gestrichen."),
                            [("not_yet", "Zu wenige Praxen, um etwas zu sehen.")]),
                 "decision": (Kind.STOP_OTHER, "Keine Mittel für den Druck; wir setzen auf Fürsprecher.")}]},
    {"org": "dk", "name": "GP champions for online therapy", "days": 330,
     "service": "Therapist-guided internet CBT for depression and anxiety",
     "goal": ("Adults with depression seen by their GP", "GPs refer 40 patients a month to online therapy.",
              "Reach"),
     "notes": "GPs outside the city have never heard of the clinic.",
     "rounds": [{"strategy": CHAMPIONS, "why": "GPs trust other GPs; two already refer often.",
                 "criteria": [("Referrals from GPs per month", 40, "referrals")],
                 "review": ((150, "Four GPs agreed to be champions; two of them gave talks.",
                             "Referrals rose from 28 to 33 a month."),
                            [("not_met", "33 a month against a target of 40.")]),
                 "decision": (Kind.BACK_PLAN, "The champions had no time set aside: we plan paid hours and a "
                                              "clearer brief.")}]},
    {"org": "dk", "name": "Teaching sessions for practice nurses", "days": 250,
     "service": "Therapist-guided internet CBT for depression and anxiety",
     "goal": ("Practice nurses who see patients with depression",
              "Practice nurses can explain online therapy to a patient.", "Confidence"),
     "rounds": [{"strategy": MEETINGS, "why": "Nurses asked for a short session they can fit into lunch.",
                 "criteria": [("Practice nurses who can explain online therapy", 75, "%")],
                 "review": ((200, "Six lunchtime sessions for 48 practice nurses.",
                             "The follow-up survey is planned for next month."),
                            [("not_yet", "Survey not done yet.")]),
                 "decision": (Kind.CONTINUE, "The sessions went well; we survey the nurses next month.")}]},
    {"org": "dk", "name": "Leaflet in GP waiting rooms", "days": 180,
     "service": "Therapist-guided internet CBT for depression and anxiety",
     "goal": ("Patients waiting at their GP", "Patients ask their GP about online therapy.", "Reach"),
     "rounds": [{"strategy": MATERIALS, "why": "Cheap, and the patient panel wrote the text with us.",
                 "criteria": [("Patients asking their GP about online therapy, per month", 15, "patients")],
                 "review": ((150, "Leaflets in 30 waiting rooms for three months.",
                             "GPs logged 19 patients who asked in the last month."),
                            [("met", "19 against a target of 15.")]),
                 "decision": (Kind.SUCCESS, "Target met; practices reorder the leaflet themselves.")}]},
    {"org": "es", "name": "Referentes en atención primaria", "days": 280,
     "service": "TCC por internet guiada para adultos con depresión",
     "goal": ("Adultos con depresión leve o moderada en atención primaria",
              "Treinta derivaciones al mes al programa por internet.", "Alcance"),
     "notes": "Los médicos de familia no saben que el programa existe.",
     "rounds": [{"strategy": CHAMPIONS, "why": "Un compañero de confianza convence más que un folleto.",
                 "criteria": [("Derivaciones al programa por internet al mes", 30, "derivaciones")],
                 "review": ((180, "Un médico de familia referente en cada uno de los cinco centros de salud.",
                             "36 derivaciones al mes en el último trimestre, antes 14."),
                            [("met", "36 frente a un objetivo de 30.")]),
                 "decision": (Kind.SUCCESS, "Objetivo alcanzado; los referentes siguen.")}]},
    {"org": "es", "name": "Sesiones clínicas en los centros de salud", "days": 260,
     "service": "TCC por internet guiada para adultos con depresión",
     "goal": ("Médicos de familia", "Los médicos de familia conocen el programa.", "Alcance"),
     "rounds": [{"strategy": MEETINGS, "why": "Las sesiones clínicas ya existen y tienen buena asistencia.",
                 "criteria": [("Médicos de familia que conocen el programa", 80, "%")],
                 "review": ((200, "Sesiones clínicas de 30 minutos en nueve centros de salud.",
                             "Encuesta: el 86 % conoce el programa, antes el 35 %."),
                            [("met", "86 % frente a un objetivo del 80 %.")]),
                 "decision": (Kind.SUCCESS, "Objetivo alcanzado.")}]},
    {"org": "au", "name": "Practice champions for online CBT", "days": 240,
     "service": "Clinician-guided online CBT for depression and anxiety",
     "goal": ("Adults with depression in general practice", "GPs offer online CBT to every eligible patient.",
              "Reach"),
     "rounds": [{"strategy": CHAMPIONS, "why": "Each large practice has a GP with an interest in mental health.",
                 "criteria": [("Referrals from general practice per month", 60, "referrals"),
                              ("GPs who mention online CBT in consultations for depression", 50, "%")],
                 "review": ((180, "Champions in seven practices; a talk at each practice meeting.",
                             "71 referrals a month since the talks; an audit of 60 notes found online CBT "
                             "mentioned in 34 %."),
                            [("met", "71 a month against a target of 60."), ("not_met", "34 % against 50 %.")]),
                 "decision": (Kind.CONTINUE, "Referrals are up; we keep the champions and add a prompt to the "
                                             "GP software.")}]},
    {"org": "au", "name": "Awareness among GPs and psychologists", "days": 380,
     "service": "Clinician-guided online CBT for depression and anxiety",
     "goal": ("GPs and psychologists in the region", "45 referrals a month from general practice.", "Reach"),
     "notes": "Only a handful of GPs refer; most have never heard of us.",
     "rounds": [{"strategy": MEETINGS, "why": "Evening education sessions are the usual way to reach GPs here.",
                 "criteria": [("Referrals from general practice per month", 45, "referrals")],
                 "review": ((120, "Four evening sessions; 22 GPs came, mostly those who already refer.",
                             "Referrals stayed at about 30 a month."),
                            [("not_met", "31 a month against a target of 45.")]),
                 "decision": (Kind.BACK_STRATEGY, "The sessions reached GPs who already knew us; we need someone "
                                                  "inside the practices.")},
                {"strategy": CHAMPIONS, "why": "A GP in each practice reaches colleagues who never come to "
                                               "evening sessions.",
                 "review": ((320, "Five practice champions, one in each large practice.",
                             "52 referrals a month over the last quarter."),
                            [("met", "52 a month against a target of 45.")]),
                 "decision": (Kind.SUCCESS, "Target met; the champions meet twice a year.")}]},
    {"org": "au", "name": "Local radio and newspaper campaign", "days": 120,
     "service": "Clinician-guided online CBT for depression and anxiety",
     "goal": ("Adults with low mood who have not seen anyone", "People refer themselves through the website.",
              "Reach"),
     "rounds": [{"strategy": MASS_MEDIA, "why": "Local radio reaches people who do not see their GP.",
                 "criteria": [("Self-referrals through the website per month", 25, "self-referrals")]}]},
]


def _peer_round(*, project, lead, iteration, barrier, strategy, spec):
    """One pass through steps 2 to 4: choose ``strategy`` for ``barrier``, set the success criteria,
    then (when ``spec`` has them) review and decide. Returns the next iteration, if a step back
    started one."""
    option = (StrategyOption.objects.filter(project=project, barrier=barrier, item=strategy).first()
              or matching.option_add_from_pack(project=project, user=lead, barrier=barrier, item=strategy))
    iteration.refresh_from_db()
    if iteration.chosen_option_id != option.pk:
        iteration = matching.option_choose(project=project, user=lead, iteration=iteration, option=option,
                                           version=iteration.version, justification=spec["why"])
    criteria = list(iteration.criteria.order_by("id"))  # carried over after a step back
    # Due a week before the review; without a review yet, two months from now.
    due = (project.started_on + timedelta(days=spec["review"][0][0] - 7) if "review" in spec
           else timezone.localdate() + timedelta(days=60))
    for description, target, unit in spec.get("criteria", ()):
        criteria.append(planning.criterion_create(iteration=iteration, user=lead, description=description,
                                                  target_value=target, target_unit=unit, target_date=due))
    if "review" not in spec:
        return None
    (after, done, evidence), verdicts = spec["review"]
    project_services.project_set_step(project=project, user=lead, step=Step.REVIEW)
    record = review.review_create(
        iteration=iteration, user=lead, review_date=project.started_on + timedelta(days=after), what_was_done=done,
        evidence=evidence, judgements=[{"criterion": c, "verdict": v, "evidence": e}
                                       for c, (v, e) in zip(criteria, verdicts, strict=True)])
    if "decision" not in spec:
        return None
    kind, reason = spec["decision"]
    _decision, new = review.decision_record(iteration=iteration, user=lead, kind=kind, review=record, reason=reason)
    return new


def _peer_project(*, organisation, lead, spec, icbt, eric, today):
    project = project_services.project_create(
        organisation=organisation, user=lead, name=spec["name"], service=spec["service"], determinant_pack=icbt,
        strategy_pack=eric, team=[lead], started_on=today - timedelta(days=spec["days"]))
    target_group, end_goal, emphasis = spec["goal"]
    goal = goals.goal_create(project=project, user=lead, target_group=target_group, end_goal=end_goal,
                             emphasis=emphasis)
    awareness = Item.objects.get(pack=icbt, name="Awareness")
    barrier = goals.barrier_add_from_pack(project=project, user=lead, item=awareness, notes=spec.get("notes", ""))
    iteration = project.iterations.get(number=1)
    goals.focus_set(project=project, user=lead, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[barrier])
    for round_spec in spec["rounds"]:
        strategy = Item.objects.get(pack=eric, name=round_spec["strategy"])
        iteration = _peer_round(project=project, lead=lead, iteration=iteration, barrier=barrier, strategy=strategy,
                                spec=round_spec)
        if iteration is None:
            break
    return project


@transaction.atomic
def demo_practice_network_create(*, demo_organisation, lead):
    """The peer organisations and their projects (see the module's docstring), and the demo
    organisation opting in to share its own counts. An organisation that is already there (found by
    its lead and name) is left as it is, with its projects; the demo organisation's setting is
    changed only in the run that creates the network, so a lead who turns sharing off keeps it off.
    Returns the number of organisations created."""
    icbt = ContentPack.objects.get(slug="icbt-determinants")
    eric = ContentPack.objects.get(slug="eric")
    today = timezone.localdate()
    created = 0
    for key, (name, country, language, lead_name, email) in PEERS.items():
        peer_lead = User.objects.filter(email=email).first()
        if peer_lead is None:  # no usable password: nobody signs in as them
            peer_lead = User.objects.create_user(email=email, password=None, name=lead_name)
        if Organisation.objects.filter(name=name, memberships__user=peer_lead).exists():
            continue
        organisation = core_services.organisation_create(
            user=peer_lead, name=name, country=country, language=language, sector="mental_health",
            shares_practice_evidence=True)
        for spec in PROJECTS:
            if spec["org"] == key:
                _peer_project(organisation=organisation, lead=peer_lead, spec=spec, icbt=icbt, eric=eric,
                              today=today)
        created += 1
    if created and not demo_organisation.shares_practice_evidence:
        demo_organisation.refresh_from_db()
        core_services.organisation_update(organisation=demo_organisation, actor=lead,
                                          version=demo_organisation.version, shares_practice_evidence=True)
    return created
