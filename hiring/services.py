"""Every write to the hiring spine: hiring actions, roles, applications, notices.

Each service is one transaction that writes its audit row beside the change and queues side effects
with transaction.on_commit, so a rolled-back change never sends an email.
"""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from smeqa.errors import DomainError

from .models import ActionRole, Agency, Application, AuditEvent, HiringAction, Notice, Role, User
from .workflow import Actor, Phase, Status, allowed_moves, move_for, next_phase

logger = logging.getLogger(__name__)


# --- hiring actions and roles --------------------------------------------------------------------


@transaction.atomic
def hiring_action_create(
    *,
    agency: Agency,
    actor: User,
    title: str,
    series: str,
    grade: str,
    duty_location: str,
    vacancies: int = 1,
) -> HiringAction:
    """Create a hiring action in the job-analysis phase; its creator becomes its HR specialist.

    Writes the action, the creator's HR role and an audit row.
    """
    action = HiringAction(
        agency=agency,
        title=title,
        series=series,
        grade=grade,
        duty_location=duty_location,
        vacancies=vacancies,
    )
    action.full_clean()
    action.save()
    _role_grant(action=action, user=actor, role=Role.HR)
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.HIRING_ACTION,
        action=action,
        from_state="",
        to_state=action.phase,
        reason="Hiring action created.",
    )
    return action


@transaction.atomic
def action_role_grant(*, action: HiringAction, user: User, role: Role, actor: User) -> ActionRole:
    """Give `user` a role on `action` (HR only). Writes the role and an audit row."""
    _require_role(action=action, user=actor, role=Role.HR)
    return _role_grant(action=action, user=user, role=role)


def _role_grant(*, action: HiringAction, user: User, role: Role) -> ActionRole:
    held = set(ActionRole.objects.filter(action=action, user=user).values_list("role", flat=True))
    # SMEs must not be the selecting officials, and a hiring manager does not serve as an SME
    # (OPM Sept 2019 memo; SMEQA roles.md; domain-research rules 49-50).
    if {role, *held} >= {Role.SME, Role.HIRING_MANAGER}:
        raise DomainError(
            f"{user} cannot be both a subject matter expert and the hiring manager on one action."
        )
    if role in {Role.HIRING_MANAGER, Role.HR} and user.agency_id is None:
        raise DomainError(f"{user} is not on an agency's staff, so cannot be {role.label.lower()}.")
    role_row, _ = ActionRole.objects.get_or_create(action=action, user=user, role=role)
    return role_row


def _require_role(*, action: HiringAction, user: User, role: Role) -> None:
    if not ActionRole.objects.filter(action=action, user=user, role=role).exists():
        raise DomainError(f"Only the action's {role.label.lower()} can do that.")


@transaction.atomic
def hiring_action_advance_phase(*, action_id: int, actor: User, expected_phase: str) -> HiringAction:
    """Move a hiring action to its next phase (HR only).

    Locks the action, refuses a stale request, writes an audit row.
    """
    action = HiringAction.objects.select_for_update().get(pk=action_id)
    _require_role(action=action, user=actor, role=Role.HR)
    if action.phase != expected_phase:
        raise DomainError(
            f"This action moved to {action.get_phase_display()} since you loaded the page; nothing was changed."
        )
    target = next_phase(action.phase)
    if target is None:
        raise DomainError("This action is closed; it has no next phase.")
    previous = action.phase
    action.phase = target
    action.phase_changed_at = timezone.now()
    action.full_clean()
    action.save(update_fields=["phase", "phase_changed_at"])
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.HIRING_ACTION,
        action=action,
        from_state=previous,
        to_state=target,
        reason=f"Moved to {Phase(target).label}.",
    )
    return action


# --- applications ------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, action: HiringAction, candidate: User) -> Application:
    """Record a candidate's application while the announcement is open.

    Writes the application, an audit row and the receipt notice (emailed after commit).
    """
    action = HiringAction.objects.select_for_update().get(pk=action.pk)
    if action.phase != Phase.ANNOUNCEMENT:
        raise DomainError("This hiring action is not accepting applications.")
    if Application.objects.filter(action=action, candidate=candidate).exists():
        raise DomainError("You have already applied to this hiring action.")
    application = Application(action=action, candidate=candidate)
    application.full_clean()
    application.save()
    _record(
        application=application,
        actor=candidate,
        actor_role=Actor.CANDIDATE,
        from_state="",
        reason="",
    )
    return application


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
    application = Application.objects.select_for_update().select_related("action").get(pk=application_id)
    _require_actor(application=application, actor=actor, actor_role=actor_role)
    current = Status(application.status)
    if expected_status is not None and expected_status != current:
        raise DomainError(
            f"This application changed since you loaded the page: it is now “{current.label}”. Nothing was changed."
        )
    move = move_for(current, to_status)
    if move is None or actor_role not in move.actors:
        allowed = ", ".join(f"“{s.label}”" for s in allowed_moves(current, actor_role)) or "nothing"
        raise DomainError(
            f"An application that is “{current.label}” cannot become “{Status(to_status).label}”. "
            f"From here it can become: {allowed}.",
            field="to_status",
        )
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


def _require_actor(*, application: Application, actor: User | None, actor_role: Actor) -> None:
    """Defence in depth: the view already scoped the lookup; the service checks the role again."""
    if actor_role == Actor.SYSTEM:
        return
    if actor is None:
        raise DomainError("A person must be named for this change.")
    if actor_role == Actor.CANDIDATE and application.candidate_id != actor.pk:
        raise DomainError("Only the candidate can withdraw their own application.")
    role = {Actor.HR: Role.HR, Actor.HIRING_MANAGER: Role.HIRING_MANAGER}.get(actor_role)
    if role is not None:
        _require_role(action=application.action, user=actor, role=role)


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
    move = move_for(from_state, application.status) if from_state else None
    code = move.notice_code if move and move.notice_code else ""
    context = {
        "application": application,
        "action": application.action,
        "candidate": application.candidate,
        "code": code,
    }
    status = application.status
    notice = Notice.objects.create(
        application=application,
        event=event,
        code=code,
        subject=render_to_string(f"hiring/notices/{status}_subject.txt", context).strip(),
        body=render_to_string(f"hiring/notices/{status}.txt", context).strip(),
    )
    from .tasks import notice_send  # tasks import services; import here to avoid a cycle

    transaction.on_commit(lambda: notice_send.delay(notice.pk))


# --- notices -----------------------------------------------------------------------------------


class NoticeDeliveryFailed(Exception):
    """The mail server refused or could not be reached; the task retries."""


def notice_deliver(*, notice_id: int) -> bool:
    """Email one notice unless it was already sent. Returns True when this call sent it.

    The row is locked while sending and a second delivery of the same task skips it, so a notice is
    emailed once even when its task runs twice. A failure is recorded and re-raised for retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True)
            .select_related("application__candidate", "application__action")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.delivery == Notice.Delivery.SENT:
            return False
        notice.attempts += 1
        try:
            _email(notice)
        except (SMTPException, OSError) as exc:
            error = exc
            notice.delivery = Notice.Delivery.FAILED
            notice.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            notice.save(update_fields=["attempts", "delivery", "last_error"])
        else:
            notice.delivery = Notice.Delivery.SENT
            notice.sent_at = timezone.now()
            notice.last_error = ""
            notice.save(update_fields=["attempts", "delivery", "last_error", "sent_at"])
    if error is not None:
        logger.warning("Notice %s not delivered (attempt %s): %s", notice_id, notice.attempts, error)
        raise NoticeDeliveryFailed(str(error)) from error
    return True


def _email(notice: Notice) -> None:
    message = EmailMessage(
        subject=notice.subject,
        body=notice.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.application.candidate.email],
        # The key is the Message-ID, so even a mail server that saw a duplicate can tell.
        headers={
            "Message-ID": f"<{notice.key}@smeqa.notices>",
            "X-SMEQA-Notice-Code": notice.code or "none",
        },
    )
    message.send()
