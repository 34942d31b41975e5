"""Demo data for `make run`: the demo sign-ins and hiring actions in several phases.

Runs through the real services, so every status has its audit rows and candidate notices. Safe to
run again: it changes nothing when the demo action already exists (passwords are reset).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hiring import services
from hiring.models import Agency, AgencyRole, HiringAction, Role, User
from hiring.workflow import Actor, Phase, Status

DEFAULT_PASSWORD = "smeqa-demo-2026"  # noqa: S105 (demo only; seed_demo refuses in production)
DEMO_ACTION_TITLE = "Product Manager"

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
        for email, _ in [*STAFF, CANDIDATE]:
            self.stdout.write(f"  {email}")

    @transaction.atomic
    def _seed(self, password: str) -> bool:
        agency, _ = Agency.objects.get_or_create(
            code="DEMO", defaults={"name": "Department of Demonstration"}
        )
        people = {}
        for email, name in STAFF:
            people[email] = self._user(email, name, password, agency=agency)
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
        product = self._advance(product, hr, to=Phase.ANNOUNCEMENT)
        applications = [
            services.application_submit(action=product, candidate=c) for c in [candidate, *applicants]
        ]
        product = self._advance(product, hr, to=Phase.RESUME_REVIEW)
        self._walk(applications[0], hr, PATH_TO["round2"])
        for application, path in zip(applications[1:], APPLICANT_PATHS, strict=True):
            if path in {"round1", "failed", "round2", "qualified"}:
                continue  # resume review first, assessments after the phase moves
            self._walk(application, hr, PATH_TO[path])
        for application, path in zip(applications[1:], APPLICANT_PATHS, strict=True):
            if path in {"round1", "failed", "round2", "qualified"}:
                self._walk(application, hr, PATH_TO[path][:2])
        product = self._advance(product, hr, to=Phase.ASSESSMENTS)
        for application, path in zip(applications[1:], APPLICANT_PATHS, strict=True):
            if path in {"round1", "failed", "round2", "qualified"}:
                self._walk(application, hr, PATH_TO[path][2:])

        # A second action still in its job analysis workshop, so each role sees more than one phase.
        self._action(agency, hr, manager, smes[:2], "Data Scientist", "1560", "GS-14", "Denver, CO", 3)
        return True

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
        for status in statuses:
            services.application_transition(
                application_id=application.pk,
                to_status=status,
                actor=hr,
                actor_role=Actor.HR,
                reason="Demo data.",
            )
