"""Pure rules for the front half of SMEQA: plain values in, answers out; no database, no I/O."""

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

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


def business_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 if end <= start); holidays not counted out.
    The inverse of add_business_days: business_days_between(d, add_business_days(d, n)) == n."""
    from datetime import timedelta

    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


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


# --- What a candidate can expect next, and by when (issue 9) ----------------------------------------
# Each figure below is cited where it is used. A date is "about" when it is our estimate from SMEQA's
# plan; it is exact when someone set it (an interview deadline or time, a certificate's return date).

# SMEQA resume-review/training.md: give SMEs 5 business days to review resumes.
RESUME_REVIEW_BUSINESS_DAYS = 5
# SMEQA getting-started/selecting-smes.md: "tiebreaker round over 2 days with an additional SME".
TIEBREAK_BUSINESS_DAYS = 2
# SMEQA getting-started/planning-your-timeline.html: round 1 starts the week after resume review (W4-5
# review, W5-6 round 1), so an invitation follows the result within about a week.
INVITATION_BUSINESS_DAYS = 5
# planning-your-timeline.html: each interview round runs over about two weeks (W5-6, W6-7).
ROUND_BUSINESS_DAYS = 10
# assessments/interviewing-applicants.md: notes go to HR by the end of the next business day; SMEQA-case
# p.18: within two days. HR then accepts the score, so the result follows in about 2 business days.
INTERVIEW_RESULT_BUSINESS_DAYS = 2
# planning-your-timeline.html: the certificate is issued in week 8, about two weeks after round 2 begins.
CERTIFICATE_BUSINESS_DAYS = 10
# SMEQA-case p.16: hiring managers made first selections 11-16 days after the certificate.
SELECTION_CALENDAR_DAYS = 16


@dataclass(frozen=True)
class Expectation:
    """The next step of an application in plain words: `step` names it, `text` says what happens,
    `due` is when (None when nobody can say), `estimate` means "about", `late` means the estimate
    has passed."""

    step: str
    text: str
    due: date | None = None
    estimate: bool = True
    late: bool = False
    due_label: str = "expected by"

    @property
    def summary(self) -> str:
        """One line, e.g. "Resume review: results expected by about November 20, 2026"."""
        if self.due is None:
            return self.step
        when = f"{'about ' if self.estimate else ''}{self.due:%B %-d, %Y}"
        if self.late:
            return f"{self.step}: we expected this by {when}, and it is taking longer than planned"
        return f"{self.step}: {self.due_label} {when}"


@dataclass(frozen=True)
class NextStepFacts:
    """What the expected-date rule reads about one application: plain values from its rows."""

    status: str
    since: date  # the day it entered its status
    closes_on: date | None = None  # the announcement's close date
    respond_by: date | None = None  # the live interview invitation's deadline, if invited
    interview_on: date | None = None  # the booked interview's day, if scheduled
    return_by: date | None = None  # the original certificate's return date, if listed on one


def _after(start: date, *business_days: int) -> date:
    return add_business_days(start, sum(business_days))


def expected_next(facts: NextStepFacts, today: date) -> Expectation | None:
    """The next step an application in `facts.status` waits for, with its expected date.

    None for a final status. Pure: the caller reads the dates (services.updates.expectations_for).
    """
    status = facts.status
    expectation: Expectation | None
    if status in ("received", "in_resume_review"):
        # Review starts when the announcement closes (or when screening released it, if later):
        # 5 business days of review, then up to 2 for tiebreaks (training.md; selecting-smes.md).
        start = max(facts.since, facts.closes_on) if facts.closes_on else facts.since
        text = NEXT_STEPS[status][0]
        expectation = Expectation(
            "Resume review", text, _after(start, RESUME_REVIEW_BUSINESS_DAYS, TIEBREAK_BUSINESS_DAYS),
            due_label="results expected by",
        )  # fmt: skip
    elif status == "moved_forward":
        expectation = Expectation(
            "Interview invitation", NEXT_STEPS[status][0], _after(facts.since, INVITATION_BUSINESS_DAYS)
        )
    elif status in ("in_round_1", "in_round_2"):
        step = f"Interview round {status[-1]}"
        if facts.interview_on is not None:
            # The booked time is exact; the result follows the SME's notes and HR's acceptance.
            expectation = Expectation(
                step,
                f"Your interview is on {facts.interview_on:%A, %B %-d}. "
                "We email the result once HR reviews the score.",
                _after(facts.interview_on, INTERVIEW_RESULT_BUSINESS_DAYS),
                due_label="result expected by",
            )
        elif facts.respond_by is not None:
            # The deadline in the invitation (assessments.interviews.invitations_send): exact.
            expectation = Expectation(
                step,
                "Choose a time for your interview from the link in your invitation. If you do not "
                "choose one by the deadline, you will be removed from consideration.",
                facts.respond_by,
                estimate=False,
                due_label="choose a time by",
            )
        else:
            expectation = Expectation(
                step,
                "An interviewer is being arranged. We will email you a link to choose a time.",
                _after(facts.since, ROUND_BUSINESS_DAYS),
                due_label="result expected by",
            )
    elif status == "qualified":
        expectation = Expectation(
            "Certificate", NEXT_STEPS[status][0], _after(facts.since, CERTIFICATE_BUSINESS_DAYS),
            due_label="referral decision expected by",
        )  # fmt: skip
    elif status == "referred":
        if facts.return_by is not None:
            # HR set the certificate's return date when issuing it (certificates.services.certificate_issue).
            expectation = Expectation(
                "Hiring manager's decision", NEXT_STEPS[status][0], facts.return_by,
                estimate=False, due_label="due by",
            )  # fmt: skip
        else:
            expectation = Expectation(
                "Hiring manager's decision", NEXT_STEPS[status][0],
                facts.since + timedelta(days=SELECTION_CALENDAR_DAYS),
            )  # fmt: skip
    elif status == "not_referred":
        expectation = Expectation("No action needed", NEXT_STEPS[status][0])
    else:
        return None
    if expectation.due is not None and expectation.due < today and expectation.estimate:
        return replace(expectation, late=True)
    return expectation
