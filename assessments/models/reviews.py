"""SME work on a hiring action: conflict checks, recusals, and the two independent resume reviews
with a tiebreak (SMEQA resume review, domain-research §1.7 and rules 10-16)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from hiring.models import Application, HiringAction


class ConflictCheck(models.Model):
    """An SME has read the names of the applicants and declared any conflicts. Until then the SME sees
    no resume (SMEQA personal-relationships.md; email-template-sme-recusal.md)."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="conflict_checks")
    sme = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_checks"
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "sme"], name="one_conflict_check_per_sme")]

    def __str__(self) -> str:
        return f"{self.sme} checked conflicts on {self.action}"


class Recusal(models.Model):
    """An SME will never be assigned this applicant, in any phase (rule 16)."""

    class Reason(models.TextChoices):
        PERSONAL = "personal", "Personal relationship outside work"
        OTHER = "other", "Other reason (appearance of bias)"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="recusals")
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField(max_length=10, choices=Reason)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "sme"], name="one_recusal_per_pair")]

    def __str__(self) -> str:
        return f"{self.sme} recused from {self.application}"


class ResumeReview(models.Model):
    """One SME's independent review of one resume: first, second, or the tiebreak.

    Its `version` increases with every change of state (submit, accept, return, reassign), so a stale
    form (a double submit, another tab, HR acting at the same moment) is refused instead of overwriting.
    Draft saves keep the version: an SME's own autosave never makes their next click stale.
    """

    class Slot(models.IntegerChoices):
        FIRST = 1, "First review"
        SECOND = 2, "Second review"
        TIEBREAK = 3, "Tiebreak"

    class State(models.TextChoices):
        ASSIGNED = "assigned", "Not started"
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned by HR"
        ACCEPTED = "accepted", "Accepted by HR"
        WITHDRAWN = "withdrawn", "Reassigned"

    class Decision(models.TextChoices):
        MOVE_FORWARD = "move_forward", "Move Forward"
        DOES_NOT_MOVE_FORWARD = "does_not_move_forward", "Does Not Move Forward"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="resume_reviews")
    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="resume_reviews")
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="resume_reviews")
    slot = models.PositiveSmallIntegerField(choices=Slot)
    state = models.CharField(max_length=10, choices=State, default=State.ASSIGNED)
    ratings = models.JSONField(default=dict, blank=True, help_text='{"<competency id>": "meets" | "not_met"}')
    experience_met = models.BooleanField(null=True, blank=True)
    recency_met = models.BooleanField(null=True, blank=True)
    decision = models.CharField(max_length=24, choices=Decision, blank=True)
    justification = models.TextField(blank=True)
    hr_note = models.TextField(blank=True, help_text="Why HR returned the review.")
    version = models.PositiveIntegerField(default=1)
    assigned_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application_id", "slot", "id"]
        constraints = [
            # One live review per SME per application, and one live review per slot.
            models.UniqueConstraint(
                fields=["application", "sme"],
                condition=~models.Q(state="withdrawn"),
                name="one_live_review_per_sme",
            ),
            models.UniqueConstraint(
                fields=["application", "slot"],
                condition=~models.Q(state="withdrawn"),
                name="one_live_review_per_slot",
            ),
        ]
        indexes = [
            models.Index(fields=["sme", "action", "state", "assigned_at"]),
            models.Index(fields=["action", "state"]),
            # HR's quality-review list: submitted reviews, Does Not Move Forward first, oldest first.
            models.Index(fields=["action", "state", "decision", "submitted_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_slot_display()} of {self.application} by {self.sme}"

    @property
    def counts(self) -> bool:
        """A submitted or accepted review counts toward the outcome; a returned one does not."""
        return self.state in {self.State.SUBMITTED, self.State.ACCEPTED}

    @property
    def open(self) -> bool:
        """Work the SME still has to do."""
        return self.state in {self.State.ASSIGNED, self.State.DRAFT, self.State.RETURNED}


class ReviewLoad(models.Model):
    """One SME's resume-review counts on one action, kept by assessments.services in the same
    transaction as every change to their reviews, so HR's dashboard reads one row per SME instead of
    grouping every review (110,000 at 50,000 applicants: 37 ms, bench/resume_review.py)."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="+")
    sme = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned = models.PositiveIntegerField(default=0, help_text="Live reviews (not reassigned).")
    done = models.PositiveIntegerField(default=0, help_text="Submitted or accepted.")
    open = models.PositiveIntegerField(default=0, help_text="Not started, draft or returned.")
    oldest_open_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "sme"], name="one_review_load_per_sme")]

    def __str__(self) -> str:
        return f"{self.sme} on {self.action}: {self.done}/{self.assigned}"
