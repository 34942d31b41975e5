"""Multi-grade rules for phase 5 (issue 10), as pure functions: plain values in, answers out; no
database, no I/O. Like certificates/rules.py, each rule names its source beside the code, and
everything here is tested without a database in tests/certificates/test_grades.py.

Three questions, asked in this order before a multi-grade certificate is issued:

1. `highest_grade_qualified`: the highest grade the assessments qualify an applicant for.
2. `meets_time_in_grade`: whether HR's reading of the SF-50s or resume shows 52 weeks at the grade
   below the one being certified.
3. `certified_grades`: the grades the applicant is listed at, from the lowest they accept to the
   highest they qualify for, each with time in grade verified.

Why a required final score per grade, not a proficiency level per competency per grade: SMEQA allows
several grades on one action only "if one assessment strategy serves all grades with different
required scores per grade" (domain-research §1.1, identifying-appropriate-positions.md), and "the
assessments determine the higher-grade level" (§1.9, usds/SME-QA-Website#291). The assessments already
end in one number, `rules.final_score` (rule 29), so the grade decision reads that number against the
action's per-grade minimums, the same way `rules.category_for` reads it against the category
cut-points. The competencies' `required_levels` per grade stay what they are today: the job analysis
that tells SMEs what each grade's answer sounds like when they rate. A grade decided from one stored
score can be reconstructed from the case file (5 CFR 337.303(e)), and interview sheets record
Meets/Exceeds per competency, not the four proficiency levels, so a per-competency rule would have
nothing to read on a two-level action.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import pairwise

# 5 CFR 300.604 (time-in-grade restrictions); DEOH p. 6-6 and rule 42: 52 weeks before advancement.
TIME_IN_GRADE_WEEKS = 52
# 5 CFR 300.604: two-grade-interval work advances two grades at a time through GS-11; from GS-12 up
# every line of work advances one grade at a time (NIH grade-interval glossary, OPM classification
# introduction pp. 8-9). Not in domain-research, which says only "the next lower grade" (rule 42).
TWO_GRADE_INTERVAL_THROUGH = 11

GradeSpan = tuple[int, date, date | None]


# --- the highest grade the assessments support -----------------------------------------------------


def highest_grade_qualified(score: int | None, requirements_by_grade: Mapping[int, int]) -> int | None:
    """The highest grade whose required final score `score` reaches, or None when it reaches none
    (or the applicant has no score: failed or missing a round, rule 29).

    `requirements_by_grade` is the action's minimum final score at each grade, e.g. {12: 70, 13: 85,
    14: 100}. Side effects: none; raises ValueError when a higher grade asks for a lower score than
    the grade below it, since then "qualifies at 14" would not imply "qualifies at 13".
    """
    problems = grade_requirement_problems(requirements_by_grade)
    if problems:
        raise ValueError(" ".join(problems))
    if score is None:
        return None
    # §1.1 "different required scores per grade"; §1.9 "assessments determine the higher-grade level".
    reached = [grade for grade, minimum in requirements_by_grade.items() if score >= minimum]
    return max(reached, default=None)


def grade_requirement_problems(requirements_by_grade: Mapping[int, int | None]) -> list[str]:
    """Plain-language problems with an action's per-grade required scores; empty when usable.

    Side effects: none. A higher grade must not require less than a lower one (one assessment
    strategy for all grades, domain-research §1.1), and every grade must have a score.
    """
    problems = []
    ordered = sorted(requirements_by_grade.items())
    for grade, minimum in ordered:
        if minimum is None:
            problems.append(f"Enter the final score required at grade {grade}.")
    for (low, low_min), (high, high_min) in pairwise(ordered):
        if low_min is not None and high_min is not None and high_min < low_min:
            problems.append(
                f"Grade {high} requires {high_min}, less than the {low_min} required at grade {low}; "
                "a higher grade needs the same score or more."
            )
    return problems


# --- time in grade ---------------------------------------------------------------------------------


def time_in_grade_interval(target_grade: int, *, two_grade_interval: bool = False) -> int:
    """How many grades below the target the 52 weeks must be served: 1 (the next lower grade), or 2
    for a two-grade-interval position at GS-11 or below. Side effects: none.

    Rule 42 and DEOH p. 6-6 say "the next lower grade", which is every case from GS-12 up. The
    two-grade case comes from 5 CFR 300.604 (outside domain-research: verify against the current
    text before relying on it); an action opts in by saying its series advances in two-grade steps.
    """
    if two_grade_interval and target_grade <= TWO_GRADE_INTERVAL_THROUGH:
        return 2
    return 1


def weeks_at_or_above(grade: int, history: Iterable[GradeSpan], on: date) -> int:
    """Whole weeks served at `grade` or higher up to (not including) `on`. Side effects: none.

    `history` holds (grade, start, end) spans as HR reads them from the SF-50s or the resume; `end` is
    the first day no longer at that grade (the next action's effective date), or None while the span
    is current. Overlapping spans (a detail on top of a position of record, or two SF-50s that
    disagree by a day) count each day once; gaps (a break in service) count nothing, and the time on
    both sides adds up. A span beginning on or after `on` counts nothing. Raises ValueError for a
    span that ends before it starts, so a mistyped date is not silently read as no service.
    """
    intervals = []
    for span_grade, start, end in history:
        if end is not None and end < start:
            raise ValueError(
                f"The grade {span_grade} service ends on {end:%B %-d, %Y}, before it starts on "
                f"{start:%B %-d, %Y}; check the dates."
            )
        # 5 CFR 300.604: service "no lower than" the required grade counts, so time at a higher grade
        # (someone since moved down) counts as well.
        if span_grade < grade:
            continue
        stop = on if end is None else min(end, on)
        if start < stop:
            intervals.append((start, stop))
    days = 0
    covered_to: date | None = None
    for start, stop in sorted(intervals):
        if covered_to is not None:
            start = max(start, covered_to)  # an overlap was already counted with the earlier span
        if stop > start:
            days += (stop - start).days
            covered_to = stop
    return days // 7  # whole weeks: 51 weeks and 6 days is 51 weeks


def meets_time_in_grade(
    target_grade: int, history: Sequence[GradeSpan], on: date, *, interval: int = 1
) -> bool:
    """Whether `history` shows 52 weeks at the grade `interval` below `target_grade` (or higher) by
    `on`, the day HR certifies. Side effects: none.

    Rule 42 (DEOH p. 6-6; usds/SME-QA-Website#291; SMEQA certificate.md): before certifying, HR
    verifies 52 weeks at the next lower grade, so a current GS-11 is not certified at GS-13. Pass
    `interval=time_in_grade_interval(...)` for two-grade-interval positions below GS-12. Whether the
    restriction applies to this applicant at all (5 CFR 300.603: GS service in the last 52 weeks) is
    HR's call, made before asking; someone already at the target grade or above on `on` meets it.
    """
    if any(
        grade >= target_grade and start <= on and (end is None or end > on) for grade, start, end in history
    ):
        # 5 CFR 300.602: the restriction is on "advancement" (a higher grade); someone who already holds
        # the target grade or higher on the day is not advanced by being certified at it.
        return True
    required = target_grade - interval
    if required < 1:
        return True  # nothing lies below GS-1 to have served at
    return weeks_at_or_above(required, history, on) >= TIME_IN_GRADE_WEEKS


# --- the grades an eligible is certified at --------------------------------------------------------


def certified_grades(
    lowest_accepted: int | None,
    highest_qualified: int | None,
    action_grades: Iterable[int],
    tig_ok: Mapping[int, bool],
) -> list[int]:
    """The action's grades an eligible is listed at, lowest first; empty when none. Side effects: none.

    Rule 42 (DEOH pp. 6-5-6-7; domain-research §2.3): every grade from the lowest the applicant
    accepts to the highest they qualify for, each only once HR has verified time in grade for it
    (`tig_ok[grade]`; a grade HR has not confirmed is left off). `lowest_accepted` None means the
    applicant takes any grade of the action. Empty when they qualify for no grade, or when the lowest
    grade they accept is above the highest they qualify for (§3.5: applicants may accept a lower grade
    than they qualify for, never a higher one).
    """
    grades = set(action_grades)
    if highest_qualified is None or not grades:
        return []
    floor = lowest_accepted if lowest_accepted is not None else min(grades)
    return sorted(
        grade for grade in grades if floor <= grade <= highest_qualified and tig_ok.get(grade, False)
    )
