"""Background work for the hiring spine. Tasks take ids and call services; running one twice is harmless."""

from collections.abc import Sequence
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Notice

RESEND_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 20
# Notices per notices_send_batch task: one SMTP connection each, a second or two of work, and few
# enough tasks that 50,000 notices queue in well under a second (docs/performance.md).
BATCH = 200


@shared_task(bind=True, max_retries=8, time_limit=60, soft_time_limit=45)
def notice_send(self, notice_id: int) -> bool:
    """Email one candidate notice; retries with backoff on mail-server failure. Sends at most once."""
    try:
        return services.notice_deliver(notice_id=notice_id)
    except services.NoticeDeliveryFailed as exc:
        if self.request.is_eager:
            # In-process mode (no broker): don't hold a web request through retries; the notice stays
            # marked failed and notices_resend_unsent picks it up.
            return False
        raise self.retry(exc=exc, countdown=min(3600, 30 * 2**self.request.retries)) from exc


@shared_task(bind=True, max_retries=8, time_limit=300, soft_time_limit=240)
def notices_send_batch(self, notice_ids: list[int]) -> int:
    """Email a batch of candidate notices over one mail-server connection; each at most once.

    Returns how many this run sent. The ones not sent (refused, or the server unreachable) are retried
    with backoff as a smaller batch; after the last retry notices_resend_unsent picks them up.
    """
    result = services.notices_deliver(notice_ids=notice_ids)
    if result.unsent and not self.request.is_eager:
        # Eager (no broker): as notice_send, the notices stay failed or queued for the resend sweep.
        failure = services.NoticeDeliveryFailed(f"{len(result.unsent)} of {len(notice_ids)} notices not sent")
        raise self.retry(
            args=(result.unsent,), exc=failure, countdown=min(3600, 30 * 2**self.request.retries)
        )
    return result.sent


def notices_send_in_batches(notice_ids: Sequence[int]) -> int:
    """Queue delivery of `notice_ids`, BATCH to a notices_send_batch task. Returns the tasks queued.

    Services call it from transaction.on_commit; a notice in two batches is still emailed once.
    """
    ids = list(notice_ids)
    for start in range(0, len(ids), BATCH):
        notices_send_batch.delay(ids[start : start + BATCH])
    return -(-len(ids) // BATCH)


@shared_task(time_limit=120)
def notices_resend_unsent() -> int:
    """Re-queue notices whose email has not gone out (a lost task, a long outage). Returns the count."""
    cutoff = timezone.now() - RESEND_AFTER
    ids = list(
        Notice.objects.filter(
            delivery__in=[Notice.Delivery.QUEUED, Notice.Delivery.FAILED],
            created_at__lt=cutoff,
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:5000]
    )
    notices_send_in_batches(ids)
    return len(ids)
