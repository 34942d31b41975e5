"""Forms for editing and publishing the job announcement."""

from django import forms

from ..models import Announcement


class AnnouncementForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Announcement
        fields = [
            "summary",
            "duties",
            "qualifications",
            "specialized_experience",
            "evaluation",
            "page_limit_statement",
            "categories_statement",
            "sharing_notice",
        ]
        labels = {
            "summary": "Summary",
            "duties": "Duties",
            "qualifications": "Qualifications (from the competencies)",
            "specialized_experience": "Specialized experience",
            "evaluation": "How you will be evaluated",
            "page_limit_statement": "Resume page limit",
            "categories_statement": "Quality categories",
            "sharing_notice": "Sharing with other agencies",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class PublishForm(forms.Form):
    opens_on = forms.DateField(label="Opens on", widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label="Closes on", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to close by an application cap instead.",
    )  # fmt: skip
    application_cap = forms.IntegerField(
        label="Application cap",
        required=False,
        min_value=1,
        help_text="Optional: stop taking applications after this many.",
    )
    cap_rule = forms.ChoiceField(
        label="When the cap is reached", choices=Announcement.CapRule.choices, widget=forms.RadioSelect,
        initial=Announcement.CapRule.EXACT,
    )  # fmt: skip
