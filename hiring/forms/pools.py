"""HR's forms for a pooled action's participating agencies, vacancies and hiring managers."""

from django import forms

from ..models import Agency, HiringAction, Participant


class ParticipantAddForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Participating agency",
        queryset=Agency.objects.none(),
        empty_label="- Select -",
        help_text="An agency that fills vacancies through this action.",
        error_messages={"required": "Choose an agency.", "invalid_choice": "Choose an agency from the list."},
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["agency"].queryset = agencies


def _participant_choices(participants: list[Participant]) -> list[tuple[str, str]]:
    return [("", "- Select -"), *((str(p.pk), p.agency.name) for p in participants)]


class VacancyForm(forms.Form):
    participant = forms.ChoiceField(label="Agency", error_messages={"required": "Choose the agency."})
    duty_location = forms.ChoiceField(
        label="Duty location", error_messages={"required": "Choose the duty location."}
    )
    grade = forms.TypedChoiceField(
        label="Grade", coerce=int, error_messages={"required": "Choose the grade."}
    )
    count = forms.IntegerField(
        label="Vacancies",
        min_value=0,
        max_value=999,
        help_text="How many positions this agency fills here at this grade. Enter 0 to remove the row.",
        error_messages={"required": "Enter how many vacancies, or 0 to remove them."},
    )

    def __init__(self, *args, action: HiringAction, participants: list[Participant], **kwargs) -> None:
        super().__init__(*args, prefix="vacancy", **kwargs)
        self.fields["participant"].choices = _participant_choices(participants)
        self.fields["duty_location"].choices = [("", "- Select -"), *((d, d) for d in action.duty_locations)]
        self.fields["grade"].choices = [
            ("", "- Select -"),
            *((g, f"{action.pay_plan}-{g}") for g in action.grades),
        ]


class ManagerGrantForm(forms.Form):
    participant = forms.ChoiceField(label="Agency", error_messages={"required": "Choose the agency."})
    email = forms.EmailField(
        label="Hiring manager's email address",
        help_text="A staff member of that agency with an account here.",
        error_messages={"required": "Enter the hiring manager's email address."},
    )

    def __init__(self, *args, participants: list[Participant], **kwargs) -> None:
        super().__init__(*args, prefix="manager", **kwargs)
        self.fields["participant"].choices = _participant_choices(participants)
