"""Phase 5: veterans' preference as adjudicated, certificates of eligibles, their names and dispositions,
pass-overs, and Competitive Service Act sharing (domain-research §2, §3; rules 29-61)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from hiring.models import Agency, Application, HiringAction

from . import rules


class Preference(models.TextChoices):
    CPS = rules.CPS, "CPS: 10-point, compensable disability 30% or more"
    CP = rules.CP, "CP: 10-point, compensable disability 10% to less than 30%"
    XP = rules.XP, "XP: 10-point, other (Purple Heart, non-compensable disability, derived)"
    TP = rules.TP, "TP: 5-point"
    SSP = rules.SSP, "SSP: sole survivorship, 0-point"
    NV = rules.NV, "NV: no preference"


class Adjudication(models.Model):
    """HR's decision on an applicant's preference claim, made only once they passed every assessment
    (rule 31). An active-duty claim (discharge within 120 days) is tentative until proof arrives (rule 38)."""

    class Document(models.TextChoices):
        DD214 = "dd214", "DD-214 (or equivalent) showing character and dates of service"
        SF15 = "sf15", "SF-15"
        VA_LETTER = "va_letter", "VA or military statement of disability (dated 1991 or later)"
        ACTIVE_DUTY = "active_duty", "Certification of expected discharge within 120 days"
        OTHER = "other", "Other proof (Purple Heart citation, retirement papers, derived-preference papers)"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="adjudication")
    preference = models.CharField(max_length=3, choices=Preference)
    documents = models.JSONField(default=list, blank=True, help_text="The documents HR saw.")
    disability_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    tentative = models.BooleanField(
        default=False, help_text="Active-duty certification: proof due before appointment."
    )
    note = models.TextField(blank=True)
    adjudicated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adjudicated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.application}: {self.preference}"


class Certificate(models.Model):
    """A certificate of eligibles. `source` is set on a copy shared with another agency (CSA): the copy
    keeps the original's order and issue date, and cannot be re-rated, re-ordered or shared onward."""

    class State(models.TextChoices):
        ISSUED = "issued", "Issued to the hiring manager"
        RETURNED = "returned", "Returned by the hiring manager"
        AUDITED = "audited", "Audited and locked"

    class Pdf(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    action = models.ForeignKey(HiringAction, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(max_length=40, unique=True)
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text="Whose certificate."
    )
    title = models.CharField(max_length=200)
    series = models.CharField(max_length=4)
    pay_plan = models.CharField(max_length=2, default="GS")
    grade = models.PositiveSmallIntegerField()
    full_performance_level = models.PositiveSmallIntegerField()
    duty_location = models.CharField(max_length=200)
    appointment_type = models.CharField(max_length=20)
    categories = models.JSONField(
        default=list, help_text="The categories certified (merged when more than one)."
    )
    merged = models.BooleanField(default=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(help_text="For a shared copy: the original's issue date (rule 54).")
    return_by = models.DateField()
    state = models.CharField(max_length=10, choices=State, default=State.ISSUED)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audited_at = models.DateTimeField(null=True, blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A receiving agency posts internal notice to its own employees before selecting (rule 56).
    internal_notice_closed_on = models.DateField(null=True, blank=True)
    pdf = models.FileField(upload_to="certificates/", blank=True)
    pdf_state = models.CharField(max_length=10, choices=Pdf, default=Pdf.PENDING)
    pdf_error = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Issuing is atomic: one original certificate per action, agency, grade and duty location
            # (a pooled action has one per participating agency, ADR 0015 step 5).
            models.UniqueConstraint(
                fields=["action", "agency", "grade", "duty_location"],
                condition=models.Q(source__isnull=True),
                name="one_original_per_agency_grade_and_location",
            ),
            models.UniqueConstraint(
                fields=["source", "agency"],
                condition=models.Q(source__isnull=False),
                name="one_shared_copy_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.number}"

    @property
    def is_copy(self) -> bool:
        return self.source_id is not None

    @property
    def grade_label(self) -> str:
        return f"{self.pay_plan}-{self.grade:02d}"


class Disposition(models.TextChoices):
    """Reporting codes on a returned certificate (DEOH pp. 6-24-6-29; rule 46)."""

    SELECTED = "A", "A: selected"
    NOT_SELECTED_CONTACTED = "NS", "NS: not selected (contacted)"
    NOT_SELECTED = "NN", "NN: not selected (not contacted)"
    DECLINED = "D", "D: declined"
    FAILED_TO_RESPOND = "FR", "FR: failed to respond"
    CURRENTLY_EMPLOYED = "CE", "CE: currently employed in such a position"
    PASSED_OVER = "PO", "Passed over (approved pass-over)"


class Entry(models.Model):
    """One name on a certificate, in order, with its placement reason and, later, its disposition."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="certificate_entries")
    rank = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    preference = models.CharField(max_length=3, choices=Preference)
    tentative = models.BooleanField(default=False)
    score = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=10)
    earned_category = models.CharField(max_length=10)
    why = models.TextField()
    disposition = models.CharField(max_length=2, choices=Disposition, blank=True)
    disposition_on = models.DateField(null=True, blank=True)
    decline_reason = models.CharField(max_length=200, blank=True)
    disposition_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed = models.BooleanField(default=False, help_text="Removed from a shared copy by a correction.")

    class Meta:
        ordering = ["certificate_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "application"], name="one_entry_per_application"),
            models.UniqueConstraint(fields=["certificate", "rank"], name="one_entry_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"

    @property
    def preference_eligible(self) -> bool:
        return self.preference in rules.PREFERENCE_ELIGIBLE

    @property
    def category_label(self) -> str:
        return rules.CATEGORY_LABELS.get(self.category, self.category)


class PassOver(models.Model):
    """An approved pass-over of a preference eligible (5 U.S.C. 3318; rule 45), recorded by HR."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="pass_over")
    reasons = models.TextField()
    opm_decision = models.TextField(blank=True)
    notified_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Pass-over of {self.entry.name}"


class ShareRequest(models.Model):
    """Every request by another agency to use a certificate, allowed or refused, with the reasons:
    the sharing log OPM may ask for (rule 61)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="share_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position_title = models.CharField(max_length=200)
    series = models.CharField(max_length=4)
    grade = models.PositiveSmallIntegerField()
    full_performance_level = models.PositiveSmallIntegerField()
    duty_location = models.CharField(max_length=200)
    appointment_type = models.CharField(max_length=20)
    refusals = models.JSONField(default=list, blank=True)
    copy = models.OneToOneField(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="share_request"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} asked for {self.certificate}"


class Correction(models.Model):
    """A correction HR made to an original certificate after sharing; every copy shows it (rule 61)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="corrections")
    note = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"Correction to {self.certificate}"


class GradeCheck(models.Model):
    """HR's time-in-grade check for one grade of a multi-grade action (rule 42; 5 CFR 300.604): 52 weeks
    at the next lower grade or higher, read from the SF-50s or the resume. The spans HR typed are kept
    as [[grade, "start", "end" or null], ...] so the answer can be reconstructed (5 CFR 337.303(e))."""

    class Source(models.TextChoices):
        SF50 = "sf50", "SF-50 (Notification of Personnel Action)"
        RESUME = "resume", "Resume"
        NOT_COVERED = "not_covered", "Not covered: no General Schedule service in the last 52 weeks"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="grade_checks")
    grade = models.PositiveSmallIntegerField()
    spans = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=12, choices=Source)
    weeks = models.PositiveIntegerField(help_text="Whole weeks at the next lower grade or higher.")
    meets = models.BooleanField()
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application_id", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["application", "grade"], name="one_grade_check_per_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: GS-{self.grade:02d} {'meets' if self.meets else 'does not meet'}"
