"""The web keeps working through a Redis outage and recovers from a PostgreSQL restart by itself.

No worker here (tests/worker/test_nothing_lost.py has the worker side). Redis is "down" by pointing
the broker at a port nothing listens on; PostgreSQL "restarts" for the app when its connection is
terminated on the server (pg_terminate_backend), which is what a restart does to every connection.
"""

import time
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.urls import reverse

from hiring import tasks
from hiring.models import Notice
from hiring.workflow import Status
from tests.factories import ApplicationFactory, start_resume_review
from tests.hiring.test_notices import minutes_pass
from tests.worker.brokers import free_port, use_broker

pytestmark = pytest.mark.django_db(transaction=True)  # the commits, and their on_commit queueing, are real


def move(client, application, to_status, expected_status):
    return client.post(
        reverse("hiring:hr_application_detail", args=[application.action_id, application.pk]),
        {"to_status": to_status, "reason": "Screened.", "expected_status": expected_status},
        follow=True,
    )


def test_with_redis_down_a_status_change_still_succeeds_and_its_notice_goes_out_later(
    client, action, hr, caplog
):
    application = ApplicationFactory(action=action)
    start_resume_review(action)
    client.force_login(hr)
    mail.outbox.clear()

    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):  # Redis stopped
        assert client.get("/healthz").json()["broker"] == "unavailable"
        started = time.monotonic()
        response = move(client, application, Status.IN_RESUME_REVIEW, Status.RECEIVED)
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert "Status changed to “In resume review”. The candidate was notified." in response.text
    assert elapsed < 5
    notice = Notice.objects.get(application=application, event__to_state=Status.IN_RESUME_REVIEW)
    assert notice.delivery == Notice.Delivery.QUEUED
    assert "Broker unavailable, notices left for the resend sweep" in caplog.text
    assert mail.outbox == []

    # Redis is back (tasks run here again); beat's sweep finds the notice once its task is overdue.
    assert tasks.notices_resend_unsent.delay().get() == 0
    minutes_pass(3)
    assert tasks.notices_resend_unsent.delay().get() == 1
    notice.refresh_from_db()
    assert (notice.delivery, notice.attempts) == (Notice.Delivery.SENT, 1)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [f"<{notice.key}@smeqa.notices>"]


def test_after_postgresql_drops_the_connection_the_next_request_succeeds(client, hr, action):
    if connection.vendor != "postgresql":
        pytest.skip("terminates a PostgreSQL backend")
    client.force_login(hr)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    page = reverse("hiring:hr_action_detail", args=[action.pk])
    # As in production, the connection is kept between requests (settings_test closes it after each).
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        status, body = get(page, cookie)
        assert status == 200 and action.title in body
        backend = connection.connection.info.backend_pid  # the connection the app keeps
        terminate(backend)  # what a PostgreSQL restart does to it

        status, body = get(page, cookie)  # CONN_HEALTH_CHECKS: the dead connection is replaced first
        assert status == 200 and action.title in body
        assert connection.connection.info.backend_pid != backend
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


def get(path: str, cookie: str) -> tuple[int, str]:
    """GET `path` through Django's WSGI handler as a server calls it, on this thread: one connection,
    kept between requests as a gunicorn sync worker keeps it. (The test client leaves out the check of
    old connections at the start of a request, so it cannot show this.) Returns status and page."""
    environ: dict = {}
    setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookie, HTTP_HOST="testserver")
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(response).decode()
    finally:
        response.close()  # request_finished, as the server sends it
    return int(statuses[0].split()[0]), body


def terminate(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname=db["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    time.sleep(0.2)  # the backend is gone once the signal is handled
