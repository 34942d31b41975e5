"""Every write to structured interviews (phase 4): interviewer groups, availability, assignment,
invitations and scheduling, the SME's score sheet and HR's review of it. One transaction each, with its
audit row; candidate emails are queued after commit through hiring's notices.

Lock order: application, then interview, then the SME's user row (which serialises bookings for one
SME, so two candidates cannot take the same hour or break the 3-a-day rule between them).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import ActionRole, Application, AuditEvent, HiringAction, InterviewQuestion, Role, User
from hiring.services import require_role
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError

from . import ics, rules
from .models import Availability, Interview, InterviewerSeat, Recusal

IV = Interview.State
# States in which an interview holds its SME's hour (rule 23 counts them).
HOLDS_TIME = [IV.SCHEDULED, IV.SUBMITTED, IV.RETURNED, IV.ACCEPTED]
ROUND_STATUS = {1: Status.IN_ROUND_1, 2: Status.IN_ROUND_2}
LENGTH = timedelta(minutes=rules.INTERVIEW_MINUTES)


def _audit(*, interview: Interview | None = None, action_id: int, actor: User | None, actor_role: str,
           reason: str, from_state: str = "", to_state: str = "", application_id=None) -> AuditEvent:  # fmt: skip
    return AuditEvent.objects.create(
        actor=actor,
        actor_role=actor_role,
        subject=AuditEvent.Subject.INTERVIEW,
        action_id=action_id,
        application_id=interview.application_id if interview else application_id,
        from_state=from_state,
        to_state=to_state or (interview.state if interview else ""),
        reason=reason,
    )


def _require_assessments(action: HiringAction) -> None:
    if action.phase != Phase.ASSESSMENTS:
        raise DomainError(
            f"Interviews happen in the assessments phase; this action is in {action.get_phase_display().lower()}."
        )


def rounds_of(action: HiringAction) -> list[int]:
    """The interview rounds the job analysis wrote questions for (round 1 always; round 2 if any)."""
    has_two = InterviewQuestion.objects.filter(action=action, round=2).exists()
    return [1, 2] if has_two else [1]


def scheduling_link(interview: Interview) -> str:
    return settings.SITE_URL + reverse("assessments:interview_schedule", args=[interview.token])


# --- HR: interviewer groups -----------------------------------------------------------------------


@transaction.atomic
def interviewer_seat_add(*, action_id: int, hr: User, round: int, sme_id: int) -> InterviewerSeat:
    """Place an SME of the action in a round's group of interviewers. Writes the seat and an audit row."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    if round not in (1, 2):
        raise DomainError("Choose round 1 or round 2.", field="round")
    if not ActionRole.objects.filter(action=action, user_id=sme_id, role=Role.SME).exists():
        raise DomainError("Add this person as a subject matter expert on the action first.", field="sme")
    seat, created = InterviewerSeat.objects.get_or_create(action=action, round=round, sme_id=sme_id)
    if created:
        _audit(
            action_id=action.pk, actor=hr, actor_role=Actor.HR,
            reason=f"{seat.sme} added to the round {round} interviewers.",
        )  # fmt: skip
    return seat


@transaction.atomic
def interviewer_seat_remove(*, action_id: int, hr: User, round: int, sme_id: int) -> None:
    """Take an SME out of a round's group. Their existing interviews stay theirs (HR reassigns by hand)."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    deleted, _ = InterviewerSeat.objects.filter(action=action, round=round, sme_id=sme_id).delete()
    if deleted:
        _audit(
            action_id=action.pk, actor=hr, actor_role=Actor.HR,
            reason=f"User {sme_id} removed from the round {round} interviewers.",
        )  # fmt: skip


# --- SME: availability ----------------------------------------------------------------------------


@transaction.atomic
def availability_add(*, action_id: int, sme: User, starts_at: datetime, ends_at: datetime) -> Availability:
    """Publish a window in which the SME can interview. Refuses past, too-short and overlapping windows."""
    action = HiringAction.objects.get(pk=action_id)
    require_role(action=action, user=sme, role=Role.SME)
    if ends_at - starts_at < LENGTH:
        raise DomainError(
            "A window must be at least 60 minutes long, the length of one interview.", field="ends"
        )
    if ends_at - starts_at > timedelta(hours=12):
        raise DomainError("Add one day at a time: a window can be at most 12 hours long.", field="ends")
    if starts_at < timezone.now():
        raise DomainError("That time has already passed. Choose a time in the future.", field="starts")
    User.objects.select_for_update(no_key=True).get(pk=sme.pk)  # two tabs adding at once cannot both overlap
    overlap = Availability.objects.filter(sme=sme, starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if overlap is not None:
        raise DomainError(
            f"This overlaps a window you already published ({timezone.localtime(overlap.starts_at):%b %-d, %-I:%M %p}"
            f"–{timezone.localtime(overlap.ends_at):%-I:%M %p}). Change or remove that one first.",
            field="starts",
        )
    window = Availability.objects.create(action=action, sme=sme, starts_at=starts_at, ends_at=ends_at)
    _audit(action_id=action.pk, actor=sme, actor_role=Actor.SME, reason=f"Availability added: {window}.")
    return window


@transaction.atomic
def availability_remove(*, availability_id: int, sme: User) -> int:
    """Withdraw a window. Interviews already booked in it stay booked; returns how many there are."""
    window = Availability.objects.select_for_update().filter(pk=availability_id, sme=sme).first()
    if window is None:
        raise DomainError("That window is no longer there.")
    booked = Interview.objects.filter(
        sme=sme, action_id=window.action_id, state__in=HOLDS_TIME,
        starts_at__gte=window.starts_at, starts_at__lt=window.ends_at,
    ).count()  # fmt: skip
    _audit(
        action_id=window.action_id, actor=sme, actor_role=Actor.SME, reason=f"Availability removed: {window}."
    )
    window.delete()
    return booked


# --- HR: assignment and invitations -----------------------------------------------------------------


@transaction.atomic
def interviews_assign(*, action_id: int, round: int, actor: User | None) -> tuple[int, int]:
    """Give every applicant waiting for `round` one interviewer from the round's group, least loaded
    first, never one they recused from (rule 24) and, in round 2, never their round-1 interviewer
    (rule 21). Round 1 takes applicants who moved forward; round 2 those who passed round 1 (rule 22).
    Returns (assigned, left without an interviewer)."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    if actor is not None:
        require_role(action=action, user=actor, role=Role.HR)
    _require_assessments(action)
    if round not in rounds_of(action):
        raise DomainError("This action's job analysis has no questions for that round.")
    group = list(InterviewerSeat.objects.filter(action=action, round=round).values_list("sme_id", flat=True))
    if not group:
        raise DomainError(f"Place at least one SME in the round {round} interviewers first.")
    waiting_status = Status.MOVED_FORWARD if round == 1 else Status.IN_ROUND_2
    statuses = [waiting_status, Status.IN_ROUND_1] if round == 1 else [waiting_status]
    live = Interview.objects.filter(round=round).exclude(state=IV.WITHDRAWN)
    waiting = list(
        Application.objects.select_for_update(no_key=True)
        .filter(action=action, status__in=statuses)
        .exclude(pk__in=live.filter(action=action).values("application_id"))
        .order_by("pk")
    )
    loads = dict.fromkeys(group, 0)
    for sme_id, n in (
        live.filter(action=action, sme_id__in=group).values_list("sme_id").annotate(n=Count("id")).order_by()
    ):
        loads[sme_id] = n
    ids = [a.pk for a in waiting]
    recused: dict[int, set[int]] = {}
    for application_id, sme_id in Recusal.objects.filter(application_id__in=ids).values_list(
        "application_id", "sme_id"
    ):
        recused.setdefault(application_id, set()).add(sme_id)
    earlier: dict[int, set[int]] = {}
    if round == 2:
        for application_id, sme_id in (
            Interview.objects.filter(application_id__in=ids, round=1).exclude(state=IV.WITHDRAWN).values_list("application_id", "sme_id")
        ):  # fmt: skip
            earlier.setdefault(application_id, set()).add(sme_id)
    assigned = left = 0
    for application in waiting:
        excluded = recused.get(application.pk, set()) | earlier.get(application.pk, set())
        sme_id = rules.pick_interviewer(loads=loads, excluded=excluded)
        if sme_id is None:
            left += 1
            continue
        loads[sme_id] += 1
        interview = Interview.objects.create(
            application=application, action=action, round=round, sme_id=sme_id
        )
        if application.status == Status.MOVED_FORWARD:
            hiring_services.application_transition(
                application_id=application.pk, to_status=Status.IN_ROUND_1, actor=None, actor_role=Actor.SYSTEM,
                reason="Interviewer assigned for round 1.",
            )  # fmt: skip
        _audit(
            interview=interview, action_id=action.pk, actor=actor, actor_role=Actor.HR if actor else Actor.SYSTEM,
            reason=f"Round {round} interviewer assigned: {interview.sme_id}.",
        )  # fmt: skip
        assigned += 1
    return assigned, left


def interviews_withdraw_recused(*, action: HiringAction, sme: User, application_id: int) -> int:
    """The SME recused from the applicant (rule 24): their interviews with them that have not been held
    are withdrawn, so the applicant waits for an interviewer again and HR's next "Assign" gives them
    someone else (assignment skips recused SMEs). A candidate already invited or booked is told that
    their time is cancelled and a new invitation will follow. Called inside the recusal's transaction.
    """
    withdrawn = 0
    for interview in Interview.objects.select_for_update().filter(
        action=action, application_id=application_id, sme=sme,
        state__in=[IV.ASSIGNED, IV.INVITED, IV.SCHEDULED],
    ):  # fmt: skip
        previous = interview.state
        cancelled_copy = _interview_calendar(interview, cancelled=True) if interview.starts_at else ""
        interview.state = IV.WITHDRAWN
        interview.version += 1
        interview.save(update_fields=["state", "version"])
        event = _audit(
            interview=interview, action_id=action.pk, actor=sme, actor_role=Actor.SME, from_state=previous,
            reason=f"Round {interview.round} interview withdrawn: the interviewer recused; HR assigns another.",
        )  # fmt: skip
        if previous != IV.ASSIGNED:
            _notify(interview, event=event, template="reassigned", calendar=cancelled_copy)
        withdrawn += 1
    return withdrawn


@transaction.atomic
def invitations_send(*, action_id: int, round: int, hr: User, respond_by: datetime) -> int:
    """Invite every applicant with an assigned round-`round` interviewer to choose a time by `respond_by`.

    The invitation says in writing that not responding removes the applicant (rule 25; DEOH p. 6-27) and
    carries a calendar file marking the deadline. Returns how many were invited.
    """
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    _require_assessments(action)
    if respond_by < timezone.now() + timedelta(hours=24):
        raise DomainError("Give candidates at least 24 hours to choose a time.", field="respond_by")
    interviews = list(
        Interview.objects.select_for_update()
        .filter(action=action, round=round, state=IV.ASSIGNED, application__status=ROUND_STATUS[round])
        .select_related("application", "action")
        .order_by("pk")
    )
    for interview in interviews:
        _invite(interview, actor=hr, respond_by=respond_by, template="invitation")
    return len(interviews)


def _invite(
    interview: Interview,
    *,
    actor: User | None,
    respond_by: datetime,
    template: str,
    calendar: str = "",
    actor_role: str | None = None,
    **extra,
) -> None:
    previous = interview.state
    interview.state = IV.INVITED
    interview.respond_by = respond_by
    interview.invited_at = interview.invited_at or timezone.now()
    interview.reminded_at = None
    interview.version += 1
    interview.save(update_fields=["state", "respond_by", "invited_at", "reminded_at", "version"])
    event = _audit(
        interview=interview, action_id=interview.action_id, actor=actor,
        actor_role=actor_role or (Actor.HR if actor else Actor.SYSTEM),
        from_state=previous, reason=f"Invited to choose a round {interview.round} time by {respond_by:%Y-%m-%d %H:%M %Z}.",
    )  # fmt: skip
    calendar = calendar or ics.event(
        uid=f"deadline-{interview.token}-{interview.version}@smeqa",
        starts_at=respond_by - timedelta(minutes=30),
        ends_at=respond_by,
        summary=f"Deadline: choose your interview time for {interview.action.title}",
        description=f"Choose a time here: {scheduling_link(interview)}",
        url=scheduling_link(interview),
    )
    _notify(interview, event=event, template=template, calendar=calendar, **extra)


def _notify(interview: Interview, *, event: AuditEvent, template: str, calendar: str = "", **extra) -> None:
    context = {
        "interview": interview,
        "application": interview.application,
        "action": interview.action,
        "respond_by": interview.respond_by,
        "link": scheduling_link(interview),
        **extra,
    }
    hiring_services.notice_queue(
        application=interview.application,
        event=event,
        subject=render_to_string(f"assessments/notices/{template}_subject.txt", context),
        body=render_to_string(f"assessments/notices/{template}.txt", context),
        calendar=calendar,
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind each invited candidate who has not chosen a time once, in the 24 hours before the deadline.

    Idempotent: `reminded_at` is set in the same transaction as the notice, under a row lock that a
    second run skips. Returns how many reminders were queued.
    """
    now = now or timezone.now()
    sent = 0
    due = Interview.objects.filter(
        state=IV.INVITED,
        reminded_at__isnull=True,
        respond_by__gt=now,
        respond_by__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True)
    for pk in list(due[:5000]):
        with transaction.atomic():
            interview = (
                Interview.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("application", "action")
                .filter(pk=pk, state=IV.INVITED, reminded_at__isnull=True)
                .first()
            )
            if interview is None or interview.application.status != ROUND_STATUS[interview.round]:
                continue
            interview.reminded_at = now
            interview.save(update_fields=["reminded_at"])
            event = _audit(
                interview=interview, action_id=interview.action_id, actor=None, actor_role=Actor.SYSTEM,
                from_state=interview.state, reason="Reminder sent: the deadline to choose a time is within 24 hours.",
            )  # fmt: skip
            _notify(interview, event=event, template="reminder")
            sent += 1
    return sent


# --- scheduling -------------------------------------------------------------------------------------


def busy_times(sme_id: int, *, exclude: int | None = None) -> list[datetime]:
    """Start times of the SME's interviews that hold an hour, on every action (rule 23 is per person)."""
    rows = Interview.objects.filter(sme_id=sme_id, state__in=HOLDS_TIME, starts_at__isnull=False).exclude(
        application__status=Status.WITHDRAWN
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return list(rows.values_list("starts_at", flat=True))


def offered_slots(interview: Interview, *, now: datetime | None = None) -> list[datetime]:
    """The 60-minute starts the interview's SME can take: on the hour from the start of each window
    they published for this action, in the future, and allowed by rule 23 given their bookings. The
    interview's own booked time is not offered: it is not a time to move to."""
    now = now or timezone.now()
    busy = busy_times(interview.sme_id, exclude=interview.pk)
    slots = []
    for window in Availability.objects.filter(
        action_id=interview.action_id, sme_id=interview.sme_id, ends_at__gt=now
    ):
        start = window.starts_at
        while start + LENGTH <= window.ends_at:
            if (
                start > now
                and start != interview.starts_at
                and rules.booking_problem(
                    start=timezone.localtime(start), existing=[timezone.localtime(b) for b in busy]
                )
                is None
            ):
                slots.append(start)
            start += LENGTH
    return sorted(slots)


@transaction.atomic
def interview_book(
    *, interview_id: int, starts_at: datetime, version: int, actor: User | None, by_hr: bool
) -> Interview:
    """Book (or move) an interview at `starts_at`: the candidate from their link, or HR by hand.

    Refuses a stale page, a passed deadline (candidates only), and any time the SME can no longer take;
    the SME's row lock makes two bookings at once see each other. Sends the confirmation with a calendar file.
    """
    interview = _locked(interview_id)
    if by_hr:
        require_role(action=interview.action, user=actor, role=Role.HR)
    _check_version(interview, version)
    if interview.application.status != ROUND_STATUS[interview.round]:
        raise DomainError("This application is no longer waiting for this interview.")
    if interview.state not in (IV.INVITED, IV.SCHEDULED) and not (by_hr and interview.state == IV.ASSIGNED):
        raise DomainError(
            f"This interview can no longer be scheduled: it is “{interview.get_state_display()}”."
        )
    now = timezone.now()
    if not by_hr:
        if interview.state == IV.INVITED and interview.respond_by and interview.respond_by < now:
            raise DomainError("The deadline to choose a time has passed. Please contact HR.")
        if interview.state == IV.SCHEDULED and interview.starts_at <= now:
            raise DomainError(
                "This interview has already started; it cannot be moved now. Please contact HR."
            )
    User.objects.select_for_update(no_key=True).get(pk=interview.sme_id)
    if starts_at not in offered_slots(interview, now=now):
        raise DomainError(
            "That time was just taken or is no longer available. Please choose another time.",
            field="starts_at",
        )
    previous, moved = interview.state, interview.starts_at is not None
    interview.starts_at = starts_at
    interview.state = IV.SCHEDULED
    interview.version += 1
    interview.calendar_sequence += 1
    interview.save(update_fields=["starts_at", "state", "version", "calendar_sequence"])
    who = "HR" if by_hr else "The candidate"
    event = _audit(
        interview=interview, action_id=interview.action_id, actor=actor,
        actor_role=Actor.HR if by_hr else Actor.CANDIDATE, from_state=previous,
        reason=f"{who} {'moved the interview to' if moved else 'chose'} {timezone.localtime(starts_at):%Y-%m-%d %H:%M %Z}.",
    )  # fmt: skip
    _notify(interview, event=event, template="booked", calendar=_interview_calendar(interview))
    return interview


def _interview_calendar(interview: Interview, *, cancelled: bool = False) -> str:
    return ics.event(
        uid=f"interview-{interview.token}@smeqa",
        sequence=interview.calendar_sequence,
        starts_at=interview.starts_at,
        ends_at=interview.starts_at + LENGTH,
        summary=f"Interview round {interview.round}: {interview.action.title}",
        description=f"Structured interview, 60 minutes. To change or cancel: {scheduling_link(interview)}",
        url=scheduling_link(interview),
        cancelled=cancelled,
    )


@transaction.atomic
def interview_cancel(
    *, interview_id: int, version: int, actor: User | None, by_hr: bool, respond_by: datetime | None = None
) -> Interview:
    """Cancel a booked time: the hour is free again and the candidate chooses a new one by the deadline
    (HR may set a new one; a candidate cancelling keeps at least 2 days to choose)."""
    interview = _locked(interview_id)
    if by_hr:
        require_role(action=interview.action, user=actor, role=Role.HR)
    _check_version(interview, version)
    if interview.state != IV.SCHEDULED:
        raise DomainError("Only a scheduled interview can be cancelled.")
    now = timezone.now()
    if not by_hr and interview.starts_at <= now:
        raise DomainError("This interview has already started. Please contact HR.")
    cancelled_copy = _interview_calendar(interview, cancelled=True)
    interview.calendar_sequence += 1
    interview.starts_at = None
    deadline = respond_by or max(interview.respond_by or now, now + timedelta(days=2))
    if deadline < now + timedelta(hours=24):
        raise DomainError("Give the candidate at least 24 hours to choose a new time.", field="respond_by")
    interview.save(update_fields=["starts_at", "calendar_sequence"])
    # The cancellation notice carries the CANCEL of the booked event, so calendars drop it.
    _invite(
        interview, actor=actor, respond_by=deadline, template="cancelled", calendar=cancelled_copy,
        actor_role=Actor.HR if by_hr else Actor.CANDIDATE, by_hr=by_hr,
    )  # fmt: skip
    return interview


@transaction.atomic
def no_response_record(*, interview_id: int, version: int, hr: User) -> Interview:
    """HR records failure to respond (FR): only after the written deadline passed with no time chosen,
    or after a no-show (DEOH p. 6-27; rule 25). Removes the applicant, with a notice."""
    interview = _locked(interview_id)
    require_role(action=interview.action, user=hr, role=Role.HR)
    _check_version(interview, version)
    passed = interview.state == IV.INVITED and interview.respond_by and interview.respond_by < timezone.now()
    no_show = interview.state == IV.SUBMITTED and interview.no_show
    if not (passed or no_show):
        raise DomainError(
            "Failure to respond can be recorded only after the deadline to choose a time has passed, or after a no-show."
        )
    previous = interview.state
    interview.state = IV.NO_RESPONSE
    interview.decided_at = timezone.now()
    interview.version += 1
    interview.save(update_fields=["state", "decided_at", "version"])
    _audit(
        interview=interview, action_id=interview.action_id, actor=hr, actor_role=Actor.HR, from_state=previous,
        reason="No-show: failure to respond recorded." if no_show else "Deadline passed: failure to respond recorded.",
    )  # fmt: skip
    hiring_services.application_transition(
        application_id=interview.application_id, to_status=Status.NO_RESPONSE, actor=hr, actor_role=Actor.SYSTEM,
        reason="Failure to respond (FR) to the interview invitation.",
    )  # fmt: skip
    return interview


@transaction.atomic
def interview_reoffer(*, interview_id: int, version: int, hr: User, respond_by: datetime) -> Interview:
    """After a no-show, HR may offer new times instead of recording FR."""
    interview = _locked(interview_id)
    require_role(action=interview.action, user=hr, role=Role.HR)
    _check_version(interview, version)
    if not (interview.state == IV.SUBMITTED and interview.no_show):
        raise DomainError("New times can be offered here only after a no-show.")
    if respond_by < timezone.now() + timedelta(hours=24):
        raise DomainError("Give the candidate at least 24 hours to choose a time.", field="respond_by")
    interview.no_show = False
    interview.starts_at = None
    interview.submitted_at = None
    interview.score = None
    interview.analysis = interview.analysis.removeprefix("No-show.").strip()
    interview.calendar_sequence += 1
    interview.save(
        update_fields=["no_show", "starts_at", "submitted_at", "score", "analysis", "calendar_sequence"]
    )
    _invite(interview, actor=hr, respond_by=respond_by, template="invitation")
    return interview


def _locked(interview_id: int) -> Interview:
    interview = Interview.objects.select_related("application", "action").filter(pk=interview_id).first()
    if interview is None:
        raise DomainError("That interview is no longer there.")
    # Application first, then the interview (the lock order above).
    Application.objects.select_for_update(no_key=True).filter(pk=interview.application_id).first()
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related("application", "action")
        .get(pk=interview_id)
    )


def _check_version(interview: Interview, version: int) -> None:
    if version != interview.version:
        raise DomainError(
            f"This interview changed since you loaded the page (it is now “{interview.get_state_display()}”). "
            "Reload to see the latest; nothing was changed."
        )


# --- SME: the score sheet -------------------------------------------------------------------------


EDITABLE = [IV.SCHEDULED, IV.RETURNED]


@transaction.atomic
def sheet_save(
    *, interview_id: int, sme: User, notes: dict[str, str], ratings: dict[str, str], analysis: str | None
) -> Interview:
    """Save what the SME typed, field by field, under the row lock: a save that carries only some
    fields keeps the others, so two saves at once (two tabs, an autosave racing a click) lose nothing.
    Keeps the version: the SME's own autosave never makes their next click stale."""
    interview = _locked(interview_id)
    _require_interviewer(interview, sme)
    if interview.state not in EDITABLE:
        raise DomainError(
            f"This score sheet is “{interview.get_state_display()}” and can no longer be changed. Your last "
            "change was not saved; copy it before reloading."
        )
    interview.notes = {**interview.notes, **{k: v for k, v in notes.items()}}
    interview.ratings = {
        **interview.ratings,
        **{k: v for k, v in ratings.items() if v in rules.INTERVIEW_RATINGS},
    }
    if analysis is not None:
        interview.analysis = analysis
    interview.saved_at = timezone.now()
    interview.save(update_fields=["notes", "ratings", "analysis", "saved_at"])
    return interview


def _require_interviewer(interview: Interview, sme: User) -> None:
    if interview.sme_id != sme.pk or interview.state == IV.WITHDRAWN:
        raise DomainError("This interview is not assigned to you.")


def sheet_parts(interview: Interview) -> tuple[list[InterviewQuestion], dict[int, str]]:
    """The round's questions in order and the competencies they cover (id → name), in the job
    analysis's order; every competency if the questions name none."""
    questions = list(
        InterviewQuestion.objects.filter(action_id=interview.action_id, round=interview.round)
        .prefetch_related("competencies")
        .order_by("order", "id")
    )
    covered = {c.pk: c for q in questions for c in q.competencies.all()}
    if not covered:
        from hiring.models import Competency

        covered = {c.pk: c for c in Competency.objects.filter(action_id=interview.action_id)}
    ordered = sorted(covered.values(), key=lambda c: (c.order, c.pk))
    return questions, {c.pk: c.name for c in ordered}


@transaction.atomic
def sheet_submit(*, interview_id: int, sme: User, version: int) -> Interview:
    """Send the sheet to HR once it is complete (rule 26): the score is computed here, never typed."""
    interview = _locked(interview_id)
    _require_interviewer(interview, sme)
    _check_version(interview, version)
    if interview.state not in EDITABLE:
        raise DomainError(f"This score sheet is already “{interview.get_state_display()}”.")
    if interview.starts_at is None or interview.starts_at > timezone.now():
        raise DomainError("You can submit the score sheet once the interview has started.")
    questions, competencies = sheet_parts(interview)
    problems = rules.sheet_problems(
        notes=interview.notes, question_ids=[q.pk for q in questions], ratings=interview.ratings,
        competencies=competencies, analysis=interview.analysis,
    )  # fmt: skip
    if problems:
        raise DomainError(
            "Your draft is saved, but the sheet is not complete. Still needed: " + "; ".join(problems) + "."
        )
    previous = interview.state
    interview.score = rules.round_score(interview.ratings, competencies)
    interview.state = IV.SUBMITTED
    interview.submitted_at = timezone.now()
    interview.version += 1
    interview.save(update_fields=["score", "state", "submitted_at", "version"])
    _audit(
        interview=interview, action_id=interview.action_id, actor=sme, actor_role=Actor.SME, from_state=previous,
        reason=f"Score sheet submitted; computed round score {interview.score}.",
    )  # fmt: skip
    return interview


@transaction.atomic
def sheet_no_show(*, interview_id: int, sme: User, version: int) -> Interview:
    """The candidate did not join (more than 10 minutes late: phone-interview-template.docx): HR then
    records FR or offers new times."""
    interview = _locked(interview_id)
    _require_interviewer(interview, sme)
    _check_version(interview, version)
    if interview.state != IV.SCHEDULED:
        raise DomainError("A no-show can be recorded only for a scheduled interview.")
    if interview.starts_at > timezone.now():
        raise DomainError("The interview has not started yet.")
    interview.no_show = True
    interview.analysis = "No-show." + (f" {interview.analysis}" if interview.analysis else "")
    interview.state = IV.SUBMITTED
    interview.submitted_at = timezone.now()
    interview.score = None
    interview.version += 1
    interview.save(update_fields=["no_show", "analysis", "state", "submitted_at", "score", "version"])
    _audit(
        interview=interview, action_id=interview.action_id, actor=sme, actor_role=Actor.SME,
        from_state=IV.SCHEDULED, reason="No-show recorded by the interviewer.",
    )  # fmt: skip
    return interview


# --- HR: review of score sheets -------------------------------------------------------------------


@transaction.atomic
def sheet_return(*, interview_id: int, hr: User, version: int, note: str) -> Interview:
    interview = _locked(interview_id)
    require_role(action=interview.action, user=hr, role=Role.HR)
    _check_version(interview, version)
    if interview.state != IV.SUBMITTED or interview.no_show:
        raise DomainError("Only a submitted score sheet can be returned.")
    if not note.strip():
        raise DomainError("Tell the interviewer what to fix.", field="note")
    interview.state = IV.RETURNED
    interview.hr_note = note.strip()
    interview.version += 1
    interview.save(update_fields=["state", "hr_note", "version"])
    _audit(
        interview=interview, action_id=interview.action_id, actor=hr, actor_role=Actor.HR,
        from_state=IV.SUBMITTED, reason=f"Returned to the interviewer: {interview.hr_note}",
    )  # fmt: skip
    return interview


@transaction.atomic
def sheet_accept(*, interview_id: int, hr: User, version: int) -> Interview:
    """HR accepts a sheet: its computed score now counts and moves the application (rules 22, 27):
    0 fails the assessment (IQFI); 1 or 2 goes to round 2, or is qualified after the last round."""
    interview = _locked(interview_id)
    require_role(action=interview.action, user=hr, role=Role.HR)
    _check_version(interview, version)
    if interview.state != IV.SUBMITTED or interview.no_show:
        raise DomainError("Only a submitted score sheet can be accepted.")
    if interview.application.status != ROUND_STATUS[interview.round]:
        raise DomainError(
            f"This application is “{interview.application.get_status_display()}”, so this score no longer counts."
        )
    interview.state = IV.ACCEPTED
    interview.decided_at = timezone.now()
    interview.hr_note = ""
    interview.version += 1
    interview.save(update_fields=["state", "decided_at", "hr_note", "version"])
    _audit(
        interview=interview, action_id=interview.action_id, actor=hr, actor_role=Actor.HR,
        from_state=IV.SUBMITTED, reason=f"Score sheet accepted; round {interview.round} score {interview.score}.",
    )  # fmt: skip
    last_round = interview.round == max(rounds_of(interview.action))
    if interview.score == 0:
        to_status = Status.FAILED_ASSESSMENT
    else:
        to_status = Status.QUALIFIED if last_round else Status.IN_ROUND_2
    hiring_services.application_transition(
        application_id=interview.application_id, to_status=to_status, actor=None, actor_role=Actor.SYSTEM,
        reason=f"Round {interview.round} score {interview.score}, accepted by HR.",
    )  # fmt: skip
    if (
        to_status == Status.IN_ROUND_2
        and InterviewerSeat.objects.filter(action_id=interview.action_id, round=2).exists()
    ):
        # Round 2 runs on a rolling basis as round-1 ratings arrive (domain-research §1.8).
        interviews_assign(action_id=interview.action_id, round=2, actor=None)
    return interview
