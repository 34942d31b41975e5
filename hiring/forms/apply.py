"""The application form and candidate sign-up."""

from django import forms
from django.contrib.auth import password_validation

from ..models import PreferenceClaim, User

SHARING_CHOICES = [
    ("opt_in", "Opt in: share my application with hiring managers in other agencies"),
    ("opt_out", "Opt out: consider me only at the agency I applied to"),
]
DOCUMENT_FIELDS = ["resume", "dd214", "sf15", "va_letter", "sf50"]
ANY_GRADE = "any"
# 5 U.S.C. 3319(c) sharing on a pooled action reaches agencies outside the pool (ADR 0015).
POOLED_SHARING_CHOICES = [
    ("opt_in", "Opt in: share my application with hiring managers in agencies outside this pool"),
    ("opt_out", "Opt out: consider me only at the agencies and locations I chose above"),
]


class ApplyForm(forms.Form):
    error_note = "Your other answers and any accepted files are kept in your draft."
    resume = forms.FileField(
        label="Resume (PDF)", required=False,
        help_text="A PDF of 10 MB or less. A longer resume is accepted; reviewers read the first pages stated in the announcement.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )  # fmt: skip
    citizenship = forms.BooleanField(
        label="I am a U.S. citizen or national",
        required=False,
        help_text="This job is open to U.S. citizens and nationals.",
    )
    preference_claim = forms.ChoiceField(
        label="Veterans' preference", choices=PreferenceClaim.choices, widget=forms.RadioSelect,
        help_text="HR checks your claim against your documents after you pass every assessment.",
    )  # fmt: skip
    dd214 = forms.FileField(
        label="DD-214 (PDF)", required=False, help_text="Needed for any preference claim."
    )
    sf15 = forms.FileField(
        label="SF-15 (PDF)", required=False, help_text="For 10-point preference (CPS, CP, XP)."
    )
    va_letter = forms.FileField(
        label="VA letter (PDF)",
        required=False,
        help_text="The VA or military statement of your disability rating.",
    )
    sf50 = forms.FileField(
        label="SF-50 (PDF)", required=False, help_text="Optional: current federal employees."
    )
    # Pooled actions only (ADR 0015): removed in __init__ for a single-agency action.
    places = forms.MultipleChoiceField(
        label="Where would you accept a job?", widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Choose each agency and duty location you would accept. Agencies hire only from the candidates who chose them.",
    )  # fmt: skip
    # Every action with two or more grades, pooled or not: each eligible is certified from the lowest
    # grade they accept to the highest they qualify for (DEOH pp. 6-5-6-7; domain-research §2.3, §3.5).
    lowest_grade = forms.ChoiceField(
        label="The lowest grade you would accept", widget=forms.RadioSelect, required=False,
        help_text="You are considered at every grade from this one up to the highest you qualify for.",
    )  # fmt: skip
    sharing = forms.ChoiceField(
        label="May we share your application with other agencies?", choices=SHARING_CHOICES,
        widget=forms.RadioSelect, required=False,
    )  # fmt: skip

    def __init__(
        self,
        *args,
        documents: dict[str, object] | None = None,
        sharing_notice: str = "",
        places: list[tuple[str, str]] | None = None,
        grades: list[tuple[str, str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sharing"].help_text = sharing_notice
        # `places` is None on a single-agency action: no places question. Two or more `grades` ask the
        # lowest grade accepted, whether or not the action is pooled.
        self.pooled = places is not None
        self.multi_grade = len(grades or []) > 1
        if self.pooled:
            self.fields["places"].choices = places
            self.fields["sharing"].choices = POOLED_SHARING_CHOICES
        else:
            del self.fields["places"]
        if self.multi_grade:
            self.fields["lowest_grade"].choices = [*(grades or []), (ANY_GRADE, "Any grade")]
        else:
            del self.fields["lowest_grade"]
        # Kept optional so a draft can be saved half-done; check_complete() requires them on submit.
        for name in ("resume", "citizenship", "sharing", "places", "lowest_grade"):
            if name in self.fields:
                self.fields[name].required_on_submit = True
        self.documents = documents or {}
        for kind, document in self.documents.items():
            field = self.fields[kind]
            field.help_text = f"Uploaded: {document.original_name} ({document.pages} page{'s' if document.pages != 1 else ''}). Upload again to replace it."

    def draft_data(self) -> dict:
        """The answers to keep in the draft, even when the form has errors."""
        data = self.data
        kept = {
            "citizenship": data.get("citizenship") in {"on", "true", "True"},
            "preference_claim": data.get("preference_claim", ""),
            "sharing": data.get("sharing", ""),
        }
        if self.pooled:
            kept["places"] = data.getlist("places") if hasattr(data, "getlist") else data.get("places", [])
        if self.multi_grade:
            kept["lowest_grade"] = data.get("lowest_grade", "")
        return kept

    def chosen_places(self) -> list[tuple[int, str]]:
        """The accepted places as (participant id, duty location)."""
        chosen = []
        for key in self.cleaned_data.get("places") or []:
            participant, _, location = key.partition(":")
            chosen.append((int(participant), location))
        return chosen

    def chosen_lowest_grade(self) -> int | None:
        """The lowest grade accepted; None for any grade or when the action has a single grade."""
        if not self.multi_grade:
            return None
        value = self.cleaned_data.get("lowest_grade") or ANY_GRADE
        return None if value == ANY_GRADE else int(value)

    def check_complete(self) -> bool:
        """Submitting needs a resume, the citizenship attestation and the sharing answer; on a pooled
        action, at least one place; on a multi-grade action, the lowest grade (or any grade)."""
        if "resume" not in self.documents and not self.errors.get("resume"):
            self.add_error("resume", "Upload your resume as a PDF.")
        if not self.cleaned_data.get("citizenship"):
            self.add_error("citizenship", "Confirm you are a U.S. citizen or national to apply.")
        if not self.cleaned_data.get("sharing"):
            self.add_error("sharing", "Choose whether we may share your application.")
        if self.pooled and not self.cleaned_data.get("places") and not self.errors.get("places"):
            self.add_error("places", "Choose at least one agency and duty location you would accept.")
        if (
            self.multi_grade
            and not self.cleaned_data.get("lowest_grade")
            and not self.errors.get("lowest_grade")
        ):
            self.add_error("lowest_grade", "Choose the lowest grade you would accept, or any grade.")
        return not self.errors


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password.",
    )  # fmt: skip
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email already exists. Sign in instead.")
        return email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords are different.")
        elif data.get("password1"):
            user = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(data["password1"], user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
