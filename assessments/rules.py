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


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading quote
    (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
