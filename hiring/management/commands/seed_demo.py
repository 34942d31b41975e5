"""Demo data for `make run`: the demo sign-ins and hiring actions in several phases.

Runs through the real services, so every status has its audit rows and candidate notices. Safe to
run again: it changes nothing when the demo action already exists (passwords are reset).
"""

import os
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from hiring import services
from hiring.models import Agency, AgencyRole, HiringAction, Role, User
from hiring.workflow import Actor, Phase, Status, move_for, phase_allows

from ._demo_pool import seed_open_pool, seed_pooled_action

DEFAULT_PASSWORD = "smeqa-demo-2026"  # noqa: S105 (demo only; seed_demo refuses in production)
DEMO_ACTION_TITLE = "Product Manager"
SENIOR_TITLE = "Senior Product Manager"

# (email, name, on staff?)
STAFF = [
    ("hr@demo.test", "Harriet Ruiz"),
    ("sme1@demo.test", "Samuel Mensah"),
    ("sme2@demo.test", "Sofia Marchetti"),
    ("sme3@demo.test", "Sean Park"),
    ("sme4@demo.test", "Simone Estrada"),
    ("manager@demo.test", "Maya Nakamura"),
]
CANDIDATE = ("candidate@demo.test", "Casey Nguyen")
# The other agencies of the pooled action (issue 10; docs/adr/0015-pooled-hiring.md): code, name, and
# their hiring manager's sign-in. The lead agency (Department of Demonstration) takes part too.
POOL_AGENCIES = [
    ("DOI", "Department of the Interior", "manager2@demo.test", "Marcus Bell", "Denver, CO"),
    ("DOE", "Department of Energy", "manager3@demo.test", "Mina Okafor", "Remote"),
]
# Other applicants: they exist to fill the demo, and cannot sign in (unusable passwords).
APPLICANTS = [
    "Avery Johnson",
    "Blake Thompson",
    "Carmen Diaz",
    "Devon Walker",
    "Elena Petrova",
    "Farid Haddad",
    "Grace O'Neill",
    "Hiro Tanaka",
    "Imani Brooks",
    "Jonah Feldman",
    "Keisha Moore",
]
# Where each demo applicant ends up on the Product Manager action, by path through the workflow.
PATH_TO = {
    "ineligible": [Status.INELIGIBLE],
    "dnmf": [Status.IN_RESUME_REVIEW, Status.DID_NOT_MOVE_FORWARD],
    "round1": [Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD, Status.IN_ROUND_1],
    "failed": [
        Status.IN_RESUME_REVIEW,
        Status.MOVED_FORWARD,
        Status.IN_ROUND_1,
        Status.FAILED_ASSESSMENT,
    ],
    "round2": [Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD, Status.IN_ROUND_1, Status.IN_ROUND_2],
    "qualified": [
        Status.IN_RESUME_REVIEW,
        Status.MOVED_FORWARD,
        Status.IN_ROUND_1,
        Status.IN_ROUND_2,
        Status.QUALIFIED,
    ],
}
APPLICANT_PATHS = [
    "ineligible",
    "dnmf",
    "dnmf",
    "dnmf",
    "round1",
    "round1",
    "failed",
    "round2",
    "qualified",
    "qualified",
    "dnmf",
]


SPECIALIZED = {
    "Product Manager": (
        "One year (52 weeks) of specialized experience equivalent to GS-12: leading the discovery, "
        "prioritization and delivery of a digital product with a multidisciplinary team."
    ),
    SENIOR_TITLE: (
        "One year (52 weeks) of specialized experience equivalent to GS-13: owning a digital product's "
        "strategy and roadmap across several teams."
    ),
    "Contract Specialist": (
        "One year (52 weeks) of specialized experience equivalent to GS-7: preparing solicitations and "
        "awarding or administering federal contracts under the FAR."
    ),
    "UX Designer": (
        "One year (52 weeks) of specialized experience equivalent to GS-12: designing and testing digital "
        "services with the people who use them."
    ),
    "Data Scientist": "One year (52 weeks) of specialized experience equivalent to GS-13 in applied data science.",
}
PRODUCT_COMPETENCIES = [
    ("Product strategy", "Sets a product vision from user and mission needs and turns it into a roadmap."),
    ("User research", "Plans and uses research with real users to decide what to build and why."),
    ("Delivery", "Leads a team to ship working software in small, frequent releases."),
    ("Stakeholder management", "Builds agreement among leaders, policy staff and vendors, and keeps it."),
    ("Technical fluency", "Understands modern software practice well enough to make sound trade-offs."),
]
PRODUCT_QUESTIONS = [
    (
        1,
        "Tell us about a product decision you made based on research with users.",
        ["User research", "Product strategy"],
    ),
    (1, "Describe how you planned and shipped a release with your team.", ["Delivery", "Technical fluency"]),
    (1, "Tell us about a time you had to bring a reluctant stakeholder along.", ["Stakeholder management"]),
    (
        2,
        "Walk us through a roadmap you built and how you changed it.",
        ["Product strategy", "Stakeholder management"],
    ),
    (2, "Describe a technical trade-off you made and how you decided.", ["Technical fluency", "Delivery"]),
    (2, "How did you measure whether a feature worked for users?", ["User research"]),
]
PRODUCT_DUTIES = (
    "Lead a product team serving the public.\nSet the roadmap with users, policy staff and engineers."
    "\nMeasure outcomes and report them to leadership."
)
UX_QUESTIONS = [
    (1, "Tell us about research that changed what your team built.", ["Product strategy", "User research"]),
    (1, "How do you make sure a design is accessible?", ["Technical fluency"]),
]
CONTRACT_COMPETENCIES = [
    ("Acquisition planning", "Plans acquisitions that meet the need, the budget and the schedule."),
    ("Contract formation", "Prepares solicitations and evaluates offers under the FAR."),
    ("Contract administration", "Manages awarded contracts, modifications and performance."),
    ("Communication", "Explains contracting rules clearly to program staff and vendors."),
]
CONTRACT_QUESTIONS = [
    (
        1,
        "Describe a solicitation you prepared from start to award.",
        ["Acquisition planning", "Contract formation"],
    ),
    (1, "Tell us about a contract modification you handled.", ["Contract administration", "Communication"]),
]
CONTRACT_DUTIES = "Prepare solicitations.\nEvaluate offers.\nAdminister awarded contracts."
DATA_COMPETENCIES = [
    ("Statistical modeling", "Builds and validates statistical models that answer mission questions."),
    ("Data engineering", "Builds reliable pipelines that make data usable for analysis."),
]


class Command(BaseCommand):
    help = (
        "Create the demo sign-ins and hiring actions (idempotent). Refused where DEMO_DATA_ALLOWED is false."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is not allowed here (DEMO_DATA_ALLOWED is false, as in production)."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        # Demo notices go to .test addresses: keep them out of the console and any real mailbox.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            created = self._seed(password)
        self.stdout.write(
            self.style.SUCCESS("Demo data created." if created else "Demo data already present.")
        )
        self.stdout.write(f"Demo sign-ins (password: {password}):")
        for email, *_ in [*STAFF, *((a[2],) for a in POOL_AGENCIES), CANDIDATE]:
            self.stdout.write(f"  {email}")

    @transaction.atomic
    def _seed(self, password: str) -> bool:
        agency, _ = Agency.objects.get_or_create(
            code="DEMO", defaults={"name": "Department of Demonstration"}
        )
        people = {}
        for email, name in STAFF:
            people[email] = self._user(email, name, password, agency=agency)
        pool_agencies = []
        for code, name, email, person, location in POOL_AGENCIES:
            other, _ = Agency.objects.get_or_create(code=code, defaults={"name": name})
            pool_agencies.append((other, self._user(email, person, password, agency=other), location))
        candidate = self._user(*CANDIDATE, password, agency=None)
        if HiringAction.objects.filter(agency=agency, title=DEMO_ACTION_TITLE).exists():
            return False
        hr, manager = people["hr@demo.test"], people["manager@demo.test"]
        AgencyRole.objects.get_or_create(agency=agency, user=hr, role=AgencyRole.Kind.HR)
        smes = [people[f"sme{i}@demo.test"] for i in range(1, 5)]
        applicants = [
            self._user(f"applicant{i:02d}@demo.test", name, None, agency=None)
            for i, name in enumerate(APPLICANTS, 1)
        ]

        product = self._action(
            agency, hr, manager, smes, DEMO_ACTION_TITLE, "2210", "GS-13", "Washington, DC", 5
        )
        self._job_analysis(product, hr, PRODUCT_COMPETENCIES, PRODUCT_QUESTIONS)
        product = services.job_analysis_finalize(action_id=product.pk, actor=hr)
        self._publish(product, hr, PRODUCT_DUTIES)
        applications = [
            services.application_submit(action=product, candidate=c) for c in [candidate, *applicants]
        ]
        paths = [PATH_TO["round2"], *(PATH_TO[name] for name in APPLICANT_PATHS)]
        product = self._advance(product, hr, to=Phase.RESUME_REVIEW)
        for application, path in zip(applications, paths, strict=True):
            self._walk(application, hr, [s for s in path if phase_allows(s, Phase.RESUME_REVIEW)])
        product = self._advance(product, hr, to=Phase.ASSESSMENTS)
        outcomes = {a.pk: path[-1] for a, path in zip(applications, paths, strict=True)}
        self._interviews(product, hr, smes, outcomes)

        # An announcement open now, so a candidate can apply in the demo.
        contract = self._action(
            agency, hr, manager, smes[2:], "Contract Specialist", "1102", "GS-9", "Kansas City, MO", 10
        )
        self._job_analysis(contract, hr, CONTRACT_COMPETENCIES, CONTRACT_QUESTIONS)
        contract = services.job_analysis_finalize(action_id=contract.pk, actor=hr)
        self._publish(contract, hr, CONTRACT_DUTIES)

        # An action in resume review: SMEs have checked conflicts, reviews are under way, one split.
        self._resume_review_action(agency, hr, manager, smes, [candidate, *applicants[:6]])

        # An action at the certificate phase: a certificate issued to the hiring manager for selections.
        self._certificate_action(agency, hr, manager, smes, [candidate, *applicants[5:10]])

        # A pooled action: three agencies, three grades, each with its own vacancies and hiring manager;
        # the demo candidate chose where they would work; certificates issued, one selection made.
        seed_pooled_action(self, agency, hr, manager, smes, pool_agencies, [candidate, *applicants[:4]])
        # Another pooled action, open now, so a candidate can apply choosing agencies and a lowest grade.
        seed_open_pool(self, agency, hr, manager, pool_agencies)

        # An action still in its job analysis workshop, so each role sees more than one phase.
        data = self._action(agency, hr, manager, smes[:2], "Data Scientist", "1560", "GS-14", "Denver, CO", 3)
        self._job_analysis(data, hr, DATA_COMPETENCIES[:2], [])
        services.comment_add(
            action=data,
            actor=smes[0],
            topic="job_analysis",
            body="Should “Statistical modeling” require Expert at GS-14? Our GS-14s lead model reviews.",
        )
        return True

    def _resume_review_action(self, agency, hr, manager, smes, people) -> None:
        from django.core.files.base import ContentFile

        from assessments import rules
        from assessments import services as assessments

        from ._demo_resumes import resume_pdf

        action = self._action(agency, hr, manager, smes, "UX Designer", "1560", "GS-13", "Remote", 3)
        self._job_analysis(action, hr, PRODUCT_COMPETENCIES[:2] + PRODUCT_COMPETENCIES[4:], UX_QUESTIONS)
        action = services.job_analysis_finalize(action_id=action.pk, actor=hr)
        self._publish(action, hr, "Design services with the public.\nRun research.\nWork with engineers.")
        for person in people:
            draft, refused = services.application_draft_save(
                action=action,
                candidate=person,
                data={},
                uploads={"resume": ContentFile(resume_pdf(person.full_name), name="resume.pdf")},
            )
            assert not refused, refused
            services.application_submit(action=action, candidate=person, sharing_opt_in=True, draft=draft)
        action = self._advance(action, hr, to=Phase.RESUME_REVIEW)
        applications = list(action.applications.order_by("pk"))
        for sme in smes:
            recusals = {applications[-1].pk: ("personal", "")} if sme == smes[3] else {}
            assessments.conflict_check_complete(action_id=action.pk, sme=sme, recusals=recusals)
        services.screening_release(action_id=action.pk, actor=hr)
        competency_ids = list(action.competencies.values_list("pk", flat=True))
        # Everyone but SME 1 works through their queue; one applicant both of whose reviewers are
        # done splits, and awaits a tiebreak.
        with_sme1 = set(action.resume_reviews.filter(sme=smes[0]).values_list("application_id", flat=True))
        split = next(a.pk for a in applications if a.pk not in with_sme1)
        for review in action.resume_reviews.exclude(sme=smes[0]).select_related("application").order_by("pk"):
            fails = review.application_id == split and review.slot == 2
            ratings = {str(pk): rules.MEETS for pk in competency_ids}
            if fails:
                ratings[str(competency_ids[0])] = rules.NOT_MET
            assessments.resume_review_save(
                review_id=review.pk, sme=review.sme, version=review.version, ratings=ratings,
                experience_met=True, recency_met=None, submit=True,
                justification="No product strategy at the GS-13 level is shown." if fails else "",
            )  # fmt: skip

    def _interviews(self, action, hr, smes, outcomes: dict[int, Status]) -> None:
        """Run the Product Manager's interviews through the real services: everyone who moved forward
        is assigned and invited; those whose demo path goes further are booked, interviewed, scored and
        accepted. Booked hours are then moved into last week, since the demo's interviews "happened"
        before today (the services only take future times). The demo candidate is invited to round 2
        and can choose a time from their status page."""
        from assessments import interviews, rules
        from assessments.models import Interview

        for round_, members in ((1, smes[:2]), (2, smes[2:])):
            for sme in members:
                interviews.interviewer_seat_add(action_id=action.pk, hr=hr, round=round_, sme_id=sme.pk)
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        for sme in smes:
            for day in range(4):
                begins = start + timedelta(days=day)
                interviews.availability_add(
                    action_id=action.pk, sme=sme, starts_at=begins, ends_at=begins + timedelta(hours=8)
                )
        respond_by = start + timedelta(days=2, hours=8)
        self._past = start - timedelta(days=15, hours=-1)  # 10 a.m., two weeks ago
        hold = self._hold

        passing = [rules.MEETS, rules.EXCEEDS, rules.MEETS, rules.MEETS, rules.MEETS]
        failing = [rules.DOES_NOT_MEET, *passing[1:]]
        interviews.interviews_assign(action_id=action.pk, round=1, actor=hr)
        interviews.invitations_send(action_id=action.pk, round=1, hr=hr, respond_by=respond_by)
        round_1 = Interview.objects.filter(action=action, round=1).order_by("pk")
        waiting = [i for i in round_1 if outcomes[i.application_id] == Status.IN_ROUND_1]
        for interview in round_1:
            outcome = outcomes[interview.application_id]
            if outcome == Status.FAILED_ASSESSMENT:
                hold(interview, failing)
            elif outcome in (Status.IN_ROUND_2, Status.QUALIFIED):
                hold(interview, passing)
        if waiting:  # one round-1 candidate has chosen a time; the other is still choosing
            interview = waiting[0]
            interview.refresh_from_db()
            interviews.interview_book(
                interview_id=interview.pk, starts_at=interviews.offered_slots(interview)[0],
                version=interview.version, actor=None, by_hr=False,
            )  # fmt: skip
        interviews.invitations_send(action_id=action.pk, round=2, hr=hr, respond_by=respond_by)
        for interview in Interview.objects.filter(action=action, round=2).order_by("pk"):
            if outcomes[interview.application_id] == Status.QUALIFIED:
                hold(interview, passing)

    def _hold(self, interview, ratings: list[str], hr=None) -> None:
        """Book the first open hour, move it into the past (the demo's interviews "happened" earlier: the
        services only take future times), then write, submit and accept the sheet through the services."""
        from assessments import interviews
        from assessments.models import Interview

        hr = hr or interview.action.roles.get(role=Role.HR).user
        interview.refresh_from_db()
        slot = interviews.offered_slots(interview)[0]
        interview = interviews.interview_book(
            interview_id=interview.pk, starts_at=slot, version=interview.version, actor=None, by_hr=False
        )
        self._past += timedelta(days=1)
        Interview.objects.filter(pk=interview.pk).update(starts_at=self._past)
        questions, competencies = interviews.sheet_parts(interview)
        interviews.sheet_save(
            interview_id=interview.pk, sme=interview.sme,
            notes={str(q.pk): "Described a concrete example with the team, the decision and the result." for q in questions},
            ratings={str(cid): r for cid, r in zip(competencies, ratings, strict=False)},
            analysis="The answers showed each competency at the level the job requires, with specific examples.",
        )  # fmt: skip
        interview.refresh_from_db()
        interviews.sheet_submit(interview_id=interview.pk, sme=interview.sme, version=interview.version)
        interview.refresh_from_db()
        interviews.sheet_accept(interview_id=interview.pk, hr=hr, version=interview.version)

    def _certificate_action(self, agency, hr, manager, smes, people) -> None:
        """An action at the certificate phase: interviews scored through the services, preference
        adjudicated, and a certificate issued to the hiring manager, waiting for selections."""
        from certificates import services as certificates

        action = self._action(
            agency, hr, manager, smes[:2], SENIOR_TITLE, "2210", "GS-14", "Washington, DC", 2
        )
        self._job_analysis(action, hr, PRODUCT_COMPETENCIES, PRODUCT_QUESTIONS)
        action = services.job_analysis_finalize(action_id=action.pk, actor=hr)
        self._publish(action, hr, PRODUCT_DUTIES)
        claims = ["NV", "TP", "CPS", "NV", "NV", "NV"]
        applications = [
            services.application_submit(
                action=action, candidate=person, preference_claim=claim, sharing_opt_in=i != 3
            )
            for i, (person, claim) in enumerate(zip(people, claims, strict=True))
        ]
        action = self._advance(action, hr, to=Phase.RESUME_REVIEW)
        for application in applications:
            self._walk(application, hr, [Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD])
        action = self._advance(action, hr, to=Phase.ASSESSMENTS)
        # Round scores per applicant: (2,2) Best, (1,2)/(2,1) Well, (1,1) Qualified.
        self._scored(
            action, hr, smes[:2], applications, [(2, 2), (1, 1), (1, 1), (2, 1), (1, 2), (1, 1)], days_ago=30
        )
        action = self._advance(action, hr, to=Phase.CERTIFICATE)
        certificates.adjudicate(
            application_id=applications[1].pk, hr=hr, preference="TP", documents=["dd214"]
        )
        certificates.adjudicate(
            application_id=applications[2].pk,
            hr=hr,
            preference="CPS",
            documents=["va_letter", "sf15"],
            disability_percent=40,
        )
        certificates.certificate_issue(
            action_id=action.pk, hr=hr, grade=14, duty_location="Washington, DC",
            return_by=timezone.localdate() + timedelta(days=30),
        )  # fmt: skip

    def _scored(self, action, hr, smes, applications, plan, *, days_ago: int, starts_in: int = 6) -> None:
        """Both interview rounds through the services, one SME each (a different one in round 2),
        every sheet accepted with the round scores in `plan` (per application: 2 = Exceeds on the first
        competency, 1 = Meets), held `days_ago` days back."""
        from assessments import interviews
        from assessments import rules as scoring
        from assessments.models import Interview

        for round_, sme in ((1, smes[0]), (2, smes[1])):
            interviews.interviewer_seat_add(action_id=action.pk, hr=hr, round=round_, sme_id=sme.pk)
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
            days=starts_in
        )
        for sme in smes:
            for day in range(4):
                begins = start + timedelta(days=day)
                interviews.availability_add(
                    action_id=action.pk, sme=sme, starts_at=begins, ends_at=begins + timedelta(hours=8)
                )
        self._past = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) - timedelta(
            days=days_ago
        )
        meets, exceeds = scoring.MEETS, scoring.EXCEEDS
        interviews.interviews_assign(action_id=action.pk, round=1, actor=hr)
        interviews.invitations_send(action_id=action.pk, round=1, hr=hr, respond_by=start + timedelta(days=2))
        by_application = {a.pk: scores for a, scores in zip(applications, plan, strict=True)}
        for round_ in (1, 2):
            if round_ == 2:
                interviews.invitations_send(
                    action_id=action.pk, round=2, hr=hr, respond_by=start + timedelta(days=2)
                )
            for interview in Interview.objects.filter(action=action, round=round_).order_by("pk"):
                score = by_application[interview.application_id][round_ - 1]
                self._hold(interview, [exceeds if score == 2 else meets] + [meets] * 4, hr)

    def _job_analysis(self, action, hr, competencies, questions) -> None:
        names = {}
        for name, definition in competencies:
            names[name] = services.competency_save(
                action_id=action.pk,
                actor=hr,
                name=name,
                definition=definition,
                required_levels={str(g): "meets" for g in action.grades},
                level_descriptions={
                    "meets": f"Shows {name.lower()} independently on work typical of the grade.",
                    "exceeds": f"Shows {name.lower()} on work of unusual scale or complexity, and guides others.",
                },
                screen_out=True,
            )
        for round_number, text, covered in questions:
            services.question_save(
                action_id=action.pk,
                actor=hr,
                round=round_number,
                text=text,
                competency_ids=[names[n].pk for n in covered],
                follow_ups="What was your role, specifically?\nWhat was the result?",
                probes="What would you do differently?",
                benchmarks={
                    "meets": "Describes a concrete example with their own actions and a result.",
                    "exceeds": "Also explains trade-offs, measures the result, and how others adopted it.",
                },
            )

    def _publish(self, action, hr, duties) -> None:
        announcement = action.announcement
        announcement = services.announcement_update(
            announcement_id=announcement.pk, actor=hr, revision=announcement.revision, duties=duties
        )
        today = timezone.localdate()
        services.announcement_publish(
            announcement_id=announcement.pk,
            actor=hr,
            opens_on=today - timedelta(days=3),
            closes_on=today + timedelta(days=11),
            application_cap=None,
        )

    def _user(self, email: str, name: str, password: str | None, *, agency: Agency | None) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, full_name=name, agency=agency)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _action(self, agency, hr, manager, smes, title, series, grade, location, vacancies) -> HiringAction:
        action = services.hiring_action_create(
            agency=agency,
            actor=hr,
            title=title,
            series=series,
            grades=[int(grade.removeprefix("GS-"))],
            full_performance_level=int(grade.removeprefix("GS-")),
            duty_locations=[location],
            vacancies=vacancies,
            specialized_experience=SPECIALIZED.get(title, ""),
        )
        services.action_role_grant(action=action, user=manager, role=Role.HIRING_MANAGER, actor=hr)
        for sme in smes:
            services.action_role_grant(action=action, user=sme, role=Role.SME, actor=hr)
        return action

    def _advance(self, action: HiringAction, hr: User, *, to: Phase) -> HiringAction:
        while action.phase != to:
            action = services.hiring_action_advance_phase(
                action_id=action.pk, actor=hr, expected_phase=action.phase
            )
        return action

    def _walk(self, application, hr: User, statuses: list[Status]) -> None:
        application.refresh_from_db(fields=["status"])
        for status in statuses:
            move = move_for(application.status, status)
            application = services.application_transition(
                application_id=application.pk,
                to_status=status,
                actor=hr,
                actor_role=Actor.HR if Actor.HR in move.actors else Actor.SYSTEM,
                reason="Demo data.",
            )
