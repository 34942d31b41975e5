"""Background work for the hiring spine. Tasks take ids and call services; running one twice is harmless."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Notice

RESEND_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 20


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
    for notice_id in ids:
        notice_send.delay(notice_id)
    return len(ids)
