"""The spine's services on the real database: transitions, audit rows, notices, refusals."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from hiring import services
from hiring.models import Application, AuditEvent, HiringAction, Notice, Role
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    AgencyRoleFactory,
    ApplicationFactory,
    HiringActionFactory,
    StaffFactory,
    application_in,
    start_resume_review,
)

pytestmark = pytest.mark.django_db


def test_submitting_records_the_application_its_audit_row_and_a_receipt_email(
    action, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(action=action, candidate=candidate)

    assert application.status == Status.RECEIVED
    event = application.events.get()
    assert (event.from_state, event.to_state, event.actor, event.actor_role) == (
        "",
        Status.RECEIVED,
        candidate,
        Actor.CANDIDATE,
    )
    notice = application.notices.get()
    assert notice.delivery == Notice.Delivery.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [candidate.email]
    assert action.title in mail.outbox[0].subject


def test_cannot_apply_twice_or_outside_the_announcement(action, candidate):
    services.application_submit(action=action, candidate=candidate)
    with pytest.raises(DomainError, match="already applied"):
        services.application_submit(action=action, candidate=candidate)
    closed = HiringActionFactory(phase=Phase.RESUME_REVIEW)
    with pytest.raises(DomainError, match="not open for applications"):
        services.application_submit(action=closed, candidate=candidate)


def test_transition_writes_one_audit_row_and_one_coded_notice(hr, action, django_capture_on_commit_callbacks):
    application = application_in(Status.IN_RESUME_REVIEW, action=action)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(
            application_id=application.pk,
            to_status=Status.MOVED_FORWARD,
            actor=hr,
            actor_role=Actor.SYSTEM,
            reason="Two SMEs agreed.",
        )

    application.refresh_from_db()
    assert application.status == Status.MOVED_FORWARD
    event = application.events.latest("id")
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        Status.IN_RESUME_REVIEW,
        Status.MOVED_FORWARD,
        hr,
        "Two SMEs agreed.",
    )
    assert event.notice.code == "ELSM"
    assert "ELSM" in mail.outbox[0].subject
    assert "Two SMEs agreed" not in mail.outbox[0].body  # case-file reasons stay internal


def test_invalid_transition_is_refused_in_plain_words_and_nothing_changes(hr, action):
    application = ApplicationFactory(action=action)
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        services.application_transition(
            application_id=application.pk, to_status=Status.SELECTED, actor=hr, actor_role=Actor.HR
        )

    assert "“Application received” cannot become “Selected”" in refused.value.message
    assert "“Not eligible”, “Withdrawn”" in refused.value.message  # says what is possible instead
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert AuditEvent.objects.count() == events_before


def test_stale_form_is_refused_and_the_newer_change_survives(hr, action):
    application = ApplicationFactory(action=action)
    start_resume_review(action)
    services.application_transition(
        application_id=application.pk,
        to_status=Status.IN_RESUME_REVIEW,
        actor=hr,
        actor_role=Actor.HR,
        expected_status=Status.RECEIVED,
    )
    with pytest.raises(DomainError, match="changed since you loaded the page"):
        # The same form, posted a second time.
        services.application_transition(
            application_id=application.pk,
            to_status=Status.IN_RESUME_REVIEW,
            actor=hr,
            actor_role=Actor.HR,
            expected_status=Status.RECEIVED,
        )
    assert application.events.count() == 2


def test_hr_of_another_agency_cannot_move_an_application(action, other_agency_hr):
    application = ApplicationFactory(action=action)
    with pytest.raises(DomainError, match="hr specialist can do that"):
        services.application_transition(
            application_id=application.pk,
            to_status=Status.IN_RESUME_REVIEW,
            actor=other_agency_hr,
            actor_role=Actor.HR,
        )
    application.refresh_from_db()
    assert application.status == Status.RECEIVED


def test_a_candidate_withdraws_only_their_own_application(action, candidate):
    mine = ApplicationFactory(action=action, candidate=candidate)
    theirs = ApplicationFactory(action=action)
    with pytest.raises(DomainError):
        services.application_transition(
            application_id=theirs.pk,
            to_status=Status.WITHDRAWN,
            actor=candidate,
            actor_role=Actor.CANDIDATE,
        )
    services.application_transition(
        application_id=mine.pk,
        to_status=Status.WITHDRAWN,
        actor=candidate,
        actor_role=Actor.CANDIDATE,
    )
    assert Application.objects.get(pk=mine.pk).status == Status.WITHDRAWN
    assert Application.objects.get(pk=theirs.pk).status == Status.RECEIVED


def test_a_candidate_cannot_make_hr_moves(action, candidate):
    application = ApplicationFactory(action=action, candidate=candidate)
    with pytest.raises(DomainError):
        services.application_transition(
            application_id=application.pk,
            to_status=Status.IN_RESUME_REVIEW,
            actor=candidate,
            actor_role=Actor.CANDIDATE,
        )


def test_a_rolled_back_transition_sends_no_email(hr, action, django_capture_on_commit_callbacks):
    application = ApplicationFactory(action=action)
    start_resume_review(action)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_transition(
            application_id=application.pk,
            to_status=Status.IN_RESUME_REVIEW,
            actor=hr,
            actor_role=Actor.HR,
        )
        raise RuntimeError("the request failed after the service ran")
    assert callbacks == []
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    assert not Notice.objects.filter(
        application=application, event__to_state=Status.IN_RESUME_REVIEW
    ).exists()


def test_every_status_can_be_reached_through_services_with_a_trail():
    for status in Status:
        application = application_in(status)
        assert application.status == status
        trail = list(application.events.values_list("to_state", flat=True))
        assert trail[-1] == status
        assert application.notices.count() == len(trail)


def test_phase_advances_one_step_with_an_audit_row_and_refuses_stale_requests(hr, action):
    assert action.phase == Phase.ANNOUNCEMENT
    services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase=Phase.ANNOUNCEMENT)
    action.refresh_from_db()
    assert action.phase == Phase.RESUME_REVIEW
    assert action.events.filter(subject="hiring_action", to_state=Phase.RESUME_REVIEW, actor=hr).exists()
    with pytest.raises(DomainError, match="since you loaded the page"):
        services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase=Phase.ANNOUNCEMENT)
    assert HiringAction.objects.get(pk=action.pk).phase == Phase.RESUME_REVIEW


def test_only_the_actions_hr_moves_its_phase(action, sme, other_agency_hr):
    for person in (sme, other_agency_hr):
        with pytest.raises(DomainError):
            services.hiring_action_advance_phase(
                action_id=action.pk, actor=person, expected_phase=action.phase
            )


def test_a_closed_action_has_no_next_phase(hr, action):
    for _ in range(4):
        action = services.hiring_action_advance_phase(
            action_id=action.pk, actor=hr, expected_phase=action.phase
        )
    assert action.phase == Phase.CLOSED
    with pytest.raises(DomainError, match="closed"):
        services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase=Phase.CLOSED)


def test_hiring_manager_cannot_also_be_an_sme_on_the_same_action(hr, action, manager):
    # OPM Sept 2019 memo / SMEQA roles.md: SMEs are not the selecting officials.
    with pytest.raises(DomainError, match="both a subject matter expert and the hiring manager"):
        services.action_role_grant(action=action, user=manager, role=Role.SME, actor=hr)


def test_creating_an_action_makes_its_creator_hr():
    person = AgencyRoleFactory().user
    action = services.hiring_action_create(
        agency=person.agency,
        actor=person,
        title="Data Scientist",
        series="1560",
        grades=[13, 14],
        full_performance_level=14,
        duty_locations=["Denver, CO"],
    )
    assert action.phase == Phase.JOB_ANALYSIS
    assert action.grade == "GS-13/14"
    assert action.roles.filter(user=person, role=Role.HR).exists()
    assert action.events.filter(subject="hiring_action", to_state=Phase.JOB_ANALYSIS).exists()


def test_only_agency_hr_creates_actions_and_bad_settings_are_named(action):
    outsider = StaffFactory()
    with pytest.raises(DomainError, match="Only HR specialists of"):
        services.hiring_action_create(
            agency=outsider.agency, actor=outsider, title="X", series="2210", grades=[13],
            full_performance_level=13, duty_locations=["Denver, CO"],
        )  # fmt: skip
    person = AgencyRoleFactory().user
    with pytest.raises(ValidationError) as invalid:
        services.hiring_action_create(
            agency=person.agency, actor=person, title="X", series="22", grades=[14],
            full_performance_level=13, duty_locations=[], well_qualified_min=100,
        )  # fmt: skip
    assert set(invalid.value.message_dict) == {
        "series",
        "full_performance_level",
        "duty_locations",
        "qualified_min",
    }
    assert not HiringAction.objects.filter(title="X").exists()


def test_only_hr_grants_roles(action, sme):
    with pytest.raises(DomainError):
        services.action_role_grant(
            action=action, user=StaffFactory(agency=action.agency), role=Role.SME, actor=sme
        )
