"""One action's dashboard: the funnel, days in each phase against the SMEQA targets, and late work."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from assessments.models import Interview, ResumeReview
from certificates import rules as certificate_rules
from certificates.models import Certificate, Disposition, Entry

from ..models import Application, AuditEvent, HiringAction, InterviewQuestion
from ..workflow import FINAL_STATUSES, Phase, Status
from .common import (
    LATE_LIMIT,
    PHASE_TARGETS,
    REVIEW_DUE_BUSINESS_DAYS,
    SHEET_DUE_BUSINESS_DAYS,
    SILENCE_DAYS,
    Bar,
    Chart,
    Table,
    business_days_between,
    day_text,
    elapsed,
    late_if_started_before,
    number_text,
    percent,
)

# --- one action ---------------------------------------------------------------------------------------

# Funnel stages, each a distinct count of applications that ever reached it (withdrawing later does
# not take anyone out of a stage they reached):
FUNNEL = [
    ("applied", "Applied", "Every application to the action, imported ones included."),
    (
        "eligible",
        "Eligible",
        "Released from eligibility screening: an audit row moved the application to in resume review.",
    ),
    (
        "moved_forward",
        "Moved forward",
        "Passed resume review: an audit row moved it to moved forward (notice ELSM).",
    ),
    ("round_1", "Passed round 1", "An accepted round-1 score sheet scored 1 (meets) or 2 (exceeds)."),
    ("round_2", "Passed round 2", "An accepted round-2 score sheet scored 1 or 2 (two-round actions only)."),
    (
        "best",
        "Best Qualified",
        "Every accepted round score is 1 or 2 and they transmute (rule 29) to a score in Best Qualified "
        "with the action's cut-points (rule 30): the category earned, before veterans' preference floats anyone.",
    ),
    ("well", "Well Qualified", "As Best Qualified, for the Well Qualified category."),
    ("qualified", "Qualified", "As Best Qualified, for the Qualified category."),
    ("referred", "Referred", "Listed on an original certificate of the action (not a shared copy)."),
    (
        "selected",
        "Selected",
        "Coded A (selected) by the hiring manager on an original certificate, or in the selected status.",
    ),
    (
        "accepted",
        "Accepted",
        "The selection stood when the certificate came back: coded A on a returned or audited original "
        "certificate (a selectee who turns the offer down is coded D before the return) and not withdrawn. "
        "SMEQA records no separate offer acceptance, so this stands for it.",
    ),
]


def funnel(*, action: HiringAction) -> list[dict]:
    """The action's funnel: each FUNNEL stage with its count and its share of those who applied.

    Six queries whatever the number of applicants: statuses counted, stage moves counted from the audit
    trail, accepted interview scores (at most two rows per applicant who reached interviews), the round
    count, and the original certificates' entries.
    """
    statuses = dict(
        Application.objects.filter(action=action).values_list("status").annotate(n=Count("*")).order_by()
    )
    reached = dict(
        AuditEvent.objects.filter(
            action=action,
            subject=AuditEvent.Subject.APPLICATION,
            to_state__in=[Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD],
        )
        .values_list("to_state")
        .annotate(n=Count("application_id", distinct=True))
        .order_by()
    )
    rounds = 2 if InterviewQuestion.objects.filter(action=action, round=2).exists() else 1
    scores: dict[int, list[int | None]] = defaultdict(lambda: [None] * rounds)
    for application_id, round_, score in Interview.objects.filter(
        action=action, state=Interview.State.ACCEPTED, round__lte=rounds
    ).values_list("application_id", "round", "score"):
        scores[application_id][round_ - 1] = score
    passed = Counter(
        round_ for per_round in scores.values() for round_, s in enumerate(per_round, 1) if s in (1, 2)
    )
    categories = Counter(
        certificate_rules.category_for(
            certificate_rules.final_score(per_round),
            best_min=action.best_qualified_min,
            well_min=action.well_qualified_min
            if action.well_qualified_min is not None
            else action.best_qualified_min,
            qualified_min=action.qualified_min,
        )
        for per_round in scores.values()
    )
    referred, selected, accepted = set(), set(), set()
    for application_id, code, state, status in Entry.objects.filter(
        certificate__action=action, certificate__source__isnull=True, removed=False
    ).values_list("application_id", "disposition", "certificate__state", "application__status"):
        referred.add(application_id)
        if code == Disposition.SELECTED:
            selected.add(application_id)
            if state != Certificate.State.ISSUED and status != Status.WITHDRAWN:
                accepted.add(application_id)
    # In the selected status (told after the audit, or HR recorded it by hand): selected and accepted.
    chosen = set(
        Application.objects.filter(action=action, status=Status.SELECTED).values_list("pk", flat=True)
    )
    selected |= chosen
    accepted |= chosen
    counts = {
        "applied": sum(statuses.values()),
        "eligible": reached.get(Status.IN_RESUME_REVIEW, 0),
        "moved_forward": reached.get(Status.MOVED_FORWARD, 0),
        "round_1": passed.get(1, 0),
        "round_2": passed.get(2, 0) if rounds == 2 else None,
        "best": categories.get(certificate_rules.BEST, 0),
        "well": categories.get(certificate_rules.WELL, 0) if action.well_qualified_min is not None else None,
        "qualified": categories.get(certificate_rules.QUALIFIED, 0),
        "referred": len(referred),
        "selected": len(selected),
        "accepted": len(accepted),
    }
    applied = counts["applied"] or 0
    return [
        {
            "key": key,
            "label": label,
            "definition": definition,
            "count": counts[key],
            "share": None if counts[key] is None or not applied else counts[key] / applied,
        }
        for key, label, definition in FUNNEL
    ]


def phase_times(*, action: HiringAction, now: datetime | None = None) -> list[dict]:
    """Days the action spent in each phase (the current one: so far) against PHASE_TARGETS.

    Phase moves are the audit rows of subject hiring_action whose state changed; the job analysis starts
    when the action was created. A phase the action skipped (an ART import enters at resume review) has
    no start. One query.
    """
    now = now or timezone.now()
    entered: dict[str, datetime] = {Phase.JOB_ANALYSIS: action.created_at}
    left: dict[str, datetime] = {}
    for from_state, to_state, at in (
        AuditEvent.objects.filter(action=action, subject=AuditEvent.Subject.HIRING_ACTION)
        .exclude(from_state=F("to_state"))
        .values_list("from_state", "to_state", "created_at")
        .order_by("created_at", "id")
    ):
        if to_state in Phase.values:
            entered.setdefault(to_state, at)
        if from_state in Phase.values:
            left[from_state] = at
    if action.phase not in entered:  # no audit row (a bulk loader): the action's own stamp
        entered[action.phase] = action.phase_changed_at
    rows = []
    for phase in Phase:
        if phase == Phase.CLOSED:
            continue
        target = PHASE_TARGETS[phase]
        start = entered.get(phase)
        current = phase == action.phase
        end = now if current else left.get(phase)
        days = elapsed(start, end, target.unit) if start and end else None
        rows.append(
            {
                "phase": phase,
                "label": phase.label,
                "start": start,
                "end": None if current else end,
                "current": current,
                "days": days,
                "target": target,
                "late": days is not None and days > target.days,
            }
        )
    return rows


def late_work(*, action: HiringAction, limit: int | None = LATE_LIMIT, today: date | None = None) -> dict:
    """What is past its due date on the action: open resume reviews, unsubmitted score sheets, unreturned
    certificates and candidates with no notice for SILENCE_DAYS. Each is a bounded list (oldest first,
    at most `limit`; None for all, the CSV) with its total. Two queries each."""
    today = today or timezone.localdate()
    review_cutoff = late_if_started_before(today, REVIEW_DUE_BUSINESS_DAYS)
    sheet_cutoff = late_if_started_before(today, SHEET_DUE_BUSINESS_DAYS)
    silence_cutoff = timezone.now() - timedelta(days=SILENCE_DAYS)
    reviews = ResumeReview.objects.filter(
        action=action,
        state__in=[ResumeReview.State.ASSIGNED, ResumeReview.State.DRAFT, ResumeReview.State.RETURNED],
        assigned_at__lt=review_cutoff,
    )
    sheets = Interview.objects.filter(
        action=action, state=Interview.State.SCHEDULED, no_show=False, starts_at__lt=sheet_cutoff
    )
    certificates = Certificate.objects.filter(
        action=action, source__isnull=True, state=Certificate.State.ISSUED, return_by__lt=today
    )
    silent = (
        Application.objects.filter(action=action)
        .exclude(status__in=FINAL_STATUSES)
        .annotate(last_notice=Max("notices__created_at"))
        .filter(Q(last_notice__lt=silence_cutoff) | Q(last_notice__isnull=True))
    )

    def first(queryset, order):
        rows = queryset.order_by(*order)
        return list(rows if limit is None else rows[:limit])

    review_rows = first(
        reviews.select_related("sme", "application").only(
            "assigned_at", "slot", "state", "sme__full_name", "application__applicant_name"
        ),
        ["assigned_at", "id"],
    )
    sheet_rows = first(
        sheets.select_related("sme", "application").only(
            "starts_at", "round", "sme__full_name", "application__applicant_name"
        ),
        ["starts_at", "id"],
    )
    certificate_rows = first(certificates.only("number", "issued_on", "return_by"), ["return_by", "id"])
    silent_rows = first(
        silent.only("applicant_name", "status", "submitted_at"),
        [F("last_notice").asc(nulls_first=True), "id"],
    )
    return {
        "reviews": Table(
            "late-reviews",
            f"Resume reviews open more than {REVIEW_DUE_BUSINESS_DAYS} business days",
            ["Applicant", "SME", "Review", "State", "Assigned", "Business days open"],
            [
                [
                    r.application.applicant_name,
                    r.sme.full_name,
                    r.get_slot_display(),
                    r.get_state_display(),
                    timezone.localdate(r.assigned_at),
                    business_days_between(timezone.localdate(r.assigned_at), today),
                ]
                for r in review_rows
            ],
            reviews.count(),
        ),
        "sheets": Table(
            "late-sheets",
            f"Score sheets not submitted {SHEET_DUE_BUSINESS_DAYS} business day after the interview",
            ["Applicant", "Interviewer", "Round", "Interview", "Business days since"],
            [
                [
                    i.application.applicant_name,
                    i.sme.full_name,
                    i.round,
                    timezone.localtime(i.starts_at).strftime("%Y-%m-%d %H:%M"),
                    business_days_between(timezone.localdate(i.starts_at), today),
                ]
                for i in sheet_rows
            ],
            sheets.count(),
        ),
        "certificates": Table(
            "late-certificates",
            "Certificates past their return-by date",
            ["Certificate", "Issued", "Return by", "Days overdue"],
            [[c.number, c.issued_on, c.return_by, (today - c.return_by).days] for c in certificate_rows],
            certificates.count(),
        ),
        "silent": Table(
            "silent-candidates",
            f"Candidates with no notice for {SILENCE_DAYS} days",
            ["Applicant", "Status", "Last notice", "Days since"],
            [
                [
                    a.applicant_name,
                    a.get_status_display(),
                    timezone.localdate(a.last_notice) if a.last_notice else "never",
                    (today - timezone.localdate(a.last_notice or a.submitted_at)).days,
                ]
                for a in silent_rows
            ],
            silent.count(),
        ),
    }


def action_dashboard(*, action: HiringAction, limit: int | None = LATE_LIMIT) -> dict:
    """Everything on one action's dashboard, with its tables and charts."""
    stages = funnel(action=action)
    phases = phase_times(action=action)
    late = late_work(action=action, limit=limit)
    tables = {
        "funnel": Table(
            "funnel",
            "Applicants reaching each stage",
            ["Stage", "Applicants", "Share of applicants", "Definition"],
            [
                [
                    s["label"],
                    "not used" if s["count"] is None else s["count"],
                    percent(s["share"]),
                    s["definition"],
                ]
                for s in stages
            ],
        ),
        "phases": Table(
            "phases",
            "Days in each phase against the SMEQA target",
            ["Phase", "Started", "Ended", "Days", "Target", "Unit", "Late", "Target source"],
            [
                [
                    p["label"],
                    day_text(p["start"]),
                    "still in it" if p["current"] else day_text(p["end"]),
                    "" if p["days"] is None else number_text(p["days"]),
                    p["target"].days,
                    f"{p['target'].unit} days",
                    "yes" if p["late"] else "no",
                    p["target"].source,
                ]
                for p in phases
            ],
        ),
        **{table.key: table for table in late.values()},
    }
    charts = {
        "funnel": Chart(
            "funnel-chart",
            "Applicants reaching each stage",
            "Bar chart of how many applicants reached each stage, from applied to accepted; "
            "the numbers are in the table beside it.",
            "applicants",
            [Bar(s["label"], s["count"]) for s in stages if s["count"] is not None],
        ),
        "phases": Chart(
            "phases-chart",
            "Days in each phase",
            "Bar chart of the days spent in each phase so far; phases over their SMEQA target are marked "
            "late. The targets differ per phase and are in the table beside it.",
            "days",
            [Bar(p["label"], p["days"], p["late"]) for p in phases],
        ),
    }
    return {"funnel": stages, "phases": phases, "late": late, "tables": tables, "charts": charts}
