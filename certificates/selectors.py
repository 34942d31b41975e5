"""Reads for phase 5, scoped to the person asking: 404 for both missing and not-yours."""

from datetime import timedelta
from typing import NamedTuple

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from assessments.models import Interview
from hiring.models import AgencyRole, Application, HiringAction, User
from hiring.workflow import Status

from . import rules
from .models import Certificate, Disposition, Entry, GradeCheck


def certificate_for(*, user: User, pk: int) -> Certificate:
    """A certificate the user may see: HR or hiring manager of its action (an original; on a pooled
    action, only a manager of the certificate's agency, ADR 0015), or HR of the agency that received it
    (a copy). Anyone else gets 404, another participant's hiring manager too."""
    certificate = (
        Certificate.objects.select_related("action__agency", "agency", "source", "issued_by")
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate.")
    from .services import may_administer, may_select

    allowed = may_select(certificate, user) or may_administer(certificate, user)
    if not allowed:
        raise Http404("No such certificate.")
    return certificate


def entry_for(*, certificate: Certificate, pk: int) -> Entry:
    try:
        return certificate.entries.select_related("application").get(pk=pk)
    except Entry.DoesNotExist:
        raise Http404("No such name on this certificate.") from None


def qualified_applicants(*, action: HiringAction, waiting_first: bool = False) -> QuerySet[Application]:
    """Applicants who passed every assessment, with their adjudication if any (rule 31); with
    `waiting_first`, claims still to adjudicate (not NV, no decision) come before the rest."""
    rows = Application.objects.filter(
        action=action, status__in=[Status.QUALIFIED, Status.REFERRED, Status.NOT_REFERRED]
    ).select_related("adjudication")
    if waiting_first:
        waiting = Q(adjudication__isnull=True) & ~Q(preference_claim="NV")
        rows = rows.annotate(
            decided=Case(When(waiting, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        return rows.order_by("decided", "applicant_name", "pk")
    return rows.order_by("applicant_name", "pk")


def grade_checks_due(*, action: HiringAction, grades: list[int]) -> QuerySet[Application]:
    """Applicants who passed every assessment and still lack a time-in-grade check for one of `grades`
    (the action's grades above its lowest), by name. One `NOT EXISTS` per grade on the unique
    (application, grade) index, so counting and taking the first page stays quick at 50,000."""
    if not grades:
        return Application.objects.none()
    missing = Q()
    for grade in grades:
        missing |= ~Exists(GradeCheck.objects.filter(application=OuterRef("pk"), grade=grade))
    return Application.objects.filter(missing, action=action, status=Status.QUALIFIED).order_by(
        "applicant_name", "pk"
    )


def certificates_of(*, action: HiringAction) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(action=action)
        .select_related("agency", "source")
        .annotate(names=Count("entries"))
        .order_by("source_id", "created_at", "pk")
    )


def certificates_for_manager(*, user: User) -> QuerySet[Certificate]:
    """Originals the user selects from as a hiring manager: on a pooled action, only their own
    agency's (the lead's for a manager with no agency), as `services.may_select` decides."""
    from .services import selecting_roles

    return (
        Certificate.objects.filter(
            Exists(selecting_roles(user=user, action=OuterRef("action"), agency=OuterRef("agency"))),
            source__isnull=True,
        )
        .select_related("action")
        .annotate(names=Count("entries"))
        .order_by("-created_at")
    )


def copies_for_agency_hr(*, user: User) -> QuerySet[Certificate]:
    agencies = AgencyRole.objects.filter(user=user, role=AgencyRole.Kind.HR).values("agency_id")
    return (
        Certificate.objects.filter(source__isnull=False, agency_id__in=agencies)
        .select_related("source")
        .order_by("-created_at")
    )


def talent_pool(*, user: User) -> list[Certificate]:
    """Audited original certificates of other agencies within their 240 days, with the count of opted-in
    eligibles not selected: what another agency may request (rules 51-55; USAJOBS Talent Pools).

    A pooled action's originals appear only once lead HR closed its pool, and never to HR of the lead or
    of a participating agency: they had their turn (ADR 0015 step 7). Their `available` leaves out anyone
    selected on any original of the action (§3.2: redact anyone the original agencies selected)."""
    from django.db.models.functions import Coalesce

    from hiring.models import Participant

    from .pool import selected_in_pool

    earliest = timezone.localdate() - timedelta(days=rules.CSA_WINDOW_DAYS - 1)
    mine = AgencyRole.objects.filter(user=user, role=AgencyRole.Kind.HR).values("agency_id")
    available = (
        Entry.objects.filter(certificate_id=OuterRef("pk"), removed=False, application__sharing_opt_in=True)
        .exclude(disposition=Disposition.SELECTED)
        .exclude(Exists(selected_in_pool().filter(application_id=OuterRef("application_id"))))
        .order_by()
        .values("certificate_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Certificate.objects.filter(
            source__isnull=True, state=Certificate.State.AUDITED, issued_on__gte=earliest
        )
        .annotate(
            pooled=Exists(Participant.objects.filter(action_id=OuterRef("action_id"))),
            took_part=Exists(Participant.objects.filter(action_id=OuterRef("action_id"), agency_id__in=mine)),
        )
        .filter(Q(pooled=False) | Q(action__pool_closed_at__isnull=False, took_part=False))
        .exclude(agency_id__in=mine)
        .exclude(pooled=True, action__agency_id__in=mine)
        .select_related("agency")
        .annotate(available=Coalesce(Subquery(available), 0))
        .order_by("-issued_on", "pk")
    )


def package(*, entry: Entry) -> dict:
    """What the selecting official reads about one name: the resume and every accepted interview sheet
    with its notes, ratings and analysis (SMEQA certificate.md: the certificate plus assessment materials)."""
    from assessments.interviews import sheet_parts

    sheets = []
    for interview in (
        Interview.objects.filter(application_id=entry.application_id, state=Interview.State.ACCEPTED)
        .select_related("sme", "action")
        .order_by("round")
    ):
        questions, competencies = sheet_parts(interview)
        sheets.append(
            {
                "interview": interview,
                "questions": [(q, interview.notes.get(str(q.pk), "")) for q in questions],
                "ratings": [
                    (name, interview.ratings.get(str(cid), "")) for cid, name in competencies.items()
                ],
            }
        )
    resume = entry.application.documents.filter(kind="resume").first()
    return {"sheets": sheets, "resume": resume}


NAMES_PAGE = 50  # names a page on the certificate page


class NamesPage(NamedTuple):
    """One page of a certificate's names, by rank (ranks run 1..N): each name carries two forms, and
    500 of them took 1.6 s to render (bench/run.py)."""

    entries: list[Entry]
    total: int
    first: int  # rank of the first name shown (0 when none)
    last: int
    previous_from: int | None  # the "from" of the page before, None on the first
    next_from: int | None


def certificate_names(*, certificate: Certificate, start: int) -> NamesPage:
    """The names ranked after `start`, NAMES_PAGE of them, with what the pager needs.

    Each name carries `selected_by` and `selected_on`: the agency and number of another original of the
    action on which the same application holds an A, else None ("selected elsewhere", ADR 0015 step 6).
    Not stored: recording D there (declined, DEOH pp. 6-24-6-29) clears it at the next page load. Two
    correlated subqueries in the one query, so the page's query count does not grow with its names."""
    total = certificate.entries.count()
    elsewhere = (
        Entry.objects.filter(
            application=OuterRef("application"),
            certificate__action=OuterRef("certificate__action"),
            certificate__source__isnull=True,
            disposition=Disposition.SELECTED,
        )
        .exclude(certificate=OuterRef("certificate"))
        .order_by("pk")
    )
    entries = list(
        certificate.entries.select_related("pass_over")
        .annotate(
            selected_by=Subquery(elsewhere.values("certificate__agency__name")[:1]),
            selected_on=Subquery(elsewhere.values("certificate__number")[:1]),
        )
        .filter(rank__gt=start)
        .order_by("rank")[:NAMES_PAGE]
    )
    return NamesPage(
        entries=entries,
        total=total,
        first=start + 1 if entries else start,
        last=start + len(entries),
        previous_from=max(0, start - NAMES_PAGE) if start else None,
        next_from=start + NAMES_PAGE if start + NAMES_PAGE < total else None,
    )


def names_page_start(rank: int) -> int:
    """The "from" of the page that shows the name ranked `rank`."""
    return (rank - 1) // NAMES_PAGE * NAMES_PAGE
