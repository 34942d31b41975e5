"""Notice delivery: exactly once, failures recorded and retried, nothing lost."""

import socket

import pytest
from django.core import mail
from django.test import override_settings

from hiring import services, tasks
from hiring.models import Notice
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_smtp():
    return override_settings(
        MAILERS={
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
            }
        }
    )


def test_a_notice_is_emailed_once_however_often_its_task_runs(action):
    application = ApplicationFactory(action=action)  # on_commit never fires here: still queued
    notice = application.notices.get()
    mail.outbox.clear()

    assert tasks.notice_send.delay(notice.pk).get() is True
    assert tasks.notice_send.delay(notice.pk).get() is False
    assert services.notice_deliver(notice_id=notice.pk) is False

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == f"<{notice.key}@smeqa.notices>"
    notice.refresh_from_db()
    assert notice.delivery == Notice.Delivery.SENT
    assert notice.sent_at is not None


def test_a_mail_server_failure_is_recorded_and_the_notice_is_sent_later(
    action, django_capture_on_commit_callbacks
):
    with unreachable_smtp(), django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(action=action)
    with unreachable_smtp():
        notice = application.notices.get()
        assert notice.delivery == Notice.Delivery.FAILED
        assert notice.attempts == 1
        assert "ConnectionRefused" in notice.last_error
        with pytest.raises(services.NoticeDeliveryFailed):
            services.notice_deliver(notice_id=notice.pk)

    mail.outbox.clear()
    Notice.objects.filter(pk=notice.pk).update(created_at=notice.created_at - tasks.RESEND_AFTER * 2)
    assert tasks.notices_resend_unsent.delay().get() == 1

    notice.refresh_from_db()
    assert notice.delivery == Notice.Delivery.SENT
    assert notice.attempts == 3
    assert notice.last_error == ""
    assert [m.to for m in mail.outbox] == [[application.candidate.email]]


def test_resend_leaves_fresh_and_sent_notices_alone(action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(action=action)  # sent at once
    with unreachable_smtp(), django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(action=action)  # failed just now: its own retry is still due
    mail.outbox.clear()
    assert tasks.notices_resend_unsent.delay().get() == 0
    assert mail.outbox == []


def test_notice_text_is_plain_and_names_the_job(action):
    application = ApplicationFactory(action=action, candidate__full_name="Grace O'Neill")
    notice = application.notices.get()
    assert "Grace O'Neill" in notice.body  # no HTML escaping in a plain-text email
    assert action.title in notice.subject
    assert "\n" not in notice.subject
