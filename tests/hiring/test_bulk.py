"""Bulk moves (hiring.services.applications_transition) and batched notice delivery: the same rules,
audit rows and notice text as one transition at a time; each email sent once over one connection."""

from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings

from hiring import services, tasks
from hiring.models import Application, AuditEvent, Notice
from hiring.workflow import Actor, Status
from smeqa.errors import DomainError
from tests.factories import ApplicationFactory, UserFactory, start_resume_review
from tests.hiring.test_notices import minutes_pass, unreachable_smtp

pytestmark = pytest.mark.django_db

RELEASE = "Released to resume review after eligibility screening."


class CountingBackend(LocmemBackend):
    """locmem, counting the connections opened; refuses mail to addresses starting with "refuse"."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("refuse"):
                raise SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def counting_mail():
    CountingBackend.opened = 0
    return override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.CountingBackend"}})


def received(action, names):
    return [ApplicationFactory(action=action, candidate__full_name=name) for name in names]


def release(action, hr, ids=None, **kwargs):
    return services.applications_transition(
        action_id=action.pk,
        application_ids=ids,
        from_status=Status.RECEIVED,
        to_status=Status.IN_RESUME_REVIEW,
        actor=hr,
        actor_role=Actor.HR,
        reason=RELEASE,
        **kwargs,
    )


def test_a_bulk_move_writes_one_audit_row_and_notice_each_with_the_single_transition_text(
    action, hr, django_capture_on_commit_callbacks
):
    single, *bulk = received(
        action, ["Avery Single", "Blake Diaz", "Grace O'Neill", "Hiro <&> Tanaka", "Imani Brooks"]
    )
    start_resume_review(action)
    services.application_transition(
        application_id=single.pk,
        to_status=Status.IN_RESUME_REVIEW,
        actor=hr,
        actor_role=Actor.HR,
        reason=RELEASE,
    )
    expected = single.notices.latest("id")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = release(action, hr)

    assert (result.moved, result.skipped) == (4, 0)
    for application in bulk:
        application.refresh_from_db()
        assert application.status == Status.IN_RESUME_REVIEW
        events = application.events.filter(to_state=Status.IN_RESUME_REVIEW)
        assert [(e.from_state, e.actor, e.actor_role, e.reason) for e in events] == [
            (Status.RECEIVED, hr, Actor.HR, RELEASE)
        ]
        notice = application.notices.get(event=events.get())
        name = application.applicant_name
        assert notice.subject == expected.subject.replace("Avery Single", name)
        assert notice.body == expected.body.replace("Avery Single", name)
        assert notice.delivery == Notice.Delivery.SENT and notice.attempts == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.candidate.email for a in bulk)
    assert AuditEvent.objects.filter(to_state=Status.IN_RESUME_REVIEW).count() == 5
    assert Notice.objects.count() == 10  # a receipt and a release notice each


def test_notice_texts_render_in_full_when_a_template_reads_more_than_the_name(action, hr):
    # The receipt template reads `candidate` (has an account or not): each group is filled separately.
    applications = received(action, ["Avery Diaz", "Blake Walker", "Carmen Haddad", "Devon Brooks"])
    imported = Application.objects.create(
        action=action, applicant_name="Elena Petrova", source="usa_staffing"
    )
    rows = [*applications, imported]
    texts = services.notices.notice_texts(
        status=Status.RECEIVED,
        code="",
        names=[a.applicant_name for a in rows],
        has_account=[a.candidate_id is not None for a in rows],
        application=rows.__getitem__,
    )
    assert texts == [services.notices.notice_render(application=a, status=Status.RECEIVED) for a in rows]
    assert "USA Staffing will tell you" in texts[-1][1] and "signing in" in texts[0][1]


def test_a_bulk_move_skips_applications_no_longer_in_the_expected_status(action, hr):
    first, second, removed = received(action, ["Avery Diaz", "Blake Walker", "Carmen Haddad"])
    services.application_transition(
        application_id=removed.pk,
        to_status=Status.INELIGIBLE,
        actor=hr,
        actor_role=Actor.HR,
        reason="No resume.",
    )
    start_resume_review(action)

    result = release(action, hr, ids=[first.pk, removed.pk])

    assert (result.moved, result.skipped) == (1, 1)
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.IN_RESUME_REVIEW,
        second.pk: Status.RECEIVED,
        removed.pk: Status.INELIGIBLE,
    }
    assert removed.notices.count() == 2  # receipt and ineligible: nothing from the release


def test_a_bulk_move_refuses_what_one_transition_refuses_and_changes_nothing(action, hr, other_agency_hr):
    applications = received(action, ["Avery Diaz", "Blake Walker"])
    with pytest.raises(DomainError, match="while the action is in announcement"):
        release(action, hr)  # in resume review only (workflow.STATUS_PHASES)
    start_resume_review(action)
    with pytest.raises(DomainError, match="hr specialist"):
        release(action, other_agency_hr)  # no HR role on this action
    with pytest.raises(DomainError, match="cannot become “Moved forward”"):
        services.applications_transition(
            action_id=action.pk,
            from_status=Status.RECEIVED,
            to_status=Status.MOVED_FORWARD,
            actor=hr,
            actor_role=Actor.HR,
            reason="",
        )  # fmt: skip  (the SMEs' reviews decide it: a SYSTEM move only)
    with pytest.raises(DomainError, match="A person must be named"):
        release(action, None)
    with pytest.raises(DomainError, match="their own application"):
        services.applications_transition(
            action_id=action.pk, from_status=Status.RECEIVED, to_status=Status.WITHDRAWN,
            actor=applications[0].candidate, actor_role=Actor.CANDIDATE, reason="",
        )  # fmt: skip
    assert set(Application.objects.values_list("status", flat=True)) == {Status.RECEIVED}
    assert Notice.objects.count() == 2

    own = services.applications_transition(
        action_id=action.pk, application_ids=[applications[0].pk], from_status=Status.RECEIVED,
        to_status=Status.WITHDRAWN, actor=applications[0].candidate, actor_role=Actor.CANDIDATE, reason="",
    )  # fmt: skip
    assert own.moved == 1


def test_release_queues_delivery_in_batches_not_one_task_per_notice(
    action, hr, monkeypatch, django_capture_on_commit_callbacks
):
    received(action, [f"Applicant {n}" for n in range(5)])
    start_resume_review(action)
    batches = []
    deliver = tasks.notices_send_batch.delay
    monkeypatch.setattr(tasks, "BATCH", 2)
    monkeypatch.setattr(tasks.notices_send_batch, "delay", lambda ids: batches.append(ids) or deliver(ids))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.screening_release(action_id=action.pk, actor=hr) == 5

    assert [len(ids) for ids in batches] == [2, 2, 1]
    assert len(mail.outbox) == 5


def test_a_batch_is_emailed_once_however_often_it_runs_over_one_connection(action):
    applications = received(action, [f"Applicant {n}" for n in range(4)])
    ids = [a.notices.get().pk for a in applications]  # receipts, still queued (no on_commit here)
    mail.outbox.clear()

    with counting_mail():
        assert tasks.notices_send_batch.delay(ids).get() == 4
        assert tasks.notices_send_batch.delay(ids).get() == 0
        assert services.notices_deliver(notice_ids=ids).sent == 0

    assert CountingBackend.opened == 3  # one connection per run, not one per notice
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        f"<{key}@smeqa.notices>" for key in Notice.objects.filter(pk__in=ids).values_list("key", flat=True)
    )
    assert set(Notice.objects.filter(pk__in=ids).values_list("delivery", "attempts")) == {
        (Notice.Delivery.SENT, 1)
    }


def test_a_refused_notice_is_marked_failed_and_the_rest_of_the_batch_goes_out(action):
    good = ApplicationFactory(action=action)
    refused = ApplicationFactory(action=action, candidate=UserFactory(email="refuse@example.test"))
    later = ApplicationFactory(action=action)
    ids = [a.notices.get().pk for a in (good, refused, later)]
    mail.outbox.clear()

    with counting_mail():
        result = services.notices_deliver(notice_ids=ids)

    assert (result.sent, result.unsent) == (2, [ids[1]])
    failed = Notice.objects.get(pk=ids[1])
    assert (failed.delivery, failed.attempts) == (Notice.Delivery.FAILED, 1)
    assert "SMTPRecipientsRefused" in failed.last_error
    assert len(mail.outbox) == 2


def test_an_unreachable_server_leaves_the_batch_for_the_resend_sweep(action):
    applications = [ApplicationFactory(action=action) for _ in range(3)]
    ids = [a.notices.get().pk for a in applications]

    with unreachable_smtp():
        result = services.notices_deliver(notice_ids=ids)
        assert tasks.notices_send_batch.delay(ids).get() == 0  # eager: no retry, left for the sweep

    assert (result.sent, result.unsent) == (0, ids)
    # One connection attempt for the batch; the rest failed with it and back off with it (2 runs).
    states = set(Notice.objects.filter(pk__in=ids).values_list("delivery", "attempts"))
    assert states == {(Notice.Delivery.FAILED, 2)}
    assert all("ConnectionRefused" in n.last_error for n in Notice.objects.filter(pk__in=ids))

    mail.outbox.clear()
    assert tasks.notices_resend_unsent.delay().get() == 0  # backing off
    minutes_pass(3)
    assert tasks.notices_resend_unsent.delay().get() == 3
    assert set(Notice.objects.filter(pk__in=ids).values_list("delivery", flat=True)) == {Notice.Delivery.SENT}
    assert len(mail.outbox) == 3
