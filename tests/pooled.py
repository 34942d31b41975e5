"""Builders for multi-grade and pooled actions (ADR 0015), shared by the service and browser tests:
applications submitted through the real service with their choices, then walked to the certificate
phase with accepted interview scores and HR's time-in-grade answers."""

from datetime import timedelta

from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import Application
from hiring.workflow import Actor, Phase, Status
from tests.factories import (
    GradeCheckFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    UserFactory,
    hr_for,
    start_resume_review,
)

RETURN_BY = timezone.localdate() + timedelta(days=30)
# Final scores (rule 29): (2, 2) -> 100, (1, 2) -> 85, (1, 1) -> 70.
SCORES = {100: (2, 2), 85: (1, 2), 70: (1, 1)}


def multi_grade_action(**kwargs):
    fields = {
        "title": "IT Specialist", "grades": [12, 13, 14], "full_performance_level": 14,
        "duty_locations": ["Denver, CO", "Boston, MA"], "grade_scores": {"12": 70, "13": 85, "14": 100},
    }  # fmt: skip
    action = HiringActionFactory(**fields | kwargs)
    InterviewQuestionFactory(action=action, round=2)
    hr_for(action)
    return action


def eligible(action, name, score, *, lowest=None, meets=None, places=(), claim="NV", opted_in=None):
    """An application submitted while the announcement is open, as the candidate would: the lowest grade
    they accept and, on a pooled action, the places they accept. `to_certificate_phase` later gives it
    the accepted interview scores making `score` and HR's time-in-grade answers {grade: meets}."""
    application = hiring_services.application_submit(
        action=action, candidate=UserFactory(full_name=name), preference_claim=claim, sharing_opt_in=opted_in,
        places=[(participant.pk, location) for participant, location in places], lowest_grade=lowest,
    )  # fmt: skip
    if lowest is not None and not places:
        Application.objects.filter(pk=application.pk).update(lowest_grade=lowest)
    PLANS[application.pk] = (score, meets or {})
    return application


PLANS: dict[int, tuple[int, dict[int, bool]]] = {}


def walk(application, *statuses):
    """Move an application through `statuses` as the system would (the transition table's checks hold)."""
    for status in statuses:
        hiring_services.application_transition(
            application_id=application.pk,
            to_status=status,
            actor=None,
            actor_role=Actor.SYSTEM,
            reason="test",
        )


def to_certificate_phase(action):
    """Resume review and both rounds as HR and SMEs would end them, then the certificate phase."""
    hr = hr_for(action)
    applications = list(Application.objects.filter(action=action))
    start_resume_review(action)
    for application in applications:
        walk(application, Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD)
    hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    for application in applications:
        score, meets = PLANS.pop(application.pk)
        walk(application, Status.IN_ROUND_1, Status.IN_ROUND_2, Status.QUALIFIED)
        for round_, points in enumerate(SCORES[score], start=1):
            InterviewFactory(application=application, round=round_, state="accepted", score=points)
        for grade, ok in meets.items():
            GradeCheckFactory(application=application, grade=grade, meets=ok, weeks=60 if ok else 20)
    hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.ASSESSMENTS
    )
    action.refresh_from_db()
