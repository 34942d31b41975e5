"""Agencies, people, and the roles people hold on hiring actions."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


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


class Role(models.TextChoices):
    HR = "hr", "HR specialist"
    SME = "sme", "Subject matter expert"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"


class ActionRole(models.Model):
    """A person's role on one hiring action. Access to an action comes only from these rows."""

    action = models.ForeignKey("hiring.HiringAction", on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_roles")
    role = models.CharField(max_length=20, choices=Role)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="On a pooled action, the participating agency a hiring manager selects for.",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "user", "role"], name="one_role_per_person_per_action"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} on {self.action}"


class AgencyRole(models.Model):
    """A person's standing role in an agency's HR office: may create that agency's hiring actions."""

    class Kind(models.TextChoices):
        HR = "hr", "HR specialist"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="agency_roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_roles")
    role = models.CharField(max_length=10, choices=Kind, default=Kind.HR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "user", "role"], name="one_agency_role")]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} at {self.agency}"
