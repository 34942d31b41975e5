"""Scale data: one hiring action the size of a large federal announcement, its applicants spread over
every phase, for benchmarks and for looking at pages with real volumes.

    python manage.py seed_scale --applicants 50000 --smes 200 [--manifest PATH] [--password PW]

The action's frame goes through the services, as seed_demo does: agency, people and roles, the job
analysis (5 competencies, round 1 and round 2 questions, a 2-page resume limit), the published and
closed announcement, and the phase moves up to the certificate phase. The bulk (applications, resume
reviews, interviews, adjudications, the certificate's names, the applications' audit rows) is written
with COPY on PostgreSQL and bulk_create elsewhere, then the stored counts are recomputed the way the
services keep them: Application.review_signature (signature_update_sql) and ReviewLoad
(review_loads_rebuild). Everything happens in one transaction: a failure leaves nothing behind.

Where the applicants end up (final states only, since the action is in the certificate phase and
hiring.services refuses that phase while anyone waits for an interview): ineligible; withdrawn (before
review, or during an interview round with the interview still invited or scheduled); did not move
forward after two resume reviews (about 22% of pairs split and were settled by a tiebreak, every
review accepted by HR); failed an interview round (score 0); removed for not responding (FR, some
no-shows); and, for those who passed both rounds, referred on the one issued certificate or qualified
but not referred. Interviews respect rule 23 for every SME (at most 3 a day, 9:00, 11:00 and 14:00,
on weekdays), and a round-2 interviewer is never the applicant's round-1 interviewer.

Running it again builds a second action and reuses the accounts (their passwords are reset), placing
the new action's interviews before the earlier ones, so no SME is double-booked across actions.
"""

import json
import math
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.db.models import Min
from django.template.loader import render_to_string
from django.test.utils import override_settings
from django.utils import timezone

from assessments import rules as scoring
from assessments.models import Availability, ConflictCheck, Interview, InterviewerSeat, Recusal, ResumeReview
from assessments.selectors import signature_update_sql
from assessments.services import review_loads_rebuild
from certificates import rules as merit
from certificates.models import Adjudication, Certificate, Entry
from hiring import services
from hiring.models import (
    Agency,
    AgencyRole,
    Announcement,
    Application,
    AuditEvent,
    HiringAction,
    JobAnalysisVersion,
    Notice,
    Role,
    User,
)
from hiring.workflow import Actor, Phase, Status, move_for
from smeqa.bulk import insert_rows
from smeqa.errors import DomainError

AGENCY = ("Department of Scale Testing", "SCALE")
TITLE = "IT Specialist (Systems Administration)"
HR_EMAIL, MANAGER_EMAIL, CANDIDATE_EMAIL = "hr@scale.test", "manager@scale.test", "candidate@scale.test"
CANDIDATE_NAME = "Casey Scale"
CHUNK = 5_000
SPECIALIZED = (
    "One year (52 weeks) of specialized experience equivalent to GS-12: administering production Linux "
    "systems, automating their configuration and restoring service after incidents."
)
COMPETENCIES = [
    ("Systems administration", "Installs, configures and maintains servers and the services on them."),
    ("Automation", "Automates repeated operational work with scripts and configuration management."),
    ("Incident response", "Restores service quickly during an outage and finds the cause afterwards."),
    ("Security", "Keeps systems patched, hardened and compliant with federal security controls."),
    ("Communication", "Explains technical problems and trade-offs clearly to colleagues and leaders."),
]
QUESTIONS = [
    (1, "Tell us about a server fleet you maintained and how you kept it healthy.", [0, 3]),
    (1, "Describe a routine task you automated, and what changed afterwards.", [1]),
    (1, "Walk us through an outage you handled, from the alert to the review.", [2, 4]),
    (2, "How did you design the configuration management of a large environment?", [1, 0]),
    (2, "Describe a security finding you fixed across many systems.", [3]),
    (2, "Tell us about explaining an incident's cause to leadership.", [4, 2]),
]
DUTIES = (
    "Administer the agency's Linux servers.\nAutomate configuration and deployment.\n"
    "Respond to incidents and lead their reviews."
)
FIRST = ["Avery", "Blake", "Carmen", "Devon", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah", "Keisha",
         "Luis", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen",
         "Ximena", "Yusuf", "Zoe"]  # fmt: skip
MIDDLE = ["", "", "", "A. ", "J. ", "Marie ", "Lee ", "R. "]
LAST = ["Johnson", "Thompson-Diaz", "Walker", "Petrova", "Haddad", "O'Neill", "Tanaka", "Brooks", "Nguyen",
        "Okafor", "García", "Kowalski", "Sato", "Mensah", "Fischer", "Rossi", "Abdullah", "Kim", "Silva",
        "Novak", "Murphy", "Chen", "Patel", "Larsen"]  # fmt: skip
# Claimed preference, roughly a federal pool: most NV, about a fifth preference eligibles.
CLAIMS = ["NV"] * 40 + ["TP"] * 5 + ["CPS"] * 2 + ["CP"] * 2 + ["XP"] + ["SSP"]
PROOF = {"CPS": ["dd214", "va_letter", "sf15"], "CP": ["dd214", "va_letter", "sf15"], "XP": ["dd214", "sf15"],
         "TP": ["dd214"], "SSP": ["other"]}  # fmt: skip
INTERVIEW_HOURS = (9, 11, 14)  # rule 23: 3 a day, an hour each, at least 30 minutes apart
MF, DNMF = ResumeReview.Decision.MOVE_FORWARD.value, ResumeReview.Decision.DOES_NOT_MOVE_FORWARD.value
S = Status


class Command(BaseCommand):
    help = "Build one hiring action at scale (default 50,000 applicants, 200 SMEs) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applicants", type=int, default=50_000)
        parser.add_argument("--smes", type=int, default=200)
        parser.add_argument("--manifest", help="Write a JSON description of what was built here.")
        parser.add_argument(
            "--password", help="Password of every scale.test account (default: $SEED_SCALE_PASSWORD)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same data).")

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Scale data is not allowed here (DEMO_DATA_ALLOWED is false, as in production). "
                "Set DEMO_DATA_ALLOWED=true on a throwaway database."
            )
        password = options["password"] or os.environ.get("SEED_SCALE_PASSWORD")
        if not password:
            raise CommandError(
                "Give the password for the scale.test accounts with --password or SEED_SCALE_PASSWORD."
            )
        applicants, smes = options["applicants"], options["smes"]
        if applicants < 50:
            raise CommandError("--applicants must be at least 50.")
        if smes < 6:
            raise CommandError("--smes must be at least 6 (a tiebreak needs a third SME, round 2 a fourth).")
        started = time.perf_counter()
        builder = Builder(applicants=applicants, smes=smes, password=password, seed=options["seed"])
        # Notices written by the services go to .test addresses: keep them out of any real mailbox.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            try:
                manifest = builder.build()
            except DomainError as error:
                raise CommandError(str(error)) from None
        # Committed; with no Celery broker the certificate PDF was drawn in this process, at commit.
        builder.step("commit")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, so the first page views plan well
            builder.step("analyze")
        manifest["seconds"] = round(time.perf_counter() - started, 1)
        manifest["steps"] = {name: round(s, 2) for name, s in builder.steps.items()}
        if options["manifest"]:
            Path(options["manifest"]).write_text(json.dumps(manifest, indent=2) + "\n")
        self._summary(manifest)

    def _summary(self, m: dict) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Hiring action {m['action_id']} “{TITLE}”: {m['applicants']:,} applicants, {m['smes']} SMEs, "
                f"built in {m['seconds']} s."
            )
        )
        for status, n in m["counts"].items():
            self.stdout.write(f"  {Status(status).label:<55} {n:>7,}")
        self.stdout.write(
            f"  resume reviews {m['reviews']:,} ({m['tiebreaks']:,} tiebreaks); interviews {m['interviews']:,}; "
            f"certificate {m['certificate_number']} with {m['certificate_entries']:,} names"
        )
        self.stdout.write("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in m["steps"].items()))
        self.stdout.write(
            f"  sign in as {m['hr_email']}, {m['sme_email']}, {m['manager_email']} or {m['candidate_email']}"
        )


class Builder:
    """Plans every applicant's path in memory, then writes it in bulk. One instance per run."""

    def __init__(self, *, applicants: int, smes: int, password: str, seed: int) -> None:
        self.n, self.s, self.password = applicants, smes, password
        self.rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        self.steps: dict[str, float] = {}
        self._clock = time.perf_counter()

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = now - self._clock
        self._clock = now

    @transaction.atomic
    def build(self) -> dict:
        self._people()
        self.step("people")
        self._frame()
        self.step("action")
        self._plan()
        self._round_outcomes()
        self._place()
        self.step("plan")
        self._applications()
        self.step("applications")
        self._reviews()
        self.step("reviews")
        self._interviews()
        self.step("interviews")
        self._certificate()
        self.step("certificate")
        self._audit_rows()
        self.step("audit rows")
        self._stored_counts()
        self.step("stored counts")
        self._backdate()
        self.step("dates")
        return self._manifest()

    # --- people and the action's frame, through the services -------------------------------------

    def _people(self) -> None:
        self.agency, _ = Agency.objects.get_or_create(code=AGENCY[1], defaults={"name": AGENCY[0]})
        # One hash for every account: hashing 200 passwords one by one would take a minute.
        hashed = make_password(self.password)
        wanted = [
            (HR_EMAIL, "Harper Reyes", self.agency),
            (MANAGER_EMAIL, "Morgan Ellis", self.agency),
            (CANDIDATE_EMAIL, CANDIDATE_NAME, None),
        ] + [
            (f"sme{k:03d}@scale.test", f"{FIRST[k % len(FIRST)]} {LAST[(k * 7) % len(LAST)]}", self.agency)
            for k in range(1, self.s + 1)
        ]
        existing = {u.email: u for u in User.objects.filter(email__in=[w[0] for w in wanted])}
        User.objects.bulk_create(
            User(email=email, full_name=name, agency=agency, password=hashed)
            for email, name, agency in wanted
            if email not in existing
        )
        User.objects.filter(email__in=list(existing)).update(password=hashed)
        users = {u.email: u for u in User.objects.filter(email__in=[w[0] for w in wanted])}
        self.hr, self.manager = users[HR_EMAIL], users[MANAGER_EMAIL]
        self.candidate = users[CANDIDATE_EMAIL]
        self.smes = [users[f"sme{k:03d}@scale.test"] for k in range(1, self.s + 1)]
        AgencyRole.objects.get_or_create(agency=self.agency, user=self.hr, role=AgencyRole.Kind.HR)

    def _frame(self) -> None:
        """The action, its roles, job analysis and announcement, and its phases, through the services.
        The dates are moved into the past afterwards (_backdate): the services stamp today."""
        self.now = timezone.now()
        # Interviews from an earlier run hold these SMEs' hours: this action's happen before them.
        earlier = Interview.objects.filter(sme__in=self.smes, starts_at__isnull=False).aggregate(
            first=Min("starts_at")
        )["first"]
        end = self.now - timedelta(days=2)
        if earlier is not None:
            end = min(end, earlier - timedelta(days=3))
        self.end = end  # the certificate phase starts here
        action = services.hiring_action_create(
            agency=self.agency, actor=self.hr, title=TITLE, official_title="IT Specialist (SYSADMIN)",
            series="2210", grades=[13], full_performance_level=13, duty_locations=["Washington, DC"],
            vacancies=5, resume_page_limit=2, specialized_experience=SPECIALIZED,
        )  # fmt: skip
        services.action_role_grant(action=action, user=self.manager, role=Role.HIRING_MANAGER, actor=self.hr)
        for sme in self.smes:
            services.action_role_grant(action=action, user=sme, role=Role.SME, actor=self.hr)
        self.competencies = []
        for name, definition in COMPETENCIES:
            self.competencies.append(
                services.competency_save(
                    action_id=action.pk,
                    actor=self.hr,
                    name=name,
                    definition=definition,
                    required_levels={"13": "meets"},
                    level_descriptions={
                        "meets": f"Shows {name.lower()} independently on work typical of GS-13.",
                        "exceeds": f"Shows {name.lower()} on work of unusual scale, and guides others.",
                    },
                    screen_out=True,
                )
            )
        self.questions: dict[int, list] = {1: [], 2: []}
        for round_, text, covered in QUESTIONS:
            self.questions[round_].append(
                services.question_save(
                    action_id=action.pk,
                    actor=self.hr,
                    round=round_,
                    text=text,
                    competency_ids=[self.competencies[i].pk for i in covered],
                    follow_ups="What was your role, specifically?\nWhat was the result?",
                    probes="What would you do differently?",
                    benchmarks={
                        "meets": "A concrete example with their own actions and a result.",
                        "exceeds": "Also the trade-offs, the measured result, and how others adopted it.",
                    },
                )
            )
        action = services.job_analysis_finalize(action_id=action.pk, actor=self.hr)
        announcement = action.announcement
        announcement = services.announcement_update(
            announcement_id=announcement.pk, actor=self.hr, revision=announcement.revision, duties=DUTIES
        )
        self._timeline()
        services.announcement_publish(
            announcement_id=announcement.pk, actor=self.hr, opens_on=self.opens.date(),
            closes_on=self.closes.date(), application_cap=None,
        )  # fmt: skip
        for phase in (Phase.ANNOUNCEMENT, Phase.RESUME_REVIEW, Phase.ASSESSMENTS):
            action = services.hiring_action_advance_phase(
                action_id=action.pk, actor=self.hr, expected_phase=phase
            )
        self.action = action
        self.frame_event_ids = set(AuditEvent.objects.filter(action=action).values_list("pk", flat=True))

    def _timeline(self) -> None:
        """The phases' dates, working back from the start of the certificate phase (self.end). Each
        interview round lasts as many weekdays as its busiest interviewer needs at 3 a day: the
        assignment is balanced over a group of 60% of the SMEs, and about 9% of applicants move forward
        (with room for chance)."""
        self.tz = timezone.get_current_timezone()
        moved = math.ceil(self.n * 0.09 + 3 * math.sqrt(self.n)) + 2
        group = max(1, math.ceil(self.s * 0.6))
        self.round_days = max(5, math.ceil(moved / group / len(INTERVIEW_HOURS)) + 2)
        round2 = _weekdays_back(self.end.astimezone(self.tz).date() - timedelta(days=1), self.round_days)
        round1 = _weekdays_back(round2[0] - timedelta(days=2), self.round_days)
        self.round_dates = {1: round1, 2: round2}
        self.assessments = self._at(round1[0] - timedelta(days=3), 9)
        self.review_end = self.assessments - timedelta(hours=2)
        self.review_start = self.assessments - timedelta(days=8)
        self.closes = self._at(self.review_start.date() - timedelta(days=1), 0)
        self.opens = self.closes - timedelta(days=14)

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    # --- the plan: every applicant's path, in memory ----------------------------------------------

    def _plan(self) -> None:
        """Every applicant's name, claim, submission time, path and resume reviews (SMEs by index)."""
        self.group = {
            1: list(range(math.ceil(self.s * 0.6))),
            2: list(range(math.floor(self.s * 0.4), self.s)),
        }
        self._load = {1: Counter(), 2: Counter()}
        rng, s = self.rng, self.s
        self.people = []
        for n in range(self.n):
            p: dict[str, Any] = {
                "name": f"{rng.choice(FIRST)} {rng.choice(MIDDLE)}{rng.choice(LAST)}",
                "claim": rng.choice(CLAIMS),
                "submitted": self.opens + timedelta(seconds=rng.randrange(14 * 86_400)),
                "reviews": [],
                "recused": set(),
            }
            if n == 0:  # the candidate's own application: interviewed, scored (2, 2) and referred
                p.update(name=CANDIDATE_NAME, claim=merit.NV, path="qualified", scores=(2, 2))
            else:
                p["path"] = self._draw_path()
            if rng.random() < 0.003:  # an SME who knows the applicant recused, so was never assigned them
                p["recused"].add((2 * n + 3) % s)
            if p["path"] not in ("ineligible", "withdrawn_early"):
                moved = p["path"] != "dnmf"
                split = rng.random() < 0.22  # SMEQA pilots: 20-27% of pairs split
                final = MF if moved else DNMF
                other = DNMF if moved else MF
                first_two = (
                    ([final, other] if rng.random() < 0.5 else [other, final]) if split else [final, final]
                )
                p["reviews"] = [(1, (2 * n) % s, first_two[0]), (2, (2 * n + 1) % s, first_two[1])]
                if split:
                    p["reviews"].append((3, (2 * n + 2) % s, final))
            self.people.append(p)

    def _draw_path(self) -> str:
        """How far one applicant gets: ineligible, withdrawn before review, did not move forward after
        review, or moved forward (their interview rounds are drawn in _interview_path)."""
        r = self.rng.random()
        if r < 0.04:
            return "ineligible"
        if r < 0.055:
            return "withdrawn_early"
        if r >= 0.145:
            return "dnmf"
        return "moved"

    # --- writing ------------------------------------------------------------------------------------

    def _applications(self) -> None:
        rng, action = self.rng, self.action
        rows = []
        for n, p in enumerate(self.people):
            status = p["final"]
            ineligible = status == S.INELIGIBLE
            no_resume = ineligible and rng.random() < 0.5
            rows.append(
                (action.pk, self.candidate.pk if n == 0 else None, p["name"], status, p["submitted"],
                 p["changed"], not (ineligible and not no_resume), p["claim"],
                 rng.choice([True, True, False, None]), None if no_resume else rng.randint(1, 5),
                 "smeqa" if n == 0 else "usa_staffing", "" if n == 0 else str(40_000_000 + n), {}, 0)
            )  # fmt: skip
        self.ids = bulk_insert(
            Application,
            ["action_id", "candidate_id", "applicant_name", "status", "submitted_at", "status_changed_at",
             "citizenship_attested", "preference_claim", "sharing_opt_in", "resume_pages", "source",
             "external_number", "external_data", "review_signature"],
            rows,
        )  # fmt: skip

    def _round_outcomes(self) -> None:
        """Each applicant's status moves (with times) and final status; interviews for those who
        moved forward."""
        rng = self.rng
        self._slots: dict[tuple[int, int], list[datetime]] = {}
        for p in self.people:
            path = p["path"]
            p["moves"] = moves = [(S.RECEIVED, p["submitted"])]
            p["interviews"] = {}
            if path == "ineligible":
                moves.append((S.INELIGIBLE, self.review_start - timedelta(hours=3)))
            elif path == "withdrawn_early":
                withdrawn = p["submitted"] + timedelta(days=rng.randint(1, 10))
                moves.append((S.WITHDRAWN, min(withdrawn, self.review_start - timedelta(hours=6))))
            else:
                moves.append((S.IN_RESUME_REVIEW, self.review_start))
                moves.append((S.DID_NOT_MOVE_FORWARD if path == "dnmf" else S.MOVED_FORWARD, self.review_end))
                if path != "dnmf":
                    self._interview_path(p)
            p["final"], p["changed"] = moves[-1]

    def _next_slot(self, round_: int, sme: int) -> datetime:
        """The SME's next free hour in the round: 9:00, 11:00 or 14:00 on the round's weekdays, so no
        SME has more than 3 a day, two at once, or two back to back (rule 23)."""
        queue = self._slots.get((round_, sme))
        if queue is None:
            queue = self._slots[(round_, sme)] = [
                self._at(day, hour)
                for day in reversed(self.round_dates[round_])
                for hour in reversed(INTERVIEW_HOURS)
            ]
        if not queue:
            raise CommandError(
                f"Too few interview days for round {round_}; use more SMEs or fewer applicants."
            )
        return queue.pop()

    def _interview_path(self, p: dict) -> None:
        """Rounds 1 and 2 for one applicant who moved forward: the outcome, an interviewer (the least
        loaded of the round's group, never one who recused, and in round 2 never the round-1
        interviewer: rules 21, 24) and the times. Stops at the first round that ends their path."""
        rng, moves = self.rng, p["moves"]
        moves.append((S.IN_ROUND_1, self.assessments))
        forced = p.get("scores")
        assigned = self.assessments
        for round_ in (1, 2):
            r = rng.random()
            if forced:
                kind, score = "accepted", forced[round_ - 1]
            elif r < 0.01:
                kind, score = "withdrawn_invited", None
            elif r < 0.02:
                kind, score = "withdrawn_scheduled", None
            elif r < 0.035:
                kind, score = "no_show", None
            elif r < 0.07:
                kind, score = "no_response", None
            elif r < (0.35 if round_ == 1 else 0.31):
                kind, score = "accepted", 0
            else:
                kind, score = "accepted", 2 if rng.random() < 0.45 else 1
            excluded = p["recused"] | {i["sme"] for i in p["interviews"].values()}
            sme = min(
                (k for k in self.group[round_] if k not in excluded), key=lambda k: (self._load[round_][k], k)
            )
            self._load[round_][sme] += 1
            invited = assigned + timedelta(hours=1)
            respond_by = invited + timedelta(days=2)
            start = (
                self._next_slot(round_, sme)
                if kind in ("accepted", "no_show", "withdrawn_scheduled")
                else None
            )
            decided = start + timedelta(days=1) if start else respond_by + timedelta(hours=2)
            p["interviews"][round_] = {
                "sme": sme, "kind": kind, "score": score, "start": start, "assigned": assigned,
                "invited": invited, "respond_by": respond_by, "decided": decided,
            }  # fmt: skip
            if kind == "withdrawn_invited":
                moves.append((S.WITHDRAWN, invited + timedelta(days=1)))
                return
            if kind == "withdrawn_scheduled":
                moves.append((S.WITHDRAWN, max(invited + timedelta(hours=2), start - timedelta(hours=20))))
                return
            if kind in ("no_show", "no_response"):
                moves.append((S.NO_RESPONSE, decided))
                return
            if score == 0:
                moves.append((S.FAILED_ASSESSMENT, decided))
                return
            moves.append((S.IN_ROUND_2 if round_ == 1 else S.QUALIFIED, decided))
            assigned = decided  # round 2 is assigned as the round-1 sheet is accepted (rolling start)
        p["scores"] = (p["interviews"][1]["score"], p["interviews"][2]["score"])

    def _reviews(self) -> None:
        rng, comps = self.rng, [c.pk for c in self.competencies]
        rows, recusals, self.review_count, self.tiebreaks = [], [], 0, 0
        for n, p in enumerate(self.people):
            pk = self.ids[n]
            for sme in p["recused"]:
                recusals.append(
                    (pk, self.smes[sme].pk, "personal", "", self.review_start + timedelta(hours=1))
                )
            if p["path"] in ("ineligible", "withdrawn_early"):
                continue
            done_at = self.review_start
            for slot, sme, decision in p["reviews"]:
                assigned = self.review_start + timedelta(minutes=rng.randrange(60)) if slot < 3 else done_at
                submitted = assigned + timedelta(minutes=rng.randrange(30, 3 * 24 * 60))
                submitted = min(submitted, self.review_end - timedelta(hours=6))
                done_at = max(done_at, submitted)
                ratings = {str(c): scoring.MEETS for c in comps}
                justification, experience = "", True
                if decision == DNMF:
                    if rng.random() < 0.25:
                        experience = False
                        justification = (
                            "The resume does not show 52 weeks of specialized experience at GS-12."
                        )
                    else:
                        missing = rng.randrange(len(comps))
                        ratings[str(comps[missing])] = scoring.NOT_MET
                        justification = (
                            f"The resume does not show {COMPETENCIES[missing][0].lower()} at the GS-13 level."
                        )
                accepted = submitted + timedelta(minutes=rng.randrange(30, 6 * 60))
                rows.append(
                    (
                        pk,
                        self.action.pk,
                        self.smes[sme].pk,
                        slot,
                        ResumeReview.State.ACCEPTED,
                        ratings,
                        experience,
                        None,
                        decision,
                        justification,
                        "",
                        3,
                        assigned,
                        submitted,
                        submitted,
                        accepted,
                        self.hr.pk,
                    )
                )
                self.tiebreaks += slot == 3
        self.review_count = len(rows)
        bulk_insert(
            ResumeReview,
            ["application_id", "action_id", "sme_id", "slot", "state", "ratings", "experience_met", "recency_met",
             "decision", "justification", "hr_note", "version", "assigned_at", "saved_at", "submitted_at",
             "accepted_at", "accepted_by_id"],
            rows,
        )  # fmt: skip
        bulk_insert(Recusal, ["application_id", "sme_id", "reason", "note", "created_at"], recusals)
        ConflictCheck.objects.bulk_create(
            ConflictCheck(action=self.action, sme=sme, completed_at=self.review_start - timedelta(hours=2))
            for sme in self.smes
        )

    def _interviews(self) -> None:
        IV = Interview.State
        rng, action = self.rng, self.action
        covered = {r: sorted({c.pk for q in self.questions[r] for c in q.competencies.all()}) for r in (1, 2)}
        notes = {r: {str(q.pk): "Gave a specific example: the situation, their own actions and the result."
                     for q in self.questions[r]} for r in (1, 2)}  # fmt: skip
        rows, busy = [], set()
        for n, p in enumerate(self.people):
            for round_, i in sorted(p["interviews"].items()):
                kind, score, start = i["kind"], i["score"], i["start"]
                ratings, sheet_notes, analysis, submitted, decided, no_show = {}, {}, "", None, None, False
                if kind == "accepted":
                    state, version = IV.ACCEPTED, 5  # invited, booked, submitted, accepted
                    ratings, sheet_notes = _ratings(covered[round_], score, rng), notes[round_]
                    analysis = (
                        "The answers showed each competency at the level the job requires, with examples."
                    )
                    submitted, decided = start + timedelta(hours=2), i["decided"]
                elif kind == "no_show":
                    state, version, no_show, analysis = IV.NO_RESPONSE, 5, True, "No-show."
                    submitted, decided = start + timedelta(minutes=20), i["decided"]
                elif kind == "no_response":
                    state, version, decided = IV.NO_RESPONSE, 3, i["decided"]
                elif kind == "withdrawn_scheduled":  # the candidate withdrew; the booking stays as it was
                    state, version = IV.SCHEDULED, 3
                else:
                    state, version = IV.INVITED, 2
                if start is not None:
                    key = (self.smes[i["sme"]].pk, start)
                    assert key not in busy, key  # one interview per SME per hour, by construction
                    busy.add(key)
                rows.append(
                    (
                        self.ids[n],
                        action.pk,
                        round_,
                        self.smes[i["sme"]].pk,
                        state,
                        version,
                        i["assigned"],
                        uuid.uuid4(),
                        i["invited"],
                        i["respond_by"],
                        None,
                        start,
                        1 if start else 0,
                        sheet_notes,
                        ratings,
                        analysis,
                        no_show,
                        score if kind == "accepted" else None,
                        submitted,
                        submitted,
                        "",
                        decided,
                    )
                )
        self.interview_count = len(rows)
        self.interview_ids = bulk_insert(
            Interview,
            ["application_id", "action_id", "round", "sme_id", "state", "version", "assigned_at", "token",
             "invited_at", "respond_by", "reminded_at", "starts_at", "calendar_sequence", "notes", "ratings",
             "analysis", "no_show", "score", "saved_at", "submitted_at", "hr_note", "decided_at"],
            rows,
        )  # fmt: skip
        self.interview_rows = rows
        InterviewerSeat.objects.bulk_create(
            InterviewerSeat(action=action, round=r, sme=self.smes[k]) for r in (1, 2) for k in self.group[r]
        )
        # Each interviewer published a window on every day they interviewed, and a few days ahead.
        days = {(row[3], row[11].astimezone(self.tz).date()) for row in rows if row[11] is not None}
        ahead = _weekdays_forward(timezone.localdate() + timedelta(days=1), 3)
        days |= {(self.smes[k].pk, day) for r in (1, 2) for k in self.group[r] for day in ahead}
        Availability.objects.bulk_create(
            (
                Availability(action=action, sme_id=sme_id, starts_at=self._at(day, 9), ends_at=self._at(day, 17),
                             created_at=self.assessments - timedelta(days=1))
                for sme_id, day in sorted(days)
            ),
            batch_size=CHUNK,
        )  # fmt: skip

    def _place(self) -> None:
        """Adjudicate every qualified claimant and place everyone qualified with certificates.rules,
        as certificate_issue does (rules 29-35, 39-40): the listed are referred, the rest not referred."""
        rng, action = self.rng, self.action
        eligibles = []
        for n, p in enumerate(self.people):
            if p["final"] != S.QUALIFIED:
                continue
            preference = p["claim"]
            if preference != merit.NV:
                if rng.random() < 0.1:
                    preference = merit.NV  # no proof of eligibility came in
                p["adjudicated"] = preference
                p["tentative"] = preference == merit.TP and rng.random() < 0.1
            eligibles.append(merit.Eligible(n, p["name"], merit.final_score(p["scores"]), preference))
        placed = merit.place(
            eligibles, best_min=action.best_qualified_min, well_min=action.well_qualified_min,
            qualified_min=action.qualified_min, scientific_professional=action.scientific_professional,
            grade=min(action.grades),
        )  # fmt: skip
        self.listed = merit.certificate_list(placed)
        referred = {e.key for e in self.listed.names}
        for n, p in enumerate(self.people):
            if p["final"] == S.QUALIFIED:
                p["final"] = S.REFERRED if n in referred else S.NOT_REFERRED
                p["moves"].append((p["final"], self.end))
                p["changed"] = self.end

    def _certificate(self) -> None:
        """The adjudications, the certificate and its names in placement order; its PDF is drawn after
        commit, as certificate_issue queues it."""
        rng, action, listed = self.rng, self.action, self.listed
        adjudicated_at = self.end - timedelta(days=1)
        adjudications = []
        for n, p in enumerate(self.people):
            if "adjudicated" not in p:
                continue
            preference, tentative = p["adjudicated"], p["tentative"]
            percent = None
            if preference == merit.CPS:
                percent = rng.choice([30, 40, 50, 70, 100])
            elif preference == merit.CP:
                percent = rng.choice([10, 20])
            adjudications.append(
                (self.ids[n], preference, ["active_duty"] if tentative else PROOF.get(p["claim"], []), percent,
                 tentative, "" if preference == p["claim"] else "No proof of the claimed preference was received.",
                 self.hr.pk, adjudicated_at)
            )  # fmt: skip
        bulk_insert(
            Adjudication,
            ["application_id", "preference", "documents", "disability_percent", "tentative", "note",
             "adjudicated_by_id", "adjudicated_at"],
            adjudications,
        )  # fmt: skip
        self.adjudications = len(adjudications)
        issued_on = self.end.astimezone(self.tz).date()
        self.certificate = Certificate.objects.create(
            action=action, number=f"{self.agency.code}-{issued_on:%Y}-{action.pk:04d}-01", agency=self.agency,
            title=action.official_title or action.title, series=action.series, pay_plan=action.pay_plan,
            grade=min(action.grades), full_performance_level=action.full_performance_level,
            duty_location=action.duty_locations[0], appointment_type=action.appointment_type,
            categories=listed.categories, merged=listed.merged, issued_by=self.hr, issued_on=issued_on,
            return_by=timezone.localdate() + timedelta(days=30), created_at=self.end,
        )  # fmt: skip
        bulk_insert(
            Entry,
            ["certificate_id", "application_id", "rank", "name", "preference", "tentative", "score", "category",
             "earned_category", "why"],
            [
                (self.certificate.pk, self.ids[e.key], rank, e.name, e.preference,
                 self.people[e.key].get("tentative", False), e.score, e.category, e.earned, e.why)
                for rank, e in enumerate(listed.names, start=1)
            ],
        )  # fmt: skip
        self.entries = len(listed.names)
        from certificates.tasks import certificate_pdf_render_soon

        pk = self.certificate.pk
        transaction.on_commit(lambda: certificate_pdf_render_soon(pk))

    def _audit_rows(self) -> None:
        """One audit row per status move of every application, as application_transition writes them;
        the candidate's own application also gets its notices (the status page's timeline). Bulk
        applicants have no account, so they are not notified here (as for USA Staffing imports).
        The reviews and interviews get one row each saying they were loaded in bulk."""
        action, hr = self.action, self.hr
        rows, candidate_events = [], []
        for n, p in enumerate(self.people):
            previous = ""
            for status, at in p["moves"]:
                move = move_for(previous, status) if previous else None
                role = Actor.HR if (move is None or Actor.HR in move.actors) else Actor.SYSTEM
                reason = "Imported from USA Staffing." if not previous and n else "Scale data (seed_scale)."
                rows.append((at, hr.pk, role, AuditEvent.Subject.APPLICATION, action.pk, self.ids[n],
                             previous, status, reason))  # fmt: skip
                if n == 0:
                    candidate_events.append((len(rows) - 1, previous, status, at))
                previous = status
        ids = bulk_insert(
            AuditEvent,
            ["created_at", "actor_id", "actor_role", "subject", "action_id", "application_id", "from_state",
             "to_state", "reason"],
            rows,
        )  # fmt: skip
        categories = " + ".join(merit.CATEGORY_LABELS[c] for c in self.certificate.categories)
        summaries = [
            (self.review_end, AuditEvent.Subject.RESUME_REVIEW,
             f"Scale data (seed_scale): {self.review_count:,} resume reviews loaded in bulk, all accepted."),
            (self.end, AuditEvent.Subject.INTERVIEW,
             f"Scale data (seed_scale): {self.interview_count:,} interviews loaded in bulk."),
            (self.end, AuditEvent.Subject.CERTIFICATE,
             f"Certificate {self.certificate.number} issued: {self.entries} name(s), {categories}"
             f"{' (merged)' if self.certificate.merged else ''}."),
        ]  # fmt: skip
        AuditEvent.objects.bulk_create(
            AuditEvent(
                created_at=at, actor=hr, actor_role=Actor.HR, subject=subject, action=action, reason=reason
            )
            for at, subject, reason in summaries
        )
        application = Application.objects.select_related("action", "candidate").get(pk=self.ids[0])
        for index, previous, status, at in candidate_events:
            move = move_for(previous, status) if previous else None
            code = move.notice_code if move and move.notice_code else ""
            context = {
                "application": application,
                "action": action,
                "candidate": self.candidate,
                "code": code,
            }
            Notice.objects.create(
                application=application, event_id=ids[index], code=code,
                subject=render_to_string(f"hiring/notices/{status}_subject.txt", context).strip(),
                body=render_to_string(f"hiring/notices/{status}.txt", context).strip(),
                created_at=at, delivery=Notice.Delivery.SENT, sent_at=at,
            )  # fmt: skip

    def _stored_counts(self) -> None:
        """What the review services keep on each application and per SME, computed once for the load."""
        with connection.cursor() as cursor:
            cursor.execute(*signature_update_sql(action_id=self.action.pk))
        review_loads_rebuild(action_id=self.action.pk)

    def _backdate(self) -> None:
        """The services stamped today on the frame; move it to the timeline the bulk data follows."""
        action = self.action
        phase_at = {Phase.ANNOUNCEMENT: self.opens - timedelta(days=2), Phase.RESUME_REVIEW: self.review_start,
                    Phase.ASSESSMENTS: self.assessments, Phase.CERTIFICATE: self.end}  # fmt: skip
        frame = AuditEvent.objects.filter(pk__in=self.frame_event_ids)
        frame.update(created_at=self.opens - timedelta(days=20))
        for phase, at in phase_at.items():
            frame.filter(subject=AuditEvent.Subject.HIRING_ACTION, to_state=phase).update(created_at=at)
        frame.filter(subject=AuditEvent.Subject.ANNOUNCEMENT, to_state="published").update(
            created_at=self.opens
        )
        frame.filter(subject=AuditEvent.Subject.ANNOUNCEMENT, to_state="closed").update(
            created_at=self.review_start
        )
        HiringAction.objects.filter(pk=action.pk).update(
            phase_changed_at=self.end, job_analysis_finalized_at=self.opens - timedelta(days=3)
        )
        JobAnalysisVersion.objects.filter(action=action).update(finalized_at=self.opens - timedelta(days=3))
        Announcement.objects.filter(action=action).update(
            published_at=self.opens, closed_at=self.review_start, updated_at=self.opens
        )
        action.refresh_from_db()

    # --- the manifest -------------------------------------------------------------------------------

    def _manifest(self) -> dict:
        counts = Counter(p["final"] for p in self.people)
        both = [k for k in self.group[1] if k in set(self.group[2])]
        busiest = Counter(row[3] for row in self.interview_rows)
        sme_index = max(both, key=lambda k: (busiest[self.smes[k].pk], -k)) if both else self.group[1][0]
        sme = self.smes[sme_index]
        interview_id = next(
            pk for pk, row in zip(self.interview_ids, self.interview_rows, strict=True)
            if row[3] == sme.pk and row[4] == Interview.State.ACCEPTED
        )  # fmt: skip
        return {
            "action_id": self.action.pk,
            "hr_email": HR_EMAIL,
            "sme_email": sme.email,
            "manager_email": MANAGER_EMAIL,
            "candidate_email": CANDIDATE_EMAIL,
            "candidate_application_id": self.ids[0],
            "certificate_id": self.certificate.pk,
            "certificate_number": self.certificate.number,
            "certificate_entries": self.entries,
            "interview_id": interview_id,
            "applicants": self.n,
            "smes": self.s,
            "counts": {status.value: counts[status] for status in Status if counts[status]},
            "reviews": self.review_count,
            "tiebreaks": self.tiebreaks,
            "interviews": self.interview_count,
        }


def _ratings(competency_ids: Sequence[int], score: int, rng: random.Random) -> dict[str, str]:
    """Competency ratings whose round score (assessments.rules.round_score) is `score`."""
    ratings = {str(c): scoring.MEETS for c in competency_ids}
    if score == 0:
        ratings[str(rng.choice(competency_ids))] = scoring.DOES_NOT_MEET
    elif score == 2:
        ratings[str(rng.choice(competency_ids))] = scoring.EXCEEDS
    assert scoring.round_score(ratings, competency_ids) == score
    return ratings


def _weekdays_back(last: date, count: int) -> list[date]:
    """`count` weekdays ending on or before `last`, oldest first."""
    days, day = [], last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def _weekdays_forward(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def bulk_insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> list[int]:
    """smeqa.bulk.insert_rows for rows given as tuples in `columns` order (by attname)."""
    return insert_rows(model, [dict(zip(columns, row, strict=True)) for row in rows])
