"""Time in grade for a multi-grade action (issue 10; ADR 0015 step 3): HR reads the grade history from the
SF-50s or the resume and records it once per qualified applicant; `certificates.grades` decides each
grade. One transaction and one audit row per recording.

Once pooled certificates are built (ADR 0015 step 4), these checks decide the grades each eligible is
certified at (`grades.certified_grades`); until then they are recorded and shown only.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from hiring.models import Application, AuditEvent, HiringAction, Role, User
from hiring.services import require_role
from hiring.workflow import Actor, Status
from smeqa.errors import DomainError

from . import grades
from .models import GradeCheck

SOURCES = GradeCheck.Source
# How each source reads in a sentence (the audit row, the messages).
READ_FROM = {
    SOURCES.SF50: "from the SF-50s",
    SOURCES.RESUME: "from the resume",
    SOURCES.NOT_COVERED: "as not covered (no GS service in the last 52 weeks)",
}


def grades_to_check(action: HiringAction) -> list[int]:
    """The action's grades above its lowest: each needs 52 weeks at a lower grade (rule 42).

    Side effects: none. Empty when HR turned the check off (`time_in_grade_applies`, e.g. if OPM's
    June 2026 proposal to end the 52-week rule is adopted) or the action fills one grade.
    """
    if not action.time_in_grade_applies:
        return []
    return sorted(set(action.grades or []))[1:]


def required_grade(action: HiringAction, grade: int) -> int:
    """The grade whose 52 weeks (or higher) `grade` needs on `action`. Side effects: none.

    5 CFR 300.604 via `grades.time_in_grade_interval`: the next lower grade, or two below for a
    two-grade-interval series at GS-11 and below (`action.two_grade_interval`).
    """
    return grade - grades.time_in_grade_interval(grade, two_grade_interval=action.two_grade_interval)


def tig_ok_by_application(action: HiringAction, application_ids: Iterable[int]) -> dict[int, dict[int, bool]]:
    """Each application's {grade: meets time in grade} for every grade of `action`, from one query.

    Side effects: none. The lowest grade needs no check and is always True; every grade is True when
    HR turned the check off (`time_in_grade_applies`). A grade with no GradeCheck recorded is absent,
    so callers can treat it as "waiting" (ADR 0015 step 4), like an unadjudicated claim.
    """
    ids = list(application_ids)
    action_grades = sorted(set(action.grades or []))
    if not action_grades:
        return {pk: {} for pk in ids}
    if not action.time_in_grade_applies:
        return {pk: dict.fromkeys(action_grades, True) for pk in ids}
    lowest, checked = action_grades[0], set(action_grades[1:])
    result: dict[int, dict[int, bool]] = {pk: {lowest: True} for pk in ids}
    if not checked or not ids:
        return result
    rows = GradeCheck.objects.filter(
        application_id__in=ids, application__action=action, grade__in=checked
    ).values_list("application_id", "grade", "meets")
    for application_id, grade, meets in rows:
        result[application_id][grade] = meets
    return result


def _date(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(raw) from None


def parse_spans(spans: Sequence[Sequence[Any]]) -> list[grades.GradeSpan]:
    """(grade, start, end-or-None) rows as typed, checked and parsed; dates may be ISO strings.

    Side effects: none. Raises DomainError naming the row's field as `spans.<index>.<grade|start|end>`.
    """
    parsed: list[grades.GradeSpan] = []
    for index, row in enumerate(spans):
        grade_raw, start_raw, end_raw = [*row, None, None, None][:3]
        try:
            grade = int(grade_raw)
        except (TypeError, ValueError):
            grade = None
        if grade is None or not 1 <= grade <= 15:
            raise DomainError(
                f"GS grades run from 1 to 15; “{grade_raw}” is not one.", field=f"spans.{index}.grade"
            )
        try:
            start = _date(start_raw)
        except ValueError:
            start = None
        if start is None:
            raise DomainError(f"Enter the date the GS-{grade} service began.", field=f"spans.{index}.start")
        try:
            end = _date(end_raw)
        except ValueError:
            raise DomainError(
                "Enter the date the service ended, or leave it blank while current.",
                field=f"spans.{index}.end",
            ) from None
        if end is not None and end < start:
            raise DomainError(
                f"The GS-{grade} service starts on {start:%B %-d, %Y}, after it ends on {end:%B %-d, %Y}; "
                "check the dates.",
                field=f"spans.{index}.end",
            )
        parsed.append((grade, start, end))
    return parsed


@transaction.atomic
def grade_check_record(
    *, application_id: int, hr: User, spans: Sequence[Sequence[Any]], source: str, note: str = ""
) -> list[GradeCheck]:
    """Record time in grade for each grade of the action above its lowest, from the spans HR read.

    Side effects: replaces the application's checks (one GradeCheck per grade checked) and writes one
    audit row naming HR with the result per grade. Only HR of the action, only for applicants who passed
    every assessment (as for preference, rule 31). "Not covered" (no GS service in the last 52 weeks,
    5 CFR 300.603) is HR's call and meets every grade.
    """
    application = (
        Application.objects.select_for_update(no_key=True).select_related("action").get(pk=application_id)
    )
    action = application.action
    require_role(action=action, user=hr, role=Role.HR)
    if application.status != Status.QUALIFIED:
        raise DomainError(
            "Time in grade is recorded only for applicants who passed every assessment "
            f"(this one is “{application.get_status_display()}”)."
        )
    checked = grades_to_check(action)
    if not action.time_in_grade_applies:
        raise DomainError(
            "Time in grade is turned off in this action's job analysis settings, so there is nothing to "
            "record. Turn it back on there (while the job analysis is a draft) if it applies."
        )
    if not checked:
        raise DomainError(
            f"This action fills one grade ({action.grade}); time in grade is checked here only when an "
            "action fills more than one."
        )
    if source not in SOURCES.values:
        raise DomainError("Choose where you read the grade history.", field="source")
    history = parse_spans(spans)
    if not history and source != SOURCES.NOT_COVERED:
        raise DomainError(
            f"Enter at least one grade and its dates {READ_FROM[source]}, or "
            "choose “Not covered” if time in grade does not apply.",
            field="spans",
        )
    today = timezone.localdate()
    stored = [[g, start.isoformat(), end.isoformat() if end else None] for g, start, end in history]
    now = timezone.now()
    GradeCheck.objects.filter(application=application).exclude(grade__in=checked).delete()
    existing = {c.grade: c for c in GradeCheck.objects.filter(application=application)}
    results, summary = [], []
    for grade in checked:
        lower = required_grade(action, grade)
        weeks = grades.weeks_at_or_above(lower, history, today)
        meets = source == SOURCES.NOT_COVERED or grades.meets_time_in_grade(
            grade, history, today, interval=grade - lower
        )
        check = existing.get(grade) or GradeCheck(application=application, grade=grade)
        check.spans, check.source, check.weeks, check.meets = stored, source, weeks, meets
        check.note, check.checked_by, check.checked_at = note, hr, now
        check.full_clean()
        check.save()
        results.append(check)
        summary.append(
            f"GS-{grade}: {weeks} week{'s' if weeks != 1 else ''} at GS-{lower} or higher, "
            f"{'meets' if meets else 'does not meet'}"
        )
    AuditEvent.objects.create(
        subject=AuditEvent.Subject.CERTIFICATE, action=action, actor=hr, actor_role=Actor.HR,
        application=application, from_state="", to_state="",
        reason=f"Time in grade recorded {READ_FROM[source]}: {'; '.join(summary)}.",
    )  # fmt: skip
    return results
