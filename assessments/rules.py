"""Pure rules for SME assessments: plain values in, answers out; no database, no I/O."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

MEETS, NOT_MET = "meets", "not_met"
MOVE_FORWARD, DOES_NOT_MOVE_FORWARD = "move_forward", "does_not_move_forward"
MAX_JUSTIFICATION_SENTENCES = 4
# SMEQA sme-instructions.md: a Does Not Move Forward note names the missing competency, proficiency
# or duration. These words count as naming the experience or recency requirement.
REQUIREMENT_WORDS = ("52 weeks", "experience", "year", "month", "week", "recency", "recent", "grade", "gs-")


def review_decision(
    *, ratings: dict[str, str], competency_ids: Iterable[int], experience_met: bool | None,
    recency_met: bool | None, recency_required: bool,
) -> str | None:  # fmt: skip
    """Move Forward when every competency, the 52 weeks and any recency rule are met; Does Not Move
    Forward when any one is missing; None while something is still unanswered.

    SMEQA sme-instructions.md (rules 12-13): binary, no borderline; one missing item forces DNMF.
    """
    answers = [ratings.get(str(cid)) for cid in competency_ids]
    requirements = [experience_met] + ([recency_met] if recency_required else [])
    if NOT_MET in answers or False in requirements:
        return DOES_NOT_MOVE_FORWARD
    if None in answers or "" in answers or None in requirements:
        return None
    return MOVE_FORWARD


def sentence_count(text: str) -> int:
    return len([p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()])


def justification_problem(*, decision: str, justification: str, unmet: list[str]) -> str | None:
    """Why a justification is not acceptable, or None.

    Rule 14 (sme-instructions.md; reviewing-sme-notes.md): Does Not Move Forward needs 1-4 sentences
    naming at least one unmet competency, requirement or duration. Any note is at most 4 sentences.
    """
    count = sentence_count(justification)
    if count > MAX_JUSTIFICATION_SENTENCES:
        return f"Keep the justification to {MAX_JUSTIFICATION_SENTENCES} sentences or fewer (it has {count})."
    if decision != DOES_NOT_MOVE_FORWARD:
        return None
    if count == 0:
        return "Explain in 1 to 4 sentences which competency, requirement or duration is missing."
    text = justification.lower()
    named = any(name.lower() in text for name in unmet) or any(word in text for word in REQUIREMENT_WORDS)
    if not named:
        return (
            "Name the unmet competency or requirement, for example: "
            + ", ".join(f"“{n}”" for n in unmet[:3])
            + "."
        )
    return None


@dataclass(frozen=True)
class Outcome:
    state: str  # "pending", "split" or "settled"
    decision: str | None = None


def resume_outcome(decisions: dict[int, str]) -> Outcome:
    """The resume-review outcome from the counted decisions by slot (1, 2, and 3 = tiebreak).

    Two matching decisions settle it; a split waits for the tiebreaker, whose decision is final
    (resume-review-ratings-and-outcomes.md; rules 10-11).
    """
    first, second, tiebreak = decisions.get(1), decisions.get(2), decisions.get(3)
    if first is None or second is None:
        return Outcome("pending")
    if first == second:
        return Outcome("settled", first)
    if tiebreak is None:
        return Outcome("split")
    return Outcome("settled", tiebreak)


def pick_reviewers(*, needed: int, loads: dict[int, int], excluded: set[int]) -> list[int]:
    """The `needed` least-loaded SMEs not excluded (recused, or already reviewing); ties by id."""
    eligible = sorted((load, sme) for sme, load in loads.items() if sme not in excluded)
    return [sme for _, sme in eligible[:needed]]


# OWASP CSV injection and ASVS 5.0 1.2.10: a cell starting with one of these can run as a formula.
# The quote is added to text too ("-Smith" becomes "'-Smith"): a spreadsheet shows the quote, nothing runs.
CSV_FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r", "\0"})


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @, tab, CR or NUL gets a leading quote.

    Side effects: none. The csv writer does the RFC 4180 quoting.
    """
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in CSV_FORMULA_STARTS else text


# --- structured interviews ----------------------------------------------------------------------

DOES_NOT_MEET, EXCEEDS = "does_not_meet", "exceeds"
INTERVIEW_RATINGS = (DOES_NOT_MEET, MEETS, EXCEEDS)
# scheduler-instructions.md (rule 23; domain-research §1.8): 60-minute interviews, at most 3 a day
# for one SME, never back to back. "Back to back" here: less than a 30-minute break between them.
INTERVIEW_MINUTES = 60
MAX_INTERVIEWS_PER_DAY = 3
MIN_BREAK_MINUTES = 30


def round_score(ratings: dict[str, str], competency_ids: Iterable[int]) -> int | None:
    """The round score from the SME's competency ratings, or None while one is missing.

    interview-assessment-ratings.md (rule 27): 0 if any competency is Does not meet; 2 if all are met
    and at least one is exceeded; otherwise 1.
    """
    answers = [ratings.get(str(cid)) for cid in competency_ids]
    if DOES_NOT_MEET in answers:
        return 0
    if not answers or any(a not in INTERVIEW_RATINGS for a in answers):
        return None
    return 2 if EXCEEDS in answers else 1


def sheet_problems(
    *, notes: dict[str, str], question_ids: Iterable[int], ratings: dict[str, str],
    competencies: dict[int, str], analysis: str,
) -> list[str]:  # fmt: skip
    """What a score sheet still lacks before it can be submitted, named (rule 26,
    reviewing-sme-assessments.md): notes for every question, a rating for every competency, an analysis.
    `competencies` maps id → name; questions are named by their position ("question 2")."""
    problems = [
        f"Notes for question {position}"
        for position, qid in enumerate(question_ids, start=1)
        if not (notes.get(str(qid)) or "").strip()
    ]
    problems += [
        f"A rating for “{name}”"
        for cid, name in competencies.items()
        if ratings.get(str(cid)) not in INTERVIEW_RATINGS
    ]
    if not analysis.strip():
        problems.append("The interview analysis")
    return problems


def booking_problem(*, start, existing: Iterable) -> str | None:
    """Why an SME cannot take a 60-minute interview starting at `start` given the start times of the
    interviews they already have (aware datetimes), or None. Rule 23 (scheduler-instructions.md)."""
    from datetime import timedelta

    length = timedelta(minutes=INTERVIEW_MINUTES)
    gap = length + timedelta(minutes=MIN_BREAK_MINUTES)
    same_day = 0
    for other in existing:
        if abs(other - start) < gap:
            if abs(other - start) < length:
                return "The interviewer already has an interview at that time."
            return "That would put two interviews back to back for the interviewer."
        if other.date() == start.date():
            same_day += 1
    if same_day >= MAX_INTERVIEWS_PER_DAY:
        return f"The interviewer already has {MAX_INTERVIEWS_PER_DAY} interviews that day."
    return None


def pick_interviewer(*, loads: dict[int, int], excluded: set[int]) -> int | None:
    """The least-loaded SME of the round's group not excluded (recused, or the round-1 interviewer;
    rules 21 and 24); ties by id. None when nobody is left."""
    chosen = pick_reviewers(needed=1, loads=loads, excluded=excluded)
    return chosen[0] if chosen else None
