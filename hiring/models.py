"""Agencies, people and their roles, hiring actions, applications, and the audit/notice trail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from .workflow import Actor, NoticeCode, Phase, Status


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=8, unique=True, help_text="Agency code, e.g. HE or IN.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in by email. What they may do comes from their roles, not from flags."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="The agency this person works for; empty for candidates.",
    )
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email


class HiringAction(models.Model):
    """One SMEQA hiring action: a position to fill, moving through the five phases."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="hiring_actions")
    title = models.CharField(max_length=200, help_text="The working title applicants will see.")
    series = models.CharField(max_length=4, help_text="Occupational series, e.g. 2210.")
    grade = models.CharField(max_length=20, help_text="Grade or grades, e.g. GS-13.")
    duty_location = models.CharField(max_length=200)
    vacancies = models.PositiveIntegerField(default=1)
    phase = models.CharField(max_length=20, choices=Phase, default=Phase.JOB_ANALYSIS)
    created_at = models.DateTimeField(auto_now_add=True)
    phase_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.series}, {self.grade})"


class Role(models.TextChoices):
    HR = "hr", "HR specialist"
    SME = "sme", "Subject matter expert"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"


class ActionRole(models.Model):
    """A person's role on one hiring action. Access to an action comes only from these rows."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_roles")
    role = models.CharField(max_length=20, choices=Role)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "user", "role"], name="one_role_per_person_per_action"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} on {self.action}"


class Application(models.Model):
    """A candidate's application to one hiring action. Its status changes only through
    hiring.services.application_transition."""

    action = models.ForeignKey(HiringAction, on_delete=models.PROTECT, related_name="applications")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=30, choices=Status, default=Status.RECEIVED)
    submitted_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "candidate"], name="one_application_per_action"),
        ]
        indexes = [models.Index(fields=["action", "status", "id"])]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.action}"


class AuditEvent(models.Model):
    """Who changed what, when, from which state to which, and why. Written in the same
    transaction as the change; never edited."""

    class Subject(models.TextChoices):
        APPLICATION = "application", "Application"
        HIRING_ACTION = "hiring_action", "Hiring action"

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
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.from_state} → {self.to_state} by {self.actor or self.actor_role}"

    @property
    def from_label(self) -> str:
        return self._label(self.from_state)

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)

    def _label(self, state: str) -> str:
        choices = Status if self.subject == self.Subject.APPLICATION else Phase
        return choices(state).label if state in choices.values else state


class Notice(models.Model):
    """A message to a candidate: shown on their status page and sent by email exactly once.

    `key` travels with the email (Message-ID) and is what makes a redelivered task harmless.
    """

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="notice")
    code = models.CharField(max_length=4, choices=NoticeCode, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    delivery = models.CharField(max_length=10, choices=Delivery, default=Delivery.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["delivery", "created_at"])]

    def __str__(self) -> str:
        return self.subject
