"""factory_boy factories for every model. Statuses other than the default are reached through the
services (see `application_in`), never by writing the status column."""

import uuid
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Availability,
    ConflictCheck,
    Interview,
    InterviewerSeat,
    Recusal,
    ResumeReview,
    ReviewLoad,
)
from certificates.models import (
    Adjudication,
    Certificate,
    Correction,
    Entry,
    GradeCheck,
    PassOver,
    ShareRequest,
)
from hiring import services
from hiring.models import (
    AccountEvent,
    ActionRole,
    Agency,
    AgencyRole,
    Announcement,
    Application,
    ApplicationDocument,
    ApplicationDraft,
    ApplicationPlace,
    AuditEvent,
    Comment,
    Competency,
    HiringAction,
    InterviewQuestion,
    JobAnalysisVersion,
    Notice,
    Participant,
    Role,
    User,
    Vacancy,
)
from hiring.workflow import Actor, Phase, Status, move_for, phase_allows
from tests.hostile_uploads import clean_pdf

TEST_PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    code = factory.Sequence(lambda n: f"A{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    agency = None
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    agency = factory.SubFactory(AgencyFactory)


class HiringActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HiringAction
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"IT Specialist {n}")
    series = "2210"
    grades = factory.LazyFunction(lambda: [13])
    full_performance_level = 13
    duty_locations = factory.LazyFunction(lambda: ["Washington, DC"])
    vacancies = 3
    phase = Phase.ANNOUNCEMENT
    specialized_experience = "52 weeks at GS-12 doing this work."
    job_analysis_finalized_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def announcement(obj, create, extracted, **kwargs):
        """Actions taking applications have a published announcement, open until a month from now."""
        if create and obj.phase == Phase.ANNOUNCEMENT and extracted is not False:
            AnnouncementFactory(action=obj, **kwargs)


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    action = factory.SubFactory("tests.factories.HiringActionFactory", announcement=False)
    number = factory.Sequence(lambda n: f"TEST-2026-{n:05d}")
    state = Announcement.State.PUBLISHED
    summary = "We are hiring."
    duties = "Do the work."
    qualifications = "The competencies."
    evaluation = "Subject matter experts evaluate every application."
    page_limit_statement = "Reviewers read the first 2 pages."
    categories_statement = "Best Qualified: 100; Well Qualified: 85; Qualified: 70."
    sharing_notice = "You may opt in to sharing."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class AgencyRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyRole

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(StaffFactory, agency=factory.SelfAttribute("..agency"))
    role = AgencyRole.Kind.HR


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    action = factory.SubFactory(HiringActionFactory)
    order = factory.Sequence(int)
    name = factory.Sequence(lambda n: f"Competency {n}")
    definition = "Does the work well. Explains it clearly."
    required_levels = factory.LazyAttribute(lambda o: {str(g): "meets" for g in o.action.grades})
    level_descriptions = factory.LazyFunction(
        lambda: {"meets": "Meets the bar.", "exceeds": "Raises the bar."}
    )


class InterviewQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewQuestion
        skip_postgeneration_save = True

    action = factory.SubFactory(HiringActionFactory)
    round = 1
    order = factory.Sequence(int)
    text = "Tell us about a time you did this work."

    @factory.post_generation
    def competencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.competencies.set(extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    action = factory.SubFactory(HiringActionFactory)
    topic = Comment.Topic.JOB_ANALYSIS
    author = factory.SubFactory(StaffFactory)
    body = "Looks right to me."


class ActionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionRole

    action = factory.SubFactory(HiringActionFactory)
    user = factory.SubFactory(StaffFactory, agency=factory.SelfAttribute("..action.agency"))
    role = Role.HR


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application in `received`, made through application_submit so it has its audit row and notice."""

    class Meta:
        model = Application

    action = factory.SubFactory(HiringActionFactory)
    candidate = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, action, candidate, **kwargs):
        return services.application_submit(action=action, candidate=candidate)


class ApplicationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    key = factory.LazyFunction(uuid.uuid4)
    application = factory.SubFactory(ApplicationFactory)
    action = factory.SelfAttribute("application.action")
    kind = ApplicationDocument.Kind.RESUME
    file = factory.LazyFunction(lambda: ContentFile(clean_pdf(2), name="resume.pdf"))
    original_name = "resume.pdf"
    pages = 2
    size = 1000
    sha256 = "0" * 64


class ApplicationDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDraft

    action = factory.SubFactory(HiringActionFactory)
    candidate = factory.SubFactory(UserFactory)
    data = factory.LazyFunction(lambda: {"citizenship": True})


class JobAnalysisVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobAnalysisVersion

    action = factory.SubFactory(HiringActionFactory)
    number = 1
    snapshot = factory.LazyFunction(lambda: {"competencies": []})
    finalized_by = factory.SubFactory(StaffFactory)


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = None
    actor_role = Actor.SYSTEM
    subject = AuditEvent.Subject.APPLICATION
    application = factory.SubFactory(ApplicationFactory)
    action = factory.SelfAttribute("application.action")
    from_state = Status.RECEIVED
    to_state = Status.IN_RESUME_REVIEW


class AccountEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountEvent

    user = factory.SubFactory(UserFactory)
    kind = AccountEvent.Kind.SIGNED_UP


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    event = factory.SubFactory(AuditEventFactory)
    application = factory.SelfAttribute("event.application")
    subject = "A notice"
    body = "What happened and what comes next."


def hr_for(action: HiringAction) -> User:
    """The HR specialist of `action`, created if it has none."""
    role = ActionRole.objects.filter(action=action, role=Role.HR).select_related("user").first()
    return role.user if role else ActionRoleFactory(action=action, role=Role.HR).user


@transaction.atomic
def application_in(status: Status, **kwargs) -> Application:
    """An application walked to `status` along the shortest path of the transition table, as HR."""
    application = ApplicationFactory(**kwargs)
    hr = hr_for(application.action)
    for step in PATH[status]:
        action = application.action
        while not phase_allows(step, action.phase):
            action = services.hiring_action_advance_phase(
                action_id=action.pk, actor=hr, expected_phase=action.phase
            )
        move = move_for(application.status, step)
        application = services.application_transition(
            application_id=application.pk,
            to_status=step,
            actor=hr,
            actor_role=Actor.HR if Actor.HR in move.actors else Actor.SYSTEM,
            reason="test",
        )
    return application


S = Status
_ROUND_1 = [S.IN_RESUME_REVIEW, S.MOVED_FORWARD, S.IN_ROUND_1]
_QUALIFIED = [*_ROUND_1, S.IN_ROUND_2, S.QUALIFIED]
PATH: dict[Status, list[Status]] = {
    S.RECEIVED: [],
    S.INELIGIBLE: [S.INELIGIBLE],
    S.IN_RESUME_REVIEW: [S.IN_RESUME_REVIEW],
    S.DID_NOT_MOVE_FORWARD: [S.IN_RESUME_REVIEW, S.DID_NOT_MOVE_FORWARD],
    S.MOVED_FORWARD: [S.IN_RESUME_REVIEW, S.MOVED_FORWARD],
    S.IN_ROUND_1: _ROUND_1,
    S.IN_ROUND_2: [*_ROUND_1, S.IN_ROUND_2],
    S.FAILED_ASSESSMENT: [*_ROUND_1, S.FAILED_ASSESSMENT],
    S.NO_RESPONSE: [*_ROUND_1, S.NO_RESPONSE],
    S.QUALIFIED: _QUALIFIED,
    S.REFERRED: [*_QUALIFIED, S.REFERRED],
    S.NOT_REFERRED: [*_QUALIFIED, S.NOT_REFERRED],
    S.SELECTED: [*_QUALIFIED, S.REFERRED, S.SELECTED],
    S.NOT_SELECTED: [*_QUALIFIED, S.REFERRED, S.NOT_SELECTED],
    S.WITHDRAWN: [S.WITHDRAWN],
}


def start_resume_review(action: HiringAction) -> HiringAction:
    """Close intake and move `action` to resume review, as HR would."""
    return services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr_for(action), expected_phase=Phase.ANNOUNCEMENT
    )


class ConflictCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictCheck

    action = factory.SubFactory(HiringActionFactory)
    sme = factory.SubFactory(StaffFactory)


class RecusalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recusal

    application = factory.SubFactory(ApplicationFactory)
    sme = factory.SubFactory(StaffFactory)
    reason = Recusal.Reason.PERSONAL


class ResumeReviewFactory(factory.django.DjangoModelFactory):
    """A review assignment; real review work goes through assessments.services."""

    class Meta:
        model = ResumeReview

    application = factory.SubFactory(ApplicationFactory)
    action = factory.SelfAttribute("application.action")
    sme = factory.SubFactory(StaffFactory)
    slot = ResumeReview.Slot.FIRST


class ReviewLoadFactory(factory.django.DjangoModelFactory):
    """An SME's counts on an action; assessments.services keeps the real ones."""

    class Meta:
        model = ReviewLoad

    action = factory.SubFactory(HiringActionFactory)
    sme = factory.SubFactory(StaffFactory)


class InterviewerSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewerSeat

    action = factory.SubFactory(HiringActionFactory)
    round = 1
    sme = factory.SubFactory(StaffFactory)


class AvailabilityFactory(factory.django.DjangoModelFactory):
    """Tomorrow (or `day`) 9:00 to 17:00 local time."""

    class Meta:
        model = Availability

    action = factory.SubFactory(HiringActionFactory)
    sme = factory.SubFactory(StaffFactory)
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.make_aware(
                timezone.datetime.combine(
                    timezone.localdate() + timedelta(days=1), timezone.datetime.min.time()
                )
            )
            + timedelta(hours=9)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))


class InterviewFactory(factory.django.DjangoModelFactory):
    """An interview assignment; scheduling and scoring go through assessments.interviews."""

    class Meta:
        model = Interview

    application = factory.SubFactory(ApplicationFactory)
    action = factory.SelfAttribute("application.action")
    sme = factory.SubFactory(StaffFactory)
    round = 1


# --- certificates (rows built directly; real work goes through certificates.services) --------------


class AdjudicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adjudication

    application = factory.SubFactory(ApplicationFactory)
    preference = "TP"
    documents = factory.LazyFunction(lambda: ["dd214"])
    adjudicated_by = factory.SubFactory(StaffFactory)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    action = factory.SubFactory(HiringActionFactory)
    number = factory.Sequence(lambda n: f"TEST-2026-{n:04d}-01")
    agency = factory.SelfAttribute("action.agency")
    title = factory.SelfAttribute("action.title")
    series = factory.SelfAttribute("action.series")
    grade = 13
    full_performance_level = 13
    duty_location = "Washington, DC"
    appointment_type = "permanent"
    categories = factory.LazyFunction(lambda: ["best"])
    issued_by = factory.SubFactory(StaffFactory)
    issued_on = factory.LazyFunction(timezone.localdate)
    return_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    certificate = factory.SubFactory(CertificateFactory)
    application = factory.SubFactory(ApplicationFactory, action=factory.SelfAttribute("..certificate.action"))
    rank = factory.Sequence(lambda n: n + 1)
    name = factory.SelfAttribute("application.applicant_name")
    preference = "NV"
    score = 100
    category = "best"
    earned_category = "best"
    why = "Score 100 earns Best Qualified; no veterans' preference (listed after preference eligibles)."


class PassOverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PassOver

    entry = factory.SubFactory(EntryFactory, preference="TP")
    reasons = "Did not pass the suitability check."
    recorded_by = factory.SubFactory(StaffFactory)


class ShareRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareRequest

    certificate = factory.SubFactory(CertificateFactory)
    agency = factory.SubFactory(AgencyFactory)
    requested_by = factory.SubFactory(StaffFactory)
    position_title = "IT Specialist"
    series = "2210"
    grade = 13
    full_performance_level = 13
    duty_location = "Washington, DC"
    appointment_type = "permanent"


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    certificate = factory.SubFactory(CertificateFactory)
    note = "The preference symbol of the third name was TP, not XP."
    made_by = factory.SubFactory(StaffFactory)


class GradeCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeCheck

    application = factory.SubFactory(
        ApplicationFactory, action__grades=[12, 13], action__full_performance_level=13
    )
    grade = 13
    spans = factory.LazyFunction(
        lambda: [[12, (timezone.localdate() - timedelta(weeks=60)).isoformat(), None]]
    )
    source = GradeCheck.Source.SF50
    weeks = 60
    meets = True
    checked_by = factory.SubFactory(StaffFactory)


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A participating agency on a pooled action (ADR 0015)."""

    class Meta:
        model = Participant

    action = factory.SubFactory(HiringActionFactory)
    agency = factory.SubFactory(AgencyFactory)
    added_by = factory.SubFactory(StaffFactory, agency=factory.SelfAttribute("..action.agency"))


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    participant = factory.SubFactory(ParticipantFactory)
    duty_location = factory.LazyAttribute(lambda o: o.participant.action.duty_locations[0])
    grade = factory.LazyAttribute(lambda o: o.participant.action.grades[0])
    count = 1


class ApplicationPlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationPlace

    application = factory.SubFactory(ApplicationFactory)
    participant = factory.SubFactory(ParticipantFactory, action=factory.SelfAttribute("..application.action"))
    duty_location = factory.LazyAttribute(lambda o: o.application.action.duty_locations[0])
