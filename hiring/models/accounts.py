"""The account's own trail: sign-up, password and two-step sign-in changes, one row each."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountEventManager(models.Manager["AccountEvent"]):
    def record(self, *, user, kind: "AccountEvent.Kind") -> "AccountEvent":
        """Writes one row for a change `user` made to their own account. Call it inside the change's
        transaction, so a refused or rolled-back change leaves no row."""
        event = self.model(user=user, kind=kind)
        event.full_clean()
        event.save()
        return event


class AccountEvent(models.Model):
    """A change a person made to their own account: who, what and when, nothing else (no address, no
    IP: django-axes keeps sign-in addresses). AuditEvent needs a hiring action; these have none.
    Written in the same transaction as the change; never edited (the admin shows it read-only)."""

    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", "Signed up"
        PASSWORD_CHANGED = "password_changed", "Changed their password"
        PASSWORD_RESET = "password_reset", "Set a new password from an emailed link"
        TWO_FACTOR_SET_UP = "two_factor_set_up", "Set up two-step sign-in"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_events"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AccountEventManager()

    class Meta:
        ordering = ["created_at", "id"]
        # A person's account history, newest last: the admin's filter by user.
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: user {self.user_id}"
