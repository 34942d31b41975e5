"""Pooled hiring (ADR 0015): participating agencies on one action, their vacancies, and where each
applicant accepts an offer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from .actions import HiringAction
from .applications import Application
from .people import Agency


class Participant(models.Model):
    """An agency filling vacancies through a pooled action. The lead agency (`action.agency`) is a
    participant only if it has vacancies of its own."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "agency"], name="one_participant_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.action}"


class Vacancy(models.Model):
    """How many positions a participant fills at one duty location and grade."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="vacancies")
    duty_location = models.CharField(max_length=200)
    grade = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["duty_location", "grade"]
        verbose_name_plural = "vacancies"
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "duty_location", "grade"], name="one_vacancy_row_per_place_and_grade"
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="vacancy_count_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.count} at GS-{self.grade} in {self.duty_location}"

    def clean(self) -> None:
        errors = {}
        action = self.participant.action
        if self.grade not in (action.grades or []):
            grades = ", ".join(str(g) for g in action.grades or [])
            errors["grade"] = f"Choose one of the action's grades ({grades})."
        if self.duty_location not in (action.duty_locations or []):
            errors["duty_location"] = "Choose one of the action's duty locations."
        if self.count is not None and self.count < 1:
            errors["count"] = "Enter at least 1 vacancy."
        if errors:
            raise ValidationError(errors)


class ApplicationPlace(models.Model):
    """One participating agency and duty location an applicant to a pooled action accepts."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="places")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="places")
    duty_location = models.CharField(max_length=200)

    class Meta:
        ordering = ["participant__agency__name", "duty_location"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "participant", "duty_location"], name="one_place_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.agency}, {self.duty_location}"
