"""The merit rules of phase 5, without a database (certificates/rules.py)."""

from datetime import date

import pytest

from certificates import rules
from certificates.rules import BEST, CP, CPS, NV, QUALIFIED, SSP, TP, WELL, XP, Eligible, Position

CUTS = {"best_min": 100, "well_min": 85, "qualified_min": 70}


@pytest.mark.parametrize(
    ("scores", "final"),
    [
        ((1, 1), 70),
        ((1, 2), 85),
        ((2, 1), 85),
        ((2, 2), 100),
        ((1, 0), None),
        ((0, None), None),
        ((2,), 100),
        ((1,), 70),
    ],
)
def test_final_score_transmutes_the_round_scores(scores, final):
    assert rules.final_score(scores) == final


@pytest.mark.parametrize(
    ("score", "category"), [(100, BEST), (85, WELL), (70, QUALIFIED), (69, None), (None, None)]
)
def test_category_follows_the_actions_cut_points(score, category):
    assert rules.category_for(score, **CUTS) == category


def test_custom_cut_points_move_the_lines():
    assert rules.category_for(85, best_min=90, well_min=80, qualified_min=70) == WELL
    assert rules.category_for(92, best_min=90, well_min=80, qualified_min=70) == BEST


def names(placements):
    return [p.name for p in placements]


def test_preference_eligibles_lead_each_category_and_no_points_are_added():
    people = [
        Eligible(1, "Ada", 85, NV),
        Eligible(2, "Ben", 85, TP),
        Eligible(3, "Cy", 100, NV),
        Eligible(4, "Di", 70, SSP),
        Eligible(5, "Ed", 70, NV),
        Eligible(6, "Flo", 100, XP),
    ]
    placed = rules.place(people, **CUTS, scientific_professional=False, grade=12)
    assert names(placed) == ["Flo", "Cy", "Ben", "Ada", "Di", "Ed"]
    assert [p.category for p in placed] == [BEST, BEST, WELL, WELL, QUALIFIED, QUALIFIED]
    # XP and TP and SSP never float; a TP at 85 stays Well Qualified (no 5 points added).
    assert next(p for p in placed if p.name == "Ben").category == WELL
    assert "listed ahead of non-preference eligibles" in placed[2].why


def test_cp_and_cps_float_to_the_highest_category_first_in_line():
    people = [
        Eligible(1, "Zed", 100, NV),
        Eligible(2, "Yan", 100, TP),
        Eligible(3, "Xi", 70, CPS),
        Eligible(4, "Wu", 85, CP),
    ]
    placed = rules.place(people, **CUTS, scientific_professional=False, grade=12)
    assert names(placed) == ["Wu", "Xi", "Yan", "Zed"]
    assert all(p.category == BEST for p in placed)
    assert "floats to Best Qualified" in placed[1].why and placed[1].earned == QUALIFIED


@pytest.mark.parametrize(("grade", "floated"), [(7, True), (8, True), (9, False), (13, False)])
def test_no_float_for_scientific_and_professional_positions_at_gs_9_and_above(grade, floated):
    placed = rules.place([Eligible(1, "Xi", 70, CPS)], **CUTS, scientific_professional=True, grade=grade)
    assert (placed[0].category == BEST) is floated
    if not floated:
        assert "does not float for a scientific or professional position" in placed[0].why


def test_failing_applicants_get_no_category():
    assert rules.place([Eligible(1, "No", 0, CPS)], **CUTS, scientific_professional=False, grade=12) == []


def test_the_highest_category_alone_when_it_has_three_or_more():
    people = [Eligible(i, n, 100) for i, n in enumerate(["A", "B", "C"])] + [Eligible(9, "D", 85, TP)]
    result = rules.certificate_list(rules.place(people, **CUTS, scientific_professional=False, grade=12))
    assert result.categories == [BEST] and not result.merged
    assert names(result.names) == ["A", "B", "C"]


def test_fewer_than_three_merge_with_the_next_and_preference_eligibles_rise_to_the_top():
    people = [
        Eligible(1, "Ann", 100),
        Eligible(2, "Bo", 85, TP),
        Eligible(3, "Cal", 85),
        Eligible(4, "Dee", 70),
    ]
    result = rules.certificate_list(rules.place(people, **CUTS, scientific_professional=False, grade=12))
    assert result.categories == [BEST, WELL] and result.merged
    assert names(result.names) == ["Bo", "Ann", "Cal"]


def test_merging_continues_until_three_or_no_more_categories():
    people = [Eligible(1, "Ann", 100), Eligible(2, "Dee", 70)]
    result = rules.certificate_list(rules.place(people, **CUTS, scientific_professional=False, grade=12))
    assert result.categories == [BEST, QUALIFIED] and names(result.names) == ["Ann", "Dee"]
    assert rules.certificate_list([]).categories == []


def test_a_non_preference_selection_is_blocked_while_a_preference_eligible_waits():
    blocked = rules.selection_blocked_by(
        chosen_preference=NV, unselected_preference_eligibles=["Bo", "Xi"], pass_overs_approved=["Bo"]
    )
    assert blocked == ["Xi"]
    assert (
        rules.selection_blocked_by(
            chosen_preference=TP, unselected_preference_eligibles=["Xi"], pass_overs_approved=[]
        )
        == []
    )


def test_a_cps_pass_over_needs_opms_decision_after_the_15_day_response_period():
    assert "written reasons" in rules.pass_over_problem(preference=TP, reasons=" ")
    assert rules.pass_over_problem(preference=TP, reasons="Failed suitability.") is None
    assert "OPM's decision" in rules.pass_over_problem(preference=CPS, reasons="Suitability.")
    assert "notified" in rules.pass_over_problem(
        preference=CPS, reasons="Suitability.", opm_decision="Sustained"
    )
    early = rules.pass_over_problem(
        preference=CPS,
        reasons="r",
        opm_decision="Sustained",
        notified_on=date(2026, 3, 1),
        decided_on=date(2026, 3, 10),
    )
    assert "15-day response period" in early and "March 16, 2026" in early
    assert (
        rules.pass_over_problem(
            preference=CPS,
            reasons="r",
            opm_decision="Sustained",
            notified_on=date(2026, 3, 1),
            decided_on=date(2026, 3, 16),
        )
        is None
    )


ORIGINAL = Position("2210", 13, 13, "Washington, DC", "permanent")


def test_a_matching_position_within_240_days_after_audit_may_use_the_certificate():
    assert (
        rules.share_refusals(
            original=ORIGINAL,
            requested=ORIGINAL,
            issued_on=date(2026, 1, 1),
            today=date(2026, 8, 28),
            audited=True,
        )
        == []
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"series": "1560"}, "The series differs"),
        ({"grade": 12}, "The grade differs"),
        ({"full_performance_level": 14}, "The full performance level differs"),
        ({"duty_location": "Denver, CO"}, "The duty location differs"),
        ({"appointment_type": "temporary"}, "only for permanent or term"),
    ],
)
def test_each_sharing_refusal_names_its_condition(change, message):
    requested = Position(**{**ORIGINAL.__dict__, **change})
    refusals = rules.share_refusals(
        original=ORIGINAL,
        requested=requested,
        issued_on=date(2026, 1, 1),
        today=date(2026, 2, 1),
        audited=True,
    )
    assert len(refusals) == 1 and message in refusals[0]


def test_sharing_refuses_after_240_days_and_before_audit():
    late = rules.share_refusals(
        original=ORIGINAL,
        requested=ORIGINAL,
        issued_on=date(2026, 1, 1),
        today=date(2026, 8, 29),
        audited=True,
    )
    assert late == ["The 240 days from the original issue date ended on August 28, 2026."]
    assert (
        "not been audited"
        in rules.share_refusals(
            original=ORIGINAL,
            requested=ORIGINAL,
            issued_on=date(2026, 1, 1),
            today=date(2026, 1, 2),
            audited=False,
        )[0]
    )


def test_a_shared_copy_keeps_order_and_only_opted_in_unselected_names():
    assert rules.shared_names([(5, True, False), (2, False, False), (9, True, True), (1, True, False)]) == [
        5,
        1,
    ]
