"""Reads for SME work, scoped to the person asking. Lookups from user input answer 404 for both
missing and not-yours."""

from collections import Counter
from datetime import timedelta

from django.db.models import Count, F, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hiring.models import ActionRole, Application, Competency, HiringAction, Role, User
from hiring.rules import add_business_days
from hiring.workflow import Status

from . import rules
from .models import ConflictCheck, Recusal, ResumeReview

RR = ResumeReview.State
OPEN = [RR.ASSIGNED, RR.DRAFT, RR.RETURNED]
DONE = [RR.SUBMITTED, RR.ACCEPTED]
# The SMEQA plan gives resume review 5 business days (resume-review/training.md).
REVIEW_TARGET_BUSINESS_DAYS = 5


def sme_action(*, sme: User, pk: int) -> HiringAction:
    """A hiring action on which `sme` is a subject matter expert, or 404."""
    try:
        return HiringAction.objects.select_related("agency").get(pk=pk, roles__user=sme, roles__role=Role.SME)
    except HiringAction.DoesNotExist:
        raise Http404("No such hiring action.") from None


def has_checked_conflicts(*, sme: User, action: HiringAction) -> bool:
    return ConflictCheck.objects.filter(action=action, sme=sme).exists()


def names_for_conflict_check(*, action: HiringAction) -> QuerySet[Application]:
    """Applicants' names only, for the SME's conflict check; nothing else about them."""
    return (
        Application.objects.filter(action=action)
        .exclude(status__in=[Status.WITHDRAWN, Status.INELIGIBLE])
        .only("pk", "applicant_name")
        .order_by("applicant_name", "pk")
    )


def sme_queue(*, sme: User, action: HiringAction) -> dict:
    """The SME's work on one action: open reviews (returned first, then oldest), and progress counts."""
    mine = ResumeReview.objects.filter(sme=sme, action=action).exclude(state=RR.WITHDRAWN)
    # Work on an applicant who withdrew (or whose result went out) is no longer waiting.
    mine = mine.exclude(Q(state__in=OPEN) & ~Q(application__status=Status.IN_RESUME_REVIEW))
    counts = mine.aggregate(total=Count("id"), done=Count("id", filter=Q(state__in=DONE)))
    open_reviews = (
        mine.filter(state__in=OPEN)
        .select_related("application")
        .order_by(_returned_first(), "assigned_at", "id")
    )
    total, done = counts["total"], counts["done"]
    return {
        "open": open_reviews[:200],
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "finished": mine.filter(state__in=DONE).select_related("application").order_by("-submitted_at")[:200],
    }


def _returned_first():
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(state=RR.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField())


def next_review(*, sme: User, action: HiringAction) -> ResumeReview | None:
    return (
        ResumeReview.objects.filter(
            sme=sme, action=action, state__in=OPEN, application__status=Status.IN_RESUME_REVIEW
        )
        .order_by(_returned_first(), "assigned_at", "id")
        .first()
    )


def review_for_sme(*, sme: User, pk: int) -> ResumeReview:
    """One of the SME's own live reviews, or 404. Never another SME's."""
    try:
        return (
            ResumeReview.objects.select_related("application", "action__agency")
            .exclude(state=RR.WITHDRAWN)
            .get(pk=pk, sme=sme, action__roles__user=sme, action__roles__role=Role.SME)
        )
    except ResumeReview.DoesNotExist:
        raise Http404("No such review.") from None


def review_for_hr(*, user: User, pk: int) -> ResumeReview:
    try:
        return ResumeReview.objects.select_related("application", "action", "sme").get(
            pk=pk, action__roles__user=user, action__roles__role=Role.HR
        )
    except ResumeReview.DoesNotExist:
        raise Http404("No such review.") from None


def other_justifications(*, review: ResumeReview) -> list[ResumeReview]:
    """What a tiebreaker may read of the first two reviews, when the action allows it."""
    if review.slot != ResumeReview.Slot.TIEBREAK or not review.action.tiebreaker_sees_justifications:
        return []
    return list(
        ResumeReview.objects.filter(application_id=review.application_id, slot__in=[1, 2], state__in=DONE)
        .order_by("slot")
        .only("slot", "decision", "justification")
    )


def competencies_of(*, action: HiringAction) -> list[Competency]:
    return list(Competency.objects.filter(action=action).order_by("order", "id"))


def resume_review_dashboard(*, action: HiringAction) -> dict:
    """HR's live view of resume review: applicants by state, per-SME load, split rate, days elapsed.

    A fixed number of queries whatever the number of applicants.
    """
    in_review = dict(
        Application.objects.filter(action=action).values_list("status").annotate(n=Count("id")).order_by()
    )
    reviews: dict[int, list[tuple[int, str, str]]] = {}
    for application_id, slot, state, decision in (
        ResumeReview.objects.filter(action=action, application__status=Status.IN_RESUME_REVIEW)
        .exclude(state=RR.WITHDRAWN)
        .values_list("application_id", "slot", "state", "decision")
        .iterator(chunk_size=5000)
    ):
        reviews.setdefault(application_id, []).append((slot, state, decision))
    states: Counter[str] = Counter()
    for application_id in (
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW)
        .values_list("pk", flat=True)
        .iterator(chunk_size=5000)
    ):
        states[_applicant_state(reviews.get(application_id, []))] += 1
    split_rate = _split_rate(action)
    sent = sum(in_review.get(s, 0) for s in Status if s not in _NOT_SENT)
    smes = (
        ActionRole.objects.filter(action=action, role=Role.SME)
        .select_related("user")
        .annotate(
            assigned=Count("user__resume_reviews", filter=Q(user__resume_reviews__action=action) & ~Q(user__resume_reviews__state=RR.WITHDRAWN)),
            done=Count("user__resume_reviews", filter=Q(user__resume_reviews__action=action, user__resume_reviews__state__in=DONE)),
            open=Count("user__resume_reviews", filter=Q(user__resume_reviews__action=action, user__resume_reviews__state__in=OPEN)),
            oldest_open=Min("user__resume_reviews__assigned_at", filter=Q(user__resume_reviews__action=action, user__resume_reviews__state__in=OPEN)),
        )
        .order_by("user__full_name")
    )  # fmt: skip
    checked = set(ConflictCheck.objects.filter(action=action).values_list("sme_id", flat=True))
    started = timezone.localdate(action.phase_changed_at)
    due = add_business_days(started, REVIEW_TARGET_BUSINESS_DAYS)
    today = timezone.localdate()
    return {
        "states": [(key, label, states.get(key, 0)) for key, label in APPLICANT_STATES],
        "sent": sent,
        "smes": [(role, role.user_id in checked) for role in smes],
        "split_rate": split_rate,
        "started": started,
        "due": due,
        "business_days_elapsed": _business_days_between(started, today),
        "late": today > due,
        "now": timezone.now(),
        "recusals": Recusal.objects.filter(application__action=action).count(),
    }


_NOT_SENT = {Status.RECEIVED, Status.INELIGIBLE, Status.IN_RESUME_REVIEW, Status.WITHDRAWN}
APPLICANT_STATES = [
    ("unassigned", "Waiting for reviewers"),
    ("awaiting_first", "Awaiting first review"),
    ("awaiting_second", "Awaiting second review"),
    ("split", "Split: awaiting tiebreak"),
    ("returned", "Returned to an SME"),
    ("awaiting_hr", "Settled: awaiting HR acceptance"),
    ("ready", "Ready to send"),
]


def _applicant_state(reviews: list[tuple[int, str, str]]) -> str:
    by_slot = {slot: (state, decision) for slot, state, decision in reviews}
    if 1 not in by_slot or 2 not in by_slot:
        return "unassigned"
    if any(state == RR.RETURNED for state, _ in by_slot.values()):
        return "returned"
    counted = {slot: decision for slot, (state, decision) in by_slot.items() if state in DONE}
    outcome = rules.resume_outcome(counted)
    if outcome.state == "pending":
        return "awaiting_second" if counted else "awaiting_first"
    if outcome.state == "split":
        return "split"
    needed = [1, 2, 3] if 3 in counted else [1, 2]
    if all(by_slot[slot][0] == RR.ACCEPTED for slot in needed):
        return "ready"
    return "awaiting_hr"


def _split_rate(action: HiringAction) -> float | None:
    """Share of applicants whose first two counted reviews disagreed (pilots: 20-27%)."""
    pairs: dict[int, dict[int, str]] = {}
    for application_id, slot, decision in ResumeReview.objects.filter(
        action=action, slot__in=[1, 2], state__in=DONE
    ).values_list("application_id", "slot", "decision"):
        pairs.setdefault(application_id, {})[slot] = decision
    complete = [p for p in pairs.values() if len(p) == 2]
    if not complete:
        return None
    return sum(1 for p in complete if p[1] != p[2]) / len(complete)


def _business_days_between(start, end) -> int:
    days, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def reviews_for_quality_check(*, action: HiringAction) -> QuerySet[ResumeReview]:
    """Submitted reviews waiting for HR: Does Not Move Forward first (their notes need checking)."""
    return (
        ResumeReview.objects.filter(action=action, state=RR.SUBMITTED)
        .select_related("application", "sme")
        .order_by("decision", "submitted_at", "id")[:100]
    )


def ready_to_send(*, action: HiringAction, limit: int = 50) -> list[Application]:
    """Applicants whose result is settled and accepted, for HR to send one by one (two queries)."""
    from django.db.models import Prefetch

    from .services import result_ready

    live = ~Q(resume_reviews__state=RR.WITHDRAWN)
    candidates = (
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW)
        .annotate(
            live=Count("resume_reviews", filter=live),
            accepted=Count("resume_reviews", filter=Q(resume_reviews__state=RR.ACCEPTED)),
        )
        .filter(live__gte=2, live=F("accepted"))
        .order_by("applicant_name", "pk")
        .prefetch_related(Prefetch("resume_reviews", queryset=ResumeReview.objects.all()))[: limit * 2]
    )
    return [a for a in candidates if result_ready(a, list(a.resume_reviews.all())) is not None][:limit]
