"""Issue 9, candidates: what comes next and by when (the rule, the status page) and the two-weekly
status update (who gets one, its words, once per two weeks)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hiring import services
from hiring.models import Application, AuditEvent, Notice
from hiring.rules import NextStepFacts, add_business_days, expected_next
from hiring.services import updates
from hiring.workflow import FINAL_STATUSES, Status
from tests.factories import (
    ApplicationFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    InterviewFactory,
    NoticeFactory,
    UserFactory,
    application_in,
)

# --- The rule: no database -----------------------------------------------------------------------

TODAY = date(2026, 11, 5)  # a Thursday


def expect(status: str, today: date = TODAY, **facts):
    return expected_next(
        NextStepFacts(status=status, since=facts.pop("since", date(2026, 11, 2)), **facts), today
    )


def test_resume_review_results_are_expected_5_business_days_plus_2_for_tiebreaks_after_the_close():
    # Closes Friday November 13: 5 business days of review, 2 for tiebreaks → Tuesday November 24.
    received = expect("received", closes_on=date(2026, 11, 13))
    assert received.summary == "Resume review: results expected by about November 24, 2026"
    assert received.estimate and not received.late
    assert "After the announcement closes" in received.text


def test_resume_review_released_after_the_close_counts_from_the_release():
    in_review = expect(
        "in_resume_review", since=date(2026, 11, 18), closes_on=date(2026, 11, 13), today=date(2026, 11, 18)
    )
    assert in_review.due == date(2026, 11, 27)


def test_an_interview_invitation_gives_its_own_deadline_not_an_estimate():
    invited = expect("in_round_1", respond_by=date(2026, 12, 3))
    assert invited.summary == "Interview round 1: choose a time by December 3, 2026"
    assert not invited.estimate
    assert "removed from consideration" in invited.text


def test_a_booked_interview_names_its_day_and_the_result_about_2_business_days_later():
    booked = expect("in_round_2", interview_on=date(2026, 12, 4))  # a Friday
    assert booked.text.startswith("Your interview is on Friday, December 4.")
    assert booked.summary == "Interview round 2: result expected by about December 8, 2026"


def test_a_referred_candidate_sees_the_certificate_return_date_without_about():
    referred = expect("referred", return_by=date(2026, 12, 30))
    assert referred.summary == "Hiring manager's decision: due by December 30, 2026"
    without_certificate = expect("referred", since=date(2026, 11, 2))
    assert without_certificate.summary == "Hiring manager's decision: expected by about November 18, 2026"


def test_qualified_and_moved_forward_are_estimates_from_smeqas_week_plan():
    assert expect("qualified").due == add_business_days(date(2026, 11, 2), 10)
    assert expect("moved_forward").summary == "Interview invitation: expected by about November 9, 2026"


def test_an_estimate_that_has_passed_says_so_plainly():
    late = expect("moved_forward", today=date(2026, 11, 20))
    assert late.late
    assert late.summary == (
        "Interview invitation: we expected this by about November 9, 2026, and it is taking longer than planned"
    )


def test_final_statuses_have_no_next_step_and_not_referred_has_no_date():
    for status in FINAL_STATUSES:
        assert expect(status) is None
    assert expect("not_referred").due is None


# --- The status page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_page_shows_when_resume_review_results_are_expected(client):
    application = ApplicationFactory()
    closes_on = application.action.announcement.closes_on
    client.force_login(application.candidate)
    page = client.get(reverse("hiring:candidate_application_status", args=[application.pk])).content.decode()
    due = add_business_days(closes_on, 7)
    assert f"Resume review: results expected by about {due:%B %-d, %Y}." in page
    assert "our estimate" in page
    home = client.get(reverse("hiring:candidate_home")).content.decode()
    assert f"Next: Resume review: results expected by about {due:%B %-d, %Y}." in home


@pytest.mark.django_db
def test_the_status_page_shows_the_interview_deadline_as_a_firm_date(client):
    application = application_in(Status.IN_ROUND_1)
    respond_by = timezone.now() + timedelta(days=3)
    InterviewFactory(application=application, state="invited", respond_by=respond_by)
    client.force_login(application.candidate)
    page = client.get(reverse("hiring:candidate_application_status", args=[application.pk])).content.decode()
    assert f"Interview round 1: choose a time by {timezone.localdate(respond_by):%B %-d, %Y}." in page
    assert "choose a time by about" not in page


@pytest.mark.django_db
def test_the_status_page_shows_the_certificate_return_date_to_a_referred_candidate(client):
    application = application_in(Status.REFERRED)
    certificate = CertificateFactory(action=application.action, return_by=date(2027, 1, 15))
    EntryFactory(certificate=certificate, application=application)
    client.force_login(application.candidate)
    page = client.get(reverse("hiring:candidate_application_status", args=[application.pk])).content.decode()
    assert "Hiring manager&#x27;s decision: due by January 15, 2027." in page


# --- The two-weekly update -----------------------------------------------------------------------

LATER = timedelta(days=15)  # past the 14 days since every notice the factories wrote


def updates_of(application: Application) -> list[Notice]:
    return list(
        Notice.objects.filter(application=application, event__subject=AuditEvent.Subject.STATUS_UPDATE)
    )


@pytest.mark.django_db
def test_only_in_progress_applicants_with_an_account_and_two_quiet_weeks_get_an_update(
    django_capture_on_commit_callbacks,
):
    action = HiringActionFactory(title="Product Manager")
    waiting = ApplicationFactory(
        action=action, candidate=UserFactory(full_name="Ana Diaz", email="ana@example.test")
    )
    reviewed = application_in(Status.IN_RESUME_REVIEW)
    withdrawn = application_in(Status.WITHDRAWN)
    ineligible = application_in(Status.INELIGIBLE)
    imported = Application.objects.create(
        action=action, applicant_name="Elena Petrova", source="usa_staffing"
    )
    heard_lately = ApplicationFactory(action=action)
    NoticeFactory(
        application=heard_lately,
        event__application=heard_lately,
        created_at=timezone.now() + timedelta(days=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.status_updates_send(now=timezone.now() + LATER)

    assert len(sent) == 2
    assert len(updates_of(waiting)) == 1 and len(updates_of(reviewed)) == 1
    for nobody in (withdrawn, ineligible, imported, heard_lately):
        assert updates_of(nobody) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["ana@example.test", reviewed.candidate.email])


@pytest.mark.django_db
def test_the_update_says_where_it_stands_and_what_comes_next_in_plain_words(
    django_capture_on_commit_callbacks,
):
    action = HiringActionFactory(title="Product Manager")
    application = ApplicationFactory(
        action=action, candidate=UserFactory(full_name="Ana Diaz", email="ana@example.test")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.status_updates_send(now=timezone.now() + LATER)

    (email,) = mail.outbox
    assert email.subject == "Where your application for Product Manager stands"
    due = add_business_days(action.announcement.closes_on, 7)
    assert email.body.startswith("Dear Ana Diaz,")
    assert "Your application is: Application received. It is still being considered." in email.body
    assert "What comes next: After the announcement closes, HR checks each application" in email.body
    assert f"Resume review: results expected by about {due:%B %-d, %Y}." in email.body
    assert "score" not in email.body.lower()
    # The candidate's timeline shows it too, and HR's case file names it as a system status update.
    (notice,) = updates_of(application)
    assert notice.event.actor_role == "system" and notice.event.to_state == Status.RECEIVED


@pytest.mark.django_db
def test_running_twice_sends_one_update_and_a_new_notice_starts_the_two_weeks_again():
    application = ApplicationFactory()
    first = timezone.now() + LATER
    assert len(services.status_updates_send(now=first)) == 1
    assert services.status_updates_send(now=first) == []
    assert services.status_updates_send(now=first + timedelta(days=13)) == []
    assert len(services.status_updates_send(now=first + timedelta(days=14, minutes=1))) == 1

    # Any other notice (here, a status change) resets the clock.
    application_moved = first + timedelta(days=20)
    NoticeFactory(application=application, event__application=application, created_at=application_moved)
    assert services.status_updates_send(now=application_moved + timedelta(days=13)) == []
    assert len(updates_of(application)) == 2


@pytest.mark.django_db
def test_a_chunk_another_run_already_wrote_is_skipped_under_the_lock():
    applications = [ApplicationFactory() for _ in range(3)]
    now = timezone.now() + LATER
    ids = [a.pk for a in applications]
    assert len(updates._send_chunk(ids, now=now)) == 3
    # A second run that chose the same applications before the first committed re-checks them locked.
    assert updates._send_chunk(ids, now=now) == []


@pytest.mark.django_db
def test_the_update_run_costs_the_same_queries_for_3_or_30_applicants():
    def run(count: int) -> int:
        action = HiringActionFactory()
        for _ in range(count):
            ApplicationFactory(action=action)
        with CaptureQueriesContext(connection) as queries:
            services.status_updates_send(now=timezone.now() + LATER)
        # Those just written are recent for the next run.
        Notice.objects.filter(event__subject=AuditEvent.Subject.STATUS_UPDATE).update(
            created_at=timezone.now() + LATER
        )
        return len(queries)

    few, many = run(3), run(30)
    assert many == few
