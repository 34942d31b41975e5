"""Issuing original certificates (rules 39-42; ADR 0015 step 5): one per agency, grade and duty location,
from what `certificates.placing` places, under the action's lock."""

from collections.abc import Iterable
from datetime import date
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import AuditEvent, HiringAction, Role, User
from hiring.services import require_role
from hiring.workflow import Actor, Phase, Status
from smeqa.errors import DomainError

from . import rules
from .models import Adjudication, Certificate, Entry
from .placing import PREFERENCE, Waiting, is_multi_grade, preview, slots

_audit = partial(AuditEvent.objects.create, subject=AuditEvent.Subject.CERTIFICATE)


# --- issuing ------------------------------------------------------------------------------------


def _names(rows: Iterable[Waiting]) -> str:
    rows = list(rows)
    return ", ".join(w.applicant_name for w in rows[:5]) + (" and others" if len(rows) > 5 else "")


@transaction.atomic
def certificate_issue(
    *, action_id: int, hr: User, grade: int, duty_location: str, return_by: date, agency_id: int | None = None
) -> Certificate:
    """Issue the certificate for one agency, grade and duty location: the highest category, merged with
    the next while fewer than 3 (rule 40), in placement order, with each name's preference symbol (rule
    41); on a pooled action only those who accepted that agency and location (ADR 0015 step 5).

    Atomic: the action row is locked and a unique constraint allows one original per agency, grade and
    location, so a second click gets "already issued". Listed applicants are referred (ELSR). Qualified
    applicants left off are told so (ELSN) once the last certificate of a single-agency action is issued
    (before that, another grade or location may still list them); on a pooled action, when lead HR closes
    the pool (`certificates.pool`). The PDF is rendered by a task after commit.
    """
    action = HiringAction.objects.select_for_update(no_key=True).select_related("agency").get(pk=action_id)
    require_role(action=action, user=hr, role=Role.HR)
    if action.phase != Phase.CERTIFICATE:
        raise DomainError("Move the action to the certificate phase first (every interview decided).")
    if grade not in action.grades or duty_location not in action.duty_locations:
        raise DomainError("Choose one of the action's grades and duty locations.")
    agency_id = agency_id or action.agency_id
    slot = next(
        (
            s
            for s in slots(action)
            if (s.agency_id, s.duty_location, s.grade) == (agency_id, duty_location, grade)
        ),
        None,
    )
    if slot is None:
        raise DomainError(
            f"No participating agency has a {action.pay_plan}-{grade:02d} vacancy in {duty_location}; "
            "choose one of the certificates listed on this page."
            if action.is_pooled
            else "Choose one of the action's grades and duty locations."
        )
    existing = Certificate.objects.filter(
        action=action, source__isnull=True, agency_id=agency_id, grade=grade, duty_location=duty_location
    ).first()
    if existing is not None:
        raise DomainError(
            f"Certificate {existing.number} was already issued for this agency, grade and location."
            if action.is_pooled
            else f"Certificate {existing.number} was already issued for this grade and location."
        )
    if return_by <= timezone.localdate():
        raise DomainError("The return date must be after today.", field="return_by")
    listed, _, waiting = preview(action, slot)
    claims = [w for w in waiting if w.reason == PREFERENCE]
    if claims:
        raise DomainError(f"Adjudicate veterans' preference first for: {_names(claims)}.")
    if waiting:
        raise DomainError(
            f"Record time in grade at {action.pay_plan}-{grade:02d} first (52 weeks at the grade below, rule 42) "
            f"for: {_names(waiting)}."
        )
    if not listed.names:
        raise DomainError(
            f"No one who accepted {slot.agency_name} in {duty_location} qualifies at {action.pay_plan}-{grade:02d}, "
            "so there is no one to certify."
            if action.is_pooled
            else "No one has qualified yet, so there is no one to certify."
        )
    sequence = Certificate.objects.filter(action=action, source__isnull=True).count() + 1
    today = timezone.localdate()
    agency = (
        action.agency
        if agency_id == action.agency_id
        else action.participants.get(agency_id=agency_id).agency
    )
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                action=action, number=f"{agency.code}-{today:%Y}-{action.pk:04d}-{sequence:02d}",
                agency=agency, title=action.official_title or action.title, series=action.series,
                pay_plan=action.pay_plan, grade=grade, full_performance_level=action.full_performance_level,
                duty_location=duty_location, appointment_type=action.appointment_type,
                categories=listed.categories, merged=listed.merged, issued_by=hr, issued_on=today, return_by=return_by,
            )  # fmt: skip
    except IntegrityError:
        raise DomainError("This certificate was just issued by someone else; reload the page.") from None
    tentative = set(
        Adjudication.objects.filter(application__action=action, tentative=True).values_list(
            "application_id", flat=True
        )
    )
    Entry.objects.bulk_create(
        Entry(
            certificate=certificate,
            application_id=p.key,
            rank=rank,
            name=p.name,
            preference=p.preference,
            tentative=p.key in tentative,
            score=p.score,
            category=p.category,
            earned_category=p.earned,
            why=p.why,
        )
        for rank, p in enumerate(listed.names, start=1)
    )
    _audit(
        action_id=action.pk, actor=hr, actor_role=Actor.HR,
        reason=f"Certificate {certificate.number} issued{f' for {agency.name}' if action.is_pooled else ''}: "
        f"{len(listed.names)} name(s), {' + '.join(rules.CATEGORY_LABELS[c] for c in listed.categories)}"
        f"{' (merged)' if listed.merged else ''}.",
    )  # fmt: skip
    _move_statuses(action, certificate, {p.key for p in listed.names}, hr)
    _render_later(certificate)
    return certificate


def _move_statuses(action: HiringAction, certificate: Certificate, referred: set[int], hr: User) -> None:
    """Refer the listed, and tell the others they were not referred once no certificate is left that
    could list them (ELSN, domain-research §1.10 and rule 64).

    A single-grade, single-agency action lists the same names at every location, so that is now. A
    multi-grade one may still list them at another grade: at its last certificate. A pooled one: never
    at issue; when lead HR closes the pool (ADR 0015 steps 5 and 7).
    """
    if action.is_pooled:
        last = False
    elif is_multi_grade(action):
        issued = set(
            Certificate.objects.filter(action=action, source__isnull=True).values_list(
                "agency_id", "duty_location", "grade"
            )
        )
        last = all((s.agency_id, s.duty_location, s.grade) in issued for s in slots(action))
    else:
        last = True
    moves = [(Status.QUALIFIED, Status.REFERRED), (Status.NOT_REFERRED, Status.REFERRED)]
    if last:
        moves.append((Status.QUALIFIED, Status.NOT_REFERRED))
    for from_status, to_status in moves:
        chosen = referred if to_status == Status.REFERRED else None
        # One bulk move per pair (an audit row and a notice each, as one transition gives): issuing 262
        # names one by one took 2 s (bench/pooled.py).
        hiring_services.applications_transition(
            action_id=action.pk, from_status=from_status, to_status=to_status, actor=hr, actor_role=Actor.HR,
            reason=f"Certificate {certificate.number}.", application_ids=chosen,
        )  # fmt: skip


def _render_later(certificate: Certificate) -> None:
    """Draw the PDF after commit. Marked pending first: the task skips a PDF that is already ready, so
    without this an audited or corrected certificate would keep the PDF drawn at issue."""
    from .tasks import certificate_pdf_render_soon

    Certificate.objects.filter(pk=certificate.pk).update(pdf_state=Certificate.Pdf.PENDING)
    certificate.pdf_state = Certificate.Pdf.PENDING
    transaction.on_commit(lambda: certificate_pdf_render_soon(certificate.pk))
