"""The two state machines of the hiring-action spine, as data.

Each table is the only statement of which moves are allowed and who may make them; the services in
hiring/services/ consult it and nothing else changes a status. Later phases add behaviour around
these moves (reviews, interviews, certificates); they do not add moves here without a test.
"""

from dataclasses import dataclass

from django.db import models


class Phase(models.TextChoices):
    JOB_ANALYSIS = "job_analysis", "Job analysis"
    ANNOUNCEMENT = "announcement", "Announcement"
    RESUME_REVIEW = "resume_review", "Resume review"
    ASSESSMENTS = "assessments", "Assessments"
    CERTIFICATE = "certificate", "Certificate"
    CLOSED = "closed", "Closed"


# An action moves forward one phase at a time; SMEQA has no step back once a phase's work is done.
PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)


def next_phase(phase: str) -> Phase | None:
    """The phase after `phase`, or None when the action is closed."""
    index = PHASE_ORDER.index(Phase(phase))
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


class Status(models.TextChoices):
    RECEIVED = "received", "Application received"
    INELIGIBLE = "ineligible", "Not eligible"
    IN_RESUME_REVIEW = "in_resume_review", "In resume review"
    DID_NOT_MOVE_FORWARD = "did_not_move_forward", "Did not move forward"
    MOVED_FORWARD = "moved_forward", "Moved forward"
    IN_ROUND_1 = "in_round_1", "In interview round 1"
    IN_ROUND_2 = "in_round_2", "In interview round 2"
    FAILED_ASSESSMENT = "failed_assessment", "Did not pass an assessment"
    NO_RESPONSE = "no_response", "Removed: did not respond to the interview invitation"
    QUALIFIED = "qualified", "Qualified"
    REFERRED = "referred", "Referred to the hiring manager"
    NOT_REFERRED = "not_referred", "Qualified, not referred"
    SELECTED = "selected", "Selected"
    NOT_SELECTED = "not_selected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Actor(models.TextChoices):
    """Who may make a move. SYSTEM is a service acting on computed results (later phases)."""

    HR = "hr", "HR specialist"
    SME = "sme", "Subject matter expert"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    CANDIDATE = "candidate", "Candidate"
    SYSTEM = "system", "System"


class NoticeCode(models.TextChoices):
    """SMEQA's notice-of-results codes (domain-research §1.10, rule 64)."""

    ELSM = "ELSM", "ELSM: passed resume review"
    IQSM = "IQSM", "IQSM: did not pass resume review"
    IQFI = "IQFI", "IQFI: did not pass an assessment"
    ELSN = "ELSN", "ELSN: qualified, not referred"
    ELSR = "ELSR", "ELSR: qualified and referred"


@dataclass(frozen=True)
class Move:
    """One allowed status change: who may make it and what the candidate is told."""

    actors: frozenset[Actor]
    notice_code: NoticeCode | None = None


HR = frozenset({Actor.HR})
HR_OR_SYSTEM = frozenset({Actor.HR, Actor.SYSTEM})
SYSTEM = frozenset({Actor.SYSTEM})
HM_OR_HR = frozenset({Actor.HIRING_MANAGER, Actor.HR})

S = Status
APPLICATION_MOVES: dict[tuple[Status, Status], Move] = {
    # Eligibility screening: HR removes only no-resume or citizenship failures (rule 9, prep.md).
    (S.RECEIVED, S.IN_RESUME_REVIEW): Move(HR_OR_SYSTEM),
    (S.RECEIVED, S.INELIGIBLE): Move(HR),
    (S.INELIGIBLE, S.RECEIVED): Move(HR),  # a screening mistake is corrected, not hidden
    # Resume review outcome: ELSM / IQSM (rule 18, usas-for-rr.md). Only the SMEs' settled reviews
    # decide it (assessments.services.resume_result_send); HR cannot pick it by hand.
    (S.IN_RESUME_REVIEW, S.MOVED_FORWARD): Move(SYSTEM, NoticeCode.ELSM),
    (S.IN_RESUME_REVIEW, S.DID_NOT_MOVE_FORWARD): Move(SYSTEM, NoticeCode.IQSM),
    # Assessments: round 2 only after passing round 1 (rule 22); a failed round is IQFI (§1.10). The
    # round score is computed from the SME's sheet once HR accepts it (rule 27), never picked by hand:
    # assessments.interviews moves these. Failure to respond (FR) is recorded by HR through
    # assessments.interviews.no_response_record, which checks the written deadline has passed or the
    # interviewer recorded a no-show (rule 25; DEOH p. 6-27); so it too is a SYSTEM move here.
    (S.MOVED_FORWARD, S.IN_ROUND_1): Move(SYSTEM),
    (S.IN_ROUND_1, S.IN_ROUND_2): Move(SYSTEM),
    (S.IN_ROUND_1, S.QUALIFIED): Move(SYSTEM),  # actions with a single round
    (S.IN_ROUND_1, S.FAILED_ASSESSMENT): Move(SYSTEM, NoticeCode.IQFI),
    (S.IN_ROUND_2, S.QUALIFIED): Move(SYSTEM),
    (S.IN_ROUND_2, S.FAILED_ASSESSMENT): Move(SYSTEM, NoticeCode.IQFI),
    (S.IN_ROUND_1, S.NO_RESPONSE): Move(SYSTEM),
    (S.IN_ROUND_2, S.NO_RESPONSE): Move(SYSTEM),
    # Certificate: ELSR referred, ELSN qualified not referred (§1.10).
    (S.QUALIFIED, S.REFERRED): Move(HR_OR_SYSTEM, NoticeCode.ELSR),
    (S.QUALIFIED, S.NOT_REFERRED): Move(HR_OR_SYSTEM, NoticeCode.ELSN),
    (S.NOT_REFERRED, S.REFERRED): Move(HR_OR_SYSTEM, NoticeCode.ELSR),  # merged or later certificate
    (S.REFERRED, S.SELECTED): Move(HM_OR_HR),
    (S.REFERRED, S.NOT_SELECTED): Move(HM_OR_HR),
}
# A candidate may withdraw at any point before a final outcome; HR may record a withdrawal for them.
FINAL_STATUSES = frozenset(
    {
        S.INELIGIBLE,
        S.DID_NOT_MOVE_FORWARD,
        S.FAILED_ASSESSMENT,
        S.NO_RESPONSE,
        S.SELECTED,
        S.NOT_SELECTED,
        S.WITHDRAWN,
    }
)
for _status in Status:
    if _status not in FINAL_STATUSES:
        APPLICATION_MOVES[(_status, S.WITHDRAWN)] = Move(frozenset({Actor.CANDIDATE, Actor.HR}))


# The phase an action must be in for an application to enter a status: SMEQA's hurdles run in order
# (resume review, then assessments, then the certificate; SMEQA principles, DEOH pp. 5-23-5-24).
STATUS_PHASES: dict[Status, frozenset[Phase]] = {
    S.INELIGIBLE: frozenset({Phase.ANNOUNCEMENT, Phase.RESUME_REVIEW}),
    S.RECEIVED: frozenset({Phase.ANNOUNCEMENT, Phase.RESUME_REVIEW}),
    S.IN_RESUME_REVIEW: frozenset({Phase.RESUME_REVIEW}),
    S.MOVED_FORWARD: frozenset({Phase.RESUME_REVIEW, Phase.ASSESSMENTS}),
    S.DID_NOT_MOVE_FORWARD: frozenset({Phase.RESUME_REVIEW, Phase.ASSESSMENTS}),
    S.IN_ROUND_1: frozenset({Phase.ASSESSMENTS}),
    S.IN_ROUND_2: frozenset({Phase.ASSESSMENTS}),
    S.FAILED_ASSESSMENT: frozenset({Phase.ASSESSMENTS}),
    S.NO_RESPONSE: frozenset({Phase.ASSESSMENTS}),
    S.QUALIFIED: frozenset({Phase.ASSESSMENTS, Phase.CERTIFICATE}),
    S.REFERRED: frozenset({Phase.CERTIFICATE, Phase.CLOSED}),
    S.NOT_REFERRED: frozenset({Phase.CERTIFICATE, Phase.CLOSED}),
    S.SELECTED: frozenset({Phase.CERTIFICATE, Phase.CLOSED}),
    S.NOT_SELECTED: frozenset({Phase.CERTIFICATE, Phase.CLOSED}),
}


def phase_allows(status: str, phase: str) -> bool:
    """Whether an application may enter `status` while its action is in `phase` (withdrawal: always)."""
    phases = STATUS_PHASES.get(Status(status))
    return phases is None or Phase(phase) in phases


def allowed_moves(status: str, actor: Actor, phase: str | None = None) -> list[Status]:
    """The statuses `actor` may move an application to from `status` (in `phase`, if given)."""
    return [
        to
        for (frm, to), move in APPLICATION_MOVES.items()
        if frm == status and actor in move.actors and (phase is None or phase_allows(to, phase))
    ]


def move_for(from_status: str, to_status: str) -> Move | None:
    """The table entry for a move, or None when the move is not allowed for anyone."""
    return APPLICATION_MOVES.get((Status(from_status), Status(to_status)))
