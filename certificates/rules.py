"""Merit rules for phase 5, as pure functions: plain values in, answers out; no database, no I/O.

Each rule names its source (domain-research.md §2, §3 and rules 29-61 of §7). Everything here is
tested without a database in tests/certificates/test_rules.py.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

# Preference codes (DEOH pp. 4-18-4-20; EHRI VP codes). NV is the non-veteran.
CPS, CP, XP, TP, SSP, NV = "CPS", "CP", "XP", "TP", "SSP", "NV"
PREFERENCE_CODES = (CPS, CP, XP, TP, SSP, NV)
PREFERENCE_ELIGIBLE = frozenset({CPS, CP, XP, TP, SSP})
# Rule 34 (5 U.S.C. 3319(b)): compensably disabled 10% or more float to the highest category...
FLOATERS = frozenset({CPS, CP})
# ...except for scientific and professional positions at GS-9 or above.
SCI_PRO_NO_FLOAT_FROM_GRADE = 9
MERGE_BELOW = 3  # 5 U.S.C. 3319(c)(1): fewer than 3 in the highest category → merge with the next
CSA_WINDOW_DAYS = 240  # 5 U.S.C. 3318(b)(1): 240 days from the original issue date
CSA_APPOINTMENTS = frozenset({"permanent", "term"})  # rule 55 (OPM guidance via FEDWEEK-CSA)
CPS_RESPONSE_DAYS = 15  # 5 U.S.C. 3318: a 30%+ disabled veteran has 15 days to respond to a pass-over

BEST, WELL, QUALIFIED = "best", "well", "qualified"
CATEGORY_LABELS = {BEST: "Best Qualified", WELL: "Well Qualified", QUALIFIED: "Qualified"}
CATEGORY_ORDER = (BEST, WELL, QUALIFIED)


def final_score(round_scores: Sequence[int | None]) -> int | None:
    """The transmuted score from the interview round scores (rule 29, transmuting-ratings-into-scores.md):
    (1,1) → 70; (1,2) or (2,1) → 85; (2,2) → 100; any 0 or missing → no score and no category.

    A single-round action has no SMEQA table; here 1 → 70 and 2 → 100 (the two ends of the scale).
    """
    if not round_scores or any(s is None or s == 0 for s in round_scores):
        return None
    if len(round_scores) == 1:
        return {1: 70, 2: 100}[round_scores[0]]
    first, second = round_scores[:2]
    return {(1, 1): 70, (1, 2): 85, (2, 1): 85, (2, 2): 100}[(first, second)]


def category_for(score: int | None, *, best_min: int, well_min: int, qualified_min: int) -> str | None:
    """The quality category for a score with the action's cut-points (rule 30; SMEQA defaults 100/85/70)."""
    if score is None:
        return None
    if score >= best_min:
        return BEST
    if score >= well_min:
        return WELL
    if score >= qualified_min:
        return QUALIFIED
    return None


def floats(preference: str, *, scientific_professional: bool, grade: int) -> bool:
    """Whether a preference eligible moves to the highest category (rules 34-35; 5 U.S.C. 3319(b))."""
    if preference not in FLOATERS:
        return False
    return not (scientific_professional and grade >= SCI_PRO_NO_FLOAT_FROM_GRADE)


@dataclass(frozen=True)
class Eligible:
    """One passing applicant as the rules see them."""

    key: int
    name: str
    score: int
    preference: str = NV


@dataclass
class Placement:
    key: int
    name: str
    preference: str
    score: int
    earned: str  # the category the score earned
    category: str  # where the applicant is listed (may be higher: a float)
    rank: int = 0  # position in the whole list, from 1
    why: str = ""


def place(
    eligibles: Iterable[Eligible], *, best_min: int, well_min: int, qualified_min: int,
    scientific_professional: bool, grade: int,
) -> list[Placement]:  # fmt: skip
    """Every eligible's category and order, each with a one-line reason an auditor can read.

    No points are added for preference (rule 32, 5 CFR 337.304). Within each category preference
    eligibles come first (rule 33); CP and CPS float to the highest category unless the position is
    scientific/professional at GS-9 or above (rules 34-35). Within a group the order is by name, then
    key: category rating does not rank people inside a category (DEOH p. 6-23), so the order is
    alphabetical, stated, and reproducible.
    """
    placements = []
    for e in eligibles:
        earned = category_for(e.score, best_min=best_min, well_min=well_min, qualified_min=qualified_min)
        if earned is None:
            continue
        floated = floats(e.preference, scientific_professional=scientific_professional, grade=grade)
        category = BEST if floated else earned
        placements.append(Placement(e.key, e.name, e.preference, e.score, earned, category))

    def order(p: Placement) -> tuple:
        # Rule 39 (DEOH pp. 6-12-6-13): in the highest category, CP and CPS first where they float.
        first = p.category == BEST and floats(
            p.preference, scientific_professional=scientific_professional, grade=grade
        )
        group = 0 if first else 1 + _preference_group(p.preference)
        return (CATEGORY_ORDER.index(p.category), group, p.name, p.key)

    placements.sort(key=order)
    for rank, p in enumerate(placements, start=1):
        p.rank = rank
        p.why = _explain(p, scientific_professional=scientific_professional, grade=grade)
    return placements


def _preference_group(preference: str) -> int:
    return 0 if preference in PREFERENCE_ELIGIBLE else 1


def _explain(p: Placement, *, scientific_professional: bool, grade: int) -> str:
    label = CATEGORY_LABELS[p.category]
    if p.category != p.earned:
        return (
            f"Score {p.score} earns {CATEGORY_LABELS[p.earned]}; {p.preference} (compensable disability of 10% "
            f"or more) floats to {label}, listed ahead of non-preference eligibles (5 U.S.C. 3319(b))."
        )
    reason = f"Score {p.score} earns {label}"
    if p.preference in FLOATERS and scientific_professional and grade >= SCI_PRO_NO_FLOAT_FROM_GRADE:
        reason += (
            f"; {p.preference} does not float for a scientific or professional position at grade {grade}"
        )
    if p.preference in PREFERENCE_ELIGIBLE:
        return reason + f"; {p.preference} is listed ahead of non-preference eligibles (5 U.S.C. 3319(b))."
    return reason + "; no veterans' preference (listed after preference eligibles)."


@dataclass
class CertificateList:
    """Who a certificate lists and why: the highest category, merged with the next when it has fewer
    than 3 (rule 40; 5 U.S.C. 3319(c)(1)), preference eligibles on top of the merged group (DEOH p. 6-20)."""

    categories: list[str]
    names: list[Placement] = field(default_factory=list)
    merged: bool = False


def certificate_list(placements: Sequence[Placement]) -> CertificateList:
    """The names to certify from `placements` (already in `place` order)."""
    present = [c for c in CATEGORY_ORDER if any(p.category == c for p in placements)]
    if not present:
        return CertificateList(categories=[])
    chosen = [present[0]]
    count = sum(1 for p in placements if p.category == present[0])
    merged = False
    for nxt in present[1:]:
        if count >= MERGE_BELOW:
            break
        chosen.append(nxt)
        count += sum(1 for p in placements if p.category == nxt)
        merged = True
    names = [p for p in placements if p.category in chosen]
    if merged:
        # Once merged, preference eligibles from the lower category rise to the top of the group.
        names.sort(
            key=lambda p: (_preference_group(p.preference), CATEGORY_ORDER.index(p.category), p.name, p.key)
        )
    return CertificateList(categories=chosen, names=names, merged=merged)


# --- selection --------------------------------------------------------------------------------------


def selection_blocked_by(
    *,
    chosen_preference: str,
    unselected_preference_eligibles: Iterable[str],
    pass_overs_approved: Iterable[str],
) -> list[str]:
    """Preference eligibles (by name) whose pass-over must be approved before a non-preference eligible
    can be selected (rule 44; 5 U.S.C. 3318, 3319(c)). Empty when the selection may go ahead."""
    if chosen_preference in PREFERENCE_ELIGIBLE:
        return []
    approved = set(pass_overs_approved)
    return [name for name in unselected_preference_eligibles if name not in approved]


def pass_over_problem(
    *, preference: str, reasons: str, opm_decision: str = "", notified_on: date | None = None,
    decided_on: date | None = None,
) -> str | None:  # fmt: skip
    """Why a pass-over cannot be recorded as approved yet, or None (rule 45; 5 U.S.C. 3318): written
    reasons always; for CPS also OPM's decision and the veteran's 15-day response period, counted from
    notification, before the decision."""
    if not reasons.strip():
        return "Record the written reasons for the pass-over."
    if preference == CPS:
        if not opm_decision.strip():
            return (
                "A CPS (30% or more disabled) veteran can be passed over only with OPM's decision; record it."
            )
        if notified_on is None:
            return "Record when the veteran was notified: they have 15 days to respond before OPM decides."
        if decided_on is not None and decided_on < notified_on + timedelta(days=CPS_RESPONSE_DAYS):
            return (
                f"OPM's decision is dated before the veteran's {CPS_RESPONSE_DAYS}-day response period ended "
                f"({notified_on + timedelta(days=CPS_RESPONSE_DAYS):%B %-d, %Y})."
            )
    return None


# --- Competitive Service Act sharing ----------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    series: str
    grade: int
    full_performance_level: int
    duty_location: str
    appointment_type: str


def last_csa_day(issued_on: date) -> date:
    """The last day another agency may use a certificate: 240 days counted from the original issue
    date, that day included (5 U.S.C. 3318(b)(1); rule 54)."""
    return issued_on + timedelta(days=CSA_WINDOW_DAYS - 1)


def share_refusals(
    *, original: Position, requested: Position, issued_on: date, today: date, audited: bool
) -> list[str]:
    """Why another agency may not use a certificate for its position; empty when it may.

    Rule 51: only after audit. Rule 53 (OPM's standard): same series, grade, full performance level and
    duty location. Rule 54: within 240 days of the original issue date. Rule 55: permanent or term only.
    """
    problems = []
    if not audited:
        problems.append("The certificate has not been audited yet; it can be shared only after audit.")
    for label, mine, theirs in (
        ("series", original.series, requested.series),
        ("grade", original.grade, requested.grade),
        ("full performance level", original.full_performance_level, requested.full_performance_level),
        ("duty location", original.duty_location, requested.duty_location),
    ):
        if str(mine).strip().lower() != str(theirs).strip().lower():
            problems.append(f"The {label} differs: the certificate is for {mine}, your position is {theirs}.")
    if requested.appointment_type not in CSA_APPOINTMENTS:
        problems.append("Shared certificates are only for permanent or term appointments.")
    last_day = last_csa_day(issued_on)
    if today > last_day:
        problems.append(f"The 240 days from the original issue date ended on {last_day:%B %-d, %Y}.")
    return problems


def shared_names(names: Sequence[tuple[int, bool, bool]]) -> list[int]:
    """The keys a shared copy lists, in the original order: opted in and not selected by the original
    agency (rule 52). `names` holds (key, opted_in, selected)."""
    return [key for key, opted_in, selected in names if opted_in and not selected]
