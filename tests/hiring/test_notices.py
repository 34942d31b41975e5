"""Notice delivery: exactly once, failures recorded and retried, nothing lost."""

import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from hiring import services, tasks
from hiring.models import Notice, User
from hiring.services import notices as notice_services
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


def minutes_pass(minutes: float) -> None:
    """Move every notice's times back, as if `minutes` had passed."""
    shift = timedelta(minutes=minutes)
    Notice.objects.update(created_at=F("created_at") - shift, next_attempt_at=F("next_attempt_at") - shift)


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
    assert tasks.notices_resend_unsent.delay().get() == 0  # backing off: 2 minutes after the 2nd failure
    minutes_pass(3)
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


def test_retries_back_off_from_a_minute_to_an_hour_and_stop_after_about_a_day():
    now = timezone.now()
    waits = [notice_services.notice_retry_at(attempts=n, now=now) - now for n in range(1, tasks.MAX_ATTEMPTS)]
    assert [w.total_seconds() / 60 for w in waits[:8]] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert max(waits) == timedelta(hours=1)
    assert timedelta(hours=20) < sum(waits, timedelta()) < timedelta(hours=30)


def test_a_notice_that_keeps_failing_is_marked_undelivered_and_left_alone_until_resent(
    action, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(action=action)
    notice = application.notices.get()
    Notice.objects.filter(pk=notice.pk).update(
        delivery=Notice.Delivery.FAILED, attempts=tasks.MAX_ATTEMPTS - 1
    )
    mail.outbox.clear()

    with unreachable_smtp(), pytest.raises(services.NoticeDeliveryFailed):
        services.notice_deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert (notice.delivery, notice.attempts) == (Notice.Delivery.UNDELIVERED, tasks.MAX_ATTEMPTS)
    assert notice.get_delivery_display() == "Not delivered: retries used up, re-send it"
    assert "ConnectionRefused" in notice.last_error

    minutes_pass(24 * 60)
    assert tasks.notices_resend_unsent.delay().get() == 0  # the sweep has given up on it
    assert tasks.notice_send.delay(notice.pk).get() is False  # and so does a stray task
    assert mail.outbox == []

    listed = _command("notices_resend", "--list")
    assert f"{notice.pk}\t" in listed and "retries used up" in listed and "ConnectionRefused" in listed
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 notice queued to be emailed again." in _command(
            "notices_resend", "--action", str(action.pk)
        )
    notice.refresh_from_db()
    assert (notice.delivery, notice.attempts) == (Notice.Delivery.SENT, 1)
    assert [m.to for m in mail.outbox] == [[application.candidate.email]]
    assert "0 notices queued" in _command("notices_resend")  # nothing left to re-send; never a second email
    assert len(mail.outbox) == 1


def _command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_bulk_queueing_stops_at_the_first_batch_when_the_broker_is_down(monkeypatch):
    calls = []

    def refused(ids):
        calls.append(ids)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.notices_send_batch, "delay", refused)
    assert tasks.notices_send_in_batches(list(range(1, 1001))) == 0
    assert len(calls) == 1  # not one broker timeout per batch of 200


def test_staff_find_undelivered_notices_in_the_admin_and_email_them_again(
    client, action, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(action=action)
    notice = application.notices.get()
    Notice.objects.filter(pk=notice.pk).update(
        delivery=Notice.Delivery.UNDELIVERED, attempts=tasks.MAX_ATTEMPTS
    )
    client.force_login(
        User.objects.create_superuser("admin@example.test", "a-long-password", full_name="Admin")
    )
    changelist = reverse("admin:hiring_notice_changelist")
    page = client.get(changelist, {"delivery__exact": Notice.Delivery.UNDELIVERED})
    assert "Not delivered: retries used up, re-send it" in page.text and notice.subject in page.text
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(changelist, {"action": "resend", "_selected_action": [notice.pk]}, follow=True)

    assert "1 notice queued to be emailed again." in page.text
    notice.refresh_from_db()
    assert notice.delivery == Notice.Delivery.SENT
    assert [m.to for m in mail.outbox] == [[application.candidate.email]]
