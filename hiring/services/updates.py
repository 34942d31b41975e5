"""Two-weekly status updates: a candidate who has heard nothing for UPDATE_AFTER is told where their
application stands and what comes next (issue 9; domain-research §4.1: "send notices at intervals").

Who is due is one set-based query; each chunk of due applications is locked, checked again under the
lock and written with bulk_create (an AuditEvent and a Notice each), and the notices go out through
the outbox in batches (hiring.tasks.notices_send_in_batches). The expected dates come from
hiring.rules.expected_next, the same rule the candidate's status page shows.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Application, AuditEvent, Notice
from ..rules import Expectation, NextStepFacts, expected_next
from ..workflow import FINAL_STATUSES, Actor, Phase, Status

# Two weeks of silence earns an update; any notice (a status change, an interview email, an earlier
# update) starts the two weeks again.
UPDATE_AFTER = timedelta(days=14)
# Applications per transaction: bounds the lock time and memory, and stays under SQLite's parameter cap.
CHUNK = 2_000
UPDATE_REASON = "Status update: no notice for 14 days."
_NAME = "Qx7ApplicantNameQx7"  # letters only: the templates do not escape (autoescape off)


@dataclass(frozen=True)
class _Row:
    pk: int
    action_id: int
    applicant_name: str
    status: str
    since: date
    closes_on: date | None


def applications_due_update(*, now: datetime) -> QuerySet[Application]:
    """Applications whose candidate is owed an update at `now`: still in progress (not final, the
    action not closed), with an account to email, and no notice of any kind for UPDATE_AFTER."""
    cutoff = now - UPDATE_AFTER
    recent = Notice.objects.filter(application=OuterRef("pk"), created_at__gt=cutoff)
    return (
        Application.objects.filter(candidate__isnull=False, submitted_at__lte=cutoff)
        .exclude(status__in=FINAL_STATUSES)
        .exclude(action__phase=Phase.CLOSED)
        .filter(~Exists(recent))
    )


def status_updates_send(*, now: datetime | None = None) -> list[int]:
    """Write a status update for every application due one (applications_due_update) and queue their
    delivery. Returns the new notices' ids.

    Side effects, per chunk of CHUNK applications in one transaction: their rows are locked (rows
    another transaction holds are skipped: it is changing them, and writes its own notice), each is
    checked again under the lock (so a concurrent run, or a status change that committed first, has
    already reset its clock), then one AuditEvent (subject status_update) and one Notice each; after
    commit their emails are queued in batches. Running twice, at once or after a crash, writes one
    update per application per two weeks.
    """
    now = now or timezone.now()
    due = list(applications_due_update(now=now).order_by("pk").values_list("pk", flat=True))
    notice_ids: list[int] = []
    for start in range(0, len(due), CHUNK):
        notice_ids += _send_chunk(due[start : start + CHUNK], now=now)
    return notice_ids


@transaction.atomic
def _send_chunk(ids: Sequence[int], *, now: datetime) -> list[int]:
    locked = list(
        Application.objects.select_for_update(no_key=True, skip_locked=True)
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # A new statement, so a new snapshot: it sees every notice committed by whoever held these rows.
    rows = [
        _Row(pk, action_id, name, status, timezone.localdate(since), closes_on)
        for pk, action_id, name, status, since, closes_on in applications_due_update(now=now)
        .filter(pk__in=locked)
        .order_by("pk")
        .values_list(
            "pk",
            "action_id",
            "applicant_name",
            "status",
            "status_changed_at",
            "action__announcement__closes_on",
        )
    ]
    if not rows:
        return []
    expectations = expectations_for(rows=rows, today=timezone.localdate(now))
    texts = _texts(rows, expectations)
    events = AuditEvent.objects.bulk_create(
        AuditEvent(
            created_at=now,
            actor=None,
            actor_role=Actor.SYSTEM,
            subject=AuditEvent.Subject.STATUS_UPDATE,
            action_id=row.action_id,
            application_id=row.pk,
            from_state=row.status,
            to_state=row.status,
            reason=UPDATE_REASON,
        )
        for row in rows
    )
    notices = Notice.objects.bulk_create(
        Notice(application_id=row.pk, event_id=event.pk, subject=subject, body=body, created_at=now)
        for row, event, (subject, body) in zip(rows, events, texts, strict=True)
    )
    ids_to_send = [notice.pk for notice in notices]

    from ..tasks import notices_send_in_batches  # tasks import services; import here to avoid a cycle

    transaction.on_commit(lambda: notices_send_in_batches(ids_to_send))
    return ids_to_send


def expectation_for(*, application: Application, today: date) -> Expectation | None:
    """The expected next step of one application (its status page)."""
    return expectations_of(applications=[application], today=today)[application.pk]


def expectations_of(*, applications: Iterable[Application], today: date) -> dict[int, Expectation | None]:
    """expectations_for of Application objects (their action, and its announcement, loaded)."""
    rows = []
    for application in applications:
        announcement = getattr(application.action, "announcement", None)  # absent: imported ART actions
        rows.append(
            _Row(
                application.pk,
                application.action_id,
                application.applicant_name,
                application.status,
                timezone.localdate(application.status_changed_at),
                announcement.closes_on if announcement else None,
            )
        )
    return expectations_for(rows=rows, today=today)


def expectations_for(*, rows: Iterable, today: date) -> dict[int, Expectation | None]:
    """The expected next step of each application in `rows` (objects with pk, status, since and
    closes_on), by id, reading its live interview and its original certificate in two queries."""
    rows = list(rows)
    interviews: dict[tuple[int, int], tuple[date | None, date | None]] = {}
    in_rounds = [row.pk for row in rows if row.status in (Status.IN_ROUND_1, Status.IN_ROUND_2)]
    if in_rounds:
        Interview = apps.get_model("assessments", "Interview")
        booked = (Interview.State.SCHEDULED, Interview.State.SUBMITTED, Interview.State.RETURNED)
        live = Interview.objects.filter(application_id__in=in_rounds).exclude(
            state__in=[Interview.State.WITHDRAWN, Interview.State.NO_RESPONSE]
        )
        for app_id, round_, state, respond_by, starts_at in live.values_list(
            "application_id", "round", "state", "respond_by", "starts_at"
        ):
            on = timezone.localdate(starts_at) if starts_at and state in booked else None
            by = timezone.localdate(respond_by) if respond_by and state == Interview.State.INVITED else None
            interviews[(app_id, round_)] = (by, on)
    return_by: dict[int, date] = {}
    referred = [row.pk for row in rows if row.status == Status.REFERRED]
    if referred:
        Entry = apps.get_model("certificates", "Entry")
        for app_id, when in Entry.objects.filter(
            application_id__in=referred, certificate__source__isnull=True
        ).values_list("application_id", "certificate__return_by"):
            return_by[app_id] = max(when, return_by.get(app_id, when))
    result: dict[int, Expectation | None] = {}
    for row in rows:
        round_ = 2 if row.status == Status.IN_ROUND_2 else 1
        respond_by, interview_on = interviews.get((row.pk, round_), (None, None))
        facts = NextStepFacts(
            status=row.status,
            since=row.since,
            closes_on=row.closes_on,
            respond_by=respond_by,
            interview_on=interview_on,
            return_by=return_by.get(row.pk),
        )
        result[row.pk] = expected_next(facts, today)
    return result


def _texts(rows: Sequence[_Row], expectations: dict[int, Expectation | None]) -> list[tuple[str, str]]:
    """The (subject, body) of each update. Applicants of one action with the same status and
    expectation get the same text but for the name: it is rendered once per such group."""
    actions = {
        a.pk: a
        for a in apps.get_model("hiring", "HiringAction")
        .objects.select_related("agency")
        .filter(pk__in={row.action_id for row in rows})
    }
    rendered: dict[tuple, tuple[str, str]] = {}
    texts = []
    for row in rows:
        expectation = expectations[row.pk]
        key = (row.action_id, row.status, expectation)
        if key not in rendered:
            context = {
                "action": actions[row.action_id],
                "applicant_name": _NAME,
                "status_label": Status(row.status).label,
                "expectation": expectation,
            }
            rendered[key] = (
                render_to_string("hiring/notices/update_subject.txt", context).strip(),
                render_to_string("hiring/notices/update.txt", context).strip(),
            )
        subject, body = rendered[key]
        texts.append((subject.replace(_NAME, row.applicant_name), body.replace(_NAME, row.applicant_name)))
    return texts
