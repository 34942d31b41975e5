"""Every state-changing request writes an audit row (issue 8).

The test finds every URL that takes a POST: views whose require_http_methods family lets POST through,
every form in the templates (its action, and the operation its URL names, like …/accept/), and every
operation a view picks by a `what` slug. Each gets a case below that builds the world it needs, makes
the valid POST a person with the right role would make, and expects a new hiring.models.AuditEvent row
naming that person; a change to one's own account (ACCOUNT_CASES) expects a new AccountEvent instead. A
POST route missing from CASES, ACCOUNT_CASES and EXEMPT fails the test.
"""

import inspect
import re
from binascii import unhexlify
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP

from assessments import interviews
from assessments import services as assessment_services
from assessments.interview_forms import slot_key
from assessments.models import Interview, ResumeReview
from certificates import services as certificate_services
from certificates import sharing as certificate_sharing
from certificates.models import Certificate, Disposition
from hiring import services
from hiring.forms import HiringActionForm
from hiring.models import AccountEvent, Announcement, Application, AuditEvent, Role, User
from hiring.workflow import Actor, Phase, Status
from smeqa.twofactor import SETUP_KEY
from tests.factories import (
    TEST_PASSWORD,
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ApplicationFactory,
    CompetencyFactory,
    ConflictCheckFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    StaffFactory,
    UserFactory,
    application_in,
    start_resume_review,
)
from tests.hostile_uploads import clean_pdf
from tests.test_authz_matrix import accepted_methods, named_urls

pytestmark = pytest.mark.django_db

# POST routes that write no AuditEvent, and why. Keys are URL names, or "name[operation]". Changes to
# one's own account (sign-up, a new password, an authenticator app) have no hiring action, so they write
# an AccountEvent instead: ACCOUNT_CASES, checked by their own test below.
EXEMPT = {
    # Signing in and out, and the two-step sign-in code: the person's own session, nothing changed.
    # django-axes records failed sign-ins; smeqa.twofactor logs wrong codes.
    "login": "signing in",
    "logout": "signing out",
    "two_factor_verify": "signing in (the second step)",
    "oidc_logout": "signing out (through Login.gov)",
    # Nothing changes until the link is used (password_reset_confirm, an AccountEvent); smeqa.passwords
    # logs the link sent by user id.
    "password_reset": "asking for a reset link (an account's, or none: the page must not say which)",
    # Drafts: the person's own unfinished work, which counts for nothing until submitted; the submit is
    # audited with what it carries. Autosave posts every few seconds of typing, and a row each time
    # would bury HR's case file. A resume review's first save is audited (assigned → draft is a move).
    "hiring:apply[draft]": "the candidate's own draft; submitting it is audited",
    "assessments:sme_sheet[draft]": "the interviewer's notes in progress; submitting them is audited",
    "assessments:sme_sheet_autosave": "the interviewer's notes in progress; submitting them is audited",
}


@dataclass
class Post:
    """A valid POST: who makes it, where, with what, and the answer a success gives."""

    user: User | None
    url: str
    data: dict = field(default_factory=dict)
    status: int = 302


CASES: dict[str, Callable[[], Post]] = {}


def case(key: str):
    def register(build: Callable[[], Post]) -> Callable[[], Post]:
        assert key not in CASES, key
        CASES[key] = build
        return build

    return register


# --- the POST routes --------------------------------------------------------------------------------

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
_FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"""\{%\s*url\s+['"]([\w:]+)['"]([^%]*)%\}""")
_LITERAL = re.compile(r"""['"]([\w-]+)['"]""")
_WHAT = re.compile(r"""what\s*(?:==\s*(['"][\w-]+['"])|in\s*\(([^)]*)\))""")


def post_routes() -> set[str]:
    """URL names whose view takes a POST, as `name` or `name[operation]` when the URL names the operation."""
    routes = set()
    for name, view in named_urls().items():
        if "post" not in accepted_methods(view):
            continue
        source = inspect.getsource(inspect.unwrap(view)) if not hasattr(view, "view_class") else ""
        operations = [o for m in _WHAT.finditer(source) for o in _LITERAL.findall(m.group(1) or m.group(2))]
        routes |= {f"{name}[{o}]" for o in operations} if operations else {name}
    return routes


def template_posts() -> set[str]:
    """What the templates' POST forms send to: `name`, or `name[operation]` for a literal operation."""
    found = set()
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            for form in _FORM.findall(path.read_text()):
                if 'method="post"' not in form.lower():
                    continue
                for name, args in _URL.findall(form):
                    literal = _LITERAL.findall(args)
                    found.add(f"{name}[{literal[-1]}]" if literal else name)
    return found


# --- worlds ---------------------------------------------------------------------------------------


def hr_of(action) -> User:
    """HR of `action` and of its agency's HR office."""
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=action.agency, user=hr)
    return hr


def local(day_offset: int, hour: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=day_offset), time(hour))
    )


def workshop() -> SimpleNamespace:
    """An action in its job analysis workshop with a complete, unfinalized job analysis."""
    action = HiringActionFactory(phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None)
    hr = hr_of(action)
    competencies = [CompetencyFactory(action=action, name=n) for n in ("Alpha", "Beta", "Gamma", "Delta")]
    questions = [
        InterviewQuestionFactory(action=action, competencies=competencies[:2]),
        InterviewQuestionFactory(action=action, competencies=competencies[2:]),
    ]
    return SimpleNamespace(action=action, hr=hr, competencies=competencies, questions=questions)


def taking_applications() -> SimpleNamespace:
    """An action with a published announcement and one application received."""
    action = HiringActionFactory()
    hr = hr_of(action)
    candidate = UserFactory()
    return SimpleNamespace(
        action=action,
        hr=hr,
        candidate=candidate,
        application=ApplicationFactory(action=action, candidate=candidate),
    )


def screening() -> SimpleNamespace:
    """Two applications received, the action now in resume review."""
    world = taking_applications()
    world.second = ApplicationFactory(action=world.action)
    world.action = start_resume_review(world.action)
    return world


def resume_review() -> SimpleNamespace:
    """One competency, one applicant in resume review, two SMEs with the conflict check done, each with
    their review assigned."""
    action = HiringActionFactory()
    hr = hr_of(action)
    competency = CompetencyFactory(action=action)
    application = ApplicationFactory(action=action)
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(2)]
    action = start_resume_review(action)
    for sme in smes:
        assessment_services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    services.screening_release(action_id=action.pk, actor=hr)
    reviews = list(ResumeReview.objects.filter(application=application).order_by("slot"))
    assert len(reviews) == 2
    return SimpleNamespace(
        action=action, hr=hr, competency=competency, application=application, reviews=reviews
    )


def review_answers(world, review, **extra) -> dict:
    return {
        f"competency_{world.competency.pk}": "meets",
        "experience": "yes",
        "recency": "yes",
        "justification": "",
        "version": review.version,
        **extra,
    }


def submit_review(world, review) -> ResumeReview:
    review.refresh_from_db()
    return assessment_services.resume_review_save(
        review_id=review.pk, sme=review.sme, version=review.version, submit=True,
        ratings={str(world.competency.pk): "meets"}, experience_met=True, recency_met=True, justification="",
    )  # fmt: skip


def assessments_phase() -> SimpleNamespace:
    """An action in assessments: one competency and round-1 question, one applicant who moved forward,
    two SMEs in the round-1 group (the first available tomorrow 9-17)."""
    action = HiringActionFactory()
    hr = hr_of(action)
    competency = CompetencyFactory(action=action)
    question = InterviewQuestionFactory(action=action, competencies=[competency])
    application = application_in(Status.MOVED_FORWARD, action=action)
    action = services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(2)]
    for sme in smes:
        interviews.interviewer_seat_add(action_id=action.pk, hr=hr, round=1, sme_id=sme.pk)
        interviews.availability_add(action_id=action.pk, sme=sme, starts_at=local(1, 9), ends_at=local(1, 17))
    return SimpleNamespace(
        action=action, hr=hr, competency=competency, question=question, application=application, smes=smes
    )


def interview_in(state: str) -> SimpleNamespace:
    """assessments_phase with the applicant's round-1 interview walked to `state`: assigned, invited,
    scheduled, held (its hour has passed) or submitted."""
    world = assessments_phase()
    interviews.interviews_assign(action_id=world.action.pk, round=1, actor=world.hr)
    interview = Interview.objects.get(application=world.application, round=1)
    steps = ["assigned", "invited", "scheduled", "held", "submitted"]
    wanted = steps.index(state)
    if wanted >= 1:
        interviews.invitations_send(
            action_id=world.action.pk, round=1, hr=world.hr, respond_by=timezone.now() + timedelta(days=2)
        )
    if wanted >= 2:
        interview.refresh_from_db()
        slot = interviews.offered_slots(interview)[0]
        interviews.interview_book(
            interview_id=interview.pk, starts_at=slot, version=interview.version, actor=None, by_hr=False
        )
    if wanted >= 3:
        # The interview took place: its hour is now in the past (what the clock would do).
        Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    if wanted >= 4:
        interviews.sheet_save(interview_id=interview.pk, sme=interview.sme, **sheet_answers(world))
        interview.refresh_from_db()
        interviews.sheet_submit(interview_id=interview.pk, sme=interview.sme, version=interview.version)
    interview.refresh_from_db()
    world.interview = interview
    return world


def sheet_answers(world) -> dict:
    return {
        "notes": {str(world.question.pk): "She described the study she ran."},
        "ratings": {str(world.competency.pk): "meets"},
        "analysis": "Clear evidence of the competency.",
    }


def deadline(days: int = 3) -> dict:
    when = timezone.localtime(timezone.now() + timedelta(days=days))
    return {"respond_by_day": when.date().isoformat(), "respond_by_time": "17:00"}


def certificate_phase(*claims: str) -> SimpleNamespace:
    """An action in the certificate phase with one qualified applicant per preference claim (accepted
    interview scores of 2 and 2, opted in to sharing), nothing adjudicated yet."""
    action = HiringActionFactory(grades=[13], duty_locations=["Washington, DC"])
    hr = hr_of(action)
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    InterviewQuestionFactory(action=action, round=2)
    applications = []
    for claim in claims:
        application = application_in(Status.QUALIFIED, action=action)
        Application.objects.filter(pk=application.pk).update(preference_claim=claim, sharing_opt_in=True)
        for round_ in (1, 2):
            InterviewFactory(application=application, sme=sme, round=round_, state="accepted", score=2)
        applications.append(application)
    action.refresh_from_db()
    if action.phase != Phase.CERTIFICATE:
        action = services.hiring_action_advance_phase(
            action_id=action.pk, actor=hr, expected_phase=action.phase
        )
    return SimpleNamespace(action=action, hr=hr, manager=manager, applications=applications)


def issued(*claims: str) -> SimpleNamespace:
    world = certificate_phase(*claims)
    for application, claim in zip(world.applications, claims, strict=True):
        if claim != "NV":
            certificate_services.adjudicate(
                application_id=application.pk, hr=world.hr, preference=claim, documents=["dd214"]
            )
    world.certificate = certificate_services.certificate_issue(
        action_id=world.action.pk, hr=world.hr, grade=13, duty_location="Washington, DC",
        return_by=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    return world


def disposed(world, code: str = Disposition.NOT_SELECTED_CONTACTED) -> None:
    for entry in world.certificate.entries.all():
        world.certificate.refresh_from_db()
        certificate_services.disposition_record(
            entry_id=entry.pk,
            user=world.manager,
            code=code,
            on=timezone.localdate(),
            version=world.certificate.version,
        )
    world.certificate.refresh_from_db()


def audited() -> SimpleNamespace:
    world = issued("NV")
    disposed(world)
    certificate_services.certificate_return(
        certificate_id=world.certificate.pk, user=world.manager, version=world.certificate.version
    )
    world.certificate.refresh_from_db()
    certificate_services.certificate_audit(
        certificate_id=world.certificate.pk, hr=world.hr, version=world.certificate.version
    )
    world.certificate.refresh_from_db()
    return world


def other_agency_hr() -> User:
    hr = StaffFactory()
    AgencyRoleFactory(agency=hr.agency, user=hr)
    return hr


def position(certificate) -> dict:
    return {
        "position_title": certificate.title, "series": certificate.series, "grade": certificate.grade,
        "full_performance_level": certificate.full_performance_level, "duty_location": certificate.duty_location,
        "appointment_type": certificate.appointment_type,
    }  # fmt: skip


# --- hiring: actions, job analysis, announcement ---------------------------------------------------


def action_form(action, **changes) -> dict:
    """The settings form as the page fills it from `action`, with `changes`."""
    form = HiringActionForm(instance=action)
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data | changes


@case("hiring:hr_action_create")
def _():
    model = HiringActionFactory.build()
    hr = StaffFactory()
    AgencyRoleFactory(agency=hr.agency, user=hr)
    return Post(hr, reverse("hiring:hr_action_create"), action_form(model, title="Data Scientist"))


@case("hiring:hr_action_settings")
def _():
    w = workshop()
    return Post(
        w.hr, reverse("hiring:hr_action_settings", args=[w.action.pk]), action_form(w.action, vacancies=4)
    )


@case("hiring:hr_action_advance_phase")
def _():
    w = taking_applications()
    return Post(
        w.hr,
        reverse("hiring:hr_action_advance_phase", args=[w.action.pk]),
        {"expected_phase": w.action.phase},
    )


@case("hiring:hr_application_detail")
def _():
    w = taking_applications()
    return Post(
        w.hr,
        reverse("hiring:hr_application_detail", args=[w.action.pk, w.application.pk]),
        {"to_status": Status.INELIGIBLE, "reason": "No resume.", "expected_status": Status.RECEIVED},
    )


def pool_setup() -> SimpleNamespace:
    """An action in its workshop with one participating agency that has a staff member."""
    w = workshop()
    agency = AgencyFactory()
    w.participant = services.pool_participant_add(action_id=w.action.pk, hr=w.hr, agency_id=agency.pk)
    w.staff = StaffFactory(agency=agency)
    return w


@case("hiring:hr_pool[add]")
def _():
    w = workshop()
    data = {"operation": "add", "add-agency": AgencyFactory().pk}
    return Post(w.hr, reverse("hiring:hr_pool", args=[w.action.pk]), data)


@case("hiring:hr_pool[vacancy]")
def _():
    w = pool_setup()
    data = {
        "operation": "vacancy",
        "vacancy-participant": w.participant.pk,
        "vacancy-duty_location": w.action.duty_locations[0],
        "vacancy-grade": w.action.grades[0],
        "vacancy-count": 2,
    }
    return Post(w.hr, reverse("hiring:hr_pool", args=[w.action.pk]), data)


@case("hiring:hr_pool[manager]")
def _():
    w = pool_setup()
    data = {"operation": "manager", "manager-participant": w.participant.pk, "manager-email": w.staff.email}
    return Post(w.hr, reverse("hiring:hr_pool", args=[w.action.pk]), data)


@case("hiring:hr_pool[remove]")
def _():
    w = pool_setup()
    data = {"operation": "remove", "participant": w.participant.pk}
    return Post(w.hr, reverse("hiring:hr_pool", args=[w.action.pk]), data)


@case("hiring:hr_pool[close]")
def _():
    from tests.factories import CertificateFactory, ParticipantFactory, VacancyFactory

    action = HiringActionFactory(phase=Phase.CERTIFICATE)
    hr = hr_of(action)
    participant = ParticipantFactory(action=action)
    VacancyFactory(participant=participant)
    CertificateFactory(action=action, agency=participant.agency, state=Certificate.State.AUDITED)
    return Post(hr, reverse("hiring:hr_pool", args=[action.pk]), {"operation": "close"})


@case("hiring:hr_screening[release_all]")
def _():
    w = screening()
    return Post(w.hr, reverse("hiring:hr_screening", args=[w.action.pk]), {"operation": "release_all"})


@case("hiring:hr_screening[release]")
def _():
    w = screening()
    data = {"operation": "release", "applications": [w.application.pk]}
    return Post(w.hr, reverse("hiring:hr_screening", args=[w.action.pk]), data)


@case("hiring:hr_screening[remove]")
def _():
    w = screening()
    data = {
        "operation": "remove",
        "applications": [w.second.pk],
        "ground": "citizenship",
        "details": "Not attested.",
    }
    return Post(w.hr, reverse("hiring:hr_screening", args=[w.action.pk]), data)


@case("hiring:hr_import_usas")
def _():
    w = taking_applications()
    text = "Application Number,Applicant Last Name,Applicant First Name\n10000001,Rivera,Ana\n"
    upload = SimpleUploadedFile("applicants.csv", text.encode(), "text/csv")
    return Post(w.hr, reverse("hiring:hr_import_usas", args=[w.action.pk]), {"file": upload})


def competency_data(action, name: str) -> dict:
    return {
        "name": name, "definition": "Finds the facts. Explains them plainly.", "screen_out": "on",
        **{f"level_{g}": "meets" for g in action.grades},
    }  # fmt: skip


@case("hiring:competency_add")
def _():
    w = workshop()
    return Post(
        w.hr, reverse("hiring:competency_add", args=[w.action.pk]), competency_data(w.action, "Epsilon")
    )


@case("hiring:competency_edit")
def _():
    w = workshop()
    url = reverse("hiring:competency_edit", args=[w.action.pk, w.competencies[0].pk])
    return Post(w.hr, url, competency_data(w.action, "Alpha, renamed"))


@case("hiring:competency_delete")
def _():
    w = workshop()
    return Post(w.hr, reverse("hiring:competency_delete", args=[w.action.pk, w.competencies[3].pk]))


def question_data(w, **extra) -> dict:
    return {
        "round": 1,
        "text": "Tell us about a study you ran.",
        "competencies": [w.competencies[0].pk],
        **extra,
    }


@case("hiring:question_add")
def _():
    w = workshop()
    return Post(w.hr, reverse("hiring:question_add", args=[w.action.pk]), question_data(w))


@case("hiring:question_edit")
def _():
    w = workshop()
    return Post(
        w.hr, reverse("hiring:question_edit", args=[w.action.pk, w.questions[0].pk]), question_data(w)
    )


@case("hiring:question_delete")
def _():
    w = workshop()
    return Post(w.hr, reverse("hiring:question_delete", args=[w.action.pk, w.questions[0].pk]))


@case("hiring:job_analysis_finalize")
def _():
    w = workshop()
    return Post(w.hr, reverse("hiring:job_analysis_finalize", args=[w.action.pk]))


@case("hiring:job_analysis_revise")
def _():
    w = workshop()
    services.job_analysis_finalize(action_id=w.action.pk, actor=w.hr)
    return Post(
        w.hr, reverse("hiring:job_analysis_revise", args=[w.action.pk]), {"reason": "Add a competency."}
    )


@case("hiring:comment_add")
def _():
    w = workshop()
    sme = ActionRoleFactory(action=w.action, role=Role.SME).user
    return Post(
        sme,
        reverse("hiring:comment_add", args=[w.action.pk]),
        {"topic": "job_analysis", "body": "Beta is vague."},
    )


def draft_announcement() -> SimpleNamespace:
    w = workshop()
    services.job_analysis_finalize(action_id=w.action.pk, actor=w.hr)
    w.announcement = Announcement.objects.get(action=w.action)
    return w


@case("hiring:announcement_save")
def _():
    w = draft_announcement()
    joa = w.announcement
    data = {name: getattr(joa, name) for name in ("summary", "qualifications", "specialized_experience", "evaluation",
                                                   "page_limit_statement", "categories_statement", "sharing_notice")}  # fmt: skip
    data |= {"duties": "Run studies and explain them.", "revision": joa.revision}
    return Post(w.hr, reverse("hiring:announcement_save", args=[w.action.pk]), data)


@case("hiring:announcement_publish")
def _():
    w = draft_announcement()
    Announcement.objects.filter(pk=w.announcement.pk).update(duties="Run studies.")
    today = timezone.localdate()
    data = {
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "cap_rule": "exact",
    }
    return Post(w.hr, reverse("hiring:announcement_publish", args=[w.action.pk]), data)


# --- hiring: candidates -------------------------------------------------------------------------------


@case("hiring:apply[submit]")
def _():
    action = HiringActionFactory()
    resume = SimpleUploadedFile("resume.pdf", clean_pdf(2), "application/pdf")
    data = {
        "resume": resume,
        "citizenship": "on",
        "preference_claim": "NV",
        "sharing": "opt_out",
        "submit": "1",
    }
    return Post(UserFactory(), reverse("hiring:apply", args=[action.announcement.pk]), data)


@case("hiring:candidate_withdraw")
def _():
    w = taking_applications()
    data = {"confirm": "on", "expected_status": Status.RECEIVED}
    return Post(w.candidate, reverse("hiring:candidate_withdraw", args=[w.application.pk]), data)


# --- assessments: resume review ---------------------------------------------------------------------------


@case("assessments:sme_conflicts")
def _():
    action = HiringActionFactory()
    application = ApplicationFactory(action=action)
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    data = {f"conflict_{application.pk}": "personal"}
    return Post(sme, reverse("assessments:sme_conflicts", args=[action.pk]), data)


@case("assessments:sme_review[draft]")
def _():
    w = resume_review()
    review = w.reviews[0]
    return Post(review.sme, reverse("assessments:sme_review", args=[review.pk]), review_answers(w, review))


@case("assessments:sme_review[submit]")
def _():
    w = resume_review()
    review = w.reviews[0]
    data = review_answers(w, review, submit="1")
    return Post(review.sme, reverse("assessments:sme_review", args=[review.pk]), data)


@case("assessments:sme_review_autosave")
def _():
    w = resume_review()
    review = w.reviews[0]
    return Post(
        review.sme,
        reverse("assessments:sme_review_autosave", args=[review.pk]),
        review_answers(w, review),
        200,
    )


@case("assessments:sme_review_recuse")
def _():
    w = resume_review()
    review = w.reviews[0]
    return Post(
        review.sme, reverse("assessments:sme_review_recuse", args=[review.pk]), {"reason": "personal"}
    )


@case("assessments:hr_review_decide[accept]")
def _():
    w = resume_review()
    review = submit_review(w, w.reviews[0])
    data = {"decision": "accept", "version": review.version}
    return Post(w.hr, reverse("assessments:hr_review_decide", args=[review.pk]), data)


@case("assessments:hr_review_decide[return]")
def _():
    w = resume_review()
    review = submit_review(w, w.reviews[0])
    data = {"decision": "return", "note": "Name the study.", "version": review.version}
    return Post(w.hr, reverse("assessments:hr_review_decide", args=[review.pk]), data)


@case("assessments:hr_resume_assign")
def _():
    action = HiringActionFactory()
    hr = hr_of(action)
    ApplicationFactory(action=action)
    action = start_resume_review(action)
    services.screening_release(action_id=action.pk, actor=hr)  # no SME yet: nobody assigned
    for _ in range(2):
        ConflictCheckFactory(action=action, sme=ActionRoleFactory(action=action, role=Role.SME).user)
    return Post(hr, reverse("assessments:hr_resume_assign", args=[action.pk]))


def settled() -> SimpleNamespace:
    """resume_review with both reviews submitted (Move Forward) and accepted."""
    w = resume_review()
    for review in w.reviews:
        review = submit_review(w, review)
        assessment_services.resume_review_accept(review_id=review.pk, actor=w.hr, version=review.version)
    return w


@case("assessments:hr_results_send")
def _():
    w = settled()
    return Post(w.hr, reverse("assessments:hr_results_send", args=[w.action.pk]))


@case("assessments:hr_result_send")
def _():
    w = settled()
    return Post(w.hr, reverse("assessments:hr_result_send", args=[w.action.pk, w.application.pk]))


@case("assessments:hr_sme_add")
def _():
    w = taking_applications()
    data = {"email": "new.sme@example.test", "full_name": "Pat Expert"}
    return Post(w.hr, reverse("assessments:hr_sme_add", args=[w.action.pk]), data)


@case("assessments:hr_sme_remove")
def _():
    w = resume_review()
    sme = w.reviews[0].sme
    return Post(w.hr, reverse("assessments:hr_sme_remove", args=[w.action.pk, sme.pk]))


# --- assessments: interviews --------------------------------------------------------------------------


@case("assessments:sme_interviews")
def _():
    w = assessments_phase()
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = {"day": day, "starts": "09:00", "ends": "12:00"}
    return Post(w.smes[0], reverse("assessments:sme_interviews", args=[w.action.pk]), data)


@case("assessments:sme_availability_remove")
def _():
    w = assessments_phase()
    window = w.smes[0].availabilities.get()
    return Post(w.smes[0], reverse("assessments:sme_availability_remove", args=[window.pk]))


@case("assessments:sme_sheet[submit]")
def _():
    w = interview_in("held")
    iv = w.interview
    data = {
        f"notes_{w.question.pk}": "She described the study she ran.", f"rating_{w.competency.pk}": "meets",
        "analysis": "Clear evidence.", "version": iv.version, "submit": "1",
    }  # fmt: skip
    return Post(iv.sme, reverse("assessments:sme_sheet", args=[iv.pk]), data)


@case("assessments:sme_no_show")
def _():
    w = interview_in("held")
    return Post(
        w.interview.sme,
        reverse("assessments:sme_no_show", args=[w.interview.pk]),
        {"version": w.interview.version},
    )


@case("assessments:interview_schedule[book]")
def _():
    w = interview_in("invited")
    slot = interviews.offered_slots(w.interview)[0]
    data = {"starts_at": slot_key(slot), "version": w.interview.version}
    return Post(None, reverse("assessments:interview_schedule", args=[w.interview.token]), data)


@case("assessments:interview_schedule[cancel]")
def _():
    w = interview_in("scheduled")
    data = {"cancel": "1", "version": w.interview.version}
    return Post(None, reverse("assessments:interview_schedule", args=[w.interview.token]), data)


@case("assessments:hr_seat_add")
def _():
    w = assessments_phase()
    sme = ActionRoleFactory(action=w.action, role=Role.SME).user
    return Post(w.hr, reverse("assessments:hr_seat_add", args=[w.action.pk, 1]), {"sme": sme.pk})


@case("assessments:hr_seat_remove")
def _():
    w = assessments_phase()
    return Post(w.hr, reverse("assessments:hr_seat_remove", args=[w.action.pk, 1]), {"sme": w.smes[1].pk})


@case("assessments:hr_interviews_assign")
def _():
    w = assessments_phase()
    return Post(w.hr, reverse("assessments:hr_interviews_assign", args=[w.action.pk, 1]))


@case("assessments:hr_invitations_send")
def _():
    w = interview_in("assigned")
    return Post(w.hr, reverse("assessments:hr_invitations_send", args=[w.action.pk, 1]), deadline())


def hr_act(w, what: str, **data) -> Post:
    url = reverse("assessments:hr_interview_act", args=[w.interview.pk, what])
    return Post(w.hr, url, {"version": w.interview.version, **data})


@case("assessments:hr_interview_act[accept]")
def _():
    return hr_act(interview_in("submitted"), "accept")


@case("assessments:hr_interview_act[return]")
def _():
    return hr_act(interview_in("submitted"), "return", note="Add the analysis of the second answer.")


@case("assessments:hr_interview_act[place]")
def _():
    w = interview_in("invited")
    return hr_act(w, "place", starts_at=slot_key(interviews.offered_slots(w.interview)[0]))


@case("assessments:hr_interview_act[cancel]")
def _():
    return hr_act(interview_in("scheduled"), "cancel", **deadline())


@case("assessments:hr_interview_act[no-response]")
def _():
    w = interview_in("invited")
    Interview.objects.filter(pk=w.interview.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    return hr_act(w, "no-response")


@case("assessments:hr_interview_act[reoffer]")
def _():
    w = interview_in("held")
    interviews.sheet_no_show(interview_id=w.interview.pk, sme=w.interview.sme, version=w.interview.version)
    w.interview.refresh_from_db()
    return hr_act(w, "reoffer", **deadline())


# --- certificates -------------------------------------------------------------------------------------


@case("certificates:hr_adjudicate")
def _():
    w = certificate_phase("TP")
    url = reverse("certificates:hr_adjudicate", args=[w.action.pk, w.applications[0].pk])
    return Post(w.hr, url, {"preference": "TP", "documents": ["dd214"]})


@case("certificates:hr_grade_check")
def _():
    w = certificate_phase("NV")
    type(w.action).objects.filter(pk=w.action.pk).update(grades=[13, 14], full_performance_level=14)
    url = reverse("certificates:hr_grade_check", args=[w.action.pk, w.applications[0].pk])
    data = {"source": "sf50", "spans-TOTAL_FORMS": 1, "spans-INITIAL_FORMS": 0, "spans-0-grade": 13}
    return Post(w.hr, url, data | {"spans-0-start": "2020-01-06", "spans-0-end": ""})


@case("certificates:hr_issue")
def _():
    w = certificate_phase("NV")
    data = {
        "grade": 13,
        "duty_location": "Washington, DC",
        "return_by": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    return Post(w.hr, reverse("certificates:hr_issue", args=[w.action.pk]), data)


def cert_act(user, certificate, what: str, **data) -> Post:
    url = reverse("certificates:certificate_act", args=[certificate.pk, what])
    return Post(user, url, {"version": certificate.version, **data})


@case("certificates:certificate_act[return]")
def _():
    w = issued("NV")
    disposed(w)
    return cert_act(w.manager, w.certificate, "return")


@case("certificates:certificate_act[audit]")
def _():
    w = issued("NV")
    disposed(w)
    certificate_services.certificate_return(
        certificate_id=w.certificate.pk, user=w.manager, version=w.certificate.version
    )
    w.certificate.refresh_from_db()
    return cert_act(w.hr, w.certificate, "audit")


@case("certificates:certificate_act[correct]")
def _():
    w = issued("NV")
    return cert_act(w.hr, w.certificate, "correct", note="The third name's preference is TP, not XP.")


@case("certificates:certificate_act[internal-notice]")
def _():
    w = audited()
    receiving = other_agency_hr()
    log = certificate_sharing.share_request(
        certificate_id=w.certificate.pk,
        hr=receiving,
        agency_id=receiving.agency_id,
        **position(w.certificate),
    )
    assert log.copy_id, log.refusals
    copy = Certificate.objects.get(pk=log.copy_id)
    return cert_act(receiving, copy, "internal-notice", closed_on=timezone.localdate().isoformat())


def entry_act(user, certificate, entry, what: str, **data) -> Post:
    url = reverse("certificates:entry_act", args=[certificate.pk, entry.pk, what])
    return Post(user, url, {"version": certificate.version, **data})


@case("certificates:entry_act[disposition]")
def _():
    w = issued("NV")
    entry = w.certificate.entries.get()
    return entry_act(
        w.manager, w.certificate, entry, "disposition", code="A", on=timezone.localdate().isoformat()
    )


@case("certificates:entry_act[pass-over]")
def _():
    w = issued("TP")
    entry = w.certificate.entries.get()
    return entry_act(w.hr, w.certificate, entry, "pass-over", reasons="Did not pass the suitability check.")


@case("certificates:talent_pool_request")
def _():
    w = audited()
    receiving = other_agency_hr()
    url = reverse("certificates:talent_pool_request", args=[w.certificate.pk])
    return Post(receiving, url, position(w.certificate))


# --- one's own account: an AccountEvent, not an AuditEvent ------------------------------------------


@dataclass
class AccountPost(Post):
    """A valid POST that changes the poster's own account: `email` names whose, `kind` the row expected."""

    email: str = ""
    kind: str = ""


# Each builds its world with the test's client and settings (a reset link lives in the session, a
# set-up key too), and signs in itself when the change needs a session.
ACCOUNT_CASES: dict[str, Callable[..., AccountPost]] = {}


def account_case(key: str):
    def register(build: Callable[..., AccountPost]) -> Callable[..., AccountPost]:
        assert key not in ACCOUNT_CASES and key not in CASES, key
        ACCOUNT_CASES[key] = build
        return build

    return register


NEW_PASSWORD = "a fresh long passphrase 42"


@account_case("hiring:signup")
def _(client, settings):
    data = {"full_name": "Pat Doe", "email": "pat@example.test"}
    data |= {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return AccountPost(None, reverse("hiring:signup"), data, email="pat@example.test", kind="signed_up")


@account_case("password_change")
def _(client, settings):
    person = UserFactory()
    client.force_login(person)
    data = {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return AccountPost(None, reverse("password_change"), data, email=person.email, kind="password_changed")


@account_case("password_reset_confirm")
def _(client, settings):
    person = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    link = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(person)])
    form_url = client.get(link)["Location"]  # the emailed link moves its token into the session
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return AccountPost(None, form_url, data, email=person.email, kind="password_reset")


@account_case("two_factor_setup")
def _(client, settings):
    settings.REQUIRE_STAFF_TOTP = True
    person = StaffFactory()
    client.force_login(person)
    client.get(reverse("two_factor_setup"))  # offers a secret, kept in the session until confirmed
    totp = TOTP(unhexlify(client.session[SETUP_KEY]))
    totp.time = timezone.now().timestamp()
    data = {"code": f"{totp.token():06d}"}
    return AccountPost(None, reverse("two_factor_setup"), data, email=person.email, kind="two_factor_set_up")


# --- the tests (after the cases, which parametrize them) ---------------------------------------------


def _base(key: str) -> str:
    return key.split("[", 1)[0]


def test_every_post_route_has_a_case_or_a_reasoned_exemption():
    routes = post_routes()
    covered = {*CASES, *ACCOUNT_CASES, *EXEMPT}
    missing = {r for r in routes if r not in covered and not any(_base(k) == r for k in covered)}
    assert missing == set(), "add a case (or an exemption with its reason) for these POST routes"
    stale = {k for k in covered if _base(k) not in {_base(r) for r in routes}}
    assert stale == set(), "these cases name routes that no longer take a POST"


def test_every_form_in_the_templates_posts_to_a_route_with_a_case():
    routes = post_routes()
    covered = {*CASES, *ACCOUNT_CASES, *EXEMPT}
    for target in template_posts():
        assert target in routes or _base(target) in routes, f"a form posts to {target}, which refuses POST"
        assert target in covered or _base(target) in {_base(k) for k in covered}, f"no case for {target}"


def test_views_without_a_method_decorator_never_read_a_post():
    """A view that writes must say it takes POST (and so be enumerated above)."""
    for name, view in named_urls().items():
        if hasattr(view, "view_class") or accepted_methods(view) != {"get"}:
            continue
        source = inspect.getsource(inspect.unwrap(view))
        assert "request.POST" not in source and '"POST"' not in source, f"{name} reads a POST: decorate it"


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_valid_post_writes_an_audit_row_naming_who_made_it(client, key):
    post = CASES[key]()
    if post.user is not None:
        client.force_login(post.user)
    before = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    response = client.post(post.url, post.data)
    assert response.status_code == post.status, (response.status_code, _said(client, response))
    written = AuditEvent.objects.filter(id__gt=before)
    assert written.exists(), f"{key}: no audit row; the page said {_said(client, response)}"
    # The candidate's scheduling link has no account behind it: the row says a candidate acted.
    by_poster = written.filter(actor=post.user) if post.user else written.filter(actor_role=Actor.CANDIDATE)
    assert by_poster.exists(), (
        f"{key}: no audit row names who posted: {[(e.actor_id, e.actor_role, e.reason) for e in written]}"
    )


@pytest.mark.parametrize("key", sorted(ACCOUNT_CASES))
def test_a_valid_change_to_ones_own_account_writes_an_account_event_naming_the_person(client, settings, key):
    post = ACCOUNT_CASES[key](client, settings)
    before = AccountEvent.objects.aggregate(last=Max("id"))["last"] or 0
    response = client.post(post.url, post.data)
    assert response.status_code == post.status, (response.status_code, _said(client, response))
    written = AccountEvent.objects.filter(id__gt=before)
    assert [(e.user.email, e.kind) for e in written] == [(post.email, post.kind)], (
        f"{key}: expected one AccountEvent for the poster; the page said {_said(client, response)}"
    )


def _said(client, response) -> list[str]:
    """The messages the person saw (after the redirect, if any), to explain a failure."""
    if response.status_code == 302:
        response = client.get(response["Location"])
    return [str(m) for m in (response.context or {}).get("messages", [])] if response.context else []
