"""The job analysis workshop's output: competencies, interview questions, comments and versions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .actions import HiringAction


class Competency(models.Model):
    """A core competency (SMEQA defining-competencies.md): a 1-3 sentence definition, the level
    required at each grade, and what each level looks like."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="competencies")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    definition = models.TextField(
        help_text="One to three sentences on what the competency is, not a task list."
    )
    required_levels = models.JSONField(
        default=dict, blank=True, help_text='The level required at each grade, e.g. {"13": "advanced"}.'
    )
    level_descriptions = models.JSONField(
        default=dict, blank=True, help_text="What each proficiency level looks like."
    )
    screen_out = models.BooleanField(
        default=True, help_text="Not meeting this competency means Does Not Move Forward."
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["action", "name"], name="competency_name_unique_per_action")
        ]

    def __str__(self) -> str:
        return self.name


class InterviewQuestion(models.Model):
    """A structured interview question for round 1 (breadth) or round 2 (depth)."""

    class Round(models.IntegerChoices):
        ONE = 1, "Round 1 (breadth)"
        TWO = 2, "Round 2 (depth)"

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="questions")
    round = models.PositiveSmallIntegerField(choices=Round)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    competencies = models.ManyToManyField(Competency, related_name="questions")
    follow_ups = models.TextField(blank=True, help_text="Required follow-up questions, one per line.")
    probes = models.TextField(blank=True, help_text="Optional probes, one per line.")
    benchmarks = models.JSONField(
        default=dict, blank=True, help_text="What a good answer sounds like at each level."
    )

    class Meta:
        ordering = ["round", "order", "id"]

    def __str__(self) -> str:
        return f"Round {self.round}, question {self.order}"


class Comment(models.Model):
    """A remark by someone on the action about its job analysis or announcement."""

    class Topic(models.TextChoices):
        JOB_ANALYSIS = "job_analysis", "Job analysis"
        ANNOUNCEMENT = "announcement", "Announcement"

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="comments")
    topic = models.CharField(max_length=20, choices=Topic)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.get_topic_display()}"


class JobAnalysisVersion(models.Model):
    """A frozen copy of the job analysis, written each time HR finalizes it (5 CFR 337.303(e):
    documentation sufficient to reconstruct the rating)."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="job_analysis_versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalized_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["action", "number"], name="one_snapshot_per_version")]

    def __str__(self) -> str:
        return f"Job analysis v{self.number} of {self.action}"
