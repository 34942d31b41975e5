"""Candidate notices: their text (one applicant, or thousands rendered once) and emailing them,
exactly once."""

import contextlib
import copy
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPDataError, SMTPException, SMTPRecipientsRefused, SMTPSenderRefused

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Q
from django.template.base import Lexer, TokenType
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from ..models import Application, Notice, User

logger = logging.getLogger(__name__)

# --- Text -------------------------------------------------------------------------------------------

# Letters and digits only, so no template filter or escaping alters it unnoticed.
_NAME_PLACEHOLDER = "Qx7ApplicantNameQx7"
# What HTML escaping changes: if the templates escape, names with these render in full.
_ESCAPED = re.compile(r"[<>&'\"]")
_ESCAPE_PROBE = "Qx7<&'\">Qx7"
# What a notice template may read of the applicant for the shortcut in notice_texts to hold: the name
# (filled in) and whether there is an account (`{% if candidate %}`: one render per answer).
_PER_APPLICANT = re.compile(r"\b(?:application|candidate)\b(?:\.\w+)*")
_FILLABLE_REFERENCES = frozenset({"application.applicant_name", "candidate"})
# Tags that bring in text this module cannot read from the template's own source.
_OPAQUE_TAGS = re.compile(r"^\s*(?:include|extends|load|ssi)\b")


def notice_templates(status: str) -> tuple[str, str]:
    """The subject and body templates of the notice for entering `status` (emails are a .txt body
    with a _subject.txt beside it)."""
    return f"hiring/notices/{status}_subject.txt", f"hiring/notices/{status}.txt"


def notice_render(
    *, application: Application, code: str = "", status: str | None = None, extra: dict | None = None
) -> tuple[str, str]:
    """The (subject, body) of the notice `application` gets on entering `status` (default: its
    current status), stripped as they are stored. Reads only what the templates read. `extra` adds
    context shared by every applicant of a move (the certificate an agency selected them from)."""
    context = {
        **(extra or {}),
        "application": application,
        "action": application.action,
        "candidate": application.candidate,
        "code": code,
    }
    subject, body = notice_templates(status or application.status)
    return render_to_string(subject, context).strip(), render_to_string(body, context).strip()


def notice_texts(
    *,
    status: str,
    code: str,
    names: Sequence[str],
    has_account: Sequence[bool],
    application: Callable[[int], Application],
    extra: dict | None = None,
) -> list[tuple[str, str]]:
    """The (subject, body) of each of many applicants' notices for entering `status`, as notice_render
    gives them, rendering the templates a few times instead of once per applicant.

    `names[i]` and `has_account[i]` describe applicant i; `application(i)` gives its Application (its
    action and candidate loaded) for the renders that are needed. When the templates' tags read nothing
    of the applicant but the name and whether they have an account (`{% if candidate %}`), each group of
    applicants with or without an account is rendered once with a placeholder name, filled in per
    applicant. A second placeholder with <>&'" shows whether the templates escape the name; if they do,
    such names render in full. Each group's fill is checked against real renders of its first and last
    applicant. Anything else (another field, a filter on the name, an include) renders every notice in
    full. `extra` is context shared by every applicant (see notice_render). No side effects.
    """
    count = len(names)

    def render(index: int, name: str | None = None) -> tuple[str, str]:
        instance = application(index)
        if name is not None:
            instance = copy.copy(instance)
            instance.applicant_name = name
        return notice_render(application=instance, code=code, status=status, extra=extra)

    references = _per_applicant_references(notice_templates(status))
    if references is None or not references <= _FILLABLE_REFERENCES:
        return [render(index) for index in range(count)]
    groups: dict[bool, list[int]] = {}
    for index in range(count):
        groups.setdefault("candidate" in references and has_account[index], []).append(index)
    texts: list[tuple[str, str]] = [("", "")] * count
    for indexes in groups.values():
        for index, text in zip(indexes, _group_texts(indexes, names, render), strict=True):
            texts[index] = text
    return texts


def _group_texts(
    indexes: list[int], names: Sequence[str], render: Callable[..., tuple[str, str]]
) -> list[tuple[str, str]]:
    if len(indexes) < 3:
        return [render(index) for index in indexes]
    first, last = indexes[0], indexes[-1]
    subject, body = render(first, _NAME_PLACEHOLDER)

    def fill(name: str) -> tuple[str, str]:
        return subject.replace(_NAME_PLACEHOLDER, name), body.replace(_NAME_PLACEHOLDER, name)

    verbatim = render(first, _ESCAPE_PROBE) == fill(_ESCAPE_PROBE)

    def fillable(name: str) -> bool:
        return verbatim or not _ESCAPED.search(name)

    shortcut = all(fillable(names[i]) and fill(names[i]) == render(i) for i in (first, last))
    return [fill(names[i]) if shortcut and fillable(names[i]) else render(i) for i in indexes]


def _per_applicant_references(templates: Sequence[str]) -> set[str] | None:
    """What the templates' variables and tags read of `application` and `candidate` (dotted paths),
    or None when a tag brings in text from elsewhere. Only tags are read: the prose may say
    "application" freely."""
    references: set[str] = set()
    for name in templates:
        source = get_template(name).template.source
        for token in Lexer(source).tokenize():
            if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
                continue
            if token.token_type == TokenType.BLOCK and _OPAQUE_TAGS.match(token.contents):
                return None
            references.update(_PER_APPLICANT.findall(token.contents))
    return references


# --- Delivery ---------------------------------------------------------------------------------------
# The Notice rows are the outbox (ADR 0004): a task emails each one after the commit that wrote it, and
# notices_claim_due hands the resend sweep whatever is still unsent when it is due again. The retry
# schedule lives in the rows (next_attempt_at), so neither a lost task nor a broker outage loses it.

# 1, 2, 4 ... minutes after each failure, then hourly: MAX_ATTEMPTS tries cover about a day of
# mail-server outage before a notice becomes UNDELIVERED and waits for a person (notices_resend).
RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 30
# How long a queued notice's own task has before the sweep queues it again, and how long the sweep
# then leaves it to that new task.
RESEND_AFTER = timedelta(minutes=2)
SWEEP_LIMIT = 5000
_UNSENT = (Notice.Delivery.QUEUED, Notice.Delivery.FAILED)


class NoticeDeliveryFailed(Exception):
    """The mail server refused or could not be reached; the notice is retried at its next attempt time."""


def notice_retry_at(*, attempts: int, now: datetime) -> datetime:
    """When a notice that has failed `attempts` times is tried again: 1 minute after the first failure,
    doubling, never more than an hour apart. No side effects."""
    return now + min(RETRY_CAP, RETRY_FIRST * 2 ** min(attempts - 1, 10))


def notice_deliver(
    *, notice_id: int, mailer: BaseEmailBackend | None = None, message: EmailMessage | None = None
) -> bool:
    """Email one notice unless it was already sent. Returns True when this call sent it.

    The row is locked while sending and a second delivery of the same task skips it, so a notice is
    emailed once even when its task runs twice. A failure is recorded (attempts, error, the next
    attempt time; UNDELIVERED after MAX_ATTEMPTS) and raised as NoticeDeliveryFailed.
    notices_deliver passes an open `mailer` and the `message` it prepared for the whole batch.
    """
    with transaction.atomic():
        state = _locked_state(notice_id)
        if state is None or state[0] not in _UNSENT:
            return False  # missing, held by another delivery, sent, given up on, or never emailed
        if message is None:
            message = _messages([notice_id]).get(notice_id)
        if message is None:
            # Imported applicants have no account here; their agency's system notifies them.
            _set_state(notice_id, delivery=Notice.Delivery.NO_ADDRESS, attempts=state[1])
            return False
        attempts = state[1] + 1
        try:
            if mailer is None:
                message.send()
            else:
                mailer.send_messages([message])
        except (SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
            _set_state(notice_id, **_failed(attempts, timezone.now()), last_error=error)
            failure = exc
        else:
            _set_state(notice_id, delivery=Notice.Delivery.SENT, attempts=attempts, sent_at=timezone.now())
            return True
    summary = _failure_summary(failure)
    logger.warning("Notice %s not delivered (attempt %s): %s", notice_id, attempts, summary)
    raise NoticeDeliveryFailed(summary) from failure


def _failure_summary(exc: Exception) -> str:
    """The failure in words fit for a log: its type and SMTP code, never its text, which names the
    refused address (ASVS 5.0 16.2.5: no personal data in logs). The full text stays on the notice."""
    codes = getattr(exc, "smtp_code", None)
    refused = getattr(exc, "recipients", None)
    if isinstance(refused, dict):
        codes = ",".join(str(code) for code, _ in refused.values())
    return f"{type(exc).__name__}{f' (SMTP {codes})' if codes else ''}"


def _failed(attempts: int, now: datetime) -> dict:
    """The delivery state of a notice that has now failed `attempts` times."""
    if attempts >= MAX_ATTEMPTS:
        return {"delivery": Notice.Delivery.UNDELIVERED, "attempts": attempts, "next_attempt_at": None}
    return {
        "delivery": Notice.Delivery.FAILED,
        "attempts": attempts,
        "next_attempt_at": notice_retry_at(attempts=attempts, now=now),
    }


# notice_deliver runs once per email, 50,000 times for a bulk move: its two statements are written out
# rather than built by the ORM each time, which cost as much as the email itself (docs/performance.md).
def _locked_state(notice_id: int) -> tuple[str, int] | None:
    """Lock the notice row (or None: missing, or another delivery holds it) and return its delivery
    state and attempts. Only the state is read under the lock; the text and address were fixed when
    the notice was written."""
    q = connection.ops.quote_name
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q('delivery')}, {q('attempts')} FROM {q(Notice._meta.db_table)} WHERE {q('id')} = %s{lock}",  # noqa: S608  # nosec B608: quoted model names; the id is a parameter
            [notice_id],
        )
        return cursor.fetchone()


def _set_state(
    notice_id: int,
    *,
    delivery: str,
    attempts: int,
    last_error: str = "",
    sent_at: datetime | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(Notice._meta.db_table)} SET {q('delivery')} = %s, {q('attempts')} = %s, "  # noqa: S608  # nosec B608: quoted model names; values are parameters
            f"{q('last_error')} = %s, {q('sent_at')} = %s, {q('next_attempt_at')} = %s WHERE {q('id')} = %s",
            [delivery, attempts, last_error, adapt(sent_at), adapt(next_attempt_at), notice_id],
        )


@dataclass
class BatchDelivery:
    """What notices_deliver did: how many it emailed, and the ids it could not."""

    sent: int = 0
    unsent: list[int] = field(default_factory=list)


# The server refused this one message (a bad address, a rejected body); the connection is still good.
_MESSAGE_REFUSED = (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError)


def notices_deliver(*, notice_ids: Sequence[int]) -> BatchDelivery:
    """Email each of `notice_ids` not yet sent, over one connection to the mail server.

    Each notice goes through notice_deliver (its own transaction, row lock and SENT check), so a batch
    delivered twice emails each notice once. A notice the server refuses is marked FAILED and the batch
    goes on. When the server cannot be reached or drops the connection, the rest of the batch is
    recorded as failed with it (one attempt each, the same error) and waits out the same backoff
    rather than being tried again at once. Both kinds are returned in `unsent`.
    """
    result = BatchDelivery()
    messages = _messages(notice_ids)
    mailer = mail.mailers.default
    # Opened here so every message reuses it (a backend's send_messages opens and closes a connection
    # per call otherwise). If the server is down, the first notice's own attempt records why.
    with contextlib.suppress(OSError):
        mailer.open()
    try:
        for position, notice_id in enumerate(notice_ids):
            try:
                sent = notice_deliver(notice_id=notice_id, mailer=mailer, message=messages.get(notice_id))
                result.sent += sent
            except NoticeDeliveryFailed as failure:
                result.unsent.append(notice_id)
                if not isinstance(failure.__cause__, _MESSAGE_REFUSED):
                    rest = list(notice_ids[position + 1 :])
                    result.unsent.extend(rest)
                    _record_unreachable(rest, error=f"{type(failure.__cause__).__name__}: {failure}"[:1000])
                    break
    finally:
        with contextlib.suppress(OSError):  # already gone: nothing is left to send on it
            mailer.close()
    return result


@transaction.atomic
def _record_unreachable(notice_ids: Sequence[int], *, error: str) -> None:
    """Count a failed attempt for each unsent notice of `notice_ids` that no other delivery holds."""
    now = timezone.now()
    by_attempts: dict[int, list[int]] = {}
    rows = (
        Notice.objects.select_for_update(skip_locked=True)
        .filter(pk__in=notice_ids, delivery__in=_UNSENT)
        .values_list("pk", "attempts")
    )
    for pk, attempts in rows:
        by_attempts.setdefault(attempts + 1, []).append(pk)
    for attempts, ids in by_attempts.items():
        Notice.objects.filter(pk__in=ids).update(**_failed(attempts, now), last_error=error)


def notices_claim_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """The ids of unsent notices due another try, oldest first: queued ones whose own task has had
    RESEND_AFTER (lost, or never reached the broker), and failed ones whose backoff has ended.

    Side effect: each claimed notice's next attempt moves RESEND_AFTER on, so the next sweep leaves it
    to the task the caller queues now. Rows another delivery holds are skipped.
    """
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - RESEND_AFTER)
    with transaction.atomic():
        ids = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(due, delivery__in=_UNSENT)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Notice.objects.filter(pk__in=ids).update(next_attempt_at=now + RESEND_AFTER)
    return ids


@transaction.atomic
def notices_resend(*, actor: User | None, notice_ids: Sequence[int] | None = None) -> list[int]:
    """Give failed and undelivered notices (all of them, or those of `notice_ids`) a fresh set of
    retries and email them now. Returns their ids.

    For after the cause is fixed (the mail server, an address). Side effects: the notices become
    QUEUED with no attempts counted (the last error stays for reference), their delivery is queued
    after commit, and the resend is logged with the actor.
    """
    notices = Notice.objects.select_for_update().filter(
        delivery__in=[Notice.Delivery.FAILED, Notice.Delivery.UNDELIVERED]
    )
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    ids = list(notices.order_by("created_at", "id").values_list("pk", flat=True))
    Notice.objects.filter(pk__in=ids).update(
        delivery=Notice.Delivery.QUEUED, attempts=0, next_attempt_at=timezone.now() + RESEND_AFTER
    )
    logger.info("User %s re-sent %s notices: %s", actor.pk if actor else "(system)", len(ids), ids[:50])

    from ..tasks import notices_send_in_batches  # tasks import services; import here to avoid a cycle

    transaction.on_commit(lambda: notices_send_in_batches(ids))
    return ids


def _messages(notice_ids: Sequence[int]) -> dict[int, EmailMessage]:
    """The email of each notice whose applicant has an account, by notice id (one query)."""
    rows = Notice.objects.filter(pk__in=notice_ids, application__candidate__isnull=False).values_list(
        "pk", "key", "code", "subject", "body", "calendar", "application__candidate__email"
    )
    messages = {}
    for pk, key, code, subject, body, calendar, address in rows:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            # The key is the Message-ID, so even a mail server that saw a duplicate can tell.
            headers={"Message-ID": f"<{key}@smeqa.notices>", "X-SMEQA-Notice-Code": code or "none"},
        )
        if calendar:
            # RFC 5545 calendar file: the interview (or the deadline to choose one) for the candidate's calendar.
            message.attach("interview.ics", calendar, "text/calendar")
        messages[pk] = message
    return messages
