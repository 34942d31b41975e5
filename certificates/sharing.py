"""Competitive Service Act sharing (rules 51-61; domain-research §3): another agency's request for an
audited original, the copy it gets, the receiving agency's internal notice, and corrections to an
original that every holder of a copy hears of. One transaction each, with its audit row."""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import AgencyRole, User
from hiring.workflow import Actor
from smeqa.errors import DomainError

from . import rules
from .models import Certificate, Correction, Disposition, Entry, ShareRequest
from .services import _audit, _locked, _render_later, is_agency_hr, may_administer


@transaction.atomic
def internal_notice_record(*, certificate_id: int, hr: User, closed_on: date, version: int) -> Certificate:
    """A receiving agency records when its internal notice to its own employees closed (rule 56)."""
    certificate = _locked(certificate_id, version)
    if not certificate.is_copy or not may_administer(certificate, hr):
        raise DomainError("Only the receiving agency's HR records its internal notice.")
    certificate.internal_notice_closed_on = closed_on
    certificate.version += 1
    certificate.save(update_fields=["internal_notice_closed_on", "version"])
    _audit(
        action_id=certificate.action_id, actor=hr, actor_role=Actor.HR,
        reason=f"Certificate {certificate.number}: internal notice closed on {closed_on:%Y-%m-%d}.",
    )  # fmt: skip
    return certificate


# --- sharing ------------------------------------------------------------------------------------------


@transaction.atomic
def share_request(
    *, certificate_id: int, hr: User, agency_id: int, position_title: str, series: str, grade: int,
    full_performance_level: int, duty_location: str, appointment_type: str,
) -> ShareRequest:  # fmt: skip
    """Another agency asks to use an audited certificate for its own position. Logged either way (rule
    61); refused with the failing conditions named (rules 51, 53-55); allowed, it makes a copy in the
    original order with only opted-in applicants not selected by the original agency (rule 52), and
    tells each of them who will consider them (rule 60).

    A pooled action's originals are shared only after lead HR closes the pool, never with the lead or
    a participating agency, and a copy leaves out anyone selected on any original of the action
    (ADR 0015 step 7; §3.2: redact anyone the original agencies already selected)."""
    from hiring.models import Participant

    from .pool import selected_in_pool

    original = _locked(certificate_id)
    if original.is_copy:
        raise DomainError("A shared certificate cannot be shared onward (rule 58).")
    if not is_agency_hr(hr, agency_id):
        raise DomainError("Only HR of the requesting agency can request a certificate.")
    if agency_id == original.agency_id:
        raise DomainError("This certificate is your agency's own; sharing is with other agencies.")
    pooled = original.action.is_pooled
    if pooled and (
        agency_id == original.action.agency_id
        or Participant.objects.filter(action_id=original.action_id, agency_id=agency_id).exists()
    ):
        raise DomainError(
            "Your agency takes part in this pooled action: select from its own certificates. Sharing is "
            "with agencies outside the pool."
        )
    requested = rules.Position(series, grade, full_performance_level, duty_location, appointment_type)
    refusals = rules.share_refusals(
        original=rules.Position(original.series, original.grade, original.full_performance_level, original.duty_location,
                                original.appointment_type),
        requested=requested, issued_on=original.issued_on, today=timezone.localdate(),
        audited=original.state == Certificate.State.AUDITED,
    )  # fmt: skip
    if pooled and original.action.pool_closed_at is None:
        refusals = [
            *refusals,
            "The agencies in this action's pool are still selecting; its certificates are shared once "
            "lead HR closes the pool.",
        ]
    if not refusals and Certificate.objects.filter(source=original, agency_id=agency_id).exists():
        refusals = ["Your agency already has a copy of this certificate."]
    log = ShareRequest.objects.create(
        certificate=original, agency_id=agency_id, requested_by=hr, position_title=position_title, series=series,
        grade=grade, full_performance_level=full_performance_level, duty_location=duty_location,
        appointment_type=appointment_type, refusals=refusals,
    )  # fmt: skip
    _audit(
        action_id=original.action_id, actor=hr, actor_role=Actor.HR,
        reason=f"Certificate {original.number} requested by agency {agency_id} for “{position_title}”: "
        + ("refused: " + " ".join(refusals) if refusals else "shared."),
    )  # fmt: skip
    if refusals:
        return log
    entries = list(original.entries.filter(removed=False).select_related("application").order_by("rank"))
    # On a pooled action "selected" means on any original of the action (empty otherwise).
    elsewhere = set(
        selected_in_pool()
        .filter(application_id__in=[e.application_id for e in entries])
        .values_list("application_id", flat=True)
        if pooled
        else []
    )
    keep = set(
        rules.shared_names(
            [
                (
                    e.pk,
                    e.application.sharing_opt_in is True,
                    e.disposition == Disposition.SELECTED or e.application_id in elsewhere,
                )
                for e in entries
            ]
        )
    )
    copy = Certificate.objects.create(
        action=original.action, number=f"{original.number}-S{original.copies.count() + 1}", source=original,
        agency_id=agency_id, title=position_title or original.title, series=original.series, pay_plan=original.pay_plan,
        grade=original.grade, full_performance_level=original.full_performance_level,
        duty_location=original.duty_location, appointment_type=appointment_type, categories=original.categories,
        merged=original.merged, issued_by=hr, issued_on=original.issued_on,
        return_by=min(timezone.localdate() + timedelta(days=30), rules.last_csa_day(original.issued_on)),
    )  # fmt: skip
    kept = [e for e in entries if e.pk in keep]
    Entry.objects.bulk_create(
        Entry(
            certificate=copy,
            application_id=e.application_id,
            rank=rank,
            name=e.name,
            preference=e.preference,
            tentative=e.tentative,
            score=e.score,
            category=e.category,
            earned_category=e.earned_category,
            why=e.why,
        )
        for rank, e in enumerate(kept, start=1)
    )
    log.copy = copy
    log.save(update_fields=["copy"])
    agency = copy.agency
    for e in kept:
        event = _audit(
            action_id=original.action_id, actor=hr, actor_role=Actor.HR, application_id=e.application_id,
            reason=f"Shared with {agency.name} on certificate {copy.number}.",
        )  # fmt: skip
        context = {"application": e.application, "agency": agency, "copy": copy, "action": original.action}
        hiring_services.notice_queue(
            application=e.application, event=event,
            subject=render_to_string("certificates/notices/shared_subject.txt", context),
            body=render_to_string("certificates/notices/shared.txt", context),
        )  # fmt: skip
    _render_later(copy)
    return log


@transaction.atomic
def correction_record(*, certificate_id: int, hr: User, note: str) -> Correction:
    """HR of the original records a correction; every copy shows it and each receiving agency's HR is
    emailed (rule 61: notify every receiving agency of an error found later)."""
    certificate = _locked(certificate_id)
    if certificate.is_copy or not may_administer(certificate, hr):
        raise DomainError("Only HR of the original certificate records corrections.")
    if not note.strip():
        raise DomainError("Describe the correction.", field="note")
    correction = Correction.objects.create(certificate=certificate, note=note.strip(), made_by=hr)
    _audit(
        action_id=certificate.action_id,
        actor=hr,
        actor_role=Actor.HR,
        reason=f"Certificate {certificate.number} corrected: {correction.note}",
    )
    recipients = sorted(
        set(
            AgencyRole.objects.filter(
                agency_id__in=certificate.copies.values("agency_id"), role=AgencyRole.Kind.HR
            ).values_list("user__email", flat=True)
        )
    )
    if recipients:
        subject = f"Correction to shared certificate {certificate.number}"
        body = (
            f"{certificate.agency.name} corrected certificate {certificate.number} ({certificate.title}), which your "
            f"agency received a copy of:\n\n{correction.note}\n\nSee the copy in smeqa for details."
        )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    for shown_on in [certificate, *certificate.copies.all()]:  # every copy's PDF shows it too
        _render_later(shown_on)
    return correction
