"""Emailing candidate notices, exactly once."""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ..models import Notice

logger = logging.getLogger(__name__)


class NoticeDeliveryFailed(Exception):
    """The mail server refused or could not be reached; the task retries."""


def notice_deliver(*, notice_id: int) -> bool:
    """Email one notice unless it was already sent. Returns True when this call sent it.

    The row is locked while sending and a second delivery of the same task skips it, so a notice is
    emailed once even when its task runs twice. A failure is recorded and re-raised for retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("application__candidate", "application__action")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.delivery in {Notice.Delivery.SENT, Notice.Delivery.NO_ADDRESS}:
            return False
        if notice.application.candidate is None:
            # Imported applicants have no account here; their agency's system notifies them.
            notice.delivery = Notice.Delivery.NO_ADDRESS
            notice.save(update_fields=["delivery"])
            return False
        notice.attempts += 1
        try:
            _email(notice)
        except (SMTPException, OSError) as exc:
            error = exc
            notice.delivery = Notice.Delivery.FAILED
            notice.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            notice.save(update_fields=["attempts", "delivery", "last_error"])
        else:
            notice.delivery = Notice.Delivery.SENT
            notice.sent_at = timezone.now()
            notice.last_error = ""
            notice.save(update_fields=["attempts", "delivery", "last_error", "sent_at"])
    if error is not None:
        logger.warning("Notice %s not delivered (attempt %s): %s", notice_id, notice.attempts, error)
        raise NoticeDeliveryFailed(str(error)) from error
    return True


def _email(notice: Notice) -> None:
    message = EmailMessage(
        subject=notice.subject,
        body=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.application.candidate.email],
        # The key is the Message-ID, so even a mail server that saw a duplicate can tell.
        headers={
            "Message-ID": f"<{notice.key}@smeqa.notices>",
            "X-SMEQA-Notice-Code": notice.code or "none",
        },
    )
    if notice.calendar:
        # RFC 5545 calendar file: the interview (or the deadline to choose one) for the candidate's calendar.
        message.attach("interview.ics", notice.calendar, "text/calendar")
    message.send()
