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


SCORE_HINT = (
    "One set of assessments serves every grade, and each grade asks for its own final score (SMEQA allows "
    "several grades on one action only this way). The score decides the highest grade an applicant "
    "qualifies for. Leave a grade blank to use the Qualified minimum."
)


class HiringActionForm(forms.ModelForm):
    """The action's settings. On a multi-grade action it also asks the final score required at each
    grade (`score_<grade>`, saved as `grade_scores`); `service_fields()` is what the services take."""

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
            "two_grade_interval",
            "time_in_grade_applies",
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
            "two_grade_interval": "This series advances two grades at a time (through GS-11)",
            "time_in_grade_applies": "HR verifies time in grade before certifying at a higher grade",
        }
        help_texts = {
            "two_grade_interval": (
                "Then GS-11 and below need 52 weeks two grades down, not one (5 CFR 300.604). "
                "Matters only when the action fills more than one grade."
            ),
            "time_in_grade_applies": (
                "52 weeks at the next lower grade, read from the SF-50s or resume, before certifying at "
                "each higher grade. Turn off only if the 52-week rule no longer applies."
            ),
        }
        widgets = {
            "work_arrangement": forms.RadioSelect,
            "appointment_type": forms.RadioSelect,
            "proficiency_scale": forms.RadioSelect,
            "specialized_experience": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.score_grades = self._grades_shown()
        saved = self.instance.grade_scores or {}
        pay_plan = self.instance.pay_plan or "GS"
        if len(self.score_grades) > 1:
            for index, grade in enumerate(self.score_grades):
                # Rule 42 with domain-research §1.1: one assessment strategy, a different required
                # final score per grade; `grades.highest_grade_qualified` reads these.
                self.fields[f"score_{grade}"] = forms.IntegerField(
                    label=f"Final score required at {pay_plan}-{grade}",
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=saved.get(str(grade)),
                    help_text=SCORE_HINT if index == 0 else "Leave blank to use the Qualified minimum.",
                )
        order = list(self.fields)
        scores = [name for name in order if name.startswith("score_")]
        rest = [name for name in order if not name.startswith("score_")]
        at = rest.index("qualified_min") + 1
        self.order_fields(rest[:at] + scores + rest[at:])

    def _grades_shown(self) -> list[int]:
        """The grades typed in this submission when they parse, else the action's saved grades, so a
        score box appears for each grade being set and nothing typed is lost."""
        if self.is_bound:
            try:
                return self.fields["grades"].clean(self.data.get(self.add_prefix("grades"), ""))
            except forms.ValidationError:
                pass
        return sorted(self.instance.grades or [])

    def clean(self):
        data = super().clean()
        typed = {g: data.get(f"score_{g}") for g in self.score_grades if f"score_{g}" not in self.errors}
        qualified_min = data.get("qualified_min")
        for grade, score in typed.items():
            if score is not None and qualified_min is not None and score < qualified_min:
                self.add_error(
                    f"score_{grade}",
                    f"Enter {qualified_min} or more: below the Qualified minimum ({qualified_min}) nobody "
                    "is qualified at any grade.",
                )
        if qualified_min is not None:
            effective = {g: qualified_min if s is None else s for g, s in typed.items()}
            previous = None
            for grade in sorted(effective):
                if previous is not None and effective[grade] < effective[previous]:
                    self.add_error(
                        f"score_{grade}",
                        f"Enter {effective[previous]} or more: a higher grade needs the same final score as "
                        f"{self.instance.pay_plan or 'GS'}-{previous} or more.",
                    )
                previous = grade
        data["grade_scores"] = {str(g): s for g, s in typed.items() if s is not None}
        return data

    def add_error(self, field, error):
        """The model's `grade_scores` problems go beside the first score box, not above the form."""
        if field is None and "grade_scores" in getattr(error, "error_dict", {}):
            super().add_error(self._score_box(), error.error_dict.pop("grade_scores"))
            if not error.error_dict:
                return
        elif field == "grade_scores":
            field = self._score_box()
        super().add_error(field, error)

    def _score_box(self) -> str | None:
        boxes = [f"score_{g}" for g in self.score_grades if f"score_{g}" in self.fields]
        return boxes[0] if boxes else None

    def _post_clean(self):
        # The grade scores are saved by the service, not by ModelForm; the model's own check of them
        # runs here only when the boxes passed the form's checks, so a problem is reported once.
        boxes_ok = not any(name.startswith("score_") for name in self.errors)
        self.instance.grade_scores = self.cleaned_data.get("grade_scores", {}) if boxes_ok else {}
        super()._post_clean()

    def service_fields(self) -> dict:
        """The cleaned settings as `hiring_action_create`/`hiring_action_update` take them."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["grade_scores"] = self.cleaned_data.get("grade_scores", {})
        return fields


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
