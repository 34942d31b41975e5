"""The transition table, tested as plain data: no database."""

import pytest

from hiring.workflow import (
    APPLICATION_MOVES,
    FINAL_STATUSES,
    PHASE_ORDER,
    Actor,
    NoticeCode,
    Phase,
    Status,
    allowed_moves,
    move_for,
    next_phase,
)


def test_phases_run_in_smeqa_order_and_end_closed():
    assert [p.value for p in PHASE_ORDER] == [
        "job_analysis",
        "announcement",
        "resume_review",
        "assessments",
        "certificate",
        "closed",
    ]
    assert next_phase(Phase.JOB_ANALYSIS) == Phase.ANNOUNCEMENT
    assert next_phase(Phase.CLOSED) is None


def test_every_status_is_reachable_from_received():
    reached, frontier = {Status.RECEIVED}, [Status.RECEIVED]
    while frontier:
        current = frontier.pop()
        for frm, to in APPLICATION_MOVES:
            if frm == current and to not in reached:
                reached.add(to)
                frontier.append(to)
    assert reached == set(Status)


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (Status.RECEIVED, Status.SELECTED),
        (Status.RECEIVED, Status.MOVED_FORWARD),  # no skipping resume review
        (Status.MOVED_FORWARD, Status.IN_ROUND_2),  # round 2 only after round 1 (rule 22)
        (Status.DID_NOT_MOVE_FORWARD, Status.MOVED_FORWARD),
        (Status.SELECTED, Status.WITHDRAWN),
        (Status.WITHDRAWN, Status.RECEIVED),
    ],
)
def test_moves_smeqa_forbids_are_not_in_the_table(frm, to):
    assert move_for(frm, to) is None


@pytest.mark.parametrize(
    ("frm", "to", "code"),
    [
        (Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD, NoticeCode.ELSM),
        (Status.IN_RESUME_REVIEW, Status.DID_NOT_MOVE_FORWARD, NoticeCode.IQSM),
        (Status.IN_ROUND_1, Status.FAILED_ASSESSMENT, NoticeCode.IQFI),
        (Status.IN_ROUND_2, Status.FAILED_ASSESSMENT, NoticeCode.IQFI),
        (Status.QUALIFIED, Status.REFERRED, NoticeCode.ELSR),
        (Status.QUALIFIED, Status.NOT_REFERRED, NoticeCode.ELSN),
    ],
)
def test_smeqa_notice_codes_ride_on_their_moves(frm, to, code):
    assert move_for(frm, to).notice_code == code


def test_candidate_can_only_withdraw_and_only_before_a_final_outcome():
    for status in Status:
        moves = allowed_moves(status, Actor.CANDIDATE)
        if status in FINAL_STATUSES:
            assert moves == []
        else:
            assert moves == [Status.WITHDRAWN]


def test_only_hr_screens_eligibility():
    move = move_for(Status.RECEIVED, Status.INELIGIBLE)
    assert move.actors == {Actor.HR}


def test_hiring_manager_moves_are_selections_only():
    manager_moves = {
        (frm, to) for (frm, to), move in APPLICATION_MOVES.items() if Actor.HIRING_MANAGER in move.actors
    }
    assert manager_moves == {
        (Status.REFERRED, Status.SELECTED),
        (Status.REFERRED, Status.NOT_SELECTED),
    }
