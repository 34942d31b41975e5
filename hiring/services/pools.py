"""Pooled hiring (ADR 0015 steps 1-2): the participating agencies of an action, their vacancies and
their hiring managers. Set up by the action's HR until the announcement is published."""

from django.db import transaction

from smeqa.errors import DomainError

from ..models import (
    ActionRole,
    Agency,
    Announcement,
    AuditEvent,
    HiringAction,
    Participant,
    Role,
    User,
    Vacancy,
)
from ..workflow import Actor, Phase
from .actions import _role_grant, require_role

OPEN_PHASES = {Phase.JOB_ANALYSIS, Phase.ANNOUNCEMENT}


def pool_editable(action: HiringAction) -> bool:
    """The pool is part of what the announcement offers: it is fixed once applicants can see it."""
    published = Announcement.objects.filter(action=action).exclude(state=Announcement.State.DRAFT).exists()
    return not published and action.phase in OPEN_PHASES


def _pool_editable(action: HiringAction) -> None:
    if not pool_editable(action):
        raise DomainError(
            "The announcement is published, so the participating agencies and vacancies can no longer change."
        )


def _locked_action(action_id: int, hr: User) -> HiringAction:
    action = HiringAction.objects.select_for_update(no_key=True).select_related("agency").get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    _pool_editable(action)
    return action


def _locked_participant(participant_id: int, hr: User) -> Participant:
    participant = Participant.objects.select_related("agency").filter(pk=participant_id).first()
    if participant is None:
        raise DomainError("That agency is no longer taking part in this action.")
    action = _locked_action(participant.action_id, hr)
    participant.action = action
    return participant


def _audit(*, action: HiringAction, hr: User, reason: str) -> None:
    AuditEvent.objects.create(
        actor=hr,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.HIRING_ACTION,
        action=action,
        from_state=action.phase,
        to_state=action.phase,
        reason=reason,
    )


@transaction.atomic
def pool_participant_add(*, action_id: int, hr: User, agency_id: int) -> Participant:
    """Add a participating agency to the action's pool (its HR, before the announcement is published).

    Writes the participant and an audit row.
    """
    action = _locked_action(action_id, hr)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise DomainError("Choose an agency from the list.", field="agency")
    if Participant.objects.filter(action=action, agency=agency).exists():
        raise DomainError(f"{agency} is already taking part in this action.", field="agency")
    participant = Participant(action=action, agency=agency, added_by=hr)
    participant.full_clean()
    participant.save()
    _audit(action=action, hr=hr, reason=f"{agency} added as a participating agency.")
    return participant


@transaction.atomic
def pool_participant_remove(*, participant_id: int, hr: User) -> None:
    """Take an agency out of the pool with its vacancies; its hiring managers lose their role here.

    Deletes the participant, its vacancies and those roles; writes an audit row.
    """
    participant = _locked_participant(participant_id, hr)
    action = participant.action
    managers = ActionRole.objects.filter(action=action, role=Role.HIRING_MANAGER, agency=participant.agency)
    removed = managers.count()
    managers.delete()
    participant.delete()
    extra = f" and {removed} hiring manager{'s' if removed != 1 else ''}" if removed else ""
    _audit(
        action=action, hr=hr, reason=f"{participant.agency} removed from the pool, with its vacancies{extra}."
    )


@transaction.atomic
def vacancy_set(
    *, participant_id: int, hr: User, duty_location: str, grade: int, count: int
) -> Vacancy | None:
    """Set how many vacancies a participant fills at a duty location and grade; 0 removes the row.

    Writes (or deletes) the vacancy and an audit row.
    """
    participant = _locked_participant(participant_id, hr)
    action = participant.action
    if count < 0:
        raise DomainError("Enter 0 or more vacancies.", field="count")
    existing = Vacancy.objects.filter(
        participant=participant, duty_location=duty_location, grade=grade
    ).first()
    place = f"{participant.agency}, {duty_location}, GS-{grade}"
    if count == 0:
        if existing is None:
            raise DomainError(f"{place} has no vacancies to remove.", field="count")
        existing.delete()
        _audit(action=action, hr=hr, reason=f"Vacancies removed: {place}.")
        return None
    vacancy = existing or Vacancy(participant=participant, duty_location=duty_location, grade=grade)
    before = vacancy.count if existing else 0
    vacancy.count = count
    vacancy.full_clean()
    vacancy.save()
    _audit(action=action, hr=hr, reason=f"Vacancies at {place}: {before} → {count}.")
    return vacancy


@transaction.atomic
def pool_manager_grant(*, action_id: int, hr: User, participant_id: int, email: str) -> ActionRole:
    """Make a staff member of a participating agency a hiring manager on the action, for that agency.

    Rules 49-50 hold across the pool (an SME of the action cannot be its hiring manager). Writes the
    role and an audit row.
    """
    action = _locked_action(action_id, hr)
    participant = (
        Participant.objects.select_related("agency").filter(pk=participant_id, action=action).first()
    )
    if participant is None:
        raise DomainError("Choose one of the participating agencies.", field="participant")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or user.agency_id is None:
        raise DomainError(
            f"No staff account uses {email.strip()}. They must have an account with their agency first.",
            field="email",
        )
    if user.agency_id != participant.agency_id:
        raise DomainError(
            f"{user} works for {user.agency}, not {participant.agency}; "
            f"a hiring manager selects only for their own agency.",
            field="email",
        )
    try:
        role = _role_grant(action=action, user=user, role=Role.HIRING_MANAGER, agency=participant.agency)
    except DomainError as refused:
        raise DomainError(refused.message, field="email") from None
    _audit(
        action=action, hr=hr, reason=f"{user} ({user.email}) made hiring manager for {participant.agency}."
    )
    return role
