"""The job announcement built from the job analysis."""

from django.db import models
from django.utils import timezone

from .actions import HiringAction


class Announcement(models.Model):
    """The public job announcement (JOA). Drafted from the job analysis, edited by HR, published with
    an open date and a close date or an application cap."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    class CapRule(models.TextChoices):
        EXACT = "exact", "Close after N applications"
        END_OF_DAY = "end_of_day", "Close at midnight on the day N are received"

    action = models.OneToOneField(HiringAction, on_delete=models.CASCADE, related_name="announcement")
    number = models.CharField(max_length=30, unique=True)
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    summary = models.TextField(help_text="What the job is, in plain words.")
    duties = models.TextField(help_text="The main duties, one per line.")
    qualifications = models.TextField(
        help_text="Built from the competencies; only these may be qualifications."
    )
    specialized_experience = models.TextField(blank=True)
    evaluation = models.TextField(help_text="How applicants are evaluated.")
    page_limit_statement = models.TextField()
    categories_statement = models.TextField()
    sharing_notice = models.TextField()
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    application_cap = models.PositiveIntegerField(null=True, blank=True)
    cap_rule = models.CharField(max_length=12, choices=CapRule, default=CapRule.EXACT)
    cap_reached_on = models.DateField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, help_text="Increases with every saved edit.")
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "opens_on"])]

    def __str__(self) -> str:
        return f"{self.number}: {self.action.title}"
