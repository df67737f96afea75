"""What `make run` adds so that a newcomer sees every part of the cycle with realistic data at once:
an iCBT project part-way through the cycle (in step 3) whose barriers stakeholders rated through a
consultation and whose candidate strategies a second, running consultation asks about, with effort
logged; and a second project taken all the way round and completed. Built only through the
services, like real work."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tailorkit.consultations.models import Consultation, ConsultationTemplate
from tailorkit.consultations.services import delivery, responding
from tailorkit.library.models import ContentPack, Item
from tailorkit.measures import periods
from tailorkit.measures import selectors as measure_selectors
from tailorkit.measures.models import Measure
from tailorkit.measures.services import measures as measure_services
from tailorkit.measures.services.observations import observations_save
from tailorkit.measures.verdicts import AT_LEAST

from . import stakeholders
from .models import (
    APEASE,
    Decision,
    EffortEntry,
    EngagementRecord,
    Project,
    ProjectMeasure,
    StakeholderGroup,
    Step,
    SuccessCriterion,
)
from .services import effort, engagement, goals, matching, planning, review
from .services import measures as project_measures
from .services import projects as project_services

DEMO_PROJECT = "Online CBT for depression in primary care"


def _item(pack, name):
    return Item.objects.get(pack=pack, name=name)


@transaction.atomic
def demo_project_create(*, organisation, lead, member):
    existing = Project.objects.filter(organisation=organisation, name=DEMO_PROJECT).first()
    if existing:
        return existing, False
    icbt = ContentPack.objects.get(slug="icbt-determinants")
    eric = ContentPack.objects.get(slug="eric")
    project = project_services.project_create(
        organisation=organisation, user=lead, name=DEMO_PROJECT,
        service="Therapist-guided internet CBT for adults with depression", determinant_pack=icbt,
        strategy_pack=eric, team=[lead, member], started_on=timezone.localdate() - timedelta(days=21))
    goal = goals.goal_create(
        project=project, user=lead, target_group="Adults with mild to moderate depression referred by their GP",
        end_goal="Half of eligible referrals are offered online CBT within two weeks of referral.", emphasis="Reach")
    goals.goal_create(project=project, user=member, target_group="Therapists in the talking therapies team",
                      end_goal="Every therapist has guided at least three online CBT patients.",
                      emphasis="Confidence")
    awareness = goals.barrier_add_from_pack(
        project=project, user=lead, item=_item(icbt, "Awareness"),
        notes="Many GPs do not know that online CBT is available here, so they rarely mention it.")
    skills = goals.barrier_add_from_pack(project=project, user=member, item=_item(icbt, "Skills and competences"))
    time = goals.barrier_add_from_pack(project=project, user=member, item=_item(icbt, "Time"),
                                       notes="Therapists say guiding online patients comes on top of a full list.")
    referral = goals.barrier_add_custom(project=project, user=lead, name="Referral letters do not mention online CBT",
                                        category="Referral pathway")
    goals.ratings_save(project=project, user=lead, ratings={awareness.pk: (5, 4), skills.pk: (3, 4),
                                                            time.pk: (4, 2), referral.pk: (4, 5)})
    goals.ratings_save(project=project, user=member, ratings={awareness.pk: (4, 4), skills.pk: (4, 3),
                                                              time.pk: (5, 2), referral.pk: (3, 4)})
    iteration = project.iterations.get(number=1)
    goals.focus_set(project=project, user=lead, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[awareness])
    champions = matching.option_add_from_pack(project=project, user=lead, barrier=awareness,
                                              item=_item(eric, "Identify and prepare champions"))
    meetings = matching.option_add_from_pack(project=project, user=member, barrier=awareness,
                                             item=_item(eric, "Conduct educational meetings"))
    video = matching.option_add_custom(project=project, user=member, barrier=awareness,
                                       name="Two-minute video for GP practices",
                                       description="A short film showing how a patient starts online CBT.")
    scores = {champions: [5, 4, 4, 4, 5, 4], meetings: [4, 3, 3, 3, 5, 4], video: [4, 5, 2, 5, 5, 3]}
    for option, ratings in scores.items():
        matching.appraisal_save(project=project, user=lead, option=option,
                                values={c: (r, "") for c, r in zip(APEASE, ratings, strict=True)},
                                versions={c: 0 for c in APEASE})
    iteration.refresh_from_db()
    matching.option_choose(project=project, user=lead, iteration=iteration, option=champions, version=iteration.version,
                           justification="Rated best on acceptability and effectiveness; GPs trust a colleague more "
                                      "than a leaflet.")
    iteration.refresh_from_db()
    planning.spec_save(iteration=iteration, user=lead, version=None, data={
        "brief_name": "GP champions for online CBT",
        "why": "GPs rarely offer online CBT because they do not know it exists or how it works; "
               "colleagues they trust are the most convincing messengers.",
        "who_provides": "Two GPs who already refer to online CBT, supported by the iCBT lead therapist.",
        "action": "Present online CBT at practice meetings and answer colleagues' questions.",
        "action_target": "GPs and practice nurses in the six practices that refer most.",
        "when_how_much": "Starting next month, one practice every two weeks: one 20-minute slot per practice, "
                         "plus a follow-up email.",
    })
    today = timezone.localdate()
    planning.task_create(iteration=iteration, user=lead, title="Ask two GPs to become champions", owner=lead,
                         due_date=today + timedelta(days=7), status="doing")
    planning.task_create(iteration=iteration, user=lead, title="Prepare a one-page guide to referring", owner=member,
                         due_date=today + timedelta(days=14))
    planning.task_create(iteration=iteration, user=lead, title="Book practice meeting slots", owner=member,
                         due_date=today + timedelta(days=21))
    planning.criterion_create(iteration=iteration, user=lead,
                              description="Share of eligible referrals offered online CBT", target_value=50,
                              target_unit="%", target_date=today + timedelta(days=90))
    return project, True


# --- Stakeholders: what the demo's consultations hold ----------------------------------------------
# Nine GPs, therapists and managers rated the barriers through the open link (above the minimum group
# size of 5, so the results show); a second consultation about the strategies is running, with four
# personal invitations (fewer than 5, so the page shows the warning a small team would see).
BARRIER_ANSWERS = [  # (group, {barrier name: (importance, changeability)})
    ("referrer", {"Awareness": (5, 4), "Skills and competences": (3, 3), "Time": (4, 2),
                  "Referral letters do not mention online CBT": (4, 5)}),
    ("referrer", {"Awareness": (5, 5), "Skills and competences": (2, 4), "Time": (5, 2),
                  "Referral letters do not mention online CBT": (5, 4)}),
    ("referrer", {"Awareness": (4, 4), "Skills and competences": (3, 3), "Time": (4, 1),
                  "Referral letters do not mention online CBT": (4, 5)}),
    ("clinician", {"Awareness": (4, 3), "Skills and competences": (4, 4), "Time": (5, 2),
                  "Referral letters do not mention online CBT": (3, 4)}),
    ("clinician", {"Awareness": (3, 4), "Skills and competences": (4, 3), "Time": (5, 1),
                  "Referral letters do not mention online CBT": (4, 4)}),
    ("clinician", {"Awareness": (4, 4), "Skills and competences": (5, 4), "Time": (4, 2),
                  "Referral letters do not mention online CBT": (3, 5)}),
    ("manager", {"Awareness": (5, 4), "Skills and competences": (3, 4), "Time": (3, 3),
                  "Referral letters do not mention online CBT": (4, 4)}),
    ("manager", {"Awareness": (4, 5), "Skills and competences": (3, 4), "Time": (4, 2),
                  "Referral letters do not mention online CBT": (5, 5)}),
    ("patient", {"Awareness": (5, 4), "Skills and competences": (2, 3), "Time": (3, 3),
                  "Referral letters do not mention online CBT": (3, 4)}),
]


def _answers_by_name(version, barriers_by_pk, wanted):
    answers = {}
    for question in version.questions():
        meta = question.get("meta") or {}
        subject, measure = meta.get("subject", ""), meta.get("measure")
        barrier = barriers_by_pk.get(subject.removeprefix("barrier-")) if subject.startswith("barrier-") else None
        if barrier is None or measure not in {"importance", "changeability"}:
            continue
        pair = wanted.get(barrier.name)
        if pair is not None:
            answers[question["key"]] = {"value": pair[0] if measure == "importance" else pair[1]}
    return answers


def demo_consultations_create(*, project, lead):
    """The demo project's consultations, made and answered through the services as real ones are."""
    if Consultation.objects.filter(organisation=project.organisation, subject_id=project.pk).exists():
        return
    iteration = project.iterations.order_by("-number").first()
    barrier_survey = stakeholders.consultation_from_step(project=project, iteration=iteration, user=lead,
                                                         template=ConsultationTemplate.BARRIER_PRIORITISATION,
                                                         mode=Consultation.Mode.OPEN_LINK)
    version = responding.version_to_answer(barrier_survey)
    barriers_by_pk = {str(b.pk): b for b in project.barriers.all()}
    for group, wanted in BARRIER_ANSWERS:
        responding.response_submit_new(
            consultation=barrier_survey, invitation=None, respondent_key=uuid.uuid4().hex, version=version,
            group=group, answers=_answers_by_name(version, barriers_by_pk, wanted), submission_key=uuid.uuid4(),
            may_have_draft=False)
    delivery.consultation_close(consultation=barrier_survey, actor=lead)

    appraisal = stakeholders.consultation_from_step(project=project, iteration=iteration, user=lead,
                                                    template=ConsultationTemplate.STRATEGY_APPRAISAL)
    appraisal = delivery.consultation_update(consultation=appraisal, actor=lead, version=appraisal.version,
                                             closes_at=timezone.now() + timedelta(days=10))
    delivery.invitations_send(consultation=appraisal, actor=lead, text="\n".join(
        ["practice.manager@example.org, manager", "gp.lee@example.org, referrer",
         "therapist.ng@example.org, clinician", "service.user.panel@example.org, patient"]))


# --- A finished cycle: a second project whose strategy worked ---------------------------------------
FINISHED_PROJECT = "Fewer patients stopping online CBT early"


def demo_finished_project_create(*, organisation, lead, member):
    """A project taken round the whole cycle and closed with "the strategy worked", so a newcomer sees
    what a completed cycle looks like (review, judgement, decision, summary)."""
    existing = Project.objects.filter(organisation=organisation, name=FINISHED_PROJECT).first()
    if existing:
        return existing, False
    icbt = ContentPack.objects.get(slug="icbt-determinants")
    eric = ContentPack.objects.get(slug="eric")
    today = timezone.localdate()
    start = today - timedelta(days=200)
    project = project_services.project_create(
        organisation=organisation, user=lead, name=FINISHED_PROJECT,
        service="Therapist-guided internet CBT for adults with depression", determinant_pack=icbt,
        strategy_pack=eric, team=[lead, member], started_on=start)
    goal = goals.goal_create(
        project=project, user=lead, target_group="Patients who start online CBT",
        end_goal="Two in three patients complete at least four of the eight modules.", emphasis="Adherence")
    contact = goals.barrier_add_from_pack(
        project=project, user=member, item=_item(icbt, "Professional-patient interaction"),
        notes="Patients say they feel alone with the programme between the therapist's weekly messages.")
    convenience = goals.barrier_add_from_pack(project=project, user=lead, item=_item(icbt, "Convenience"))
    goals.ratings_save(project=project, user=lead, ratings={contact.pk: (5, 4), convenience.pk: (3, 2)})
    goals.ratings_save(project=project, user=member, ratings={contact.pk: (4, 4), convenience.pk: (3, 3)})
    iteration = project.iterations.get(number=1)
    goals.focus_set(project=project, user=lead, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[contact])
    nudge = matching.option_add_custom(
        project=project, user=member, barrier=contact, name="Weekly text message from the therapist",
        description="A short personal text on the day a module is due, with a link back into the programme.")
    matching.option_add_from_pack(project=project, user=lead, barrier=contact,
                                  item=_item(eric, "Intervene with patients/consumers to enhance uptake and "
                                                   "adherence"))
    matching.appraisal_save(project=project, user=lead, option=nudge,
                            values={c: (r, "") for c, r in zip(APEASE, [5, 5, 4, 5, 5, 4], strict=True)},
                            versions={c: 0 for c in APEASE})
    iteration.refresh_from_db()
    matching.option_choose(project=project, user=lead, iteration=iteration, option=nudge, version=iteration.version,
                           justification="Cheap, quick to start and liked by the patient panel.")
    iteration.refresh_from_db()
    planning.spec_save(iteration=iteration, user=lead, version=None, data={
        "brief_name": "Weekly text nudge",
        "why": "Patients drop out when they feel nobody notices whether they keep going.",
        "who_provides": "The patient's own online CBT therapist.",
        "action": "Send a two-line personal text on the day each module is due.",
        "action_target": "Patients in their first eight weeks of online CBT.",
        "when_how_much": "Weekly for eight weeks; about two minutes per patient per week.",
    })
    for title, owner, due in (("Write three message templates with the patient panel", member, 170),
                              ("Switch on text messages in the iCBT platform", lead, 160),
                              ("Count completed modules each month", member, 40)):
        planning.task_create(iteration=iteration, user=lead, title=title, owner=owner,
                             due_date=today - timedelta(days=due), status="done")
    criterion = planning.criterion_create(
        iteration=iteration, user=lead, description="Patients completing at least four modules",
        target_value=66, target_unit="%", target_date=today - timedelta(days=30))
    project_services.project_set_step(project=project, user=lead, step=Step.REVIEW)
    review_record = review.review_create(
        iteration=iteration, user=lead, review_date=today - timedelta(days=20),
        what_was_done="Texts went out every week for 31 patients from March to August.",
        evidence="71 % of patients who started in that time completed four modules, against 52 % the year before.",
        judgements=[{"criterion": criterion, "verdict": "met",
                     "evidence": "71 % against a target of 66 %."}])
    review.decision_record(iteration=iteration, user=lead, kind=Decision.Kind.SUCCESS, review=review_record,
                           reason="The target was met and therapists want to keep the texts.")
    return project, True


EFFORT = [  # (days ago, minutes, what, step)
    (20, 90, "Kick-off meeting: goals and first barriers", Step.GOALS),
    (18, 45, "Rated the barriers", Step.GOALS),
    (12, 60, "Read about champions and educational meetings", Step.MATCH),
    (9, 75, "Appraised three strategies with the team", Step.MATCH),
    (5, 40, "Drafted the specification", Step.PLAN),
]


def demo_effort_log(*, project, lead, member):
    """Time the demo team spent, so the effort page and the summary have something to show."""
    if EffortEntry.objects.filter(project=project).exists():
        return
    today = timezone.localdate()
    for n, (days, minutes, activity, step) in enumerate(EFFORT):
        effort.effort_log(project=project, user=lead if n % 2 == 0 else member,
                          date=today - timedelta(days=days), minutes=minutes, activity=activity, step=step)


# --- Measures: service data the team watches ---------------------------------------------------------
# Three series ending with the last complete period, so the overview shows them up to date: the share
# of patients offered online CBT at assessment (rising after the referral letters changed), weekly
# referrals, and the wait for a first session (lower is better; the limits recalculated after online
# booking started). Drawn from fixed seeds, so every demo shows the same charts.
OFFERED = "Patients offered iCBT at assessment"
REFERRALS = "Referrals to iCBT"
WAITING = "Waiting time to first session (days)"


def _periods_back(period, n, today):
    """The starts of the ``n`` periods up to the last complete one before ``today``, oldest first."""
    starts = [periods.start_of(period, today)]
    for _i in range(n):
        starts.insert(0, measure_selectors.previous_period(period, starts[0]))
    return starts[:-1]


def _offered_rows(months, rng):
    rows = []
    for i, month in enumerate(months):
        assessed = rng.randint(85, 125)
        share = 0.31 if i < 16 else 0.44  # the letters changed at month 17
        rows.append({"period": month, "numerator": sum(rng.random() < share for _n in range(assessed)),
                     "denominator": assessed})
    return rows


def _referral_rows(weeks, rng):
    rows = []
    for week in weeks:
        holiday = week.isocalendar()[1] in (52, 53, 1)
        rows.append({"period": week, "numerator": max(0, round(rng.gauss(7 if holiday else 15, 3)))})
    return rows


def _waiting_rows(months, rng):
    rows = []
    for i, month in enumerate(months):
        mean = rng.gauss(24, 2.2) if i < 12 else rng.gauss(15.5, 1.6)  # online booking from month 13
        rows.append({"period": month, "numerator": round(mean, 1), "denominator": rng.randint(28, 45)})
    return rows


@transaction.atomic
def demo_measures_create(*, organisation, lead, member):
    """The demo organisation's measures with two years of values (a year of weeks for referrals),
    notes on the periods where something changed, and one rebase. ``{name: measure}``; measures
    that exist already are left as they are."""
    existing = {m.name: m for m in Measure.objects.filter(organisation=organisation,
                                                          name__in=[OFFERED, REFERRALS, WAITING])}
    if len(existing) == 3:
        return existing
    today = timezone.localdate()
    rng = random.Random(13)
    made = dict(existing)
    months = _periods_back(periods.MONTH, 24, today)
    if OFFERED not in made:
        offered = measure_services.measure_create(
            organisation=organisation, actor=lead, name=OFFERED, kind=Measure.Kind.PROPORTION, unit="%",
            period=Measure.Period.MONTH, better=Measure.Better.UP, owner=lead,
            counted="Adults assessed for depression who were offered therapist-guided online CBT, out of "
                    "all adults assessed for depression that month.",
            data_source="Patient record system, monthly assessment report")
        observations_save(measure=offered, actor=lead, rows=_offered_rows(months, rng))
        measure_services.annotation_create(measure=offered, actor=lead, period=months[16],
                                           text="Referral letter template now mentions online CBT")
        made[OFFERED] = offered
    if REFERRALS not in made:
        weeks = _periods_back(periods.WEEK, 52, today)
        referrals = measure_services.measure_create(
            organisation=organisation, actor=member, name=REFERRALS, kind=Measure.Kind.COUNT,
            period=Measure.Period.WEEK, better=Measure.Better.UP, owner=member, unit="referrals",
            counted="New referrals to therapist-guided online CBT received that week, from any source.",
            data_source="iCBT platform, weekly referral list")
        observations_save(measure=referrals, actor=member, rows=_referral_rows(weeks, rng))
        for week in weeks:
            if week.isocalendar()[1] == 52:
                measure_services.annotation_create(measure=referrals, actor=member, period=week,
                                                   text="Most GP practices closed between the holidays")
        made[REFERRALS] = referrals
    if WAITING not in made:
        waiting = measure_services.measure_create(
            organisation=organisation, actor=lead, name=WAITING, kind=Measure.Kind.MEAN, unit="days",
            period=Measure.Period.MONTH, better=Measure.Better.DOWN, owner=member,
            counted="Mean number of days from referral to the first guided session, for patients who had "
                    "their first session that month (the denominator is how many did).",
            data_source="iCBT platform, first-session report")
        observations_save(measure=waiting, actor=lead, rows=_waiting_rows(months, rng))
        measure_services.annotation_create(measure=waiting, actor=lead, period=months[12],
                                           text="Patients book their first session online")
        measure_services.baseline_create(
            measure=waiting, actor=lead, first_period=months[12],
            reason="Online booking changed how first sessions are arranged: the old limits describe a process "
                   "that no longer exists.")
        made[WAITING] = waiting
    return made


def demo_measures_link(*, project, measures, lead):
    """The demo project relies on the three measures (``ProjectMeasure``), and its success criterion
    "Share of eligible referrals offered online CBT" (at least 50 %) is judged from the share offered."""
    linked = set(ProjectMeasure.objects.filter(project=project).values_list("measure_id", flat=True))
    for name in (OFFERED, REFERRALS, WAITING):
        if measures[name].pk not in linked:
            project_measures.project_measure_link(project=project, user=lead, measure=measures[name])
    criterion = SuccessCriterion.objects.filter(project=project, measure__isnull=True,
                                                description__startswith="Share of eligible referrals").first()
    if criterion is not None:
        planning.criterion_update(criterion=criterion, user=lead, version=criterion.version,
                                  description=criterion.description, target_value=criterion.target_value,
                                  target_unit=criterion.target_unit, target_date=criterion.target_date,
                                  measure=measures[OFFERED], direction=AT_LEAST)


# --- Stakeholder engagement (issue 17) -------------------------------------------------------------
# Five groups on the map; the team planned a survey of three of them for step 1 (the barrier survey,
# which added its own record when it closed), met the therapists (which added the "Time" barrier),
# checked the strategies with the practice managers, and plans a workshop with GP champions. Patients
# and IT support have not been engaged: the picture shows the gap.
DEMO_GROUPS = [  # name, side, relation, affected, influence, notes
    ("GPs who refer", "external", "refers", 3, 5, "Six practices refer most of the patients."),
    ("Therapists", "internal", "delivers", 5, 4, ""),
    ("Practice managers", "external", "manages", 2, 4, ""),
    ("Patients", "external", "receives", 5, 2, "The service user panel meets monthly."),
    ("IT support", "internal", "supports", 2, 3, "Keeps the iCBT platform running."),
]


def demo_stakeholder_map_create(*, project, lead):
    """The demo project's stakeholder map and its plan for step 1, made before the barrier survey
    closes so that the survey's own record names the groups it was planned for."""
    if StakeholderGroup.objects.filter(project=project).exists():
        return
    made = {}
    for name, side, relation, affected, influence, notes in DEMO_GROUPS:
        made[name] = engagement.stakeholder_group_create(project=project, user=lead, name=name, side=side,
                                                         relation=relation, affected=affected, influence=influence,
                                                         notes=notes)
    engagement.stakeholder_person_add(group=made["GPs who refer"], user=lead, name="Dr Ana Ruiz",
                                      role="GP, champion for online CBT", contact="ana.ruiz@example.org")
    iteration = project.iterations.order_by("-number").first()
    for name in ("GPs who refer", "Therapists", "Practice managers"):
        engagement.engagement_plan_add(project=project, iteration=iteration, user=lead, step=Step.GOALS,
                                       group=made[name], objective="learn", approach="survey",
                                       note="Rate the barriers in the barrier survey.")
    engagement.engagement_plan_add(project=project, iteration=iteration, user=lead, step=Step.GOALS,
                                   group=made["Therapists"], objective="learn", approach="meeting",
                                   note="Team meeting: what gets in the way day to day?")


def demo_engagement_record(*, project, lead, member):
    """What the demo team did with its stakeholders after the survey, and what it changed."""
    if EngagementRecord.objects.filter(project=project, consultation=None).exists():
        return
    groups = {g.name: g for g in StakeholderGroup.objects.filter(project=project)}
    iteration = project.iterations.order_by("-number").first()
    today = timezone.localdate()
    time = project.barriers.get(item__name="Time")
    engagement.engagement_record_add(
        project=project, iteration=iteration, user=member, step=Step.GOALS, date=today - timedelta(days=16),
        approach="meeting", groups=[groups["Therapists"]], people=7,
        heard="Guiding online patients is done between face-to-face sessions, with no time set aside.",
        changed="Added time as a barrier and asked the manager about protected time.",
        changes=[("barrier", time.pk, "added")])
    appraisal = stakeholders.consultations_for_project(project).filter(
        template=ConsultationTemplate.STRATEGY_APPRAISAL).first()
    for name, objective in (("Practice managers", "decide"), ("Patients", "learn")):
        engagement.engagement_plan_add(project=project, iteration=iteration, user=lead, step=Step.MATCH,
                                       group=groups[name], objective=objective, approach="survey",
                                       consultation=appraisal)
    video = project.strategyoptions.get(custom_name="Two-minute video for GP practices")
    engagement.engagement_record_add(
        project=project, iteration=iteration, user=lead, step=Step.MATCH, date=today - timedelta(days=9),
        approach="informal", groups=[groups["Practice managers"]], people=2,
        heard="Managers would show a video at practice meetings but cannot pay for filming this year.",
        changed="Kept the video as a later option; chose the champions first.",
        changes=[("option", video.pk, "dropped")])
    engagement.engagement_plan_add(project=project, iteration=iteration, user=lead, step=Step.PLAN,
                                   group=groups["GPs who refer"], objective="codesign", approach="workshop",
                                   note="Design the one-page referral guide with the two champions.")
