"""A real Celery worker, a real broker, a real SMTP server: a notice delivered twice is emailed once.

Runs where CELERY_BROKER_URL is set (CI: Redis) and the database is one a second process can open
(PostgreSQL); skipped otherwise, with the reason printed.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from hiring.models import Notice
from hiring.tasks import notice_send
from smeqa.celery import app
from tests.factories import ApplicationFactory, HiringActionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.BROKER_URL, reason="CELERY_BROKER_URL is not set"),
]


class Sink:
    """An SMTP server that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_sink():
    sink = Sink()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def worker(transactional_db, smtp_sink):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs to share the test database: run on PostgreSQL")
    db = connection.settings_dict
    queue = f"smeqa-test-{uuid.uuid4().hex[:8]}"
    _, smtp_port = smtp_sink
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smeqa.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": "worker-test-only",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
    }
    node = f"{queue}@localhost"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "smeqa", "worker", "-Q", queue, "-n", node,
         "--concurrency=2", "--pool=prefork", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{process.stdout.read()}")
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


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
