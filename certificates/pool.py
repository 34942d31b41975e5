"""A pooled action after its certificates (ADR 0015 steps 7-8): lead HR closes the pool, which gives
every candidate left a final answer and hands the leftovers to the talent pool; and the pool's progress
per participating agency, grade and duty location (vacancies, selections, filled).

Closing writes through hiring.services.application_transition, which queues each candidate's notice.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import ActionRole, Application, AuditEvent, HiringAction, Participant, Role, User
from hiring.services import require_role
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError

from .models import Certificate, Disposition, Entry

# The audit row of a close starts with this, so the pool page can say who closed it and when.
CLOSED = "Pool closed"


# --- progress ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One grade and duty location of a participating agency."""

    grade: int
    duty_location: str
    vacancies: int
    selections: int

    @property
    def filled(self) -> int:
        # A selection beyond the vacancies fills nothing more (ADR 0015 step 8).
        return min(self.vacancies, self.selections)


@dataclass
class AgencyProgress:
    """A participating agency's places, by grade then duty location, with its totals."""

    agency_id: int
    agency_name: str
    places: list[Place] = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        return sum(p.vacancies for p in self.places)

    @property
    def selections(self) -> int:
        return sum(p.selections for p in self.places)

    @property
    def filled(self) -> int:
        return sum(p.filled for p in self.places)


def _progress(action_ids: set[int]) -> dict[int, list[AgencyProgress]]:
    """Progress of each action in `action_ids`, by agency name. Two queries whatever the sizes: the
    participants with their vacancy rows, and the selections counted per original certificate's agency,
    grade and location. Selections are standing A codes: recording D on an entry replaces its A, so a
    declined offer no longer counts (ADR 0015 step 6; DEOH pp. 6-24-6-26)."""
    if not action_ids:
        return {}
    vacancies: dict[tuple[int, int], dict[tuple[int, str], int]] = defaultdict(dict)
    names: dict[tuple[int, int], str] = {}
    for action_id, agency_id, name, grade, location, count in Participant.objects.filter(
        action_id__in=action_ids
    ).values_list(
        "action_id", "agency_id", "agency__name", "vacancies__grade", "vacancies__duty_location", "vacancies__count"
    ):  # fmt: skip
        names[(action_id, agency_id)] = name
        vacancies[(action_id, agency_id)]  # a participant without vacancies still has a row
        if grade is not None:
            vacancies[(action_id, agency_id)][(grade, location)] = count
    selections: dict[tuple[int, int], dict[tuple[int, str], int]] = defaultdict(dict)
    for action_id, agency_id, name, grade, location, count in (
        Entry.objects.filter(
            certificate__action_id__in=action_ids,
            certificate__source__isnull=True,
            disposition=Disposition.SELECTED,
            removed=False,
        )
        .values_list(
            "certificate__action_id",
            "certificate__agency_id",
            "certificate__agency__name",
            "certificate__grade",
            "certificate__duty_location",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        names.setdefault((action_id, agency_id), name)
        selections[(action_id, agency_id)][(grade, location)] = count
    found: dict[int, list[AgencyProgress]] = defaultdict(list)
    for key in sorted(names, key=lambda k: (names[k].lower(), k)):
        open_, chosen = vacancies.get(key, {}), selections.get(key, {})
        places = [
            Place(grade, location, open_.get((grade, location), 0), chosen.get((grade, location), 0))
            for grade, location in sorted({*open_, *chosen})
        ]
        found[key[0]].append(AgencyProgress(key[1], names[key], places))
    return found


def pool_progress(action: HiringAction) -> list[AgencyProgress]:
    """Per participating agency, grade and duty location of `action`: vacancies, selections (A on that
    agency's original certificates there) and filled = the smaller of the two. Two queries."""
    return _progress({action.pk}).get(action.pk, [])


def pool_progress_for_manager(*, user: User) -> list[tuple[int, AgencyProgress]]:
    """(action id, their agency's progress) for each pooled action on which `user` is a hiring manager
    for a participating agency: the rows they may see (ADR 0015 step 8). Three queries."""
    mine = set(
        ActionRole.objects.filter(user=user, role=Role.HIRING_MANAGER, agency__isnull=False).values_list(
            "action_id", "agency_id"
        )
    )
    progress = _progress({action_id for action_id, _ in mine})
    return [
        (action_id, agency)
        for action_id, agencies in progress.items()
        for agency in agencies
        if (action_id, agency.agency_id) in mine
    ]


# --- closing -----------------------------------------------------------------------------------------


def pool_close_problems(action: HiringAction, *, cached: bool = False) -> list[str]:
    """What still stops lead HR closing the pool, as sentences; empty when the pool may close.

    Every original certificate audited (rule 48: returned and audited before anything follows), and no
    certificate left to issue that would list someone or waits on a preference claim or a time-in-grade
    check (`placing.page`). A participant's vacancy that nobody accepted lists no one, so it does not
    hold the pool open for ever. `cached` reads HR's cached certificate summary (the pool page);
    closing itself always recomputes.
    """
    from . import placing

    open_by_agency: dict[str, int] = defaultdict(int)
    for name, state in Certificate.objects.filter(action=action, source__isnull=True).values_list(
        "agency__name", "state"
    ):
        if state != Certificate.State.AUDITED:
            open_by_agency[name] += 1
    rows = (placing.page_cached if cached else placing.page)(action).rows
    to_issue = sorted({r.slot.agency_name for r in rows if r.certificate is None and (r.listed or r.waiting)})
    problems = []
    if open_by_agency:
        named = _and(
            f"{name} ({count} certificate{'s' if count != 1 else ''})"
            for name, count in sorted(open_by_agency.items())
        )
        problems.append(
            f"Certificates are still open at {named}: each must be returned by its hiring manager and "
            "audited before the pool closes."
        )
    if to_issue:
        problems.append(
            f"{_and(to_issue)} {'has' if len(to_issue) == 1 else 'have'} certificates still to issue "
            "(eligibles accepted their vacancies): issue them on the Certificate tab first."
        )
    return problems


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@transaction.atomic
def pool_close(*, action_id: int, hr: User) -> HiringAction:
    """Lead HR closes a pooled action's pool once every participant's certificates are audited.

    Sets `pool_closed_at` and writes an audit row; then qualified applicants listed on no certificate
    become "qualified, not referred" (ELSN) and referred ones selected on no original become "not
    selected", each through application_transition with its candidate notice (DEOH pp. 1-5, 3-9: the
    referral and selection touch-points). The audited originals then go to the talent pool for
    agencies outside the pool (certificates.selectors.talent_pool; rules 51-52).
    """
    action = HiringAction.objects.select_for_update(no_key=True).select_related("agency").get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    if not action.is_pooled:
        raise DomainError("This action has no participating agencies, so there is no pool to close.")
    if action.pool_closed_at is not None:
        closed = timezone.localtime(action.pool_closed_at)
        raise DomainError(f"The pool was already closed on {closed:%B} {closed.day}, {closed:%Y}.")
    if action.phase != Phase.CERTIFICATE:
        raise DomainError(
            "The pool closes in the certificate phase, once every participating agency has audited its certificates."
        )
    problems = pool_close_problems(action)
    if problems:
        raise DomainError(" ".join(problems))
    originals = Entry.objects.filter(certificate__action=action, certificate__source__isnull=True)
    listed = set(originals.values_list("application_id", flat=True))
    selected = set(
        originals.filter(disposition=Disposition.SELECTED, removed=False).values_list(
            "application_id", flat=True
        )
    )
    qualified, referred = [], []
    for pk, status in Application.objects.filter(
        action=action, status__in=[Status.QUALIFIED, Status.REFERRED]
    ).values_list("pk", "status"):
        (qualified if status == Status.QUALIFIED else referred).append(pk)
    moves = [
        (Status.QUALIFIED, Status.NOT_REFERRED, [pk for pk in qualified if pk not in listed]),
        # certificate_audit moves an A to selected on a pooled action; one left referred with an A
        # (audited before that rule) still gets the right answer here.
        (Status.REFERRED, Status.SELECTED, [pk for pk in referred if pk in selected]),
        (Status.REFERRED, Status.NOT_SELECTED, [pk for pk in referred if pk not in selected]),
    ]
    action.pool_closed_at = timezone.now()
    action.save(update_fields=["pool_closed_at"])
    AuditEvent.objects.create(
        actor=hr, actor_role=Actor.HR, subject=AuditEvent.Subject.HIRING_ACTION, action=action,
        from_state=action.phase, to_state=action.phase,
        reason=f"{CLOSED}: {len(moves[2][2])} not selected, {len(moves[0][2])} not referred; "
        "the audited certificates' opted-in candidates not selected go to the talent pool.",
    )  # fmt: skip
    for from_status, to_status, ids in moves:
        if ids:  # one bulk move per pair: an audit row and a notice each, as one transition gives
            hiring_services.applications_transition(
                action_id=action.pk, from_status=from_status, to_status=to_status, actor=hr,
                actor_role=Actor.HR, reason="The pool closed.", application_ids=ids,
            )  # fmt: skip
    return action


def pool_close_event(action: HiringAction) -> AuditEvent | None:
    """The audit row of the pool's close (who and when), or None while it is open."""
    if action.pool_closed_at is None:
        return None
    return (
        AuditEvent.objects.filter(
            action=action, subject=AuditEvent.Subject.HIRING_ACTION, reason__startswith=CLOSED
        )
        .select_related("actor")
        .order_by("-id")
        .first()
    )


def selected_in_pool() -> QuerySet[Entry]:
    """A entries on original certificates of pooled actions: filtered by application, "selected on any
    original of the action" (an application's entries are all on its own action's certificates). Holds
    nothing of a single-agency action, whose shared copy redacts only those selected on the certificate
    shared (rule 52)."""
    return Entry.objects.filter(
        certificate__source__isnull=True,
        certificate__action__participants__isnull=False,
        disposition=Disposition.SELECTED,
        removed=False,
    )
