"""Forms for structured interviews: availability, the score sheet, scheduling and HR's decisions."""

from datetime import UTC, datetime, time, timedelta

from django import forms
from django.utils import timezone

from hiring.models import Competency, HiringAction, InterviewQuestion
from hiring.rules import add_business_days

from .models import Interview
from .rules import DOES_NOT_MEET, EXCEEDS, MEETS

RATING_CHOICES = [(DOES_NOT_MEET, "Does not meet"), (MEETS, "Meets"), (EXCEEDS, "Exceeds")]


def _aware(day, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def default_deadline() -> datetime:
    """Two business days from today at 5 p.m.: what SMEQA's scheduling emails ask (scheduler-instructions.md)."""
    return _aware(add_business_days(timezone.localdate(), 2), time(17, 0))


class AvailabilityForm(forms.Form):
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"type": "time"}), help_text="Eastern time."
    )
    ends = forms.TimeField(
        label="Until", widget=forms.TimeInput(attrs={"type": "time"}), help_text="Eastern time."
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["starts_at"] = _aware(data["day"], data["starts"])
        data["ends_at"] = _aware(data["day"], data["ends"])
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", "The end must be after the start.")
        return data


class DeadlineForm(forms.Form):
    """A response deadline: date and time (HR sends invitations or offers new times)."""

    respond_by_day = forms.DateField(
        label="Deadline to choose a time (date)", widget=forms.DateInput(attrs={"type": "date"})
    )
    respond_by_time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time"}), help_text="Eastern time."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        # The default deadline, under whatever the caller passes (such as the page's version).
        deadline = timezone.localtime(default_deadline())
        kwargs["initial"] = {
            "respond_by_day": deadline.date(),
            "respond_by_time": deadline.time(),
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)

    def respond_by(self) -> datetime:
        return _aware(self.cleaned_data["respond_by_day"], self.cleaned_data["respond_by_time"])


def slot_key(slot: datetime) -> str:
    """A time as the form sends it: UTC, to the minute, whatever zone the database returned it in."""
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


class SlotForm(forms.Form):
    """Choose one of the offered 60-minute starts."""

    starts_at = forms.ChoiceField(label="Choose a time", widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, slots: list[datetime], interview: Interview, **kwargs) -> None:
        kwargs.setdefault("initial", {"version": interview.version})
        super().__init__(*args, **kwargs)
        self.slots = {slot_key(slot): slot for slot in slots}
        self.fields["starts_at"].choices = [
            (
                key,
                f"{timezone.localtime(slot):%A, %B %-d, %-I:%M %p} to {timezone.localtime(slot + timedelta(hours=1)):%-I:%M %p} Eastern",
            )
            for key, slot in self.slots.items()
        ]

    def chosen(self) -> datetime:
        return self.slots[self.cleaned_data["starts_at"]]


class ScoreSheetForm(forms.Form):
    """Notes per question, a rating per competency, and the analysis (phone-interview-template.docx)."""

    analysis = forms.CharField(
        label="Interview analysis",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Several sentences: how the answers showed (or did not show) each competency at the required level.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args, interview: Interview, action: HiringAction, questions: list[InterviewQuestion],
        competencies: list[Competency], **kwargs,
    ) -> None:  # fmt: skip
        initial = (
            {f"notes_{q.pk}": interview.notes.get(str(q.pk), "") for q in questions}
            | {f"rating_{c.pk}": interview.ratings.get(str(c.pk), "") for c in competencies}
            | {"analysis": interview.analysis, "version": interview.version}
        )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.questions, self.competencies = questions, competencies
        levels = dict(action.levels)
        fields = {}
        for position, q in enumerate(questions, start=1):
            fields[f"notes_{q.pk}"] = forms.CharField(
                label=f"Notes for question {position}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text="As close to word for word as you can.",
            )
        for c in competencies:
            required = ", ".join(
                f"{levels.get(level, level)} at {action.pay_plan}-{grade}"
                for grade, level in c.required_levels.items()
            )
            fields[f"rating_{c.pk}"] = forms.ChoiceField(
                label=c.name,
                choices=RATING_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                help_text=f"{c.definition}" + (f" Required: {required}." if required else ""),
            )
        self.fields = {**fields, **self.fields}
        for name in [*fields, "analysis"]:
            self.fields[name].required_on_submit = True

    def question_fields(self):
        return [(q, self[f"notes_{q.pk}"]) for q in self.questions]

    def rating_fields(self):
        return [(c, self[f"rating_{c.pk}"]) for c in self.competencies]

    def answers(self, present: set[str] | None = None) -> dict:
        """What was typed; with `present`, only the fields the request carried (autosave sends changes)."""
        data = self.cleaned_data

        def sent(name: str) -> bool:
            return present is None or name in present

        return {
            "notes": {
                str(q.pk): data.get(f"notes_{q.pk}", "") for q in self.questions if sent(f"notes_{q.pk}")
            },
            "ratings": {
                str(c.pk): data.get(f"rating_{c.pk}", "") for c in self.competencies if sent(f"rating_{c.pk}")
            },
            "analysis": data.get("analysis", "") if sent("analysis") else None,
        }


class SheetReturnForm(forms.Form):
    note = forms.CharField(label="What should the interviewer fix?", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class SeatForm(forms.Form):
    sme = forms.TypedChoiceField(label="Subject matter expert", coerce=int)

    def __init__(self, *args, smes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sme"].choices = [("", "- Select -")] + [
            (u.pk, f"{u.full_name} ({u.email})") for u in smes
        ]
