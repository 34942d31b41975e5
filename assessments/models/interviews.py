"""Phase 4: structured interviews, up to two rounds, one SME each (domain-research §1.8, rules 20-28).

An Interview is one applicant's interview in one round: who conducts it, when (chosen by the candidate
from the SME's published availability), and the SME's score sheet, which counts once HR accepts it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from hiring.models import Application, HiringAction


class Round(models.IntegerChoices):
    ONE = 1, "Round 1"
    TWO = 2, "Round 2"


class InterviewerSeat(models.Model):
    """An SME HR placed in a round's group of interviewers; assignment balances load within the group."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="interviewer_seats")
    round = models.PositiveSmallIntegerField(choices=Round)
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["round", "sme_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "round", "sme"], name="one_seat_per_sme_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.sme} interviews in round {self.round} of {self.action}"


class Availability(models.Model):
    """A window in which an SME can interview. The system offers candidates 60-minute starts inside
    it, on the hour from its start, within the limits of rule 23."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="availabilities")
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availabilities")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["action", "sme", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="availability_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sme} from {self.starts_at:%Y-%m-%d %H:%M}"


class Interview(models.Model):
    """One applicant's interview in one round, and its score sheet.

    `version` increases with every change of state (booking, submit, accept, return, cancel), so a
    stale form is refused instead of overwriting; draft saves of the sheet keep it, and merge field by
    field under a row lock, so two saves at once lose nothing.
    """

    class State(models.TextChoices):
        ASSIGNED = "assigned", "Interviewer assigned"
        INVITED = "invited", "Invited: choosing a time"
        SCHEDULED = "scheduled", "Scheduled"
        SUBMITTED = "submitted", "Score sheet submitted"
        RETURNED = "returned", "Returned to the interviewer"
        ACCEPTED = "accepted", "Accepted by HR"
        NO_RESPONSE = "no_response", "Did not respond (FR)"
        WITHDRAWN = "withdrawn", "Withdrawn"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="interviews")
    round = models.PositiveSmallIntegerField(choices=Round)
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews")
    state = models.CharField(max_length=12, choices=State, default=State.ASSIGNED)
    version = models.PositiveIntegerField(default=1)
    assigned_at = models.DateTimeField(default=timezone.now)
    # Scheduling: the candidate's link (no sign-in needed: imported applicants have no account).
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    calendar_sequence = models.PositiveIntegerField(default=0)
    # The score sheet: notes and ratings keyed by question and competency id.
    notes = models.JSONField(default=dict, blank=True)
    ratings = models.JSONField(default=dict, blank=True)
    analysis = models.TextField(blank=True)
    no_show = models.BooleanField(default=False)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    hr_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round"],
                condition=~models.Q(state="withdrawn"),
                name="one_live_interview_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "round", "state"]),
            models.Index(fields=["sme", "starts_at"]),
            models.Index(fields=["action", "sme", "state"]),
        ]

    def __str__(self) -> str:
        return f"Round {self.round} interview of {self.application}"

    @property
    def counts(self) -> bool:
        """Whether the score counts: only once HR has accepted the sheet (reviewing-sme-assessments.md)."""
        return self.state == self.State.ACCEPTED
