"""Hiring actions: creating them, granting roles, moving phases."""

from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import (
    ActionRole,
    Agency,
    AgencyRole,
    Announcement,
    AuditEvent,
    HiringAction,
    Role,
    User,
)
from ..workflow import Actor, Phase, Status, next_phase

# The settings HR sets when creating an action (the rest default from the model).
ACTION_FIELDS = frozenset(
    {
        "title", "official_title", "series", "pay_plan", "grades", "full_performance_level", "duty_locations",
        "work_arrangement", "vacancies", "appointment_type", "scientific_professional", "proficiency_scale",
        "resume_page_limit", "recency_years", "specialized_experience", "best_qualified_min",
        "well_qualified_min", "qualified_min", "tiebreaker_sees_justifications",
        "grade_scores", "two_grade_interval", "time_in_grade_applies",
    }
)  # fmt: skip


@transaction.atomic
def hiring_action_create(*, agency: Agency, actor: User, **fields) -> HiringAction:
    """Create a hiring action in the job-analysis phase (agency HR only); its creator becomes its HR.

    Writes the action, the creator's HR role and an audit row.
    """
    if not AgencyRole.objects.filter(agency=agency, user=actor, role=AgencyRole.Kind.HR).exists():
        raise DomainError(f"Only HR specialists of {agency} can create its hiring actions.")
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"Unknown hiring action fields: {sorted(unknown)}")
    action = HiringAction(agency=agency, **fields)
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
def action_role_grant(
    *, action: HiringAction, user: User, role: Role, actor: User, agency: Agency | None = None
) -> ActionRole:
    """Give `user` a role on `action` (HR only). Writes the role and an audit row.

    On a pooled action a hiring manager selects for one participating agency (`agency`, ADR 0015);
    SMEs may come from any agency and carry none. Rules 49-50 hold across the pool (`_role_grant`).
    """
    require_role(action=action, user=actor, role=Role.HR)
    selects_for = None
    # Read fresh, not `is_pooled` (cached on the instance the caller may hold from before the pool grew).
    participants = set(action.participants.values_list("agency_id", flat=True))
    if role == Role.HIRING_MANAGER and participants:
        # ADR 0015: each participant's hiring managers see and select only from their agency's certificates.
        if agency is None or agency.pk not in participants:
            raise DomainError(
                "Choose which participating agency this hiring manager selects for.", field="agency"
            )
        if user.agency_id is not None and user.agency_id != agency.pk:
            raise DomainError(
                f"{user} works for {user.agency}, not {agency}; a hiring manager selects only for their own "
                "agency. Choose their agency, or add it to the pool first.",
                field="agency",
            )
        selects_for = agency
    elif agency is not None and agency.pk != action.agency_id:
        raise DomainError(
            f"This action is not pooled, so its hiring manager selects for {action.agency}. "
            "Add the agency to the pool first.",
            field="agency",
        )
    granted = _role_grant(action=action, user=user, role=role, agency=selects_for)
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.HIRING_ACTION,
        action=action,
        from_state=action.phase,
        to_state=action.phase,
        reason=f"{user} ({user.email}) made {role.label.lower()}"
        + (f" for {selects_for}" if selects_for else "")
        + ".",
    )
    return granted


def _role_grant(*, action: HiringAction, user: User, role: Role, agency: Agency | None = None) -> ActionRole:
    held = set(ActionRole.objects.filter(action=action, user=user).values_list("role", flat=True))
    # SMEs must not be the selecting officials, and a hiring manager does not serve as an SME
    # (OPM Sept 2019 memo; SMEQA roles.md; domain-research rules 49-50).
    if {role, *held} >= {Role.SME, Role.HIRING_MANAGER}:
        raise DomainError(
            f"{user} cannot be both a subject matter expert and the hiring manager on one action."
        )
    if role in {Role.HIRING_MANAGER, Role.HR} and user.agency_id is None:
        raise DomainError(f"{user} is not on an agency's staff, so cannot be {role.label.lower()}.")
    role_row, created = ActionRole.objects.get_or_create(
        action=action, user=user, role=role, defaults={"agency": agency}
    )
    if not created and agency is not None and role_row.agency_id != agency.pk:
        role_row.agency = agency
        role_row.save(update_fields=["agency"])
    return role_row


def _close_announcement(action: HiringAction, actor: User) -> None:
    """Leaving the announcement phase stops intake: a published announcement closes."""
    announcement = Announcement.objects.select_for_update().filter(action=action).first()
    if announcement is None or announcement.state != Announcement.State.PUBLISHED:
        return
    announcement.state = Announcement.State.CLOSED
    announcement.closed_at = timezone.now()
    announcement.save(update_fields=["state", "closed_at"])
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.ANNOUNCEMENT,
        action=action,
        from_state=Announcement.State.PUBLISHED,
        to_state=Announcement.State.CLOSED,
        reason="Applications closed; resume review begins.",
    )


def _close_resume_review(action: HiringAction, actor: User) -> None:
    """Closing resume review sends every settled result (ELSM/IQSM); it is refused, and nothing is
    sent, while any applicant is still without one."""
    from assessments.services import resume_results_send_all, unsettled_count  # assessments owns reviews

    waiting = unsettled_count(action=action)
    if waiting:
        raise DomainError(
            f"{waiting} applicant{'s are' if waiting != 1 else ' is'} still in resume review without a settled, "
            "accepted result. Finish those reviews first, or send the ready results from the resume review page."
        )
    resume_results_send_all(action_id=action.pk, actor=actor)


def _close_assessments(action: HiringAction) -> None:
    """The certificate is built from final scores (rule 29: no applicant is scored until the assessments
    are complete), so the phase closes only when no applicant is still waiting for or in an interview."""
    waiting = action.applications.filter(
        status__in=[Status.MOVED_FORWARD, Status.IN_ROUND_1, Status.IN_ROUND_2]
    ).count()
    if waiting:
        raise DomainError(
            f"{waiting} applicant{'s are' if waiting != 1 else ' is'} still waiting for or in an interview round. "
            "Decide every interview (accept its sheet or record failure to respond) first."
        )


def require_role(*, action: HiringAction, user: User, role: Role) -> None:
    if not ActionRole.objects.filter(action=action, user=user, role=role).exists():
        raise DomainError(f"Only the action's {role.label.lower()} can do that.")


@transaction.atomic
def hiring_action_advance_phase(*, action_id: int, actor: User, expected_phase: str) -> HiringAction:
    """Move a hiring action to its next phase (HR only).

    Locks the action, refuses a stale request, writes an audit row.
    """
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if action.phase != expected_phase:
        raise DomainError(
            f"This action moved to {action.get_phase_display()} since you loaded the page; nothing was changed."
        )
    target = next_phase(action.phase)
    if target is None:
        raise DomainError("This action is closed; it has no next phase.")
    if action.phase == Phase.JOB_ANALYSIS and not action.job_analysis_is_final:
        raise DomainError("Finalize the job analysis first; the announcement is built from it.")
    if action.phase == Phase.ANNOUNCEMENT:
        _close_announcement(action, actor)
    if action.phase == Phase.RESUME_REVIEW:
        _close_resume_review(action, actor)
    if action.phase == Phase.ASSESSMENTS:
        _close_assessments(action)
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


@transaction.atomic
def hiring_action_update(*, action_id: int, actor: User, **fields) -> HiringAction:
    """Change the action's settings while its job analysis is a draft (HR only). Writes an audit row
    naming the settings changed."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if action.job_analysis_is_final:
        raise DomainError("The job analysis is final. Start a revision to change the action's settings.")
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"Unknown hiring action fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(action, name) != value)
    for name, value in fields.items():
        setattr(action, name, value)
    action.full_clean()
    action.save()
    if changed:
        AuditEvent.objects.create(
            actor=actor,
            actor_role=Actor.HR,
            subject=AuditEvent.Subject.JOB_ANALYSIS,
            action=action,
            from_state="draft",
            to_state="draft",
            reason="Settings changed: "
            + ", ".join(HiringAction._meta.get_field(n).verbose_name for n in changed)
            + ".",
        )
    return action
