"""The spine through HTTP: what HR and candidates see, and what bad input gets."""

import pytest
from django.urls import reverse

from hiring.models import Application, AuditEvent
from hiring.workflow import Phase, Status
from tests.factories import ApplicationFactory, application_in, start_resume_review

pytestmark = pytest.mark.django_db


def detail_url(application):
    return reverse("hiring:hr_application_detail", args=[application.action_id, application.pk])


def test_hr_moves_an_application_and_the_case_file_shows_who_and_why(client, hr, action):
    application = ApplicationFactory(action=action)
    start_resume_review(action)
    client.force_login(hr)
    response = client.post(
        detail_url(application),
        {
            "to_status": Status.IN_RESUME_REVIEW,
            "reason": "Resume attached; citizenship confirmed.",
            "expected_status": Status.RECEIVED,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "The candidate was notified" in response.text
    assert "Resume attached; citizenship confirmed." in response.text
    assert Application.objects.get(pk=application.pk).status == Status.IN_RESUME_REVIEW


def test_hr_form_offers_only_allowed_moves(client, hr, action):
    application = application_in(Status.IN_RESUME_REVIEW, action=action)
    client.force_login(hr)
    choices = client.get(detail_url(application)).context["form"].fields["to_status"].widget.choices
    # The resume-review outcome comes only from the SMEs' settled reviews, never from this form.
    assert [value for value, _ in choices] == [Status.WITHDRAWN]


def test_a_disallowed_move_posted_by_hand_gets_a_clear_message_and_changes_nothing(client, hr, action):
    application = ApplicationFactory(action=action)
    client.force_login(hr)
    response = client.post(
        detail_url(application),
        {"to_status": Status.SELECTED, "reason": "x", "expected_status": Status.RECEIVED},
    )
    assert response.status_code == 200
    assert "“Application received” cannot become “Selected”" in response.text
    assert "Nothing was saved" in response.text
    assert Application.objects.get(pk=application.pk).status == Status.RECEIVED


def test_a_stale_form_posted_twice_is_refused_with_the_current_status(client, hr, action):
    application = ApplicationFactory(action=action)
    client.force_login(hr)
    form = {
        "to_status": Status.INELIGIBLE,
        "reason": "No resume attached.",
        "expected_status": Status.RECEIVED,
    }
    client.post(detail_url(application), form)
    events = AuditEvent.objects.filter(application=application).count()

    form["to_status"] = Status.IN_RESUME_REVIEW  # another tab, loaded before the first post
    response = client.post(detail_url(application), form)

    assert "changed since you loaded the page: it is now “Not eligible”" in response.text
    assert Application.objects.get(pk=application.pk).status == Status.INELIGIBLE
    assert AuditEvent.objects.filter(application=application).count() == events


def test_a_missing_reason_is_named_next_to_the_field_and_nothing_is_saved(client, hr, action):
    application = ApplicationFactory(action=action)
    client.force_login(hr)
    response = client.post(
        detail_url(application),
        {"to_status": Status.IN_RESUME_REVIEW, "reason": "", "expected_status": Status.RECEIVED},
    )
    assert 'id="id_reason-error"' in response.text
    assert 'aria-describedby="id_reason-hint id_reason-error"' in response.text
    assert Application.objects.get(pk=application.pk).status == Status.RECEIVED


def test_candidate_sees_their_timeline_of_notices(client, candidate, action):
    application = application_in(Status.MOVED_FORWARD, action=action, candidate=candidate)
    client.force_login(candidate)
    response = client.get(reverse("hiring:candidate_application_status", args=[application.pk]))
    assert "Your application is: Moved forward" in response.text
    subjects = [notice.subject for notice in response.context["timeline"]]
    assert subjects == [
        f"We received your application for {action.title}",
        f"Your resume is being reviewed for {action.title}",
        f"You moved forward for {action.title} (ELSM)",
    ]


def test_candidate_withdraws_after_confirming(client, candidate, action):
    application = ApplicationFactory(action=action, candidate=candidate)
    client.force_login(candidate)
    url = reverse("hiring:candidate_withdraw", args=[application.pk])

    unconfirmed = client.post(url, {"expected_status": Status.RECEIVED})
    assert "Check the box to confirm" in unconfirmed.text
    assert Application.objects.get(pk=application.pk).status == Status.RECEIVED

    response = client.post(url, {"expected_status": Status.RECEIVED, "confirm": "on"}, follow=True)
    assert "Your application is withdrawn" in response.text
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    assert response.context["can_withdraw"] is False


def test_hr_advances_the_phase_and_a_second_click_is_harmless(client, hr, action):
    client.force_login(hr)
    url = reverse("hiring:hr_action_advance_phase", args=[action.pk])
    client.post(url, {"expected_phase": Phase.ANNOUNCEMENT})
    response = client.post(url, {"expected_phase": Phase.ANNOUNCEMENT}, follow=True)
    assert "since you loaded the page" in response.text
    action.refresh_from_db()
    assert action.phase == Phase.RESUME_REVIEW


def test_hr_list_query_count_does_not_grow_with_applicants(client, hr, action, django_assert_max_num_queries):
    client.force_login(hr)
    for _ in range(3):
        ApplicationFactory(action=action)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("hiring:hr_action_detail", args=[action.pk]))
    for _ in range(20):
        ApplicationFactory(action=action)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("hiring:hr_action_detail", args=[action.pk]))


def test_pages_for_signed_in_people_are_not_cached(client, hr):
    client.force_login(hr)
    assert client.get(reverse("hiring:hr_home"))["Cache-Control"] == "no-store"
