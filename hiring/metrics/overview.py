"""Across the actions an HR specialist runs: time to hire in the OPM 80-day model's measures, SME hours
(an estimate), rates and notice timeliness."""

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessments.models import Interview, ResumeReview
from assessments.selectors import _split_rate  # the resume-review dashboard's own definition
from certificates.models import Certificate, Disposition, Entry

from ..models import ActionRole, Application, AuditEvent, HiringAction, Notice, Role, User
from ..rules import add_business_days
from ..workflow import Status
from .common import (
    CERTIFICATE_TO_RETURN,
    CREATED_TO_SELECTION,
    HOURS_PER_INTERVIEW,
    HOURS_PER_SME,
    MINUTES_PER_REVIEW,
    NON_SELECTION_DUE_BUSINESS_DAYS,
    OPEN_TO_CERTIFICATE,
    RECEIPT_DUE_BUSINESS_DAYS,
    Bar,
    Chart,
    Table,
    business_days_between,
    percent,
)

# --- across actions -----------------------------------------------------------------------------------


def _on_time(rows, *, due_days: int, today: date) -> tuple[int, int, int]:
    """(on time, late, not yet due) from (start day, sent day, delivery, count) rows."""
    on_time = late = pending = 0
    for start, sent, delivery, n in rows:
        if start is None or delivery == Notice.Delivery.NO_ADDRESS:
            continue  # imported applicants are notified by USA Staffing
        if sent is not None and delivery == Notice.Delivery.SENT:
            if business_days_between(start, sent) <= due_days:
                on_time += n
            else:
                late += n
        elif today > add_business_days(start, due_days):
            late += n
        else:
            pending += n
    return on_time, late, pending


def hr_overview(*, user: User) -> dict:
    """Time to hire and effort across the actions `user` is HR on (OPM 80-day model, §5.1).

    Eleven queries whatever the number of actions or applicants; per-applicant work is counted by the
    database, and notices are grouped by (action, day, day) before Python counts business days.
    """
    today = timezone.localdate()
    actions = list(
        HiringAction.objects.filter(roles__user=user, roles__role=Role.HR)
        .select_related("announcement")
        .order_by("-created_at", "-id")
    )
    ids = [a.pk for a in actions]
    certificates: dict[int, list[tuple[date, datetime | None]]] = defaultdict(list)
    for action_id, issued_on, returned_at in Certificate.objects.filter(
        action_id__in=ids, source__isnull=True
    ).values_list("action_id", "issued_on", "returned_at"):
        certificates[action_id].append((issued_on, returned_at))
    selections = {
        action_id: (first, n)
        for action_id, first, n in Entry.objects.filter(
            certificate__action_id__in=ids, certificate__source__isnull=True, disposition=Disposition.SELECTED
        )
        .values_list("certificate__action_id")
        .annotate(first=Min("disposition_on"), n=Count("*"))
        .order_by()
    }
    reviews = dict(
        ResumeReview.objects.filter(
            action_id__in=ids, state__in=[ResumeReview.State.SUBMITTED, ResumeReview.State.ACCEPTED]
        )
        .values_list("action_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    interviews = dict(
        Interview.objects.filter(action_id__in=ids, state__in=[Interview.State.SUBMITTED, Interview.State.ACCEPTED])
        .values_list("action_id")
        .annotate(n=Count("*"))
        .order_by()
    )  # fmt: skip
    smes = dict(
        ActionRole.objects.filter(action_id__in=ids, role=Role.SME)
        .values_list("action_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    signatures: dict[int, Counter[int]] = defaultdict(Counter)
    for action_id, signature, n in (
        Application.objects.filter(action_id__in=ids)
        .values_list("action_id", "review_signature")
        .annotate(n=Count("*"))
        .order_by()
    ):
        signatures[action_id][signature or 0] += n
    reached: dict[int, Counter[str]] = defaultdict(Counter)
    for action_id, to_state, n in (
        AuditEvent.objects.filter(
            action_id__in=ids,
            subject=AuditEvent.Subject.APPLICATION,
            to_state__in=[Status.IN_RESUME_REVIEW, Status.QUALIFIED],
        )
        .values_list("action_id", "to_state")
        .annotate(n=Count("application_id", distinct=True))
        .order_by()
    ):
        reached[action_id][to_state] = n
    receipts: dict[int, list] = defaultdict(list)
    for action_id, start, sent, delivery, n in (
        Notice.objects.filter(
            application__action_id__in=ids,
            event__subject=AuditEvent.Subject.APPLICATION,
            event__from_state="",
            event__to_state=Status.RECEIVED,
        )
        .annotate(start=TruncDate("application__submitted_at"), sent=TruncDate("sent_at"))
        .values_list("application__action_id", "start", "sent", "delivery")
        .annotate(n=Count("*"))
        .order_by()
    ):
        receipts[action_id].append((start, sent, delivery, n))
    non_selections: dict[int, list] = defaultdict(list)
    for action_id, start, sent, delivery, n in (
        Notice.objects.filter(
            application__action_id__in=ids,
            event__subject=AuditEvent.Subject.APPLICATION,
            event__to_state=Status.NOT_SELECTED,
            application__certificate_entries__certificate__source__isnull=True,
        )
        .annotate(
            start=TruncDate("application__certificate_entries__certificate__returned_at"),
            sent=TruncDate("sent_at"),
        )
        .values_list("application__action_id", "start", "sent", "delivery")
        .annotate(n=Count("*"))
        .order_by()
    ):
        non_selections[action_id].append((start, sent, delivery, n))

    rows = []
    for action in actions:
        announcement = getattr(action, "announcement", None)
        published = announcement is not None and announcement.state != announcement.State.DRAFT
        opens_on = announcement.opens_on if published else None
        issued = [c[0] for c in certificates.get(action.pk, [])]
        returns = [(timezone.localdate(r) - i).days for i, r in certificates.get(action.pk, []) if r]
        first_selection, selection_count = selections.get(action.pk, (None, 0))
        review_count, interview_count = reviews.get(action.pk, 0), interviews.get(action.pk, 0)
        sme_count = smes.get(action.pk, 0)
        eligible = reached[action.pk].get(Status.IN_RESUME_REVIEW, 0)
        qualified = reached[action.pk].get(Status.QUALIFIED, 0)
        rows.append(
            {
                "action": action,
                "open_to_certificate": (min(issued) - opens_on).days if issued and opens_on else None,
                "certificate_to_return": round(sum(returns) / len(returns), 1) if returns else None,
                "created_to_selection": (first_selection - timezone.localdate(action.created_at)).days
                if first_selection
                else None,
                "reviews": review_count,
                "interviews": interview_count,
                "smes": sme_count,
                "sme_hours": round(
                    review_count * MINUTES_PER_REVIEW / 60
                    + interview_count * HOURS_PER_INTERVIEW
                    + sme_count * HOURS_PER_SME,
                    1,
                ),
                "split_rate": _split_rate(signatures[action.pk]),
                "eligible": eligible,
                "qualified": qualified,
                "qualified_rate": qualified / eligible if eligible else None,
                "certificates": len(issued),
                "selections": selection_count,
                "selections_per_certificate": selection_count / len(issued) if issued else None,
                "receipts": _on_time(receipts[action.pk], due_days=RECEIPT_DUE_BUSINESS_DAYS, today=today),
                "non_selections": _on_time(
                    non_selections[action.pk], due_days=NON_SELECTION_DUE_BUSINESS_DAYS, today=today
                ),
            }
        )
    return {"rows": rows, "tables": _overview_tables(rows), "charts": _overview_charts(rows)}


def _blank(value) -> Any:
    return "" if value is None else value


def _overview_tables(rows: list[dict]) -> dict[str, Table]:
    def name(row):
        return row["action"].title

    def notices(counts):
        on_time, late, pending = counts
        decided = on_time + late
        return [on_time, late, pending, percent(on_time / decided if decided else None)]

    return {
        "time_to_hire": Table(
            "time-to-hire",
            "Time to hire, in calendar days (OPM 80-day model measures)",
            [
                "Hiring action",
                f"Announcement open to certificate issued (target {OPEN_TO_CERTIFICATE.days})",
                f"Certificate issued to returned, average (target {CERTIFICATE_TO_RETURN.days})",
                f"Action created to first selection (target {CREATED_TO_SELECTION.days})",
            ],
            [
                [
                    name(r),
                    _blank(r["open_to_certificate"]),
                    _blank(r["certificate_to_return"]),
                    _blank(r["created_to_selection"]),
                ]
                for r in rows
            ],
        ),
        "effort": Table(
            "effort",
            "SME hours (an estimate) and outcomes",
            [
                "Hiring action",
                "SMEs",
                "Resume reviews done",
                "Interviews done",
                "Estimated SME hours",
                "Split rate of resume reviews",
                "Eligible",
                "Qualified",
                "Qualified rate",
                "Certificates",
                "Selections",
                "Selections per certificate",
            ],
            [
                [
                    name(r),
                    r["smes"],
                    r["reviews"],
                    r["interviews"],
                    r["sme_hours"],
                    percent(r["split_rate"]),
                    r["eligible"],
                    r["qualified"],
                    percent(r["qualified_rate"]),
                    r["certificates"],
                    r["selections"],
                    ""
                    if r["selections_per_certificate"] is None
                    else f"{r['selections_per_certificate']:.1f}",
                ]
                for r in rows
            ],
        ),
        "notices": Table(
            "notices",
            "Notices sent on time",
            [
                "Hiring action",
                "Receipts on time",
                "Receipts late",
                "Receipts not yet due",
                "Receipts on time, share",
                "Non-selection notices on time",
                "Non-selection notices late",
                "Non-selection notices not yet due",
                "Non-selection on time, share",
            ],
            [[name(r), *notices(r["receipts"]), *notices(r["non_selections"])] for r in rows],
        ),
    }


def _overview_charts(rows: list[dict]) -> list[Chart]:
    charts = []
    for key, title, target in (
        ("open_to_certificate", "Announcement open to certificate issued", OPEN_TO_CERTIFICATE),
        ("certificate_to_return", "Certificate issued to returned", CERTIFICATE_TO_RETURN),
        ("created_to_selection", "Action created to first selection", CREATED_TO_SELECTION),
    ):
        charts.append(
            Chart(
                key.replace("_", "-") + "-chart",
                f"{title}, days",
                f"Bar chart of {title.lower()} in calendar days for each of your hiring actions, with the "
                f"target of {target.days} days ({target.source}) drawn as a line; the numbers are in the "
                "time-to-hire table.",
                "days",
                [Bar(r["action"].title, r[key], r[key] is not None and r[key] > target.days) for r in rows],
                target=target.days,
                target_label=f"target {target.days}",
            )
        )
    return charts
