"""Background work for SME assessments. Tasks call services; running one twice is harmless."""

from celery import shared_task

from . import interviews


@shared_task(time_limit=300)
def interview_reminders_send() -> int:
    """Remind candidates who have not chosen an interview time, once, in the last 24 hours before the
    deadline (scheduler-instructions.md: reminders before any removal for not responding)."""
    return interviews.reminders_send()
