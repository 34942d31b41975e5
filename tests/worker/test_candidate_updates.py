"""The two-weekly status update through a real Celery worker: the task run twice at once (two pool
processes) writes and emails one update per due application.

Needs PostgreSQL and the redis-server program, like test_nothing_lost.py; skipped otherwise.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.models import Application, AuditEvent, Notice, User
from hiring.tasks import status_updates_send
from tests.factories import ApplicationFactory, HiringActionFactory

from .conftest import wait_until

# A Redis of the test's own (conftest.cluster): the worker queues the emails' batch tasks itself, on
# the default queue, which only a broker of our own lets it consume.
pytestmark = [pytest.mark.worker]

DUE = 300
SUBJECT = b"Subject: Where your application for Data Analyst stands"


def quiet_applicants(count: int) -> list[int]:
    """`count` applicants of one action who applied 15 days ago and have heard nothing since, plus one
    applied through the services (its receipt notice backdated) and one withdrawn: the bulk rows go in
    with bulk_create so the test stays fast."""
    action = HiringActionFactory(title="Data Analyst")
    weeks_ago = timezone.now() - timedelta(days=15)
    users = User.objects.bulk_create(
        User(email=f"quiet{i}@example.test", full_name=f"Quiet Applicant {i}", password="!")
        for i in range(count - 1)
    )
    Application.objects.bulk_create(
        Application(action=action, candidate=user, applicant_name=user.full_name, submitted_at=weeks_ago)
        for user in users
    )
    ApplicationFactory(action=action)
    Application.objects.filter(action=action).update(submitted_at=weeks_ago, status_changed_at=weeks_ago)
    Notice.objects.filter(application__action=action).update(
        created_at=weeks_ago, delivery=Notice.Delivery.SENT
    )
    return list(Application.objects.filter(action=action).values_list("pk", flat=True))


def test_the_update_task_run_twice_at_once_emails_each_due_applicant_once(cluster, smtp_sink):
    sink, _ = smtp_sink
    cluster.start_worker()  # two pool processes
    due = quiet_applicants(DUE)

    # Two runs at once, one per pool process, as two beats or a re-delivered task would give.
    status_updates_send.apply_async()
    status_updates_send.apply_async()

    updates = Notice.objects.filter(event__subject=AuditEvent.Subject.STATUS_UPDATE)
    wait_until(
        lambda: updates.filter(delivery=Notice.Delivery.SENT).count() >= DUE, seconds=12, what="the updates"
    )
    wait_until(lambda: sum(SUBJECT in m for m in sink.messages) >= DUE, seconds=5, what="the emails")

    per_application = {pk: 0 for pk in due}
    for application_id in updates.values_list("application_id", flat=True):
        per_application[application_id] += 1
    assert set(per_application.values()) == {1}
    emails = [m for m in sink.messages if SUBJECT in m]
    assert len(emails) == DUE
    assert len({m.split(b"Message-ID: ")[1][:60] for m in emails}) == DUE
    assert b"Dear Quiet Applicant 7," in b"".join(emails)
