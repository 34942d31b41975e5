"""Applications: submitting and moving them through the status table, with audit rows and notices."""

from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import (
    AccountEvent,
    ActionRole,
    Announcement,
    Application,
    ApplicationDocument,
    ApplicationDraft,
    ApplicationPlace,
    AuditEvent,
    HiringAction,
    Notice,
    PreferenceClaim,
    Role,
    User,
    Vacancy,
)
from ..rules import accepting_applications
from ..workflow import Actor, Move, Phase, Status, allowed_moves, move_for, phase_allows
from .actions import require_role
from .announcements import intake
from .notices import notice_render


@transaction.atomic
def application_submit(
    *,
    action: HiringAction,
    candidate: User,
    citizenship_attested: bool = True,
    preference_claim: str = PreferenceClaim.NONE,
    sharing_opt_in: bool | None = None,
    draft: ApplicationDraft | None = None,
    places: list[tuple[int, str]] | None = None,
    lowest_grade: int | None = None,
) -> Application:
    """Record a candidate's application while the announcement takes applications.

    The announcement row is locked, so a cap is exact under concurrent submissions. Moves the draft's
    documents to the application and deletes the draft; on a pooled action writes the places the
    candidate accepts (at least one); on a multi-grade action, pooled or not, stores their lowest grade
    (None: any grade; ignored on a single-grade action). Writes an audit row and the receipt notice
    (emailed after commit).
    """
    announcement = Announcement.objects.select_for_update().filter(action_id=action.pk).first()
    action = HiringAction.objects.get(pk=action.pk)
    if announcement is None or action.phase != Phase.ANNOUNCEMENT:
        raise DomainError("This job is not open for applications.")
    today = timezone.localdate()
    received = Application.objects.filter(action=action).count()
    open_now, why = accepting_applications(intake(announcement, received), today)
    if not open_now:
        raise DomainError(why)
    if Application.objects.filter(action=action, candidate=candidate).exists():
        raise DomainError("You have already applied to this job. Your status page shows where it stands.")
    if ActionRole.objects.filter(action=action, user=candidate).exists():
        raise DomainError("You hold a role on this hiring action, so you cannot apply to it.")
    documents = list(draft.documents.all()) if draft is not None else []
    resume = next((d for d in documents if d.kind == ApplicationDocument.Kind.RESUME), None)
    application = Application(
        action=action,
        candidate=candidate,
        applicant_name=candidate.full_name,
        citizenship_attested=citizenship_attested,
        preference_claim=preference_claim,
        sharing_opt_in=sharing_opt_in,
        resume_pages=resume.pages if resume else None,
    )
    chosen = _places(action=action, places=places or [])
    # Each eligible is certified from the lowest grade they accept to the highest they qualify for, on
    # every multi-grade action (DEOH pp. 6-5-6-7; domain-research §2.3, §3.5 rule 42).
    if len(set(action.grades or [])) > 1:
        if lowest_grade is not None and lowest_grade not in action.grades:
            raise DomainError("Choose one of the job's grades, or any grade.", field="lowest_grade")
        application.lowest_grade = lowest_grade
    application.full_clean()
    application.save()
    if chosen:
        ApplicationPlace.objects.bulk_create(
            ApplicationPlace(application=application, participant_id=pk, duty_location=location)
            for pk, location in chosen
        )
    if documents:
        ApplicationDocument.objects.filter(pk__in=[d.pk for d in documents]).update(
            application=application, draft=None
        )
    if draft is not None:
        draft.delete()
    cap = announcement.application_cap
    if cap is not None and received + 1 >= cap and announcement.cap_reached_on is None:
        announcement.cap_reached_on = today
        announcement.save(update_fields=["cap_reached_on"])
    _record(application=application, actor=candidate, actor_role=Actor.CANDIDATE, from_state="", reason="")
    return application


def _places(*, action: HiringAction, places: list[tuple[int, str]]) -> list[tuple[int, str]] | None:
    """The places checked against the pool's vacancies; None on a single-agency action (ADR 0015)."""
    offered = set(
        Vacancy.objects.filter(participant__action=action).values_list("participant_id", "duty_location")
    )
    if not offered and not action.is_pooled:
        return None
    chosen = sorted(set(places))
    if not chosen:
        raise DomainError("Choose at least one agency and duty location you would accept.", field="places")
    if any(place not in offered for place in chosen):
        raise DomainError("One of the places you chose is no longer offered. Choose again.", field="places")
    return chosen


@transaction.atomic
def application_transition(
    *,
    application_id: int,
    to_status: str,
    actor: User | None,
    actor_role: Actor,
    reason: str = "",
    expected_status: str | None = None,
) -> Application:
    """Move an application to `to_status` if the transition table allows it for `actor_role`.

    Locks the row; refuses a stale form (`expected_status` no longer current); writes an audit row and
    a candidate notice, and emails the notice after commit.
    """
    application = (
        Application.objects.select_for_update(no_key=True).select_related("action").get(pk=application_id)
    )
    _require_actor(application=application, actor=actor, actor_role=actor_role)
    current = Status(application.status)
    if expected_status is not None and expected_status != current:
        raise DomainError(
            f"This application changed since you loaded the page: it is now “{current.label}”. Nothing was changed."
        )
    require_move(current=current, to_status=to_status, actor_role=actor_role, phase=application.action.phase)
    application.status = to_status
    application.status_changed_at = timezone.now()
    application.full_clean()
    application.save(update_fields=["status", "status_changed_at"])
    _record(
        application=application,
        actor=actor,
        actor_role=actor_role,
        from_state=current,
        reason=reason,
    )
    return application


def require_move(*, current: str, to_status: str, actor_role: Actor, phase: str) -> Move:
    """The workflow table's entry for `current` → `to_status`, or DomainError when `actor_role` may not
    make that move, or not while the action is in `phase` (workflow.APPLICATION_MOVES, STATUS_PHASES)."""
    move = move_for(current, to_status)
    if move is None or actor_role not in move.actors or not phase_allows(to_status, phase):
        allowed = ", ".join(f"“{s.label}”" for s in allowed_moves(current, actor_role, phase)) or "nothing"
        raise DomainError(
            f"An application that is “{Status(current).label}” cannot become “{Status(to_status).label}” "
            f"while the action is in {Phase(phase).label.lower()}. "
            f"From here it can become: {allowed}.",
            field="to_status",
        )
    return move


def _require_actor(*, application: Application, actor: User | None, actor_role: Actor) -> None:
    """Defence in depth: the view already scoped the lookup; the service checks the role again."""
    require_actor(action=application.action, actor=actor, actor_role=actor_role)
    if actor_role == Actor.CANDIDATE and application.candidate_id != actor.pk:
        raise DomainError("Only the candidate can withdraw their own application.")


def require_actor(*, action: HiringAction, actor: User | None, actor_role: Actor) -> None:
    """Who may move applications of `action` as `actor_role`: anyone for SYSTEM; otherwise a named
    person, holding the HR or hiring-manager role on the action for those roles. (A candidate may
    move only their own application: the caller checks which.)"""
    if actor_role == Actor.SYSTEM:
        return
    if actor is None:
        raise DomainError("A person must be named for this change.")
    role = {Actor.HR: Role.HR, Actor.HIRING_MANAGER: Role.HIRING_MANAGER}.get(actor_role)
    if role is not None:
        require_role(action=action, user=actor, role=role)


def _record(
    *, application: Application, actor: User | None, actor_role: Actor, from_state: str, reason: str
) -> None:
    event = AuditEvent.objects.create(
        actor=actor,
        actor_role=actor_role,
        subject=AuditEvent.Subject.APPLICATION,
        action_id=application.action_id,
        application=application,
        from_state=from_state,
        to_state=application.status,
        reason=reason,
    )
    code = notice_code(from_state, application.status)
    subject, body = notice_render(application=application, code=code)
    notice_queue(application=application, event=event, code=code, subject=subject, body=body)


def notice_code(from_state: str, to_state: str) -> str:
    """The notice-of-results code a move carries (ELSM, IQSM, IQFI, ELSN, ELSR; domain-research §1.10
    and rule 64, via workflow.APPLICATION_MOVES), or "" for a move that has none."""
    move = move_for(from_state, to_state) if from_state else None
    return move.notice_code if move and move.notice_code else ""


def notice_queue(
    *,
    application: Application,
    event: AuditEvent,
    subject: str,
    body: str,
    code: str = "",
    calendar: str = "",
) -> Notice:
    """Write a candidate notice for `event` and email it after commit (exactly once: hiring.tasks)."""
    notice = Notice.objects.create(
        application=application,
        event=event,
        code=code,
        subject=subject.strip(),
        body=body.strip(),
        calendar=calendar,
    )
    from ..tasks import notice_send_soon  # tasks import services; import here to avoid a cycle

    transaction.on_commit(lambda: notice_send_soon(notice.pk))
    return notice


@transaction.atomic
@transaction.atomic
def candidate_register(*, email: str, full_name: str, password: str | None) -> User:
    """Create a candidate's account (no agency, no roles), by the sign-up form or at a first Login.gov
    sign-in (no password). Writes the user and its first AccountEvent, or neither."""
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("An account with this email already exists. Sign in instead.", field="email")
    user = User.objects.create_user(email, password, full_name=full_name)
    AccountEvent.objects.record(user=user, kind=AccountEvent.Kind.SIGNED_UP)
    return user
