"""Resume-review results written out as CSV: the file HR imports into USA Staffing, and the audit file
that lets someone outside the team retrace every review, tiebreak, return and recusal.

Reads only. Every cell goes through rules.csv_safe, so a name or justification that starts with
= + - @ cannot run as a spreadsheet formula. The query count does not grow with the number of
applicants: rows are streamed with .iterator(chunk_size=...) and related rows come in the same query.
"""

import csv
import heapq
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Case, F, OuterRef, Subquery, When
from django.utils import timezone

from hiring.imports.usas import (
    APPLICATION_NUMBER,
    COLUMNS,
    FIRST_NAME,
    LAST_NAME,
    MIDDLE_NAME,
)
from hiring.models import Application, AuditEvent, Competency, HiringAction, User
from hiring.workflow import APPLICATION_MOVES, NoticeCode, Status

from . import rules
from .models import Recusal, ResumeReview

CHUNK = 2000
ASSESSMENT_RATING = "Assessment Rating"
MQ_RATING = "Minimum Qualifications Rating"
# Applicants who applied here have no USA Staffing Application Number; this prefix keeps their
# numbers apart from USA Staffing's, which are all digits.
SMEQA_NUMBER_PREFIX = "SMEQA-"
KINDS = ("usas", "audit")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def _passed_resume_review() -> frozenset[Status]:
    """Moved Forward and every status reachable from it (except withdrawal): all passed resume review."""
    reached, frontier = {Status.MOVED_FORWARD}, [Status.MOVED_FORWARD]
    while frontier:
        current = frontier.pop()
        for (frm, to), _move in APPLICATION_MOVES.items():
            if frm == current and to != Status.WITHDRAWN and to not in reached:
                reached.add(to)
                frontier.append(to)
    return frozenset(reached)


# usas-for-rr.md (rule 18): one code per applicant in Minimum Qualifications Rating.
PASSED_RESUME_REVIEW = _passed_resume_review()
RESULT_CODES: dict[str, str] = {status.value: NoticeCode.ELSM.value for status in PASSED_RESUME_REVIEW} | {
    Status.DID_NOT_MOVE_FORWARD.value: NoticeCode.IQSM.value
}


def application_number(pk: int, external_number: str) -> str:
    """USA Staffing's Application Number for an imported applicant; SMEQA-<id> for one who applied here."""
    return external_number or f"{SMEQA_NUMBER_PREFIX}{pk}"


def split_name(name: str) -> tuple[str, str, str]:
    """(first, middle, last) from a full name: the first word, the words between, the last word.
    A one-word name is a last name."""
    words = name.split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def export_filename(action: HiringAction, kind: str) -> str:
    """The download's file name, e.g. action-12-resume-review-usas.csv."""
    return f"action-{action.pk}-resume-review-{kind}.csv"


def _writer(out: Writable) -> Any:
    return csv.writer(out, lineterminator="\r\n")


def _row(cells: Iterable[object]) -> list[str]:
    return [rules.csv_safe(cell) for cell in cells]


def _text(write: Any, action: HiringAction) -> str:
    buffer = io.StringIO(newline="")
    write(action, buffer)
    return buffer.getvalue()


# --- USA Staffing import -------------------------------------------------------------------------


def write_usas_resume_review_csv(action: HiringAction, out: Writable) -> int:
    """Write the USA Staffing import for the resume-review stage to `out`; return the number of rows.

    Same columns, in the same order, as the applicant export hiring.imports.usas reads (domain-research
    §6.2): Minimum Qualifications Rating is ELSM or IQSM, Assessment Rating empty, every other column as
    USA Staffing exported it. One row per applicant whose result was sent: Did Not Move Forward is IQSM;
    Moved Forward and every later status is ELSM; a withdrawn applicant keeps the result they were sent.
    One query.
    """
    sent_result = (
        AuditEvent.objects.filter(
            application=OuterRef("pk"),
            subject=AuditEvent.Subject.APPLICATION,
            from_state=Status.IN_RESUME_REVIEW,
            to_state__in=[Status.MOVED_FORWARD, Status.DID_NOT_MOVE_FORWARD],
        )
        .order_by("-created_at", "-id")
        .values("to_state")[:1]
    )
    applications = (
        Application.objects.filter(action=action)
        .annotate(result=Case(When(status=Status.WITHDRAWN, then=Subquery(sent_result)), default=F("status")))
        .filter(result__in=list(RESULT_CODES))
        .order_by("pk")
        .values_list("pk", "applicant_name", "external_number", "external_data", "result")
    )
    writer = _writer(out)
    writer.writerow(_row(COLUMNS))
    count = 0
    for pk, name, external_number, external_data, result in applications.iterator(chunk_size=CHUNK):
        data = external_data if isinstance(external_data, dict) else {}
        if data.get(LAST_NAME) or data.get(FIRST_NAME):
            first, middle, last = data.get(FIRST_NAME, ""), data.get(MIDDLE_NAME, ""), data.get(LAST_NAME, "")
        else:
            first, middle, last = split_name(name)
        values = {column: data.get(column, "") for column in COLUMNS} | {
            APPLICATION_NUMBER: application_number(pk, external_number),
            FIRST_NAME: first,
            MIDDLE_NAME: middle,
            LAST_NAME: last,
            ASSESSMENT_RATING: "",
            MQ_RATING: RESULT_CODES[result],
        }
        writer.writerow(_row(values[column] for column in COLUMNS))
        count += 1
    return count


def usas_resume_review_csv(action: HiringAction) -> str:
    """The USA Staffing import for the resume-review stage, as text (see write_usas_resume_review_csv)."""
    return _text(write_usas_resume_review_csv, action)


# --- audit ---------------------------------------------------------------------------------------

REVIEW, RECUSAL, RETURN = "review", "recusal", "return"
_RECORD_ORDER = {REVIEW: 0, RETURN: 1, RECUSAL: 2}
_YES_NO = {True: "Yes", False: "No", None: ""}
_RATINGS = {rules.MEETS: "Meets", rules.NOT_MET: "Not met"}
_SLOTS = {1: "First", 2: "Second", 3: "Tiebreak"}
AUDIT_LEAD = (
    "Record",
    "Application Number",
    "Applicant",
    "Review",
    "SME name",
    "SME email",
    "State",
    "Decision",
)
AUDIT_TAIL = (
    "52 weeks met",
    "Recency met",
    "Justification",
    "HR note",
    "Assigned at",
    "Submitted at",
    "Accepted at",
    "Accepted by",
    "Reason",
    "Note",
    "Recorded at",
    "Recorded by",
)


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(sep=" ", timespec="seconds") if moment else ""


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def write_resume_review_audit_csv(action: HiringAction, out: Writable) -> int:
    """Write the resume-review audit file to `out`; return the number of rows after the heading.

    One row per record, grouped by applicant: every review ever assigned (withdrawn ones show as
    "Reassigned"), with each competency's rating in its own column; every return to an SME with HR's
    note, who returned it and when; every recusal with its reason, note and time. Enough to retrace each
    result without the application (SMEQA usas-for-rr.md: the justifications go to the case file).
    Four queries whatever the number of applicants.
    """
    competencies = list(
        Competency.objects.filter(action=action).order_by("order", "id").values_list("pk", "name")
    )
    reviews = (
        ResumeReview.objects.filter(action=action)
        .select_related("application", "sme", "accepted_by")
        .order_by("application_id", "slot", "id")
    )
    returns = (
        AuditEvent.objects.filter(
            action=action, subject=AuditEvent.Subject.RESUME_REVIEW, to_state=ResumeReview.State.RETURNED
        )
        .exclude(application=None)
        .select_related("application", "actor")
        .order_by("application_id", "created_at", "id")
    )
    recusals = (
        Recusal.objects.filter(application__action=action)
        .select_related("application", "sme")
        .order_by("application_id", "created_at", "id")
    )
    streams = [
        _tagged(REVIEW, reviews.iterator(chunk_size=CHUNK)),
        _tagged(RETURN, returns.iterator(chunk_size=CHUNK)),
        _tagged(RECUSAL, recusals.iterator(chunk_size=CHUNK)),
    ]
    writer = _writer(out)
    writer.writerow(_row([*AUDIT_LEAD, *(name for _, name in competencies), *AUDIT_TAIL]))
    blank_ratings = [""] * len(competencies)
    count = 0
    merged = heapq.merge(*streams, key=lambda item: item[0])
    for _application_id, group in itertools.groupby(merged, key=lambda item: item[0]):
        records = sorted(group, key=lambda item: _RECORD_ORDER[item[1]])
        group_reviews = [record for _, kind, record in records if kind == REVIEW]
        for _, kind, record in records:
            if kind == REVIEW:
                cells = _review_cells(record, competencies)
            elif kind == RETURN:
                cells = _return_cells(record, group_reviews, blank_ratings)
            else:
                cells = _recusal_cells(record, blank_ratings)
            writer.writerow(_row(cells))
            count += 1
    return count


def resume_review_audit_csv(action: HiringAction) -> str:
    """The resume-review audit file, as text (see write_resume_review_audit_csv)."""
    return _text(write_resume_review_audit_csv, action)


def _tagged(kind: str, rows: Iterator[Any]) -> Iterator[tuple[int, str, Any]]:
    for row in rows:
        yield row.application_id, kind, row


def _lead(record: str, application: Application) -> list[str]:
    return [
        record,
        application_number(application.pk, application.external_number),
        application.applicant_name,
    ]


def _review_cells(review: ResumeReview, competencies: list[tuple[int, str]]) -> list[object]:
    ratings = review.ratings if isinstance(review.ratings, dict) else {}
    return [
        *_lead(REVIEW, review.application),
        _SLOTS.get(review.slot, str(review.slot)),
        review.sme.full_name,
        review.sme.email,
        review.get_state_display(),
        review.get_decision_display() if review.decision else "",
        *(_RATINGS.get(ratings.get(str(pk), ""), ratings.get(str(pk), "")) for pk, _ in competencies),
        _YES_NO.get(review.experience_met, ""),
        _YES_NO.get(review.recency_met, ""),
        review.justification,
        review.hr_note,
        _when(review.assigned_at),
        _when(review.submitted_at),
        _when(review.accepted_at),
        _person(review.accepted_by),
        "",
        "",
        "",
        "",
    ]


def _return_cells(event: AuditEvent, reviews: list[ResumeReview], blank_ratings: list[str]) -> list[object]:
    """A return, matched to its review by the SME it names: services.resume_review_return writes
    "Returned to <SME>: <note>"."""
    review, note = None, event.reason
    for candidate in reviews:
        prefix = f"Returned to {candidate.sme}: "
        if event.reason.startswith(prefix):
            review, note = candidate, event.reason.removeprefix(prefix)
            if candidate.hr_note == note:
                break
    return [
        *_lead(RETURN, event.application),
        _SLOTS.get(review.slot, "") if review else "",
        review.sme.full_name if review else "",
        review.sme.email if review else "",
        ResumeReview.State.RETURNED.label,
        "",
        *blank_ratings,
        "",
        "",
        "",
        note,
        "",
        "",
        "",
        "",
        "",
        "",
        _when(event.created_at),
        _person(event.actor),
    ]


def _recusal_cells(recusal: Recusal, blank_ratings: list[str]) -> list[object]:
    return [
        *_lead(RECUSAL, recusal.application),
        "",
        recusal.sme.full_name,
        recusal.sme.email,
        "",
        "",
        *blank_ratings,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        recusal.get_reason_display(),
        recusal.note,
        _when(recusal.created_at),
        _person(recusal.sme),
    ]
