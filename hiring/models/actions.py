"""The hiring action: the position, its settings from the job analysis, and its phase."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from ..workflow import Phase
from .people import Agency


class AppointmentType(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    TERM = "term", "Term"
    TEMPORARY = "temporary", "Temporary"


class WorkArrangement(models.TextChoices):
    ON_SITE = "on_site", "On site"
    TELEWORK = "telework", "Telework eligible"
    REMOTE = "remote", "Remote"


class ProficiencyScale(models.TextChoices):
    """SMEQA's two scales (defining-proficiency-levels.md): meets/exceeds for one grade, or four
    levels when grades differ by level."""

    TWO_LEVEL = "two_level", "Two levels: Meets, Exceeds"
    FOUR_LEVEL = "four_level", "Four levels: Novice, Competent, Advanced, Expert"


SCALE_LEVELS: dict[str, list[tuple[str, str]]] = {
    ProficiencyScale.TWO_LEVEL: [("meets", "Meets"), ("exceeds", "Exceeds")],
    ProficiencyScale.FOUR_LEVEL: [
        ("novice", "Novice"),
        ("competent", "Competent"),
        ("advanced", "Advanced"),
        ("expert", "Expert"),
    ],
}


class HiringAction(models.Model):
    """One SMEQA hiring action: a position to fill, moving through the five phases."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="hiring_actions")
    title = models.CharField(max_length=200, help_text="The working title applicants will see.")
    official_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The official position title, if it differs (e.g. IT Specialist).",
    )
    series = models.CharField(max_length=4, help_text="Occupational series, four digits, e.g. 2210.")
    pay_plan = models.CharField(max_length=2, default="GS")
    grades = models.JSONField(
        default=list, help_text="The grades filled by this action, lowest first, e.g. [12, 13]."
    )
    full_performance_level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text="The highest grade the position can reach without competition.",
    )
    duty_locations = models.JSONField(default=list, help_text="City, State; one entry per duty location.")
    work_arrangement = models.CharField(
        max_length=10, choices=WorkArrangement, default=WorkArrangement.TELEWORK
    )
    vacancies = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    appointment_type = models.CharField(
        max_length=10, choices=AppointmentType, default=AppointmentType.PERMANENT
    )
    scientific_professional = models.BooleanField(
        default=False,
        help_text="Scientific or professional series: CP/CPS do not float to the top category at GS-9 and above.",
    )
    proficiency_scale = models.CharField(
        max_length=12, choices=ProficiencyScale, default=ProficiencyScale.TWO_LEVEL
    )
    resume_page_limit = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Reviewers read this many pages; longer resumes are accepted, never rejected.",
    )
    recency_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Optional: experience must be within this many years."
    )
    specialized_experience = models.TextField(
        blank=True,
        help_text="The 52 weeks of specialized experience at the next lower grade the applicant must show.",
    )
    best_qualified_min = models.PositiveSmallIntegerField(default=100)
    well_qualified_min = models.PositiveSmallIntegerField(
        null=True, blank=True, default=85, help_text="Leave empty to use two categories."
    )
    qualified_min = models.PositiveSmallIntegerField(default=70)
    # Multi-grade (ADR 0015; domain-research §1.1 "one assessment strategy ... different required scores
    # per grade"): the final score required at each grade, {"12": 70, "13": 85}. A grade left out needs
    # `qualified_min`, so single-grade actions are unchanged.
    grade_scores = models.JSONField(
        default=dict, blank=True, help_text="The final score required at each grade, when grades differ."
    )
    two_grade_interval = models.BooleanField(
        default=False,
        help_text="The series advances two grades at a time through GS-11 (5 CFR 300.604).",
    )
    time_in_grade_applies = models.BooleanField(
        default=True, help_text="HR verifies 52 weeks at the next lower grade before certifying (rule 42)."
    )
    # Pooled (ADR 0015 step 7): when lead HR closed the pool; the leftovers then go to the talent pool.
    pool_closed_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=20, choices=Phase, default=Phase.JOB_ANALYSIS)
    created_at = models.DateTimeField(auto_now_add=True)
    phase_changed_at = models.DateTimeField(default=timezone.now)
    job_analysis_version = models.PositiveIntegerField(
        default=1, help_text="Increases each time a finalized job analysis is reopened for revision."
    )
    job_analysis_finalized_at = models.DateTimeField(null=True, blank=True)
    tiebreaker_sees_justifications = models.BooleanField(
        default=False, help_text="The tiebreaker may read the first two SMEs' justifications."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.series}, {self.grade})"

    def clean(self) -> None:
        errors = {}
        if not (len(self.series) == 4 and self.series.isdigit()):
            errors["series"] = "Enter the four-digit occupational series, for example 2210."
        grades = self.grades or []
        if not grades or not all(isinstance(g, int) and 1 <= g <= 15 for g in grades):
            errors["grades"] = "Enter one or more grades from 1 to 15."
        elif self.full_performance_level and self.full_performance_level < max(grades):
            errors["full_performance_level"] = "The full performance level cannot be below the highest grade."
        if not [loc for loc in self.duty_locations or [] if str(loc).strip()]:
            errors["duty_locations"] = "Enter at least one duty location."
        # 5 CFR 337.303(a): at least two quality categories, distinct and in order.
        cutpoints = [self.best_qualified_min, self.well_qualified_min, self.qualified_min]
        present = [c for c in cutpoints if c is not None]
        if present != sorted(present, reverse=True) or len(set(present)) != len(present):
            errors["qualified_min"] = (
                "Category scores must go down from Best Qualified to Qualified, each different."
            )
        scores = self.grade_scores or {}
        if any(str(key) not in {str(g) for g in grades} for key in scores):
            errors["grade_scores"] = "Give a required score only for the action's own grades."
        elif grades and "grades" not in errors:
            from certificates.grades import grade_requirement_problems

            problems = grade_requirement_problems(self.scores_by_grade)
            if problems:
                errors["grade_scores"] = " ".join(problems)
        if errors:
            raise ValidationError(errors)

    @property
    def grade(self) -> str:
        """The grades for display: GS-13, or GS-12/13."""
        grades = sorted(self.grades or [])
        if not grades:
            return self.pay_plan
        return f"{self.pay_plan}-{'/'.join(f'{g:02d}' if g < 10 else str(g) for g in grades)}"

    @property
    def duty_location(self) -> str:
        return "; ".join(self.duty_locations or [])

    @property
    def levels(self) -> list[tuple[str, str]]:
        return SCALE_LEVELS[self.proficiency_scale]

    @property
    def categories(self) -> list[tuple[str, int]]:
        """The quality categories with their minimum scores, highest first (SMEQA configuring-usas.md)."""
        rows = [("Best Qualified", self.best_qualified_min)]
        if self.well_qualified_min is not None:
            rows.append(("Well Qualified", self.well_qualified_min))
        rows.append(("Qualified", self.qualified_min))
        return rows

    def required_score(self, grade: int) -> int:
        """The final score required at `grade` (rule 42 with §1.1): `grade_scores`, else `qualified_min`."""
        found = (self.grade_scores or {}).get(str(grade))
        return self.qualified_min if found is None else int(found)

    @property
    def scores_by_grade(self) -> dict[int, int]:
        """Every grade of the action with its required final score, for `grades.highest_grade_qualified`."""
        return {grade: self.required_score(grade) for grade in sorted(self.grades or [])}

    @cached_property
    def is_pooled(self) -> bool:
        """Pooled (ADR 0015): other agencies take part. Reads the selectors' `has_participants` annotation
        or prefetched participants when present, else asks the database once."""
        if "has_participants" in self.__dict__:  # annotated by hiring.selectors (no query here)
            return self.has_participants
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "participants" in cache:
            return bool(cache["participants"])
        return self.participants.exists()

    @property
    def job_analysis_is_final(self) -> bool:
        return self.job_analysis_finalized_at is not None
