"""Forms for the job analysis workshop: the action's settings, competencies, questions, comments."""

from django import forms

from ..models import Competency, HiringAction, InterviewQuestion


class GradesField(forms.CharField):
    """Grades typed as "13" or "12, 13"; cleaned to a sorted list of integers."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        grades = []
        for part in text.replace("/", ",").split(","):
            part = part.strip().upper().removeprefix("GS-").removeprefix("GS")
            if not part.isdigit() or not 1 <= int(part) <= 15:
                raise forms.ValidationError(
                    f"“{part}” is not a grade. Enter grades from 1 to 15, like 12, 13."
                )
            grades.append(int(part))
        return sorted(set(grades))

    def prepare_value(self, value):
        return ", ".join(str(g) for g in value) if isinstance(value, list) else value


class LinesField(forms.CharField):
    """One entry per line, cleaned to a list of non-empty strings."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class HiringActionForm(forms.ModelForm):
    grades = GradesField(label="Grades", help_text="One or more grades, lowest first, e.g. 12, 13.")
    duty_locations = LinesField(label="Duty locations", help_text="City, State; one per line.")

    class Meta:
        model = HiringAction
        fields = [
            "title",
            "official_title",
            "series",
            "grades",
            "full_performance_level",
            "duty_locations",
            "work_arrangement",
            "vacancies",
            "appointment_type",
            "scientific_professional",
            "proficiency_scale",
            "resume_page_limit",
            "recency_years",
            "specialized_experience",
            "best_qualified_min",
            "well_qualified_min",
            "qualified_min",
            "tiebreaker_sees_justifications",
        ]
        labels = {
            "tiebreaker_sees_justifications": "The tiebreaker may read the first two SMEs' justifications",
            "title": "Working title",
            "official_title": "Official title",
            "full_performance_level": "Full performance level (grade)",
            "scientific_professional": "This is a scientific or professional series",
            "resume_page_limit": "Resume page limit",
            "recency_years": "Recency window (years)",
            "specialized_experience": "Specialized experience (52 weeks)",
            "best_qualified_min": "Best Qualified: minimum score",
            "well_qualified_min": "Well Qualified: minimum score",
            "qualified_min": "Qualified: minimum score",
        }
        widgets = {
            "work_arrangement": forms.RadioSelect,
            "appointment_type": forms.RadioSelect,
            "proficiency_scale": forms.RadioSelect,
            "specialized_experience": forms.Textarea(attrs={"rows": 3}),
        }


class CompetencyForm(forms.Form):
    """A competency with one required-level choice per grade and a description per level."""

    name = forms.CharField(max_length=120)
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="One to three sentences; not a list of tasks."
    )
    screen_out = forms.BooleanField(
        label="Screen-out competency", required=False, initial=True,
        help_text="Not meeting it means Does Not Move Forward.",
    )  # fmt: skip

    def __init__(self, *args, action: HiringAction, competency: Competency | None = None, **kwargs) -> None:
        if competency is not None:
            initial = {
                "name": competency.name,
                "definition": competency.definition,
                "screen_out": competency.screen_out,
            }
            initial |= {f"level_{g}": competency.required_levels.get(str(g), "") for g in action.grades}
            initial |= {f"describe_{v}": competency.level_descriptions.get(v, "") for v, _ in action.levels}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.action = action
        for grade in action.grades:
            self.fields[f"level_{grade}"] = forms.ChoiceField(
                label=f"Level required at {action.pay_plan}-{grade}",
                choices=[("", "Choose a level"), *action.levels],
            )
        for value, label in action.levels:
            self.fields[f"describe_{value}"] = forms.CharField(
                label=f"What {label} looks like",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "definition": data["definition"],
            "screen_out": data["screen_out"],
            "required_levels": {str(g): data[f"level_{g}"] for g in self.action.grades},
            "level_descriptions": {v: data[f"describe_{v}"] for v, _ in self.action.levels},
        }


class QuestionForm(forms.Form):
    round = forms.TypedChoiceField(
        label="Round", coerce=int, choices=InterviewQuestion.Round.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label="Question", widget=forms.Textarea(attrs={"rows": 3}))
    competencies = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="One or two competencies this question measures.",
    )
    follow_ups = forms.CharField(
        label="Required follow-ups", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line. Every interviewer asks them.",
    )  # fmt: skip
    probes = forms.CharField(
        label="Optional probes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )

    def __init__(
        self, *args, action: HiringAction, question: InterviewQuestion | None = None, **kwargs
    ) -> None:
        if question is not None:
            initial = {
                "round": question.round,
                "text": question.text,
                "competencies": [c.pk for c in question.competencies.all()],
                "follow_ups": question.follow_ups,
                "probes": question.probes,
            }
            initial |= {f"benchmark_{v}": question.benchmarks.get(v, "") for v, _ in action.levels}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["competencies"].choices = [(c.pk, c.name) for c in action.competencies.all()]
        for value, label in action.levels:
            self.fields[f"benchmark_{value}"] = forms.CharField(
                label=f"A good answer at {label}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean_competencies(self):
        chosen = self.cleaned_data["competencies"]
        if not 1 <= len(chosen) <= 2:
            raise forms.ValidationError("Choose one or two competencies.")
        return chosen

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "round": data["round"],
            "text": data["text"],
            "competency_ids": data["competencies"],
            "follow_ups": data["follow_ups"],
            "probes": data["probes"],
            "benchmarks": {v: data[f"benchmark_{v}"] for v, _ in self.action.levels},
        }


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ReviseForm(forms.Form):
    reason = forms.CharField(
        label="Why revise the job analysis?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        help_text="Recorded in the case file with the new version number.",
    )  # fmt: skip
