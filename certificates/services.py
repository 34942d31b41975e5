"""Phase 5 writes on the certificate: preference adjudication, who may act, dispositions (with
"selected elsewhere"), pass-overs, return and audit. One transaction each, with its audit row; candidate
notices through hiring.services. Placing and previewing are in `placing`, issuing in `issuing`,
Competitive Service Act sharing in `sharing`, the pooled action's close in `pool`.

Lock order: certificate, then entry, then application (application_transition locks it last).
"""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from hiring import services as hiring_services
from hiring.models import (
    Application,
    AuditEvent,
    Role,
    User,
)
from hiring.services import require_role
from hiring.workflow import Actor, Status
from smeqa.errors import DomainError

from . import rules

# Re-exported: callers have always found these here.
from .access import is_agency_hr, may_administer, may_select, selecting_roles  # noqa: F401
from .issuing import _render_later, certificate_issue  # noqa: F401
from .models import (
    Adjudication,
    Certificate,
    Disposition,
    Entry,
    PassOver,
    Preference,
)
from .placing import PREVIEW_SECONDS, Waiting, placements, preview, preview_cached, round_scores  # noqa: F401

DOCS = Adjudication.Document
# Codes that end a name's claim on the certificate: it no longer "remains" for rule 44.
FINISHED = {
    Disposition.DECLINED,
    Disposition.FAILED_TO_RESPOND,
    Disposition.CURRENTLY_EMPLOYED,
    Disposition.PASSED_OVER,
}


# An audit row of this module's subject; the other fields are AuditEvent's (unnamed states are "").
_audit = partial(AuditEvent.objects.create, subject=AuditEvent.Subject.CERTIFICATE)


# --- preference ---------------------------------------------------------------------------------


@transaction.atomic
def adjudicate(
    *, application_id: int, hr: User, preference: str, documents: list[str], disability_percent: int | None = None,
    tentative: bool = False, note: str = "",
) -> Adjudication:  # fmt: skip
    """Record HR's decision on a preference claim from the documents seen.

    Only for applicants who passed every assessment (rule 31). CP needs a compensable rating of 10% to
    under 30%, CPS 30% or more (rule 36). A 10-point claim rests on VA or military proof; a missing SF-15
    alone does not deny it (rule 37). A claim on an active-duty certification is tentative (rule 38).
    """
    application = (
        Application.objects.select_for_update(no_key=True).select_related("action").get(pk=application_id)
    )
    require_role(action=application.action, user=hr, role=Role.HR)
    if application.status != Status.QUALIFIED:
        raise DomainError(
            "Preference is adjudicated only for applicants who passed every assessment "
            f"(this one is “{application.get_status_display()}”)."
        )
    if preference not in Preference.values:
        raise DomainError("Choose CPS, CP, XP, TP, SSP or NV.", field="preference")
    documents = [d for d in documents if d in DOCS.values]
    if preference in (rules.CP, rules.CPS):
        if disability_percent is None:
            raise DomainError(
                "Enter the compensable disability rating from the VA letter.", field="disability_percent"
            )
        if preference == rules.CPS and disability_percent < 30:
            raise DomainError(
                f"CPS needs a rating of 30% or more; {disability_percent}% is CP.", field="disability_percent"
            )
        if preference == rules.CP and not 10 <= disability_percent < 30:
            raise DomainError(
                "CP needs a compensable rating of at least 10% and less than 30%.", field="disability_percent"
            )
    if preference in (rules.CPS, rules.CP, rules.XP) and not {DOCS.VA_LETTER, DOCS.OTHER} & set(documents):
        raise DomainError(
            "A 10-point preference rests on VA or military proof (or other proof for XP); tick what you saw.",
            field="documents",
        )
    if preference in (rules.TP, rules.SSP) and not {DOCS.DD214, DOCS.ACTIVE_DUTY} & set(documents):
        raise DomainError(
            "TP and SSP rest on a DD-214 or an active-duty certification; tick what you saw.",
            field="documents",
        )
    if tentative and DOCS.ACTIVE_DUTY not in documents:
        raise DomainError(
            "Tentative preference rests on an active-duty certification; tick it.", field="documents"
        )
    adjudication, _ = Adjudication.objects.update_or_create(
        application=application,
        defaults={
            "preference": preference,
            "documents": documents,
            "disability_percent": disability_percent if preference in (rules.CP, rules.CPS) else None,
            "tentative": tentative or (DOCS.ACTIVE_DUTY in documents and preference != rules.NV),
            "note": note,
            "adjudicated_by": hr,
            "adjudicated_at": timezone.now(),
        },
    )
    _audit(
        action_id=application.action_id, actor=hr, actor_role=Actor.HR, application_id=application.pk,
        reason=f"Veterans' preference adjudicated: {preference}{' (tentative)' if adjudication.tentative else ''} "
        f"(claimed {application.preference_claim}); documents: {', '.join(documents) or 'none'}.",
    )  # fmt: skip
    return adjudication


# --- locking a certificate ---------------------------------------------------------------------------


def _locked(certificate_id: int, version: int | None = None) -> Certificate:
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("action", "source")
        .get(pk=certificate_id)
    )
    if version is not None and version != certificate.version:
        raise DomainError(
            "This certificate changed since you loaded the page. Reload to see it; nothing was changed."
        )
    return certificate


def _within_window(certificate: Certificate) -> None:
    if certificate.is_copy:
        last = rules.last_csa_day(certificate.issued_on)
        if timezone.localdate() > last:
            raise DomainError(
                f"The 240 days from the original issue date ended on {last:%B %-d, %Y} (rule 54)."
            )


# --- dispositions and pass-overs --------------------------------------------------------------------


@transaction.atomic
def disposition_record(
    *, entry_id: int, user: User, code: str, on: date | None, decline_reason: str = "", note: str = "",
    version: int,
) -> Entry:  # fmt: skip
    """The selecting official's disposition of one name (rule 46). A selection of a non-preference
    eligible is blocked while an unselected preference eligible in the same category (or merged group)
    remains without an approved pass-over (rule 44).

    One person, one standing selection per action: the application row is locked too (after the
    certificate and the entry, the module's lock order), so two agencies of a pooled action cannot both
    record A for them at once, and an A is refused while another original of the action holds one
    (ADR 0015 step 6 and its open question: one tentative offer at a time). Recording D (declined,
    DEOH pp. 6-24-6-29, domain-research §2.4) on that other certificate returns the candidate."""
    entry = Entry.objects.select_related("certificate").get(pk=entry_id)
    certificate = _locked(entry.certificate_id, version)
    entry = Entry.objects.select_for_update().get(pk=entry_id)
    Application.objects.select_for_update(no_key=True).only("pk").get(pk=entry.application_id)
    if not may_select(certificate, user):
        raise DomainError("Only the selecting official can record dispositions on this certificate.")
    if certificate.state != Certificate.State.ISSUED:
        raise DomainError("This certificate has been returned; dispositions can no longer change.")
    _within_window(certificate)
    if code not in Disposition.values or code == Disposition.PASSED_OVER:
        raise DomainError("Choose a disposition.", field="code")
    if code == Disposition.SELECTED:
        if on is None:
            raise DomainError("Enter the selection date.", field="on")
        if certificate.is_copy and (
            certificate.internal_notice_closed_on is None
            or certificate.internal_notice_closed_on > timezone.localdate()
        ):
            raise DomainError(
                "Before selecting from a shared certificate, post internal notice to your own employees and record "
                "when it closed (5 U.S.C. 3318(b)(4)).",
            )
        elsewhere = _selected_elsewhere(certificate, entry)
        if elsewhere is not None:
            raise DomainError(
                f"Selected by {elsewhere.certificate.agency.name} on certificate {elsewhere.certificate.number}; "
                "their decline must be recorded there first."
            )
        blocking = _blocking(certificate, entry)
        if blocking:
            raise DomainError(
                f"{entry.name} has no veterans' preference, and preference eligible{'s' if len(blocking) > 1 else ''} "
                f"{', '.join(blocking)} in the same category {'are' if len(blocking) > 1 else 'is'} not yet selected. "
                "Select them first, or HR must record an approved pass-over (5 U.S.C. 3318)."
            )
    if code == Disposition.DECLINED and not decline_reason.strip():
        raise DomainError(
            "Record why the eligible declined, as they told you (an oral declination is documented).",
            field="decline_reason",
        )
    entry.disposition = code
    entry.disposition_on = on or timezone.localdate()
    entry.decline_reason = decline_reason.strip() if code == Disposition.DECLINED else ""
    entry.disposition_note = note.strip()
    entry.recorded_by = user
    entry.save(
        update_fields=["disposition", "disposition_on", "decline_reason", "disposition_note", "recorded_by"]
    )
    certificate.version += 1
    certificate.save(update_fields=["version"])
    _audit(
        action_id=certificate.action_id, actor=user,
        actor_role=Actor.HR if certificate.is_copy else Actor.HIRING_MANAGER, application_id=entry.application_id,
        reason=f"Certificate {certificate.number}: {entry.name} recorded {entry.get_disposition_display()}.",
    )  # fmt: skip
    return entry


def _selected_elsewhere(certificate: Certificate, entry: Entry) -> Entry | None:
    """The A standing for this entry's applicant on another original of the action, if any. Only
    originals compete: a shared copy lists people its original agency did not select (rule 52)."""
    if certificate.is_copy:
        return None
    return (
        Entry.objects.filter(
            application_id=entry.application_id,
            certificate__action_id=certificate.action_id,
            certificate__source__isnull=True,
            disposition=Disposition.SELECTED,
        )
        .exclude(certificate_id=certificate.pk)
        .select_related("certificate__agency")
        .order_by("pk")
        .first()
    )


def _blocking(certificate: Certificate, chosen: Entry, entries: list[Entry] | None = None) -> list[str]:
    """Preference eligibles in the chosen name's category (or the merged group) not yet selected or
    otherwise finished, who block selecting a non-preference eligible (rule 44)."""
    group = {chosen.category} if not certificate.merged else set(certificate.categories)
    if entries is None:
        entries = list(Entry.objects.filter(certificate=certificate, category__in=group, removed=False))
    remaining = [
        e.name
        for e in entries
        if e.pk != chosen.pk
        and e.category in group
        and e.preference in rules.PREFERENCE_ELIGIBLE
        and e.disposition not in {Disposition.SELECTED, *FINISHED}
    ]
    return rules.selection_blocked_by(
        chosen_preference=chosen.preference, unselected_preference_eligibles=remaining, pass_overs_approved=[]
    )


@transaction.atomic
def pass_over_record(
    *, entry_id: int, hr: User, reasons: str, opm_decision: str = "", notified_on: date | None = None,
    decided_on: date | None = None, version: int,
) -> PassOver:  # fmt: skip
    """HR records an approved pass-over of a preference eligible (rule 45): written reasons; for CPS
    also OPM's decision after the veteran's 15-day response period. The receiving agency of a shared
    copy decides its own (rule 59): an original's pass-overs do not carry over to copies."""
    entry = Entry.objects.select_related("certificate").get(pk=entry_id)
    certificate = _locked(entry.certificate_id, version)
    entry = Entry.objects.select_for_update().get(pk=entry_id)
    if not may_administer(certificate, hr):
        raise DomainError("Only HR for this certificate can record a pass-over.")
    if certificate.state != Certificate.State.ISSUED:
        raise DomainError("This certificate has been returned; record pass-overs before it is returned.")
    if entry.preference not in rules.PREFERENCE_ELIGIBLE:
        raise DomainError(f"{entry.name} has no veterans' preference; no pass-over is needed.")
    if entry.disposition == Disposition.SELECTED:
        raise DomainError(f"{entry.name} is selected.")
    problem = rules.pass_over_problem(
        preference=entry.preference,
        reasons=reasons,
        opm_decision=opm_decision,
        notified_on=notified_on,
        decided_on=decided_on,
    )
    if problem:
        raise DomainError(problem)
    pass_over, _ = PassOver.objects.update_or_create(
        entry=entry,
        defaults={
            "reasons": reasons.strip(), "opm_decision": opm_decision.strip(), "notified_on": notified_on,
            "decided_on": decided_on, "recorded_by": hr, "recorded_at": timezone.now(),
        },
    )  # fmt: skip
    entry.disposition = Disposition.PASSED_OVER
    entry.disposition_on = timezone.localdate()
    entry.recorded_by = hr
    entry.save(update_fields=["disposition", "disposition_on", "recorded_by"])
    certificate.version += 1
    certificate.save(update_fields=["version"])
    _audit(
        action_id=certificate.action_id, actor=hr, actor_role=Actor.HR, application_id=entry.application_id,
        reason=f"Certificate {certificate.number}: pass-over of {entry.name} ({entry.preference}) approved: {pass_over.reasons}",
    )  # fmt: skip
    return pass_over


@transaction.atomic
def certificate_return(*, certificate_id: int, user: User, version: int) -> Certificate:
    """The selecting official returns the certificate, signed and dated, once every name has a
    disposition (rules 46, 48)."""
    certificate = _locked(certificate_id, version)
    if not may_select(certificate, user):
        raise DomainError("Only the selecting official can return this certificate.")
    if certificate.state != Certificate.State.ISSUED:
        raise DomainError("This certificate was already returned.")
    missing = list(
        certificate.entries.filter(disposition="", removed=False).values_list("name", flat=True)[:6]
    )
    if missing:
        raise DomainError(
            "Record a disposition for every name before returning the certificate. Still without one: "
            + ", ".join(missing[:5])
            + (" and others." if len(missing) > 5 else ".")
        )
    certificate.state = Certificate.State.RETURNED
    certificate.returned_at = timezone.now()
    certificate.returned_by = user
    certificate.version += 1
    certificate.save(update_fields=["state", "returned_at", "returned_by", "version"])
    _audit(
        action_id=certificate.action_id, actor=user,
        actor_role=Actor.HR if certificate.is_copy else Actor.HIRING_MANAGER,
        reason=f"Certificate {certificate.number} returned, signed by {user.full_name}.",
    )  # fmt: skip
    return certificate


@transaction.atomic
def certificate_audit(*, certificate_id: int, hr: User, version: int) -> Certificate:
    """HR audits a returned certificate (rule 48): selections followed preference (checked again here)
    and every name has a disposition. It is then locked; on an original, selected applicants are told
    and the others get their not-selected notice. On a pooled action only an A moves anyone (to
    selected): the others stay referred, since another participant's certificate may still select them,
    until lead HR closes the pool (ADR 0015 steps 6-7)."""
    certificate = _locked(certificate_id, version)
    if not may_administer(certificate, hr):
        raise DomainError("Only HR for this certificate can audit it.")
    if certificate.state != Certificate.State.RETURNED:
        raise DomainError("Only a returned certificate can be audited.")
    entries = list(certificate.entries.filter(removed=False))
    for entry in entries:
        if entry.disposition == Disposition.SELECTED and _blocking(certificate, entry, entries):
            raise DomainError(
                f"{entry.name} was selected ahead of an unselected preference eligible with no pass-over."
            )
    certificate.state = Certificate.State.AUDITED
    certificate.audited_at = timezone.now()
    certificate.audited_by = hr
    certificate.version += 1
    certificate.save(update_fields=["state", "audited_at", "audited_by", "version"])
    _audit(
        action_id=certificate.action_id,
        actor=hr,
        actor_role=Actor.HR,
        reason=f"Certificate {certificate.number} audited and locked.",
    )
    if not certificate.is_copy:
        selected = [e.application_id for e in entries if e.disposition == Disposition.SELECTED]
        moves = [(Status.SELECTED, selected, "selected (A)")]
        if not certificate.action.is_pooled:  # on a pooled action pool_close decides who was selected nowhere
            others = [e.application_id for e in entries if e.disposition != Disposition.SELECTED]
            moves.append((Status.NOT_SELECTED, others, "not selected"))
        for to, ids, said in moves:
            if ids:  # one bulk move each (an audit row and a notice per person); referred ones only
                hiring_services.applications_transition(
                    action_id=certificate.action_id, from_status=Status.REFERRED, to_status=to, actor=hr,
                    actor_role=Actor.HR, reason=f"Certificate {certificate.number}: {said}.", application_ids=ids,
                    notice_context={"certificate": certificate},  # the selected notice names the agency
                )  # fmt: skip
    _render_later(certificate)  # the PDF now carries the dispositions
    return certificate
