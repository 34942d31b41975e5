"""Pure rules for the front half of SMEQA: plain values in, answers out; no database, no I/O."""

import re
from dataclasses import dataclass, field
from datetime import date

# SMEQA converting-job-tasks-to-competencies.md: dot-vote to 4-6 core competencies (warn outside).
COMPETENCY_RANGE = (4, 6)
# SMEQA defining-competencies.md: define each competency in one to three sentences.
MAX_DEFINITION_SENTENCES = 3


def sentence_count(text: str) -> int:
    """Sentences in `text`, counting ., ! and ? endings (a trailing fragment counts as one)."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]
    return len(parts)


@dataclass(frozen=True)
class CompetencySpec:
    name: str
    definition: str
    required_levels: dict[str, str]
    level_descriptions: dict[str, str]


@dataclass(frozen=True)
class QuestionSpec:
    round: int
    competency_names: tuple[str, ...]


@dataclass
class Review:
    """What stops a job analysis from being finalized (problems) and what HR should look at (warnings)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def job_analysis_review(
    *,
    competencies: list[CompetencySpec],
    questions: list[QuestionSpec],
    grades: list[int],
    levels: list[str],
    specialized_experience: str,
) -> Review:
    """Check a job analysis against SMEQA's rules before it is frozen.

    Rule 3 (domain-research §7): each competency has a 1-3 sentence definition and a required level
    per grade. Issue 3: every competency is covered by at least one question in each set used;
    round 1 is always used.
    """
    review = Review()
    low, high = COMPETENCY_RANGE
    if not competencies:
        review.problems.append("Add the competencies the SMEs agreed on.")
    elif not low <= len(competencies) <= high:
        review.warnings.append(
            f"There are {len(competencies)} competencies; SMEQA job analyses usually settle on {low} to {high}."
        )
    for competency in competencies:
        count = sentence_count(competency.definition)
        if count == 0:
            review.problems.append(f"“{competency.name}” needs a definition.")
        elif count > MAX_DEFINITION_SENTENCES:
            review.problems.append(
                f"“{competency.name}” is defined in {count} sentences; keep it to {MAX_DEFINITION_SENTENCES} or fewer."
            )
        for grade in grades:
            if competency.required_levels.get(str(grade)) not in levels:
                review.problems.append(f"“{competency.name}” needs the level required at grade {grade}.")
        missing = [level for level in levels if not competency.level_descriptions.get(level, "").strip()]
        if missing:
            review.warnings.append(f"“{competency.name}” has no description for: {', '.join(missing)}.")
    if not specialized_experience.strip():
        review.problems.append("State the 52 weeks of specialized experience required.")
    names = {c.name for c in competencies}
    rounds_used = sorted({q.round for q in questions} | {1})
    for round_number in rounds_used:
        covered = {name for q in questions if q.round == round_number for name in q.competency_names}
        uncovered = sorted(names - covered)
        if uncovered:
            review.problems.append(
                f"Round {round_number} questions do not cover: {', '.join(uncovered)}. "
                "Every competency needs at least one question in each round used."
            )
    return review


@dataclass(frozen=True)
class Intake:
    """An announcement's intake settings and how many applications it has."""

    state: str
    opens_on: date | None
    closes_on: date | None
    cap: int | None
    cap_rule: str
    cap_reached_on: date | None
    received: int


def accepting_applications(intake: Intake, today: date) -> tuple[bool, str]:
    """Whether an announcement takes a new application today, and if not, why (plain words).

    A cap is either exact ("close after N applications") or end-of-day ("close at midnight on the
    day N are received"); domain-research rule 1 (DEOH pp. 3-11-3-12: the open/close or cap rule).
    """
    if intake.state != "published":
        return False, "This job is not open for applications."
    if intake.opens_on and today < intake.opens_on:
        return False, f"This job opens for applications on {intake.opens_on:%B %-d, %Y}."
    if intake.closes_on and today > intake.closes_on:
        return False, f"This job closed on {intake.closes_on:%B %-d, %Y}."
    if intake.cap is not None:
        if intake.cap_rule == "exact" and intake.received >= intake.cap:
            return False, f"This job closed after receiving {intake.cap} applications."
        if intake.cap_rule == "end_of_day" and intake.cap_reached_on and today > intake.cap_reached_on:
            return (
                False,
                f"This job closed at midnight on {intake.cap_reached_on:%B %-d, %Y}, after {intake.cap} applications.",
            )
    return True, ""


def add_business_days(start: date, days: int) -> date:
    """`start` plus `days` weekdays (federal holidays are not counted out)."""
    from datetime import timedelta

    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# What a candidate is told comes next, and roughly how long it takes, by status. Durations follow
# SMEQA's plan: resume review within 5 business days (resume-review/training.md), interview forms to
# HR by the next business day, selections 11-16 days after the certificate (SMEQA-case p.16).
NEXT_STEPS: dict[str, tuple[str, int | None]] = {
    "received": (
        "After the announcement closes, HR checks each application for a resume and citizenship. "
        "Then two subject matter experts review your resume.",
        None,
    ),
    "in_resume_review": (
        "Two subject matter experts are reviewing your resume. We will email you the result.",
        5,
    ),
    "moved_forward": ("We will invite you to a structured interview, with a deadline to schedule it.", 5),
    "in_round_1": (
        "Schedule and attend your first interview. We email the result once HR reviews the score.",
        10,
    ),
    "in_round_2": (
        "Schedule and attend your second interview. We email the result once HR reviews the score.",
        10,
    ),
    "qualified": (
        "HR applies veterans' preference and the quality categories, then refers candidates to the hiring manager.",
        10,
    ),
    "referred": ("The hiring manager reviews referred candidates and may contact you for an interview.", 12),
    "not_referred": ("You may be referred later if more positions open. No action is needed from you.", None),
}


def next_step(status: str, since: date, closes_on: date | None = None) -> tuple[str, date | None]:
    """What comes next for an application in `status` since `since`, and roughly by when."""
    text, business_days = NEXT_STEPS.get(status, ("", None))
    if status == "received" and closes_on is not None:
        return text, add_business_days(max(since, closes_on), 5)
    return text, add_business_days(since, business_days) if business_days else None
