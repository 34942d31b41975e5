"""Forms for phase 5."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from .models import Adjudication, Disposition, GradeCheck, Preference


class AdjudicationForm(forms.Form):
    preference = forms.ChoiceField(
        label="Preference granted", choices=Preference.choices, widget=forms.RadioSelect
    )
    documents = forms.MultipleChoiceField(
        label="Documents you saw",
        choices=Adjudication.Document.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    disability_percent = forms.IntegerField(
        label="Compensable disability rating (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="For CP (10% to under 30%) and CPS (30% or more), from the VA letter.",
    )
    tentative = forms.BooleanField(
        label="Tentative: active-duty certification, proof of discharge due before appointment",
        required=False,
    )
    note = forms.CharField(
        label="Note for the case file", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssueForm(forms.Form):
    """Issue the certificate previewed on HR's page: its agency, location and grade ride along hidden,
    so what is issued is what HR just read (ADR 0015 step 5)."""

    # Checked by certificate_issue against the action's slots (the lead agency when empty).
    agency = forms.IntegerField(required=False, widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(label="Grade", coerce=int, widget=forms.HiddenInput)
    duty_location = forms.ChoiceField(label="Duty location", widget=forms.HiddenInput)
    return_by = forms.DateField(
        label="Return by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the hiring manager returns it.",
    )

    def __init__(self, *args, action, slot=None, **kwargs) -> None:
        initial = {"return_by": timezone.localdate() + timedelta(days=30)}
        if slot is not None:
            initial |= {"agency": slot.agency_id, "grade": slot.grade, "duty_location": slot.duty_location}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, f"{action.pay_plan}-{g:02d}") for g in action.grades]
        self.fields["duty_location"].choices = [(loc, loc) for loc in action.duty_locations]


class DispositionForm(forms.Form):
    code = forms.ChoiceField(
        label="Disposition", choices=[("", "- Select -")] + [c for c in Disposition.choices if c[0] != "PO"]
    )
    on = forms.DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    decline_reason = forms.CharField(label="Why they declined (if declined)", required=False, max_length=200)
    note = forms.CharField(label="Note", required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PassOverForm(forms.Form):
    reasons = forms.CharField(label="Written reasons", widget=forms.Textarea(attrs={"rows": 2}))
    opm_decision = forms.CharField(label="OPM's decision (CPS only)", required=False)
    notified_on = forms.DateField(
        label="Veteran notified on (CPS only)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_on = forms.DateField(
        label="OPM decided on (CPS only)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ShareRequestForm(forms.Form):
    position_title = forms.CharField(label="Your position's title", max_length=200)
    series = forms.CharField(label="Series", max_length=4)
    grade = forms.IntegerField(label="Grade", min_value=1, max_value=15)
    full_performance_level = forms.IntegerField(label="Full performance level", min_value=1, max_value=15)
    duty_location = forms.CharField(label="Duty location", max_length=200, help_text="City, State")
    appointment_type = forms.ChoiceField(
        label="Appointment type",
        choices=[("permanent", "Permanent"), ("term", "Term"), ("temporary", "Temporary")],
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="Correction", widget=forms.Textarea(attrs={"rows": 2}))


class InternalNoticeForm(forms.Form):
    closed_on = forms.DateField(
        label="Internal notice to your employees closed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class GradeCheckForm(forms.Form):
    source = forms.ChoiceField(
        label="Where you read the grade history",
        choices=GradeCheck.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where you read the grade history."},
    )
    note = forms.CharField(
        label="Note for the case file", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GradeSpanForm(forms.Form):
    """One row of grade history: a grade and the dates it was held. A row left blank is skipped."""

    grade = forms.TypedChoiceField(
        label="Grade",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "- Grade -")] + [(g, f"GS-{g:02d}") for g in range(1, 16)],
    )
    start = forms.DateField(
        label="From", required=False, widget=ISO_DATE, error_messages={"invalid": "Enter a date."}
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=ISO_DATE,
        error_messages={"invalid": "Enter a date, or leave it blank while current."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Needed once the row is used (checked in clean), so not marked "(optional)"; a blank row is skipped.
        for name in ("grade", "start"):
            self.fields[name].required_on_submit = True

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if data.get("grade") is None and "grade" not in self.errors:
            self.add_error("grade", "Choose the grade.")
        if data.get("start") is None and "start" not in self.errors:
            self.add_error("start", "Enter the date this grade began.")
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not self.errors and all(data.get(k) in (None, "") for k in ("grade", "start", "end"))


def grade_span_formset(*, data=None, spans: list | None = None):
    """The rows of grade history: those already recorded, and blank ones to add to (three at least)."""
    initial = [{"grade": g, "start": start, "end": end} for g, start, end in spans or []]
    factory = forms.formset_factory(GradeSpanForm, extra=max(3, 5 - len(initial)), max_num=40)
    # Rows already recorded are initial forms: always validated, so clearing one removes it; blank extra
    # rows are skipped by Django (empty_permitted) and by the view (is_blank).
    return factory(data, initial=initial, prefix="spans")
