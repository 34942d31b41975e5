"""Applications, their drafts and their uploaded documents."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..workflow import Status
from .actions import HiringAction


class PreferenceClaim(models.TextChoices):
    """Veterans' preference as claimed by the applicant (adjudicated later by HR; DEOH p. 4-18)."""

    NONE = "NV", "No preference claimed"
    CPS = "CPS", "CPS: 10-point, disability rated 30% or more"
    CP = "CP", "CP: 10-point, disability rated at least 10% but less than 30%"
    XP = "XP", "XP: 10-point, other (Purple Heart, disability under 10%, derived)"
    TP = "TP", "TP: 5-point"
    SSP = "SSP", "SSP: sole survivorship, 0-point"


class Source(models.TextChoices):
    SMEQA = "smeqa", "Applied here"
    USA_STAFFING = "usa_staffing", "Imported from USA Staffing"
    ART = "art", "Imported from the Assessment Review Tool"


class Application(models.Model):
    """A candidate's application to one hiring action. Its status changes only through
    hiring.services.application_transition.

    Imported applications have no account (`candidate` is empty); the name is kept here for all.
    """

    action = models.ForeignKey(HiringAction, on_delete=models.PROTECT, related_name="applications")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(max_length=200)
    status = models.CharField(max_length=30, choices=Status, default=Status.RECEIVED)
    submitted_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    citizenship_attested = models.BooleanField(default=False)
    preference_claim = models.CharField(max_length=3, choices=PreferenceClaim, default=PreferenceClaim.NONE)
    sharing_opt_in = models.BooleanField(
        null=True,
        blank=True,
        help_text="Opted in to sharing with other agencies (5 U.S.C. 3319(c)); empty if not asked.",
    )
    resume_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    lowest_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Pooled actions: the lowest grade the applicant accepts; empty: any."
    )
    source = models.CharField(max_length=12, choices=Source, default=Source.SMEQA)
    external_number = models.CharField(
        max_length=40, blank=True, help_text="USA Staffing Application Number or ART applicant id."
    )
    external_data = models.JSONField(default=dict, blank=True)
    review_signature = models.PositiveIntegerField(
        default=0,
        help_text="Its live resume reviews as one number, kept by assessments.services (0: none).",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "candidate"], name="one_application_per_action"),
            models.UniqueConstraint(
                fields=["action", "source", "external_number"],
                condition=~models.Q(external_number=""),
                name="one_import_per_external_number",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "status", "id"]),
            # HR's applicant list (hiring.selectors.applicant_page): each sort, with and without a status.
            models.Index(fields=["action", "submitted_at", "id"]),
            models.Index(fields=["action", "status", "submitted_at", "id"]),
            models.Index(fields=["action", "applicant_name", "id"]),
            models.Index(fields=["action", "status", "applicant_name", "id"]),
            # HR's resume-review dashboard counts applicants by (status, review signature).
            models.Index(fields=["action", "status", "review_signature"]),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_name} for {self.action}"

    @property
    def has_resume(self) -> bool:
        return self.resume_pages is not None


class ApplicationDraft(models.Model):
    """What a candidate has typed so far; survives a closed browser. Deleted on submit."""

    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="drafts")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "candidate"], name="one_draft_per_action")]

    def __str__(self) -> str:
        return f"Draft by {self.candidate} for {self.action}"


def document_path(document: "ApplicationDocument", filename: str) -> str:
    # Stored under a random name; the original name is kept in the row, never on disk.
    return f"private/actions/{document.action_id}/{document.key}.pdf"


class ApplicationDocument(models.Model):
    """An uploaded PDF that passed hiring.uploads.check_pdf. Belongs to a draft until submitted."""

    class Kind(models.TextChoices):
        RESUME = "resume", "Resume"
        DD214 = "dd214", "DD-214"
        SF15 = "sf15", "SF-15"
        VA_LETTER = "va_letter", "VA letter"
        SF50 = "sf50", "SF-50"

    key = models.UUIDField(unique=True)
    action = models.ForeignKey(HiringAction, on_delete=models.CASCADE, related_name="+")
    draft = models.ForeignKey(
        ApplicationDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    file = models.FileField(upload_to=document_path)
    original_name = models.CharField(max_length=255)
    pages = models.PositiveSmallIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"
