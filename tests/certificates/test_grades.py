"""Multi-grade rules of phase 5, without a database (certificates/grades.py): the highest grade the
assessments support, time in grade, and the grades each eligible is certified at (rule 42)."""

from datetime import date, timedelta

import pytest

from certificates import grades
from certificates.rules import final_score

# A GS-12/13/14 action: one assessment strategy, a higher final score for each higher grade (§1.1).
REQUIRED = {12: 70, 13: 85, 14: 100}
ACTION_GRADES = [12, 13, 14]
ALL_VERIFIED = {12: True, 13: True, 14: True}
ON = date(2026, 11, 30)  # the day HR certifies


# --- highest grade qualified ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("round_scores", "highest"),
    [
        ((2, 2), 14),  # 100: Best at every grade, certified up to GS-14
        ((1, 2), 13),  # 85
        ((2, 1), 13),
        ((1, 1), 12),  # 70: qualifies only at the lowest grade
        ((1, 0), None),  # failed round 2: no score, no grade
        ((2, None), None),  # round 2 missing
    ],
)
def test_the_assessments_decide_the_highest_grade(round_scores, highest):
    assert grades.highest_grade_qualified(final_score(round_scores), REQUIRED) == highest


def test_a_score_below_the_lowest_grades_minimum_qualifies_for_no_grade():
    assert grades.highest_grade_qualified(70, {13: 85, 14: 100}) is None


def test_a_single_grade_action_is_the_same_rule():
    assert grades.highest_grade_qualified(85, {13: 70}) == 13


def test_a_higher_grade_asking_for_less_is_refused_with_a_reason():
    assert grades.grade_requirement_problems({12: 85, 13: 70}) == [
        "Grade 13 requires 70, less than the 85 required at grade 12; a higher grade needs the same score or more."
    ]
    with pytest.raises(ValueError, match="Grade 13 requires 70"):
        grades.highest_grade_qualified(100, {12: 85, 13: 70})


def test_equal_scores_at_two_grades_are_allowed():
    assert grades.grade_requirement_problems({13: 85, 14: 85}) == []
    assert grades.highest_grade_qualified(85, {13: 85, 14: 85}) == 14


# --- time in grade ----------------------------------------------------------------------------------

WEEK_52 = timedelta(weeks=52)


@pytest.mark.parametrize(
    ("history", "target", "meets", "case"),
    [
        ([(12, ON - WEEK_52, None)], 13, True, "exactly 52 weeks at GS-12 today"),
        ([(12, ON - WEEK_52 + timedelta(days=1), None)], 13, False, "51 weeks and 6 days"),
        ([(12, date(2024, 1, 7), None)], 13, True, "current grade, open-ended, well past a year"),
        ([(11, date(2020, 1, 5), None)], 13, False, "a current GS-11 is not certified at GS-13 (#291)"),
        ([(11, date(2020, 1, 5), None)], 12, True, "but is at GS-12"),
        ([(13, date(2023, 1, 1), date(2024, 6, 1)), (12, date(2024, 6, 1), None)], 14, True,
         "a year at GS-13 before moving down to GS-12 still counts for GS-14"),
        ([(12, date(2025, 1, 5), date(2025, 7, 6)), (12, date(2026, 3, 1), None)], 13, True,
         "26 weeks, a break in service, 39 weeks more: 65 weeks in all"),
        ([(12, date(2025, 1, 5), date(2025, 7, 6)), (12, date(2026, 6, 7), None)], 13, False,
         "26 weeks, a break, 25 weeks more: 51 weeks in all"),
        ([(12, ON - timedelta(weeks=40), None), (12, ON - timedelta(weeks=45), ON - timedelta(weeks=30))], 13,
         False, "a detail overlapping the position of record counts each day once: 45 weeks"),
        ([(12, ON - timedelta(weeks=30), None), (12, ON - timedelta(weeks=30), None)], 13, False,
         "two SF-50s for the same 30 weeks are still 30 weeks"),
        ([(14, ON - timedelta(weeks=60), None)], 14, True, "already at GS-14: no promotion to check"),
        ([(12, ON - timedelta(weeks=10), None)], 12, True, "10 weeks at GS-12 is enough for GS-12: not a promotion"),
        ([(13, ON - timedelta(weeks=10), None)], 12, True, "a GS-13 taking a GS-12 is not a promotion either"),
        ([(13, date(2024, 1, 7), date(2025, 6, 1))], 14, True, "a former GS-13 (73 weeks, left in 2025) for GS-14"),
        ([(12, ON - timedelta(weeks=60), ON - timedelta(weeks=10))], 13, False,
         "a former GS-12 with 50 weeks before leaving: not a year"),
        ([(12, ON - timedelta(weeks=65), ON - timedelta(weeks=35)), (13, ON - timedelta(weeks=35), ON - timedelta(weeks=5))],
         13, True, "a former employee: 30 weeks at GS-12, then 30 at GS-13, counts 60 weeks for GS-13"),
        ([], 13, False, "no grade history shows no time in grade"),
        ([(12, ON + timedelta(days=1), None)], 13, False, "a start date after certification counts nothing"),
    ],
)  # fmt: skip
def test_time_in_grade_is_52_whole_weeks_at_the_next_lower_grade(history, target, meets, case):
    assert grades.meets_time_in_grade(target, history, ON) is meets, case


def test_an_end_date_is_the_first_day_at_the_new_grade():
    # Promoted to GS-12 on Jan 7 2024 and to GS-13 on Jan 5 2025: exactly 52 weeks at GS-12.
    history = [(12, date(2024, 1, 7), date(2025, 1, 5)), (13, date(2025, 1, 5), None)]
    assert grades.weeks_at_or_above(12, history, ON) == 52 + grades.weeks_at_or_above(13, history, ON)
    assert grades.weeks_at_or_above(12, history[:1], ON) == 52


def test_a_span_that_ends_before_it_starts_is_refused_not_ignored():
    with pytest.raises(ValueError, match="ends on January 1, 2025, before it starts on June 1, 2025"):
        grades.meets_time_in_grade(13, [(12, date(2025, 6, 1), date(2025, 1, 1))], ON)


@pytest.mark.parametrize(
    ("target", "two_grade", "interval"),
    [(13, False, 1), (13, True, 1), (12, True, 1), (11, True, 2), (9, True, 2), (9, False, 1)],
)
def test_two_grade_interval_positions_look_two_grades_down_through_gs_11(target, two_grade, interval):
    assert grades.time_in_grade_interval(target, two_grade_interval=two_grade) == interval


def test_a_gs_9_with_a_year_qualifies_for_a_two_grade_interval_gs_11_but_not_a_one_grade_one():
    history = [(9, date(2024, 1, 7), None)]
    assert grades.meets_time_in_grade(11, history, ON, interval=2)
    assert not grades.meets_time_in_grade(11, history, ON)


# --- the grades an eligible is certified at ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lowest_accepted", "highest_qualified", "tig_ok", "certified", "case"),
    [
        (13, 14, ALL_VERIFIED, [13, 14], "qualifies at GS-14, accepts GS-13 and up"),
        (12, 14, ALL_VERIFIED, [12, 13, 14], "accepts anything: listed at every grade"),
        (None, 13, ALL_VERIFIED, [12, 13], "no lowest grade given: from the action's lowest"),
        (14, 13, ALL_VERIFIED, [], "accepts only GS-14 but qualifies at GS-13: not listed"),
        (12, 14, {12: True, 13: True, 14: False}, [12, 13], "time in grade fails at GS-14, passes at GS-13"),
        (13, 14, {13: True}, [13], "a grade HR has not verified is left off"),
        (12, None, ALL_VERIFIED, [], "qualifies at no grade"),
        (12, 12, ALL_VERIFIED, [12], "qualifies only at the lowest grade"),
        (14, 14, {14: False}, [], "the only grade left fails time in grade"),
    ],
)
def test_each_eligible_is_certified_from_the_lowest_grade_they_accept_to_the_highest_they_qualify_for(
    lowest_accepted, highest_qualified, tig_ok, certified, case
):
    assert grades.certified_grades(lowest_accepted, highest_qualified, ACTION_GRADES, tig_ok) == certified, (
        case
    )


def test_only_the_actions_own_grades_are_certified():
    # A GS-12/14 action (no GS-13 vacancy): someone qualifying at 14 and accepting 12 is listed at both.
    assert grades.certified_grades(12, 14, [12, 14], ALL_VERIFIED) == [12, 14]


def test_the_three_rules_together_for_a_current_gs_12():
    """Scored (2, 2), accepts GS-13 and up, and has been a GS-12 for 40 weeks: qualified at GS-14 on the
    assessments, but 40 weeks at GS-12 is not a year, and nobody is at GS-13 yet: listed nowhere."""
    history = [(12, ON - timedelta(weeks=40), None)]
    highest = grades.highest_grade_qualified(final_score((2, 2)), REQUIRED)
    tig = {g: grades.meets_time_in_grade(g, history, ON) for g in ACTION_GRADES}
    assert highest == 14
    assert tig == {12: True, 13: False, 14: False}
    assert grades.certified_grades(13, highest, ACTION_GRADES, tig) == []
    # Had they accepted GS-12, they would be listed there.
    assert grades.certified_grades(12, highest, ACTION_GRADES, tig) == [12]
