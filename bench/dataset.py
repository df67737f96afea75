"""The large dataset of issue 11 (point 6), built reproducibly from a seed. Not part of the tests.

At ``--scale 1.0``: 1,020 organisations, 1,019 of them with 10 projects each and one heavy
organisation (``heavy-org``) with 1,000 more, about 0.9 M live rows and 0.9 M history rows. Every
project has a realistic shape: team, goals and barriers picked from the loaded packs, ratings,
candidate strategies with their APEASE appraisals, one or two iterations (focus, chosen strategy,
specification, tasks, success criteria, review, judgements, decisions) and effort entries. Each
organisation has members, invitations, audit events, an API token, a finished project import and two
consultations (a staff survey and a barrier prioritisation of its first project) with invitations,
responses and answers. The heavy organisation also holds the worst cases issue 11 names: a project
with 1,000 tasks, a project with 1,000 iterations, a goal with 5,000 versions (its project is
"Much edited") and a consultation with 10,000 responses (these sizes scale with ``--scale``, at least
100). History rows (django-simple-history) are written for every historied model, with the dates
and authors of a plausible past, so timelines and "as of" pages have something to read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_large .venv/bin/python bench/dataset.py --scale 1.0 --seed 1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_large .venv/bin/python bench/dataset.py --scale 0.1

The database is dropped and created again (its name must start with ``bench_``; a ``sqlite:///``
URL names a file that is replaced), migrated, and the built-in packs are loaded with ``load_packs``.
Rows are written with ``bulk_create`` and ``history.bulk_history_create`` (simple-history's own
bulk writer) in chunks of organisations, not through the services one by one, which would take
hours. The same seed gives the same rows, keys and tokens. The script prints the time taken and
the row count of every table. ``bench/pages.py`` finds its objects by the names used here.
Every account's password is ``x-bench-password-1``; API tokens are ``tk_bench_<org slug>``.
"""

import argparse
import copy
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")

PASSWORD = "x-bench-password-1"
BATCH = 2000
CHUNK_ORGS = 40
START = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)
SPAN_DAYS = 600
HEAVY_SLUG = "heavy-org"
HEAVY_PROJECTS = {"tasks": "Heavy: 1,000 tasks", "iterations": "Heavy: 1,000 iterations",
                  "versions": "Heavy: much edited"}
HEAVY_CONSULTATION = "Heavy: 10,000 responses"
TOWNS = ["Northside", "Riverside", "Eastfield", "Westbury", "Hillcrest", "Lakeview", "Oakham", "Southgate"]
SERVICES = ["internet-delivered CBT for depression", "guided self-help for anxiety", "stepped care for insomnia",
            "video consultations in primary care", "digital relapse prevention"]
GROUPS = ["clinician", "manager", "patient", "referrer", "it"]
WORDS = ("referral waiting list therapist patient manager rooms time training budget software login "
         "consent feedback outcome session letter phone leaflet meeting supervision audit").split()


def api_token_of(slug):
    return f"tk_bench_{slug}"


def reset_database(url):
    """Drop and create the benchmark database named by ``url`` (PostgreSQL) or remove the file."""
    parts = urlparse(url)
    if parts.scheme.startswith("postgres"):
        import psycopg

        name = parts.path.lstrip("/")
        if not name.startswith("bench_"):
            sys.exit("The database name must start with bench_ (it is dropped and created again).")
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parts.scheme == "sqlite":
        path = Path(parts.path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        sys.exit(f"Unsupported DATABASE_URL scheme {parts.scheme!r}")


def stop_auto_dates():
    from django.apps import apps

    # auto_now / auto_now_add would stamp every bulk-created row with the moment of the build; the
    # dataset needs a plausible past (timelines, "quiet projects"), so they are switched off in
    # this process only and every such field is given a value below (put()).
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                field.auto_now = field.auto_now_add = False


class Writer:
    """Inserts the objects of one chunk level by level and writes their history rows."""

    def __init__(self):
        self.counts = Counter()

    def put(self, model, objs, history=True):
        if not objs:
            return []
        # Fields that were auto_now / auto_now_add: the generator's time of the row when not given.
        auto = [f.attname for f in model._meta.concrete_fields
                if f.get_internal_type() == "DateTimeField" and not f.null and not f.has_default()]
        for o in objs:
            for name in auto:
                if getattr(o, name) is None:
                    setattr(o, name, o._at)
        model.objects.bulk_create(objs, batch_size=BATCH)
        self.counts[model._meta.db_table] += len(objs)
        if not history:
            return []
        created, updated = [], []
        for o in objs:
            steps = getattr(o, "_steps", None)
            if not steps:
                o._history_date, o._history_user = o._at, o._by
                created.append(o)
                continue
            for n, (at, by, changes) in enumerate(steps):
                c = copy.copy(o)
                c.__dict__.update(changes)
                c._history_date, c._history_user = at, by
                (updated if n else created).append(c)
        manager = model.history
        rows = manager.bulk_history_create(created, batch_size=BATCH)
        rows += manager.bulk_history_create(updated, batch_size=BATCH, update=True) if updated else []
        self.counts[manager.model._meta.db_table] += len(rows)
        return rows


def obj(model, at, by=None, **fields):
    o = model(**fields)
    o._at, o._by = at, by
    return o


class Builder:
    def __init__(self, seed, scale):
        from tailorkit.library.models import ContentPack, Item

        self.rng = random.Random(seed)
        self.scale = scale
        self.writer = Writer()
        self.packs = {p.slug: p for p in ContentPack.objects.all()}
        missing = {"icbt-determinants", "cfir-2009", "eric"} - self.packs.keys()
        if missing:
            sys.exit(f"Packs missing after load_packs: {missing}")
        self.items = {slug: list(Item.objects.filter(pack__slug=slug).exclude(attributes__has_key="retired")
                                 .values_list("pk", flat=True).order_by("pk"))
                      for slug in ("icbt-determinants", "cfir-2009", "eric")}
        from django.contrib.auth.hashers import make_password

        # Hashed once (hashing per user would take hours), with a fixed salt so the rows are reproducible.
        self.password = make_password(PASSWORD, salt="benchdataset")
        self.reset()

    def reset(self):
        self.levels, self.after = defaultdict(list), []

    # --- small helpers --------------------------------------------------------------------------
    def at(self, lo=0, hi=SPAN_DAYS):
        return START + timedelta(days=self.rng.uniform(lo, hi))

    def uuid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def text(self, n=8):
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    def add(self, model, o):
        self.levels[model].append(o)
        return o

    # --- people and organisations -----------------------------------------------------------------
    def organisation(self, slug, name, n_members=4, supporter=None):
        from tailorkit.api.models import ApiToken
        from tailorkit.core.models import AuditEvent, Invitation, Membership, Organisation, Role, User
        from tailorkit.core.tokens import hash_token

        born = self.at(0, 60)
        org = self.add(Organisation, obj(Organisation, born, slug=slug, name=name, country="Netherlands",
                                         sector=self.rng.choice(["health", "mental_health", "social_care"]),
                                         created_at=born))
        roles = [Role.LEAD] + [Role.MEMBER] * (n_members - 2) + [Role.VIEWER]
        people = []
        for n, role in enumerate(roles):
            email = f"{role}{n}.{slug}@bench.example"
            user = self.add(User, obj(User, born, email=email, name=f"{role.title()} {n} of {slug}",
                                      password=self.password, date_joined=born))
            people.append(user)
            self.add(Membership, obj(Membership, born, people[0], organisation=org, user=user, role=role,
                                     created_at=born))
        if supporter is not None:
            self.add(Membership, obj(Membership, born, people[0], organisation=org, user=supporter,
                                     role=Role.SUPPORTER, created_at=born))
        lead = people[0]
        for n, status in enumerate(["pending", "accepted", "revoked"]):
            sent = self.at(60, SPAN_DAYS)
            self.add(Invitation, obj(Invitation, sent, lead, uuid=self.uuid(), organisation=org, role=Role.MEMBER,
                                     email=f"invitee{n}.{slug}@bench.example", invited_by=lead, status=status,
                                     token_hash=hash_token(f"bench-invitation-{slug}-{n}"), created_at=sent,
                                     expires_at=sent + timedelta(days=1000 if status == "pending" else 14)))
        actions = ["auth.login", "project.exported", "invitation.sent", "consultation.exported", "view",
                   "membership.role_changed", "api.token_created"]
        for n in range(20):
            who = self.rng.choice(people)
            self.add(AuditEvent, obj(AuditEvent, None, created_at=self.at(60, SPAN_DAYS), actor=who,
                                     actor_email=who.email, organisation=org, action=actions[n % len(actions)],
                                     target=f"object {n}", details={"n": n}, ip_address="192.0.2.10"))
        raw = api_token_of(slug)
        self.add(ApiToken, obj(ApiToken, born, lead, user=lead, name="Benchmark", prefix=raw[:8],
                               token_hash=hash_token(raw), created_at=born, expires_at=START + timedelta(days=3650)))
        return org, people

    # --- projects ----------------------------------------------------------------------------------
    def project(self, org, people, name, n_tasks=6, n_iterations=None, step=None):
        from tailorkit.projects import models as m

        rng, lead = self.rng, people[0]
        editors = people[:-1]
        icbt = rng.random() < 0.6
        dpack = self.packs["icbt-determinants" if icbt else "cfir-2009"]
        born = self.at(60, SPAN_DAYS - 120)
        step = step or rng.choice([m.Step.GOALS, m.Step.MATCH, m.Step.PLAN, m.Step.PLAN, m.Step.REVIEW, m.Step.REVIEW])
        status = rng.choices(["active", "completed", "archived"], [85, 10, 5])[0]
        last = born + timedelta(days=rng.uniform(1, 110))
        project = obj(m.Project, born, lead, organisation=org, name=name, service=rng.choice(SERVICES),
                      determinant_pack=dpack, strategy_pack=self.packs["eric"], owner=lead, step=step,
                      status=status, started_on=born.date(), created_at=born, last_activity_at=last,
                      version=3)
        project._steps = [(born, lead, {"step": m.Step.GOALS, "status": "active", "version": 1}),
                          (born + timedelta(days=20), lead, {"status": "active", "version": 2}), (last, lead, {})]
        self.add(m.Project, project)
        project._team = editors
        own = dict(organisation=org, project=project)

        def later(days=90):
            return born + timedelta(days=rng.uniform(0, days))

        goals = [self.add(m.Goal, obj(m.Goal, t, rng.choice(editors), **own, target_group="Adults with mild depression",
                                      end_goal=self.text(14), emphasis=rng.choice(["reach", "quality", "speed"]),
                                      created_by=lead, created_at=t)) for t in sorted(later(30) for _ in range(3))]
        goals[0]._steps = [(goals[0]._at, lead, {"end_goal": "First draft", "version": 1}),
                           (goals[0]._at + timedelta(days=3), lead, {})]
        goals[0].version = 2
        items = rng.sample(self.items[dpack.slug], 4)
        barriers = []
        for n in range(5):
            t = later(40)
            kw = {"item_id": items[n]} if n < 4 else {"custom_name": "Therapists lack time for online work",
                                                        "custom_category": "Resources"}
            barriers.append(self.add(m.Barrier, obj(m.Barrier, t, lead, **own, notes=self.text(10), created_by=lead,
                                                    created_at=t, **kw)))
        for barrier in barriers:
            for rater in editors[:2]:
                self.add(m.BarrierRating, obj(m.BarrierRating, barrier._at, rater, organisation=org, barrier=barrier,
                                              rated_by=rater, importance=rng.randint(1, 5),
                                              changeability=rng.randint(1, 5), updated_at=barrier._at))
        focused = barriers[0]
        focused.version, focused._steps = 2, [(focused._at, lead, {"notes": "", "version": 1}),
                                              (focused._at + timedelta(days=2), lead, {})]
        options = []
        for n, strategy in enumerate(rng.sample(self.items["eric"], 3)):
            t = later(60)
            kw = {"item_id": strategy} if n < 2 else {"custom_name": "Referral reminders in the GP record"}
            options.append(self.add(m.StrategyOption, obj(m.StrategyOption, t, lead, **own, barrier=focused, **kw,
                                                          description=self.text(12), created_by=lead, created_at=t)))
        self.add(m.StrategyOption, obj(m.StrategyOption, later(60), lead, **own, barrier=barriers[1],
                                       item_id=rng.choice(self.items["eric"]), created_by=lead, created_at=born))
        for option, criteria in zip(options, (m.APEASE, m.APEASE, m.APEASE[:3]), strict=True):
            for criterion in criteria:
                self.add(m.Appraisal, obj(m.Appraisal, option._at, lead, organisation=org, option=option,
                                          criterion=criterion, rating=rng.randint(1, 5), note=self.text(5),
                                          updated_by=lead, updated_at=option._at))
        planned = step in (m.Step.PLAN, m.Step.REVIEW)
        count = n_iterations or (2 if rng.random() < 0.3 else 1)
        for number in range(1, count + 1):
            current = number == count
            t = born + timedelta(days=number * 30 / count)
            iteration = self.add(m.Iteration, obj(m.Iteration, t, lead, **own, number=number, started_at=t,
                                                  back_to="" if number == 1 else "plan",
                                                  chosen_option=options[0] if (planned or not current) else None,
                                                  choice_justification=self.text(8)))
            if count <= 2 or current:
                self.iteration_content(org, project, iteration, goals[0], focused, editors, t,
                                       n_tasks if current else 3, review=(step == m.Step.REVIEW or not current),
                                       current=current)
            if not current:
                self.add(m.Decision, obj(m.Decision, t, lead, **own, iteration=iteration, kind="back_plan",
                                         reason="The plan did not reach the GPs", decided_by=lead,
                                         decided_at=t + timedelta(days=25)))
        for n in range(4):
            who = lead if n == 0 else rng.choice(editors)  # the lead's own entry: only its author may delete it
            t = later(110)
            self.add(m.EffortEntry, obj(m.EffortEntry, t, who, **own, user=who, date=t.date(),
                                        minutes=rng.choice([15, 30, 45, 60, 90]), step=rng.choice(list(m.Step.values)),
                                        activity=self.text(4)))
        return project

    def iteration_content(self, org, project, iteration, goal, barrier, editors, t, n_tasks, review, current):
        from tailorkit.projects import models as m

        rng, lead = self.rng, editors[0]
        own = dict(organisation=org, project=project)
        self.add(m.Focus, obj(m.Focus, t, lead, organisation=org, iteration=iteration, goal=goal))
        self.add(m.Focus, obj(m.Focus, t, lead, organisation=org, iteration=iteration, barrier=barrier))
        if iteration.chosen_option is None:
            return
        spec = {f: self.text(10) for f in ("why", "what_materials", "what_procedures", "who_provides", "how",
                                            "where", "when_how_much", "tailoring", "how_well_planned", "action",
                                            "action_target", "implementation_outcome")}
        s = self.add(m.Specification, obj(m.Specification, t, lead, organisation=org, iteration=iteration,
                                          brief_name="Referral reminders", updated_by=lead, updated_at=t,
                                          version=2, **spec))
        s._steps = [(t, lead, {"version": 1, "why": "", "how": ""}), (t + timedelta(days=2), lead, {})]
        for n in range(n_tasks):
            owner = rng.choice(editors)
            status = rng.choice(["todo", "doing", "done", "done", "dropped"])
            task = self.add(m.Task, obj(m.Task, t, lead, **own, iteration=iteration, title=f"Task {n}: {self.text(5)}",
                                        owner=owner, status=status, version=1 if status == "todo" else 2,
                                        due_date=(t + timedelta(days=rng.randint(7, 200))).date()))
            if status != "todo":
                task._steps = [(t, lead, {"status": "todo", "version": 1}),
                               (t + timedelta(days=rng.uniform(1, 60)), owner, {})]
        criteria = [self.add(m.SuccessCriterion, obj(m.SuccessCriterion, t, lead, **own, iteration=iteration,
                                                     description=self.text(9), target_value=rng.randint(5, 80),
                                                     target_unit="referrals a month",
                                                     target_date=(t + timedelta(days=120)).date()))
                    for _ in range(2)]
        if review:
            when = t + timedelta(days=20)
            r = self.add(m.Review, obj(m.Review, when, lead, **own, iteration=iteration, review_date=when.date(),
                                       what_was_done=self.text(15), evidence=self.text(8), created_by=lead))
            for criterion in criteria:
                self.add(m.Judgement, obj(m.Judgement, when, lead, organisation=org, review=r, criterion=criterion,
                                          verdict=rng.choice(["met", "not_met", "unclear"]), evidence=self.text(6)))
            if current and self.rng.random() < 0.5:
                self.add(m.Decision, obj(m.Decision, when, lead, **own, iteration=iteration, review=r,
                                         kind="continue", decided_by=lead, decided_at=when))

    # --- consultations -------------------------------------------------------------------------------
    def consultation(self, org, people, title, questions, n_invited, n_responses, subject=None, mode="invitations"):
        """A questionnaire with one version (snapshot in the builder's format), a consultation, its
        invitations and ``n_responses`` responses with one answer per question."""
        from tailorkit.consultations import models as c
        from tailorkit.consultations.services.builder import QUESTION_FIELDS

        rng, lead = self.rng, people[0]
        t = self.at(100, SPAN_DAYS - 60)
        q = self.add(c.Questionnaire, obj(c.Questionnaire, t, lead, organisation=org, title=title,
                                          description=self.text(12), created_by=lead, created_at=t, updated_at=t))
        sections, snapshot = [], {"title": title, "description": q.description, "sections": []}
        for n, (section_title, qs) in enumerate(questions):
            s = self.add(c.Section, obj(c.Section, t, lead, organisation=org, questionnaire=q, title=section_title,
                                        intro=self.text(8), position=n))
            sections.append(s)
            shown = []
            for p, spec in enumerate(qs):
                question = self.add(c.Question, obj(c.Question, t, lead, organisation=org, questionnaire=q, section=s,
                                                    position=p, **spec))
                shown.append({f: getattr(question, f) for f in QUESTION_FIELDS})
            snapshot["sections"].append({"title": s.title, "intro": s.intro, "questions": shown})
        version = self.add(c.QuestionnaireVersion, obj(c.QuestionnaireVersion, t, lead, organisation=org,
                                                       questionnaire=q, number=1, snapshot=snapshot, created_at=t,
                                                       created_by=lead))
        self.after.append((q, version))
        extra = {"subject_type": "project", "subject_id": None, "template": "barrier_prioritisation"} if subject else {}
        closes = t + timedelta(days=rng.choice([21, 400]))
        consultation = self.add(c.Consultation, obj(c.Consultation, t, lead, uuid=self.uuid(), organisation=org,
                                                    questionnaire=q, title=title, purpose=self.text(12), mode=mode,
                                                    anonymous=True, opens_at=t, closes_at=closes, groups=GROUPS,
                                                    created_by=lead, created_at=t, **extra))
        if subject is not None:
            consultation._subject = subject  # its pk is known after the projects are written
        if mode == "open_link":
            from tailorkit.core.tokens import hash_token

            consultation.open_token_hash = hash_token(f"bench-open-{org.slug}-{title}")
        for n in range(n_invited):
            done = n < n_responses
            self.add(c.Invitation, obj(c.Invitation, t, lead, uuid=self.uuid(), organisation=org,
                                       consultation=consultation, email=f"stakeholder{n}.{org.slug}@bench.example",
                                       group=GROUPS[n % len(GROUPS)], status="completed" if done else "sent",
                                       sent_at=t, completed_at=t + timedelta(days=2) if done else None,
                                       created_by=lead))
        keys = [(spec["key"], spec["kind"], spec.get("options")) for _s, qs in questions for spec in qs]
        for n in range(n_responses):
            day = t + timedelta(days=rng.uniform(0, 20))
            response = self.add(c.Response, obj(c.Response, day, organisation=org, consultation=consultation,
                                                version=version, group=GROUPS[n % len(GROUPS)],
                                                submission_key=self.uuid(), submitted_on=day.date()))
            for key, kind, options in keys:
                self.add(c.Answer, obj(c.Answer, day, organisation=org, response=response, question_key=key,
                                       value=self.answer(kind, options)))
        return consultation

    def answer(self, kind, options):
        rng = self.rng
        return {"likert5": lambda: rng.randint(1, 5), "scale0_10": lambda: rng.randint(0, 10),
                "number": lambda: rng.randint(0, 40), "single": lambda: rng.choice(options)["value"],
                "multiple": lambda: rng.sample([o["value"] for o in options], 2)}.get(kind, lambda: self.text(6))()

    def survey_questions(self):
        choices = [{"value": v, "label": v.title()} for v in ("yes", "no", "unsure")]
        reasons = [{"value": w, "label": w.title()} for w in ("time", "training", "software", "rooms")]
        return [("About you", [
                    {"key": "role", "kind": "single", "text": "Do you refer patients?", "options": choices},
                    {"key": "years", "kind": "number", "text": "Years in your job", "min_value": 0, "max_value": 50},
                    {"key": "obstacles", "kind": "multiple", "text": "What gets in the way?", "options": reasons}]),
                ("Your views", [
                    {"key": "useful", "kind": "likert5", "text": "The service is useful for my patients."},
                    {"key": "recommend", "kind": "scale0_10", "text": "How likely are you to recommend it?"},
                    {"key": "comments", "kind": "text", "text": "Anything else?"}])]

    def prioritisation_questions(self, barriers):
        points = [{"value": str(n), "label": f"Point {n}"} for n in range(1, 6)]
        qs = []
        for n, _barrier in enumerate(barriers):
            for measure in ("importance", "changeability"):
                # The key names the barrier by its position; bind_subjects() rewrites it to its pk.
                qs.append({"key": f"barrier-{n}__{measure}", "kind": "likert5", "options": points,
                           "text": f"How much does barrier {n} matter ({measure})?", "allow_not_relevant": True,
                           "meta": {"subject": f"barrier-{n}", "measure": measure}})
        return [("Barriers", qs)]

    # --- writing ------------------------------------------------------------------------------------
    def flush(self):
        from django.apps import apps
        from django.db import transaction

        from tailorkit.api.models import ApiToken
        from tailorkit.consultations import models as c
        from tailorkit.core import models as core
        from tailorkit.projects import models as m

        put = self.writer.put
        levels = self.levels
        with transaction.atomic():
            for model in (core.User, core.Organisation, core.Membership, core.Invitation, ApiToken):
                put(model, levels[model])
            put(core.AuditEvent, levels[core.AuditEvent], history=False)
            project_rows = put(m.Project, levels[m.Project])
            through = m.Project.team.through
            links = [through(project=p, user=u) for p in levels[m.Project] for u in p._team]
            put(through, links, history=False)
            team_history = apps.get_model("projects", "HistoricalProject_team")  # made by simple-history
            team_of = defaultdict(list)
            for link in links:
                team_of[link.project_id].append(link)
            put(team_history, [team_history(id=link.pk, project_id=h.id, user_id=link.user_id, history=h)
                               for h in project_rows for link in team_of[h.id]], history=False)
            for model in (m.Goal, m.Barrier, m.BarrierRating, m.StrategyOption, m.Appraisal, m.Iteration, m.Focus,
                          m.Specification, m.Task, m.SuccessCriterion, m.Review, m.Judgement, m.Decision,
                          m.EffortEntry):
                put(model, levels[model])
            put(m.ProjectImport, levels[m.ProjectImport], history=False)
            self.bind_subjects()
            for model in (c.Questionnaire, c.Section, c.Question, c.QuestionnaireVersion):
                put(model, levels[model])
            for q, version in self.after:
                q.current_version = version
            c.Questionnaire.objects.bulk_update([q for q, _v in self.after], ["current_version"], batch_size=BATCH)
            put(c.Consultation, levels[c.Consultation])
            put(c.Invitation, levels[c.Invitation])
            put(c.Response, levels[c.Response], history=False)
            put(c.Answer, levels[c.Answer], history=False)
        self.reset()

    def bind_subjects(self):
        """Point each step consultation at its project and its questions at the barriers' pks, as
        ``projects/stakeholders.py`` does (``barrier-<pk>__<measure>``)."""
        from tailorkit.consultations import models as c
        from tailorkit.projects.models import Barrier

        for consultation in self.levels[c.Consultation]:
            project = getattr(consultation, "_subject", None)
            if project is None:
                continue
            consultation.subject_id = project.pk
            barriers = [b.pk for b in self.levels[Barrier] if b.project is project]
            mapping = {f"barrier-{n}": f"barrier-{pk}" for n, pk in enumerate(barriers)}
            questions = [q for q in self.levels[c.Question] if q.questionnaire is consultation.questionnaire]
            version = next(v for q, v in self.after if q is consultation.questionnaire)
            for q in questions:
                subject, _sep, measure = q.key.partition("__")
                q.key, q.meta = f"{mapping[subject]}__{measure}", {**q.meta, "subject": mapping[subject]}
            for section in version.snapshot["sections"]:
                for shown in section["questions"]:
                    subject, _sep, measure = shown["key"].partition("__")
                    shown["key"], shown["meta"] = f"{mapping[subject]}__{measure}", {**shown["meta"],
                                                                                    "subject": mapping[subject]}
            for answer in self.levels[c.Answer]:
                if answer.response.consultation is consultation:
                    subject, _sep, measure = answer.question_key.partition("__")
                    answer.question_key = f"{mapping[subject]}__{measure}"

    # --- the whole dataset ----------------------------------------------------------------------------
    def typical_org(self, n, supporter):
        from tailorkit.projects.models import ProjectImport

        slug = f"org-{n:04d}"
        org, people = self.organisation(slug, f"{TOWNS[n % len(TOWNS)]} mental health service {n}", supporter=supporter)
        projects = [self.project(org, people, f"Project {k} of {slug}") for k in range(10)]
        self.add(ProjectImport, obj(ProjectImport, projects[0]._at, organisation=org, created_by=people[0],
                                    file_name="earlier.json", status="done", stage="finished", project=projects[0],
                                    created_at=projects[0]._at, heartbeat_at=projects[0]._at))
        self.consultation(org, people, f"Staff views on the service ({slug})", self.survey_questions(), 10, 5)
        self.consultation(org, people, f"Which barriers matter most? ({slug})",
                          self.prioritisation_questions(range(5)), 6, 5, subject=projects[0])

    def heavy_org(self):
        from tailorkit.projects.models import Goal, Step

        size = max(100, round(1000 * self.scale))
        org, people = self.organisation(HEAVY_SLUG, "Heavy regional service", n_members=12)
        for k in range(size):
            self.project(org, people, f"Project {k} of {HEAVY_SLUG}")
            if k % 200 == 199:
                self.flush()
        self.project(org, people, HEAVY_PROJECTS["tasks"], n_tasks=size, step=Step.PLAN)
        self.project(org, people, HEAVY_PROJECTS["iterations"], n_iterations=size, step=Step.REVIEW)
        edited = self.project(org, people, HEAVY_PROJECTS["versions"], step=Step.REVIEW)
        # One goal edited size × 5 times: that many history rows for the timeline and "as of" pages.
        goal, n = next(g for g in self.levels[Goal] if g.project is edited), size * 5
        t, text = goal._at, goal.end_goal
        goal.version, goal.end_goal = n, f"Edit {n - 1}: {text}"
        goal._steps = [(t + timedelta(minutes=30 * k), people[k % 3], {"version": k + 1,
                                                                     "end_goal": f"Edit {k}: {text}"})
                       for k in range(n - 1)] + [(t + timedelta(minutes=30 * n), people[0], {})]
        self.consultation(org, people, HEAVY_CONSULTATION, self.survey_questions(), 0, size * 10, mode="open_link")
        self.flush()

    def build(self):
        from tailorkit.core.models import User

        n_orgs = max(2, round(1020 * self.scale))
        supporter = None
        for n in range(1, n_orgs):
            if n % 10 == 1:
                supporter = self.add(User, obj(User, START, email=f"supporter{n // 10}@bench.example",
                                               name=f"Supporter {n // 10}", password=self.password,
                                               date_joined=START))
            self.typical_org(n, supporter)
            if n % CHUNK_ORGS == 0:
                self.flush()
                print(f"  {n} organisations written", flush=True)
        self.flush()
        self.heavy_org()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("Set DATABASE_URL to the benchmark database (it is dropped and created again).")
    started = time.perf_counter()
    reset_database(url)
    import django

    django.setup()  # after the database exists
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_packs", verbosity=0)
    prepared = time.perf_counter()
    stop_auto_dates()
    builder = Builder(args.seed, args.scale)
    builder.build()
    built = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"\nDataset scale {args.scale}, seed {args.seed}: migrate + packs {prepared - started:.0f} s, "
          f"rows {built - prepared:.0f} s, total {time.perf_counter() - started:.0f} s\n")
    with connection.cursor() as cursor:
        tables = sorted(t for t in connection.introspection.table_names(cursor)
                        if t.split("_")[0] in {"core", "projects", "consultations", "api"})
        totals = Counter()
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            (n,) = cursor.fetchone()
            totals["historical" in table] += n
            print(f"  {table:48} {n:>9,}")
        live, history = totals[False], totals[True]
    print(f"\n  live rows {live:,}   history rows {history:,}")


if __name__ == "__main__":
    main()
