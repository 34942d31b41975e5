"""The case-file trail: audit events and candidate notices."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..workflow import Actor, NoticeCode, Phase, Status
from .actions import HiringAction
from .applications import Application


class AuditEvent(models.Model):
    """Who changed what, when, from which state to which, and why. Written in the same
    transaction as the change; never edited."""

    class Subject(models.TextChoices):
        APPLICATION = "application", "Application"
        HIRING_ACTION = "hiring_action", "Hiring action"
        JOB_ANALYSIS = "job_analysis", "Job analysis"
        ANNOUNCEMENT = "announcement", "Announcement"
        RESUME_REVIEW = "resume_review", "Resume review"
        INTERVIEW = "interview", "Interview"
        CERTIFICATE = "certificate", "Certificate"
        # A two-weekly update to the candidate (services.updates): the status did not change.
        STATUS_UPDATE = "status_update", "Status update"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, choices=Actor)
    subject = models.CharField(max_length=20, choices=Subject)
    action = models.ForeignKey(HiringAction, on_delete=models.PROTECT, related_name="events")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(max_length=30)
    to_state = models.CharField(max_length=30)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["application", "created_at"]),
            # The action's latest row: the version certificates.services.preview_cached keys on.
            models.Index(fields=["action", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.from_state} → {self.to_state} by {self.actor or self.actor_role}"

    @property
    def from_label(self) -> str:
        return self._label(self.from_state)

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)

    def _label(self, state: str) -> str:
        choices = {
            self.Subject.APPLICATION: Status,
            self.Subject.STATUS_UPDATE: Status,
            self.Subject.HIRING_ACTION: Phase,
        }.get(self.subject)
        if choices is not None and state in choices.values:
            return choices(state).label
        return state.capitalize()


class Notice(models.Model):
    """A message to a candidate: shown on their status page and sent by email exactly once.

    The row is the outbox: written in the same transaction as the change it tells of, then emailed by
    a task (hiring.tasks) and, if that task is lost or the mail server fails, by the resend sweep at
    `next_attempt_at`. `key` travels with the email (Message-ID) and makes a redelivered task harmless.
    """

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        # Retries used up (services.notices.MAX_ATTEMPTS, about a day): only a person re-sends it.
        UNDELIVERED = "undelivered", "Not delivered: retries used up, re-send it"
        NO_ADDRESS = "no_address", "Not emailed: imported applicant, notified by USA Staffing"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="notice")
    code = models.CharField(max_length=4, choices=NoticeCode, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    calendar = models.TextField(blank=True, help_text="An iCalendar file sent with the email, if any.")
    created_at = models.DateTimeField(default=timezone.now)
    delivery = models.CharField(max_length=12, choices=Delivery, default=Delivery.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the resend sweep may next try it: after a failure (the backoff) or once it re-queued it.
    # Empty for a notice whose first task has not been given up on yet (created_at + RESEND_AFTER).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["delivery", "created_at"])]

    def __str__(self) -> str:
        return self.subject
