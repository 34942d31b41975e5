"""Who may act on a certificate (issue 6; ADR 0015 Access): the hiring managers who select from an
original, HR who administers it, and a receiving agency's HR on a shared copy. Reads only."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from hiring.models import ActionRole, AgencyRole, Participant, Role, User

from .models import Certificate


def is_agency_hr(user: User, agency_id: int) -> bool:
    return AgencyRole.objects.filter(user=user, agency_id=agency_id, role=AgencyRole.Kind.HR).exists()


def selecting_roles(*, user: User, action, agency) -> QuerySet[ActionRole]:
    """The user's hiring manager roles that select from an original of `action` issued to `agency`
    (ids, or OuterRefs to a certificate's). On a pooled action each participant's managers select from
    their own agency's originals only, and a manager with no agency from the lead's (ADR 0015, Access);
    on a single-agency action every hiring manager of the action does."""
    return ActionRole.objects.filter(action=action, user=user, role=Role.HIRING_MANAGER).filter(
        Q(agency=agency)
        | Q(agency__isnull=True, action__agency=agency)
        | ~Exists(Participant.objects.filter(action=OuterRef("action")))
    )


def may_select(certificate: Certificate, user: User) -> bool:
    """The hiring manager of the action records dispositions on an original (on a pooled action, only a
    manager of the certificate's agency); on a shared copy, the receiving agency's HR does (it has no
    hiring manager role on the original action). One query either way."""
    if certificate.is_copy:
        return is_agency_hr(user, certificate.agency_id)
    return selecting_roles(user=user, action=certificate.action_id, agency=certificate.agency_id).exists()


def may_administer(certificate: Certificate, user: User) -> bool:
    """HR of the action for an original (on a pooled action the lead's HR, for every participant's
    original, ADR 0015); HR of the receiving agency for a copy (rule 59: it decides its own pass-overs
    and audits its own copy)."""
    if certificate.is_copy:
        return is_agency_hr(user, certificate.agency_id)
    return ActionRole.objects.filter(action_id=certificate.action_id, user=user, role=Role.HR).exists()
