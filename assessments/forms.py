"""Forms for SME work."""

from django import forms

from hiring.models import Application, Competency, HiringAction

from .models import Recusal, ResumeReview
from .rules import MEETS, NOT_MET

YES_NO = [("yes", "Met"), ("no", "Not met")]


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _choice(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class ConflictForm(forms.Form):
    """The names-only list: the SME marks anyone they have a conflict with."""

    def __init__(self, *args, applications: list[Application], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.applications = applications
        choices = [("", "No conflict"), *Recusal.Reason.choices]
        for application in applications:
            self.fields[f"conflict_{application.pk}"] = forms.ChoiceField(
                label=application.applicant_name, choices=choices, required=False
            )

    def recusals(self) -> dict[int, tuple[str, str]]:
        return {
            a.pk: (self.cleaned_data[f"conflict_{a.pk}"], "")
            for a in self.applications
            if self.cleaned_data.get(f"conflict_{a.pk}")
        }


class ResumeReviewForm(forms.Form):
    """Meets / not met per competency, the 52 weeks and recency, and the justification."""

    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for Does Not Move Forward: 1 to 4 sentences naming the unmet competency, requirement or duration.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args, review: ResumeReview, action: HiringAction, competencies: list[Competency], **kwargs
    ) -> None:
        initial = {f"competency_{c.pk}": review.ratings.get(str(c.pk), "") for c in competencies} | {
            "experience": _choice(review.experience_met),
            "recency": _choice(review.recency_met),
            "justification": review.justification,
            "version": review.version,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        levels = dict(action.levels)
        fields = {}
        for c in competencies:
            required = ", ".join(
                f"{levels.get(level, level)} at {action.pay_plan}-{grade}"
                for grade, level in c.required_levels.items()
            )
            fields[f"competency_{c.pk}"] = forms.ChoiceField(
                label=c.name,
                choices=[(MEETS, "Meets"), (NOT_MET, "Does not meet")],
                widget=forms.RadioSelect,
                required=False,
                help_text=f"{c.definition} Required: {required}.",
            )
        fields["experience"] = forms.ChoiceField(
            label="52 weeks of specialized experience",
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=False,
            help_text=action.specialized_experience,
        )
        if action.recency_years:
            fields["recency"] = forms.ChoiceField(
                label=f"Experience within the last {action.recency_years} years",
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=False,
            )
        # Ratings first, then the justification, then the hidden version.
        self.fields = {**fields, **self.fields}
        for name in [*fields, "justification"]:
            self.fields[name].required_on_submit = True

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "ratings": {str(c.pk): data.get(f"competency_{c.pk}", "") for c in self.competencies},
            "experience_met": _bool(data.get("experience")),
            "recency_met": _bool(data.get("recency")),
            "justification": data.get("justification", ""),
        }


class RecuseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you recusing?", choices=Recusal.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note for HR", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    note = forms.CharField(label="What should the SME fix?", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddSmeForm(forms.Form):
    email = forms.EmailField(label="SME's email address")
    full_name = forms.CharField(
        label="Full name", required=False, help_text="Needed only for someone new to smeqa."
    )
