"""The one form of two-step sign-in: the 6-digit code from an authenticator app."""

from django import forms


class TotpCodeForm(forms.Form):
    """Checks the code's shape only; smeqa.twofactor checks it against the app's secret."""

    error_note = "Enter the code your app shows now; each code works once."
    code = forms.CharField(
        label="6-digit code",
        help_text="From your authenticator app, for SMEQA Hiring. A new code appears every 30 seconds.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "usa-input--small",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())  # "123 456" as some apps show it
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows, like 123456.")
        return code
