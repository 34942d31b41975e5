"""HR eligibility screening: the only removals before SMEs see a resume.

SMEQA prep.md (domain-research rule 9): before SME review, HR may remove only applicants with no
resume or who fail citizenship/eligibility; everyone else goes to the SMEs.
"""

from django.db import transaction

from smeqa.errors import DomainError

from ..models import Application, HiringAction, Role, User
from ..workflow import Actor, Phase, Status
from .actions import require_role
from .applications import application_transition
from .bulk import applications_transition

REMOVAL_GROUNDS = {
    "no_resume": "No resume was submitted",
    "citizenship": "Does not meet the citizenship requirement",
}


@transaction.atomic
def screening_release(*, action_id: int, actor: User, application_ids: list[int] | None = None) -> int:
    """Send received applications to resume review: the chosen ones, or all when none are chosen.

    One audit row and notice per application, written in bulk (applications_transition); chosen ones
    no longer received are left as they are. Then assigns reviewers. Returns how many moved.
    """
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if action.phase != Phase.RESUME_REVIEW:
        raise DomainError(
            "Close applications (move the action to resume review) before releasing them to SMEs."
        )
    moved = applications_transition(
        action_id=action.pk,
        application_ids=application_ids,
        from_status=Status.RECEIVED,
        to_status=Status.IN_RESUME_REVIEW,
        actor=actor,
        actor_role=Actor.HR,
        reason="Released to resume review after eligibility screening.",
    ).moved
    # Released applications get their two reviewers at once (assessments owns assignment).
    from assessments.services import resume_reviews_assign

    resume_reviews_assign(action_id=action.pk)
    return moved


@transaction.atomic
def screening_remove(
    *, action_id: int, actor: User, application_ids: list[int], ground: str, details: str = ""
) -> int:
    """Remove received applications as ineligible, on one of the two allowed grounds only.

    A "no resume" removal is refused for any application that has one. Each gets its audit row and
    notice. Returns how many were removed.
    """
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if ground not in REMOVAL_GROUNDS:
        raise DomainError(
            "HR may remove an applicant before SME review only for no resume or citizenship.", field="ground"
        )
    if not application_ids:
        raise DomainError("Choose the applications to remove.")
    chosen = list(Application.objects.filter(action=action, pk__in=application_ids, status=Status.RECEIVED))
    if len(chosen) != len(set(application_ids)):
        raise DomainError("Some chosen applications are no longer waiting for screening. Reload the page.")
    if ground == "no_resume":
        with_resume = [a.applicant_name for a in chosen if a.has_resume]
        if with_resume:
            raise DomainError(
                f"These applicants submitted a resume, so cannot be removed for having none: {', '.join(with_resume)}."
            )
    reason = REMOVAL_GROUNDS[ground] + (f": {details.strip()}" if details.strip() else ".")
    for application in chosen:
        application_transition(
            application_id=application.pk,
            to_status=Status.INELIGIBLE,
            actor=actor,
            actor_role=Actor.HR,
            reason=reason,
        )
    return len(chosen)
