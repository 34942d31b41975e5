"""Reads for structured interviews, scoped to the person asking: lookups from user input answer 404
for both missing and not-yours. An SME reads only their own interviews, so the round-2 interviewer
never sees round-1 notes or scores."""

from collections import Counter

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from hiring.models import ActionRole, Application, HiringAction, Role, User
from hiring.rules import add_business_days
from hiring.workflow import Status

from .interviews import rounds_of
from .models import Availability, Interview, InterviewerSeat
from .selectors import not_recused

IV = Interview.State
# Sheets are due to HR within a business day of the interview (rule 28; interviewing-applicants.md).
SHEET_DUE_BUSINESS_DAYS = 1


def interview_for_sme(*, sme: User, pk: int) -> Interview:
    """One of the SME's own interviews, or 404. Never another SME's, nor one of an applicant they
    recused from (a recusal does not withdraw an interview already assigned)."""
    try:
        return (
            Interview.objects.select_related("application", "action__agency")
            .exclude(state=IV.WITHDRAWN)
            .filter(not_recused(sme))
            .get(pk=pk, sme=sme, action__roles__user=sme, action__roles__role=Role.SME)
        )
    except Interview.DoesNotExist:
        raise Http404("No such interview.") from None


def interview_for_hr(*, user: User, pk: int) -> Interview:
    try:
        return Interview.objects.select_related("application", "action", "sme").get(
            pk=pk, action__roles__user=user, action__roles__role=Role.HR
        )
    except Interview.DoesNotExist:
        raise Http404("No such interview.") from None


def interview_by_token(*, token) -> Interview:
    """The interview a candidate's scheduling link names, or 404 (the token is the only key)."""
    try:
        return Interview.objects.select_related("application", "action__agency").get(token=token)
    except (Interview.DoesNotExist, ValueError):
        raise Http404("This link is not valid. Use the latest email about your interview.") from None


def _sheets_first():
    """Sheets returned by HR first, then ones to write, then the rest."""
    return Case(
        When(state=IV.RETURNED, then=Value(0)),
        When(state=IV.SCHEDULED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def sme_schedule(*, sme: User, action: HiringAction) -> dict:
    """The SME's interviews on one action and the availability they published."""
    interviews = list(
        Interview.objects.filter(not_recused(sme), sme=sme, action=action)
        .exclude(state=IV.WITHDRAWN)
        .exclude(application__status=Status.WITHDRAWN)
        .select_related("application")
        .order_by(_sheets_first(), "starts_at", "id")[:300]
    )
    now = timezone.now()
    for interview in interviews:
        interview.sheet_due = _sheet_due(interview)
        interview.late = (
            interview.sheet_due is not None
            and interview.state == IV.SCHEDULED
            and interview.sheet_due < now.date()
        )
    return {
        "to_write": [i for i in interviews if i.state in (IV.SCHEDULED, IV.RETURNED)],
        "waiting": [i for i in interviews if i.state in (IV.ASSIGNED, IV.INVITED)],
        "done": [i for i in interviews if i.state in (IV.SUBMITTED, IV.ACCEPTED, IV.NO_RESPONSE)],
        "windows": list(
            Availability.objects.filter(sme=sme, action=action, ends_at__gt=now).order_by("starts_at")
        ),
        "rounds": sorted(
            InterviewerSeat.objects.filter(action=action, sme=sme).values_list("round", flat=True)
        ),
    }


def _sheet_due(interview: Interview):
    if interview.starts_at is None:
        return None
    return add_business_days(timezone.localdate(interview.starts_at), SHEET_DUE_BUSINESS_DAYS)


INTERVIEW_LIST = 100  # rows of "Every interview"; rendering 500 cost 60 ms at 50,000 applicants
SHOWN_FIELDS = (
    "pk", "round", "state", "score", "no_show", "starts_at", "submitted_at", "respond_by",
    "application__applicant_name", "sme__full_name",
)  # fmt: skip


def interviews_dashboard(*, action: HiringAction) -> dict:
    """HR's view of the assessments phase: per round, the interviewer group and interviews by state,
    what waits for HR (sheets to review, deadlines passed), and who is still waiting for an interviewer."""
    now = timezone.now()
    rounds = rounds_of(action)
    seats: dict[int, list] = {r: [] for r in rounds}
    for seat in (
        InterviewerSeat.objects.filter(action=action).select_related("sme").order_by("round", "sme__email")
    ):
        seats.setdefault(seat.round, []).append(seat.sme)
    # Applicants who withdrew keep their interview rows; every count and list below leaves them out.
    # As "not in the action's withdrawn applicants" (a few hundred, by the (action, status) index), not a
    # join on every applicant's status: 25 -> 6 ms at 50,000 applicants.
    withdrew = Application.objects.filter(action=action, status=Status.WITHDRAWN).values("pk")
    counts: Counter[tuple[int, str]] = Counter()
    for round_, state, n in (
        Interview.objects.filter(action=action)
        .exclude(state=IV.WITHDRAWN)
        .exclude(application_id__in=withdrew)
        .values_list("round", "state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(round_, state)] += n
    live = Interview.objects.filter(action=action).exclude(state=IV.WITHDRAWN)
    shown = live.exclude(application_id__in=withdrew)

    # Both rounds' "waiting for an interviewer" in one query: applicants in the round's statuses with no
    # live interview of that round.
    def without(round_: int):
        return ~Exists(live.filter(round=round_, application_id=OuterRef("pk")))

    # Filtered by status first, so the (action, status) index leaves only the applicants in a round.
    waiting_for_interviewer = Application.objects.filter(
        action=action, status__in=[Status.MOVED_FORWARD, Status.IN_ROUND_1, Status.IN_ROUND_2]
    ).aggregate(
        one=Count("id", filter=Q(status__in=[Status.MOVED_FORWARD, Status.IN_ROUND_1]) & Q(without(1))),
        two=Count("id", filter=Q(status=Status.IN_ROUND_2) & Q(without(2))),
    )
    waiting_for_interviewer = {1: waiting_for_interviewer["one"], 2: waiting_for_interviewer["two"]}
    # Sheets to review and invitations past their deadline, in one query, split here.
    needing_hr = list(
        shown.filter(Q(state=IV.SUBMITTED) | Q(state=IV.INVITED, respond_by__lt=now))
        .select_related("application", "sme")
        .only(*SHOWN_FIELDS)
        .order_by("submitted_at", "respond_by", "id")[:400]
    )
    attention = [i for i in needing_hr if i.state == IV.SUBMITTED][:200]
    overdue = sorted((i for i in needing_hr if i.state == IV.INVITED), key=lambda i: (i.respond_by, i.pk))[
        :200
    ]
    # Only the columns the list shows: whole rows (notes, ratings, the application's imported data)
    # made this 500-row list cost 60 of the dashboard's 95 ms at 50,000 applicants (bench/run.py).
    interviews = list(
        shown.select_related("application", "sme")
        .only(*SHOWN_FIELDS)
        .order_by("round", "application__applicant_name", "id")[:INTERVIEW_LIST]
    )
    return {
        "rounds": [
            {
                "number": r,
                "seats": seats.get(r, []),
                "counts": [
                    (state, state.label, counts.get((r, state), 0)) for state in IV if state != IV.WITHDRAWN
                ],
                "assigned": counts.get((r, IV.ASSIGNED), 0),
                "waiting": waiting_for_interviewer.get(r, 0),
            }
            for r in rounds
        ],
        "attention": attention,
        "overdue": overdue,
        "interviews": interviews,
        "interview_total": sum(counts.values()),
        "smes": list(
            ActionRole.objects.filter(action=action, role=Role.SME)
            .select_related("user")
            .order_by("user__email")
        ),
        "now": now,
    }


def interviews_of_application(*, application: Application) -> QuerySet[Interview]:
    """Every live interview of one applicant, for HR (both rounds, with notes and scores)."""
    return application.interviews.exclude(state=IV.WITHDRAWN).select_related("sme").order_by("round")
