"""A real Celery worker, a real broker, a real SMTP server: a notice delivered twice is emailed once.

Runs where CELERY_BROKER_URL is set (CI: Redis) and the database is one a second process can open
(PostgreSQL); skipped otherwise, with the reason printed. The outage tests are in test_nothing_lost.py.
"""

import time
import uuid

import pytest
from django.conf import settings

from hiring.models import Notice
from hiring.tasks import notice_send
from smeqa.celery import app
from tests.factories import ApplicationFactory, HiringActionFactory, UserFactory

from .conftest import require_postgresql, spawn_worker, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.BROKER_URL, reason="CELERY_BROKER_URL is not set"),
]


@pytest.fixture
def worker(transactional_db, smtp_sink):
    """A worker on the broker in CELERY_BROKER_URL (CI's Redis), on a queue of its own."""
    require_postgresql()
    queue = f"smeqa-test-{uuid.uuid4().hex[:8]}"
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    process = None
    try:
        process = spawn_worker(broker_url=settings.BROKER_URL, queue=queue, smtp_port=smtp_sink[1])
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        if process is not None:
            process.stop()
            print(process.output()[-20000:])  # shown when the test failed
            process.log.unlink(missing_ok=True)


def queue_drained(queue: str) -> bool:
    with app.connection_for_write(settings.BROKER_URL) as conn:
        waiting = conn.default_channel.client.llen(queue)
    active = app.control.inspect(timeout=1).active() or {}
    return waiting == 0 and not any(active.values())


def test_a_notice_delivered_twice_is_emailed_once(worker, smtp_sink):
    sink, _ = smtp_sink
    action = HiringActionFactory()
    candidate = UserFactory(email="applicant@example.test")

    # The commit queues the receipt notice to the real broker; we then deliver the same task twice
    # more, once with a reused task id as a broker redelivery would.
    application = ApplicationFactory(action=action, candidate=candidate)
    notice = Notice.objects.get(application=application)
    first = notice_send.apply_async((notice.pk,))
    notice_send.apply_async((notice.pk,), task_id=first.id)

    wait_until(lambda: Notice.objects.get(pk=notice.pk).delivery == Notice.Delivery.SENT)
    wait_until(lambda: queue_drained(worker))
    time.sleep(0.5)

    assert len(sink.messages) == 1
    message = sink.messages[0].decode()
    assert f"Message-ID: <{notice.key}@smeqa.notices>" in message
    assert "To: applicant@example.test" in message
    assert f"We received your application for {action.title}" in message
    notice.refresh_from_db()
    assert notice.attempts == 1
