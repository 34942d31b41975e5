"""Moving many applications of one action at once: HR releasing every received application to resume
review, or sending every ready resume-review result (issue 7: 50,000 applicants).

application_transition does one applicant per call: a row lock, an audit row, two template renders, a
notice and a delivery task each. Here the same checks run once for the whole set (they depend only on
the move, the actor and the action's phase, never on the row), the rows are locked and updated with
one statement per chunk, the audit rows and notices are written with bulk_create, the notice text is
rendered a few times per chunk (notices.notice_texts), and delivery is queued after commit as a few
hundred batch tasks instead of one task per notice.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import Application, AuditEvent, HiringAction, Notice, User
from ..workflow import Actor, Status
from .applications import notice_code, require_actor, require_move
from .notices import notice_texts

# Rows per statement: bounds memory and stays under SQLite's 32,766 parameters.
CHUNK = 2_000


@dataclass(frozen=True)
class BulkTransition:
    """What applications_transition did: how many moved, and how many of the chosen ones it left
    because they were no longer in the expected status."""

    moved: int
    skipped: int


@transaction.atomic
def applications_transition(
    *,
    action_id: int,
    from_status: str,
    to_status: str,
    actor: User | None,
    actor_role: Actor,
    reason: str,
    application_ids: Iterable[int] | None = None,
    notice_context: dict | None = None,
) -> BulkTransition:
    """Move the action's applications that are `from_status` (all of them, or those of
    `application_ids`) to `to_status`, as application_transition would move each one.

    Refuses the whole set (DomainError, nothing changed) when the workflow table does not allow the
    move for `actor_role`, or not in the action's phase, or the actor may not act for `actor_role` (HR
    and hiring managers need the role on the action; a candidate may move only their own
    application). Skips, and counts in `skipped`, chosen applications that are not `from_status` when
    their rows are locked: the page that chose them was stale. Locks the action, then the rows; writes
    one audit row and one candidate notice per moved application (the text a single transition gives),
    and after commit queues their delivery in batches (hiring.tasks.notices_send_batch); `notice_context`
    is template context shared by every notice of the move. Notices of
    applicants without an account (imported) are marked NO_ADDRESS at once, as their delivery would.
    """
    # Serializes bulk moves of one action (screening_release and resume_results_send_all lock it too).
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    from_status, to_status = Status(from_status), Status(to_status)
    # workflow.APPLICATION_MOVES and STATUS_PHASES, checked once: every row has the same from-status.
    require_actor(action=action, actor=actor, actor_role=actor_role)
    require_move(current=from_status, to_status=to_status, actor_role=actor_role, phase=action.phase)

    chosen = None if application_ids is None else sorted(set(application_ids))
    ids = _lock(action=action, from_status=from_status, chosen=chosen)
    if actor_role == Actor.CANDIDATE:
        for start in range(0, len(ids), CHUNK):
            if (
                Application.objects.filter(pk__in=ids[start : start + CHUNK])
                .exclude(candidate=actor)
                .exists()
            ):
                raise DomainError("Only the candidate can withdraw their own application.")

    code = notice_code(from_status, to_status)
    now = timezone.now()
    to_send: list[int] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # The one place besides application_transition that sets a status; the rows are locked above.
        Application.objects.filter(pk__in=chunk).update(status=to_status, status_changed_at=now)
        applications = list(
            Application.objects.filter(pk__in=chunk).select_related("candidate").order_by("pk")
        )
        for application in applications:
            application.action = action  # loaded already: no query per render
        events = AuditEvent.objects.bulk_create(
            AuditEvent(
                created_at=now,
                actor=actor,
                actor_role=actor_role,
                subject=AuditEvent.Subject.APPLICATION,
                action_id=action.pk,
                application_id=application.pk,
                from_state=from_status,
                to_state=to_status,
                reason=reason,
            )
            for application in applications
        )
        texts = notice_texts(
            status=to_status,
            code=code,
            names=[a.applicant_name for a in applications],
            has_account=[a.candidate_id is not None for a in applications],
            application=applications.__getitem__,
            extra=notice_context,
        )
        notices = Notice.objects.bulk_create(
            Notice(
                application_id=application.pk,
                event_id=event.pk,
                code=code,
                subject=subject,
                body=body,
                created_at=now,
                delivery=Notice.Delivery.QUEUED if application.candidate_id else Notice.Delivery.NO_ADDRESS,
            )
            for application, event, (subject, body) in zip(applications, events, texts, strict=True)
        )
        to_send += [n.pk for n, a in zip(notices, applications, strict=True) if a.candidate_id]

    from ..tasks import notices_send_in_batches  # tasks import services; import here to avoid a cycle

    transaction.on_commit(lambda: notices_send_in_batches(to_send))
    return BulkTransition(moved=len(ids), skipped=len(chosen) - len(ids) if chosen is not None else 0)


def _lock(*, action: HiringAction, from_status: Status, chosen: list[int] | None) -> list[int]:
    """Lock the rows to move and return their ids in order. A row another transaction moved first is
    seen after its commit (PostgreSQL re-checks the status under the lock) and left out."""
    rows = Application.objects.select_for_update(no_key=True).filter(action=action, status=from_status)
    if chosen is None:
        return list(rows.order_by("pk").values_list("pk", flat=True))
    ids: list[int] = []
    for start in range(0, len(chosen), CHUNK):
        ids += rows.filter(pk__in=chosen[start : start + CHUNK]).order_by("pk").values_list("pk", flat=True)
    return ids
