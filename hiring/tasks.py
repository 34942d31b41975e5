"""Background work for the hiring spine. Tasks take ids and call services; running one twice is harmless.

Notices are an outbox in PostgreSQL (ADR 0004): the services write them, these tasks email them, and
the resend sweep (Celery beat, every minute) queues again whatever a lost task, a broker outage or a
mail-server failure left unsent. Retries and their backoff are kept in the rows, not in the broker.
"""

import logging
from collections.abc import Callable, Sequence

from celery import shared_task
from kombu.exceptions import OperationalError

from . import services
from .services.notices import MAX_ATTEMPTS, RESEND_AFTER

__all__ = [
    "BATCH",
    "MAX_ATTEMPTS",
    "RESEND_AFTER",
    "notice_send",
    "notice_send_soon",
    "notices_resend_unsent",
    "notices_send_batch",
    "notices_send_in_batches",
    "status_updates_send",
]

logger = logging.getLogger(__name__)

# Notices per notices_send_batch task: one SMTP connection each, a second or two of work, and few
# enough tasks that 50,000 notices queue in well under a second (docs/performance.md).
BATCH = 200
# What queueing a task raises when the broker cannot be reached (kombu wraps redis' connection errors
# once its own publish retries, under a second, are used up).
BROKER_DOWN = (OperationalError, OSError)  # what queueing raises while Redis is down


@shared_task(time_limit=60, soft_time_limit=45)
def notice_send(notice_id: int) -> bool:
    """Email one candidate notice, at most once. Returns True if this run sent it.

    Side effects: the notice's delivery state; a failure is recorded with its next attempt time and
    the resend sweep tries again then (no retry is held in the broker).
    """
    try:
        return services.notice_deliver(notice_id=notice_id)
    except services.NoticeDeliveryFailed:
        return False


@shared_task(time_limit=300, soft_time_limit=240)
def notices_send_batch(notice_ids: list[int]) -> int:
    """Email a batch of candidate notices over one mail-server connection, each at most once.

    Returns how many this run sent. Side effects: each notice's delivery state; the ones not sent are
    recorded as failed with their next attempt time, when the resend sweep tries them again.
    """
    return services.notices_deliver(notice_ids=notice_ids).sent


@shared_task(time_limit=120, soft_time_limit=100)
def notices_resend_unsent() -> int:
    """The resend sweep: queue again the notices due another try (a lost task, the broker down at the
    commit, a failure's backoff over). Returns how many. Side effect: their next attempt time moves on.
    """
    ids = services.notices_claim_due()
    notices_send_in_batches(ids)
    return len(ids)


@shared_task(time_limit=900, soft_time_limit=840)
def status_updates_send() -> int:
    """The two-weekly update (Celery beat, daily): tell each candidate who has had no notice for 14
    days where their application stands and what comes next. Returns how many updates it wrote.

    Side effects: an audit row and a notice per due application (services.updates), emailed in batches
    after each chunk commits. Running twice, at once or after a worker died, writes each update once.
    """
    return len(services.status_updates_send())


def notice_send_soon(notice_id: int) -> bool:
    """Queue the email of one notice; services call it from transaction.on_commit.

    Returns False, and logs, when the broker cannot be reached: the committed notice is safe in the
    outbox and the resend sweep sends it once the broker is back, so the page still succeeds.
    """
    return publish(notice_send.delay, notice_id)


def notices_send_in_batches(notice_ids: Sequence[int]) -> int:
    """Queue delivery of `notice_ids`, BATCH to a notices_send_batch task. Returns the tasks queued.

    Services call it from transaction.on_commit; a notice in two batches is still emailed once. If the
    broker cannot be reached it stops at the first batch (no wait per batch) and leaves the rest to the
    resend sweep.
    """
    ids = list(notice_ids)
    for queued, start in enumerate(range(0, len(ids), BATCH)):
        if not publish(notices_send_batch.delay, ids[start : start + BATCH]):
            return queued
    return -(-len(ids) // BATCH)


def publish(
    send: Callable[..., object], ids: int | list[int], *, left_for: str = "notices left for the resend sweep"
) -> bool:
    """Queue a task with `send(ids)` from transaction.on_commit. With the broker down the committed
    work is safe in PostgreSQL: log what waits for which sweep, return False, and let the page succeed."""
    try:
        send(ids)
    except BROKER_DOWN as exc:
        logger.warning("Broker unavailable, %s (%s): %s", left_for, ids, exc)
        return False
    return True
