"""Reads for the hiring spine, scoped to what the user may see. Lookups from user input answer 404
for both "missing" and "not yours", so a probe learns nothing."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404

from .models import (
    ActionRole,
    Agency,
    AgencyRole,
    Application,
    Comment,
    HiringAction,
    InterviewQuestion,
    Notice,
    Participant,
    Role,
    User,
    Vacancy,
)
from .workflow import Status

ACTIVE_STATUSES = [s for s in Status if s not in {Status.WITHDRAWN}]


def roles_of(user: User) -> set[str]:
    """The roles a signed-in user holds anywhere: HR/SME/hiring manager from data, plus candidate."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_smeqa_roles", None)
    if cached is not None:  # asked by role_required and the navigation on the same request
        return set(cached)
    # One query: the action roles, an agency HR role, and having applied, as a UNION of role names.
    action_roles = ActionRole.objects.filter(user=user).values_list("role").order_by()
    agency_hr = (
        AgencyRole.objects.filter(user=user, role=AgencyRole.Kind.HR)
        .annotate(name=Value(str(Role.HR)))
        .values_list("name")
        .order_by()
    )
    applied = (
        Application.objects.filter(candidate=user)
        .annotate(name=Value("candidate"))
        .values_list("name")
        .order_by()
    )
    roles = {name for (name,) in action_roles.union(agency_hr, applied)}
    if user.agency_id is None:
        roles.add("candidate")
    user._smeqa_roles = frozenset(roles)
    return roles


def actions_for(*, user: User, role: Role, with_counts: bool = False) -> QuerySet[HiringAction]:
    """Hiring actions on which `user` holds `role`; with applicant counts (HR's list) when asked, since
    counting costs ~70 ms at 50,000 applicants (bench/resume_review.py)."""
    actions = HiringAction.objects.filter(roles__user=user, roles__role=role).select_related("agency")
    if not with_counts:
        return actions.order_by("-created_at", "-id")
    return actions.annotate(
        applicant_count=Count("applications", distinct=True),
        in_progress_count=Count(
            "applications",
            filter=~Q(
                applications__status__in=[
                    Status.INELIGIBLE,
                    Status.DID_NOT_MOVE_FORWARD,
                    Status.FAILED_ASSESSMENT,
                    Status.SELECTED,
                    Status.NOT_SELECTED,
                    Status.WITHDRAWN,
                ]
            ),
            distinct=True,
        ),
    ).order_by("-created_at", "-id")


def action_for(*, user: User, pk: int, role: Role) -> HiringAction:
    """One hiring action on which `user` holds `role`, or 404."""
    try:
        return _with_pooled(HiringAction.objects.select_related("agency")).get(
            pk=pk, roles__user=user, roles__role=role
        )
    except HiringAction.DoesNotExist:
        raise Http404("No such hiring action.") from None


def applications_for_action(*, action: HiringAction) -> QuerySet[Application]:
    """Every application to `action`, newest first, with candidate loaded."""
    return (
        Application.objects.filter(action=action).select_related("candidate").order_by("-submitted_at", "-id")
    )


def status_counts(*, action: HiringAction) -> list[tuple[Status, int]]:
    """How many applications are in each status, in the workflow's order (zeros included)."""
    counts = dict(
        Application.objects.filter(action=action).values_list("status").annotate(n=Count("*")).order_by()
    )
    return [(status, counts.get(status, 0)) for status in Status]


def application_for_hr(*, user: User, action_pk: int, pk: int) -> Application:
    """One application on an action where `user` is HR, or 404."""
    try:
        return Application.objects.select_related("action__agency", "candidate").get(
            pk=pk, action_id=action_pk, action__roles__user=user, action__roles__role=Role.HR
        )
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


def applications_for_candidate(*, user: User) -> QuerySet[Application]:
    """The signed-in candidate's own applications."""
    return (
        Application.objects.filter(candidate=user).select_related("action__agency").order_by("-submitted_at")
    )


def application_for_candidate(*, user: User, pk: int) -> Application:
    """One of the signed-in candidate's own applications, or 404."""
    try:
        return Application.objects.select_related("action__agency").get(pk=pk, candidate=user)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


def candidate_timeline(*, application: Application) -> QuerySet[Notice]:
    """What the candidate has been told, oldest first: the status page's timeline."""
    return Notice.objects.filter(application=application).select_related("event").order_by("created_at", "id")


def events_for_application(*, application: Application) -> QuerySet:
    """The full audit trail of one application, for HR."""
    return application.events.select_related("actor").order_by("created_at", "id")


def action_for_member(*, user: User, pk: int) -> tuple[HiringAction, set[str]]:
    """A hiring action `user` holds any role on, with those roles; 404 otherwise."""
    roles = set(ActionRole.objects.filter(action_id=pk, user=user).values_list("role", flat=True))
    if not roles:
        raise Http404("No such hiring action.")
    return _with_pooled(HiringAction.objects.select_related("agency")).get(pk=pk), roles


def _with_pooled(actions: QuerySet[HiringAction]) -> QuerySet[HiringAction]:
    """Whether each action is pooled, in the same query (`HiringAction.is_pooled` reads it): the pages
    of a pooled action ask it several times (ADR 0015)."""
    return actions.annotate(has_participants=Exists(Participant.objects.filter(action=OuterRef("pk"))))


def job_analysis_of(*, action: HiringAction) -> dict:
    """The job analysis for display: competencies and each round's questions, prefetched."""
    competencies = list(action.competencies.all())
    questions = list(action.questions.prefetch_related("competencies"))
    return {
        "competencies": competencies,
        "rounds": [
            (number, label, [q for q in questions if q.round == number])
            for number, label in InterviewQuestion.Round.choices
        ],
        "comments": Comment.objects.filter(action=action, topic=Comment.Topic.JOB_ANALYSIS).select_related(
            "author"
        ),
        "versions": action.job_analysis_versions.select_related("finalized_by"),
    }


def agencies_for_hr(*, user: User) -> QuerySet[Agency]:
    """The agencies whose hiring actions `user` may create."""
    return Agency.objects.filter(agency_roles__user=user, agency_roles__role=AgencyRole.Kind.HR).distinct()


# --- HR's applicant list: filter, sort, keyset pages -------------------------------------------------

PAGE_SIZE = 50
# sort key → (ORDER BY, the field the cursor carries, descending?). Each is backed by an index led by
# (action, …) and (action, status, …) (hiring/models/applications.py), so a page 40,000 rows deep reads
# 50 index entries, like the first (issue 7: no OFFSET).
APPLICANT_SORTS = {
    "newest": (("-submitted_at", "-id"), "submitted_at", True),
    "oldest": (("submitted_at", "id"), "submitted_at", False),
    "name": (("applicant_name", "id"), "applicant_name", False),
}


class BadCursor(ValueError):
    """A page link that was edited or belongs to another sort: the list starts again at page 1."""


def encode_cursor(value, pk: int) -> str:
    import base64
    import json

    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, field: str):
    import base64
    import json
    from datetime import datetime

    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        pk = int(pk)
        if field == "submitted_at":
            value = datetime.fromisoformat(value)
        elif not isinstance(value, str):
            raise TypeError
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadCursor(cursor) from exc
    return value, pk


def applicant_page(*, action: HiringAction, status: str = "", sort: str = "newest", after: str = "") -> dict:
    """One page of the action's applicants: filtered by status, sorted, 50 at a time after `after`.

    Two queries whatever the page (the rows, and one more row to know if there is a next page is folded
    into the same LIMIT 51). Raises BadCursor for a link that does not decode.
    """
    order, field, descending = APPLICANT_SORTS.get(sort, APPLICANT_SORTS["newest"])
    rows = Application.objects.filter(action=action).only(
        "pk", "applicant_name", "status", "submitted_at", "action_id"
    )
    if status:
        rows = rows.filter(status=status)
    if after:
        value, pk = _decode_cursor(after, field)
        # "After (value, pk)" as a range the index can start from (value >= X, minus the rows of X up to
        # pk), not as an OR, which PostgreSQL answers by reading from the start of the action.
        if descending:
            rows = rows.filter(**{f"{field}__lte": value}).exclude(**{field: value, "pk__gte": pk})
        else:
            rows = rows.filter(**{f"{field}__gte": value}).exclude(**{field: value, "pk__lte": pk})
    page = list(rows.order_by(*order)[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    last = page[-1] if page else None
    return {
        "applications": page,
        "next": encode_cursor(getattr(last, field), last.pk) if more and last else "",
    }


# --- pooled hiring (ADR 0015) -----------------------------------------------------------------------


def pool_of(*, action: HiringAction) -> list[Participant]:
    """The action's participating agencies, each with `.vacancy_rows` and `.managers` (hiring
    managers selecting for that agency) loaded: three queries whatever the pool's size."""
    participants = list(
        Participant.objects.filter(action=action)
        .select_related("agency")
        .prefetch_related(Prefetch("vacancies", queryset=Vacancy.objects.order_by("duty_location", "grade")))
    )
    managers: dict[int, list[User]] = {}
    for role in (
        ActionRole.objects.filter(action=action, role=Role.HIRING_MANAGER, agency__isnull=False)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ):
        managers.setdefault(role.agency_id, []).append(role.user)
    for participant in participants:
        participant.vacancy_rows = list(participant.vacancies.all())
        participant.managers = managers.get(participant.agency_id, [])
    return participants


def pool_places(*, action: HiringAction) -> list[tuple[str, str]]:
    """The places an applicant to a pooled action may accept: one (key, label) per participant and duty
    location with a vacancy, keyed "participant_id:location". Empty for a single-agency action."""
    rows = (
        Vacancy.objects.filter(participant__action=action)
        .values_list("participant_id", "participant__agency__name", "duty_location")
        .distinct()
        .order_by("participant__agency__name", "duty_location", "participant_id")
    )
    return [(f"{pk}:{location}", f"{agency}: {location}") for pk, agency, location in rows]


def agencies_to_add(*, action: HiringAction) -> QuerySet[Agency]:
    """Agencies that could join the action's pool: every agency not already taking part."""
    return Agency.objects.exclude(participations__action=action).order_by("name")


def pool_standing(*, application: Application) -> dict | None:
    """A pooled application's own choices and listings, for the candidate's status page (ADR 0015):
    the agencies and duty locations they accept, and which agencies' original certificates list them
    at which grades. None when the action is not pooled. Two queries at most; only this applicant's own
    rows are read, so no other candidate, score or selection shows (a pooled application always has
    at least one place, ADR 0015 step 2).
    """
    places = list(application.places.select_related("participant__agency"))
    if not places:
        return None
    listed: dict[tuple[str, str], list[int]] = {}
    entries = (
        application.certificate_entries.filter(certificate__source__isnull=True, removed=False)
        .order_by("certificate__agency__name", "certificate__duty_location", "certificate__grade")
        .values_list("certificate__agency__name", "certificate__duty_location", "certificate__grade")
    )
    for agency, location, grade in entries:
        grades = listed.setdefault((agency, location), [])
        if grade not in grades:
            grades.append(grade)
    return {
        "places": [(place.participant.agency.name, place.duty_location) for place in places],
        "lowest_grade": application.lowest_grade,
        "listed": [
            {"agency": agency, "duty_location": location, "grades": grades}
            for (agency, location), grades in listed.items()
        ],
    }
