"""Reads for SME work, scoped to the person asking. Lookups from user input answer 404 for both
missing and not-yours."""

from collections import Counter
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hiring.models import ActionRole, Application, Competency, HiringAction, Role, User
from hiring.rules import add_business_days, business_days_between
from hiring.workflow import Status

from . import rules
from .models import ConflictCheck, Recusal, ResumeReview, ReviewLoad

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


def not_recused(sme: User) -> Exists:
    """For a queryset of reviews or interviews: the SME holds no recusal from the application. A recusal
    declared after the work was assigned (or accepted) closes the applicant to that SME for good (rule 16)."""
    return ~Exists(Recusal.objects.filter(application_id=OuterRef("application_id"), sme=sme))


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
    """The SME's work on one action: open reviews (returned first, then oldest), and progress counts.

    Only the open reviews join the applications: PostgreSQL answers a join of a few hundred reviews by
    hashing all the action's applications (10+ ms at 50,000, bench/resume_review.py), so the finished
    ones fetch their 200 applications by id instead.
    """
    mine = ResumeReview.objects.filter(not_recused(sme), sme=sme, action=action)
    # Work on an applicant who withdrew (or whose result went out) is no longer waiting.
    open_reviews = mine.filter(state__in=OPEN, application__status=Status.IN_RESUME_REVIEW)
    finished = mine.filter(state__in=DONE)
    done = finished.count()
    total = done + open_reviews.count()
    waiting = (
        open_reviews.select_related("application")
        .only("pk", "slot", "state", "hr_note", "application__applicant_name")
        .order_by(_returned_first(), "assigned_at", "id")
    )
    # Only the columns the page shows: whole rows (ratings, notes, the application's imported data)
    # took 25 of the 32 ms this list cost at 50,000 applicants.
    names = Prefetch("application", queryset=Application.objects.only("pk", "applicant_name"))
    return {
        "open": waiting[:200],
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "finished": finished.only("pk", "decision", "state", "application_id")
        .prefetch_related(names)
        .order_by("-submitted_at")[:200],
    }


def _returned_first():
    from django.db.models import Case, IntegerField, Value, When

    return Case(When(state=RR.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField())


def next_review(*, sme: User, action: HiringAction) -> ResumeReview | None:
    return (
        ResumeReview.objects.filter(
            not_recused(sme),
            sme=sme,
            action=action,
            state__in=OPEN,
            application__status=Status.IN_RESUME_REVIEW,
        )
        .order_by(_returned_first(), "assigned_at", "id")
        .first()
    )


def review_for_sme(*, sme: User, pk: int) -> ResumeReview:
    """One of the SME's own live reviews, or 404. Never another SME's, nor one of an applicant they
    recused from (an accepted review stays live when its SME declares the conflict later)."""
    try:
        return (
            ResumeReview.objects.select_related("application", "action__agency")
            .exclude(state=RR.WITHDRAWN)
            .filter(not_recused(sme))
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

    Four queries whatever the number of applicants; the database does the counting (bench/resume_review.py
    measures it at 50,000 applicants).
    """
    by_status: Counter[str] = Counter()
    states: Counter[str] = Counter()
    signatures: Counter[int] = Counter()
    ready: list[int] = []
    submitted = 0
    for status, signature, count in _status_signature_counts(action):
        by_status[status] += count
        signatures[signature or 0] += count
        submitted += count * sum(state == RR.SUBMITTED for _, state, _ in _reviews_of(signature or 0))
        if status == Status.IN_RESUME_REVIEW:
            state = _applicant_state(_reviews_of(signature or 0))
            states[state] += count
            if state == "ready":
                ready.append(signature)
    sent = sum(by_status.get(s, 0) for s in Status if s not in _NOT_SENT)
    smes = list(
        ActionRole.objects.filter(action=action, role=Role.SME)
        .select_related("user")
        .annotate(checked=Exists(ConflictCheck.objects.filter(action=action, sme=OuterRef("user_id"))))
        .order_by("user__full_name")
    )
    loads = _sme_loads(action)
    for role in smes:
        role.assigned, role.done, role.open, role.oldest_open = loads.get(role.user_id, (0, 0, 0, None))
    started = timezone.localdate(action.phase_changed_at)
    due = add_business_days(started, REVIEW_TARGET_BUSINESS_DAYS)
    today = timezone.localdate()
    return {
        "states": [(key, label, states.get(key, 0)) for key, label in APPLICANT_STATES],
        "sent": sent,
        "smes": [(role, role.checked) for role in smes],
        "split_rate": _split_rate(signatures),
        "started": started,
        "due": due,
        "business_days_elapsed": business_days_between(started, today),
        "late": today > due,
        "now": timezone.now(),
        "recusals": Recusal.objects.filter(application__action=action).count(),
        "ready_signatures": ready,
        "submitted": submitted,
    }


# An application's live reviews as one number, its "signature": each review's state and decision in
# 4 bits (1 + 3 * state + decision; 0 = no review), shifted 4 bits per slot after the first. An
# application has at most one live review per slot (one_live_review_per_slot), so the sum of its
# reviews' codes says exactly which reviews it has. The database sums them per application and counts
# applications per (status, signature): a few dozen rows, named in Python by _applicant_state. The
# signature is stored on the application (assessments.services.reviews_changed) so that count is
# one indexed query; signature_update_sql computes it in the database.
_CODED_STATES = [RR.ASSIGNED, RR.DRAFT, RR.SUBMITTED, RR.RETURNED, RR.ACCEPTED]
_CODED_DECISIONS = ["", ResumeReview.Decision.MOVE_FORWARD, ResumeReview.Decision.DOES_NOT_MOVE_FORWARD]


def _status_signature_counts(action: HiringAction) -> list[tuple[str, int, int]]:
    """(application status, review signature, applications) for `action`: one indexed count."""
    return list(
        Application.objects.filter(action=action)
        .values_list("status", "review_signature")
        .annotate(n=Count("*"))
        .order_by()
    )


def _code_sql() -> tuple[str, str]:
    q = connection.ops.quote_name

    def code(column: str, values: list[str]) -> str:
        # Literal choice values from this module, never user input; anything else counts as 0.
        whens = " ".join(f"WHEN '{value}' THEN {n}" for n, value in enumerate(values))
        return f"(CASE {q(column)} {whens} ELSE 0 END)"

    return code("state", _CODED_STATES), code("decision", _CODED_DECISIONS)


def signature_update_sql(
    application_ids: list[int] | None = None, *, action_id: int | None = None
) -> tuple[str, list]:
    """SQL that recomputes review signatures from live reviews: for the given applications, or for
    every application of `action_id` (used by loaders that write reviews in bulk)."""
    q = connection.ops.quote_name
    state_code, decision_code = _code_sql()
    application, review = q(Application._meta.db_table), q(ResumeReview._meta.db_table)
    if action_id is not None:
        where, params = f"{q('action_id')} = %s", [action_id]
    else:
        where, params = (
            f"{q('id')} IN ({', '.join(['%s'] * len(application_ids or []))})",
            list(application_ids or []),
        )
    # Identifiers are quoted names and the CASE values literal choices from this module; the values
    # that vary are parameters.
    sql = (
        f"UPDATE {application} SET {q('review_signature')} = COALESCE(("  # noqa: S608  # nosec B608: quoted model names and our own status codes; ids are parameters
        f"SELECT SUM(({state_code} * 3 + {decision_code} + 1) << (4 * ({q('slot')} - 1))) FROM {review} "
        f"WHERE {review}.{q('application_id')} = {application}.{q('id')} AND {review}.{q('state')} <> %s"
        f"), 0) WHERE {where}"
    )
    return sql, [RR.WITHDRAWN, *params]


def _reviews_of(signature: int) -> list[tuple[int, str, str]]:
    """The (slot, state, decision) of each live review a signature stands for."""
    reviews = []
    for slot in (1, 2, 3):
        code = (signature >> (4 * (slot - 1))) & 0xF
        if code:
            state, decision = divmod(code - 1, 3)
            reviews.append((slot, _CODED_STATES[state], _CODED_DECISIONS[decision]))
    return reviews


def _sme_loads(action: HiringAction) -> dict[int, tuple[int, int, int, datetime | None]]:
    """Per SME on `action`: (live reviews, done, open, when the oldest open one was assigned), from
    the ReviewLoad rows assessments.services keeps."""
    return {
        sme_id: (assigned, done, open_, oldest)
        for sme_id, assigned, done, open_, oldest in ReviewLoad.objects.filter(action=action).values_list(
            "sme_id", "assigned", "done", "open", "oldest_open_at"
        )
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


def _split_rate(signatures: Counter[int]) -> float | None:
    """Share of applicants whose first two counted reviews disagreed (pilots: 20-27%), from the
    applications per signature, whatever their status."""
    pairs = splits = 0
    for signature, count in signatures.items():
        counted = {slot: decision for slot, state, decision in _reviews_of(signature) if state in DONE}
        if 1 in counted and 2 in counted:
            pairs += count
            splits += count if counted[1] != counted[2] else 0
    return splits / pairs if pairs else None


QUALITY_CHECK_PAGE = 25


def reviews_for_quality_check(*, action: HiringAction, after: int | None = None) -> list[ResumeReview]:
    """The next QUALITY_CHECK_PAGE submitted reviews waiting for HR, Does Not Move Forward first
    (their notes need checking), oldest first; after the review `after` when HR skips ahead. Reviews
    HR accepts or returns leave the list, so the first page is always the work left."""
    waiting = ResumeReview.objects.filter(action=action, state=RR.SUBMITTED)
    cursor = waiting.filter(pk=after).values_list("decision", "submitted_at", "id").first() if after else None
    if cursor:
        decision, submitted_at, pk = cursor
        waiting = waiting.filter(
            Q(decision__gt=decision)
            | Q(decision=decision, submitted_at__gt=submitted_at)
            | Q(decision=decision, submitted_at=submitted_at, pk__gt=pk)
        )
    return list(
        waiting.select_related("application", "sme").order_by("decision", "submitted_at", "id")[
            :QUALITY_CHECK_PAGE
        ]
    )


def ready_to_send(
    *, action: HiringAction, limit: int = 50, signatures: list[int] | None = None
) -> list[Application]:
    """Applicants whose result is settled and accepted, for HR to send one by one (one indexed query
    when the dashboard's `signatures` are given, two otherwise)."""
    ready = ready_signatures(action=action) if signatures is None else signatures
    if not ready:
        return []
    return list(
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW, review_signature__in=ready)
        .only("pk", "applicant_name")
        .order_by("applicant_name", "pk")[:limit]
    )


def ready_signatures(*, action: HiringAction) -> list[int]:
    """The review signatures, among this action's applicants in review, that mean "ready to send"."""
    present = (
        Application.objects.filter(action=action, status=Status.IN_RESUME_REVIEW)
        .values_list("review_signature", flat=True)
        .distinct()
        .order_by()
    )
    return [sig for sig in present if _applicant_state(_reviews_of(sig)) == "ready"]
