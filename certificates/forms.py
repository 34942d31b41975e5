"""Forms for phase 5."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from .models import Adjudication, Disposition, Preference


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
    grade = forms.TypedChoiceField(label="Grade", coerce=int)
    duty_location = forms.ChoiceField(label="Duty location")
    return_by = forms.DateField(
        label="Return by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the hiring manager returns it.",
    )

    def __init__(self, *args, action, **kwargs) -> None:
        kwargs.setdefault("initial", {"return_by": timezone.localdate() + timedelta(days=30)})
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
