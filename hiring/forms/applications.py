from django import forms
from django.contrib.auth.forms import AuthenticationForm

from ..workflow import Actor, Status, allowed_moves


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. Check both and try again.",
        "inactive": "This account is turned off. Ask your HR office to restore it.",
    }


class ApplicationTransitionForm(forms.Form):
    """HR moves an application along the table. Carries the status HR saw, to refuse stale posts.

    The field accepts any status and the service judges the move, so a stale or hand-made post gets
    the service's plain explanation; the drop-down offers only the moves allowed now.
    """

    to_status = forms.ChoiceField(
        label="New status", choices=Status.choices, help_text="Only the moves the workflow allows are listed."
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded in the case file; not shown to the candidate.",
    )
    expected_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)

    def __init__(self, *args, current_status: str, phase: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = [(s.value, s.label) for s in allowed_moves(current_status, Actor.HR, phase)]
        self.fields["to_status"].widget.choices = self.allowed
        self.fields["expected_status"].initial = current_status


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label="I want to withdraw this application",
        help_text="You will not be considered further for this job. This cannot be undone.",
        error_messages={"required": "Check the box to confirm you want to withdraw."},
    )
    expected_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)


class PhaseAdvanceForm(forms.Form):
    expected_phase = forms.CharField(widget=forms.HiddenInput)
