"""Imports from other hiring systems: USA Staffing applicant exports and Assessment Review Tool (ART)
hiring actions. Each import is one transaction (all or nothing) and can be run again safely: what was
already imported is recognized by its external number and left as it is.

Imported applicants arrive in bulk (a USA Staffing export may hold tens of thousands of rows), so their
applications, audit rows and receipt notices are written three inserts per chunk (COPY on PostgreSQL,
bulk_create elsewhere) instead of application_submit's three inserts per applicant. The readers in
hiring.imports check every value against the models' limits first; full_clean is skipped because its
constraint checks cost a query per row.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from smeqa.bulk import insert_rows
from smeqa.errors import DomainError

from ..imports.art import ArtConfig
from ..models import (
    ActionRole,
    Agency,
    AgencyRole,
    Application,
    AuditEvent,
    Competency,
    HiringAction,
    JobAnalysisVersion,
    Notice,
    Role,
    Source,
    User,
)
from ..workflow import Actor, Phase, Status
from .actions import action_role_grant, hiring_action_create, require_role
from .job_analysis import job_analysis_snapshot
from .notices import notice_texts

# Applicants are imported while the action takes applications or reviews them (workflow.STATUS_PHASES:
# an application may be Received only then).
IMPORT_PHASES = frozenset({Phase.ANNOUNCEMENT, Phase.RESUME_REVIEW})
CHUNK = 5_000  # rows per insert: bounds memory; 1,000 or 50,000 made little difference (docs/performance.md)


class ImportedApplicant(Protocol):
    """What an import row gives: the other system's number for it, a name, and everything else."""

    @property
    def external_number(self) -> str: ...
    @property
    def applicant_name(self) -> str: ...
    @property
    def external_data(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int

    @property
    def summary(self) -> str:
        noun = "application" if self.created == 1 else "applications"
        return f"Imported {self.created:,} new {noun}; {self.unchanged:,} already present."


@transaction.atomic
def applications_import_usas(
    *, action: HiringAction, actor: User, rows: Sequence[ImportedApplicant]
) -> ImportResult:
    """Add the applicants of a USA Staffing export to `action` (its HR only, during the announcement or
    resume review). Rows whose Application Number was imported before are left unchanged.

    Writes each new application (Received, no account) with its audit row and its receipt notice; the
    notice is not emailed, because USA Staffing notifies its own applicants.
    """
    action = _lock_for_import(action=action, actor=actor)
    return _import_applications(
        action=action,
        actor=actor,
        source=Source.USA_STAFFING,
        rows=rows,
        reason="Imported from USA Staffing.",
    )


def _lock_for_import(*, action: HiringAction, actor: User) -> HiringAction:
    # The lock serializes imports into one action, so "already present" is exact.
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action.pk)
    require_role(action=action, user=actor, role=Role.HR)
    if action.phase not in IMPORT_PHASES:
        raise DomainError(
            "Applicants can be imported while the action is in its announcement or resume review; "
            f"this one is in {action.get_phase_display().lower()}. Nothing was imported."
        )
    return action


def _import_applications(
    *,
    action: HiringAction,
    actor: User,
    source: Source,
    rows: Sequence[ImportedApplicant],
    reason: str,
) -> ImportResult:
    numbers = [row.external_number for row in rows]
    if len(set(numbers)) != len(numbers) or not all(numbers):
        raise DomainError("Each imported applicant needs its own application number. Nothing was imported.")
    existing = set(
        Application.objects.filter(action=action, source=source)
        .exclude(external_number="")
        .values_list("external_number", flat=True)
    )
    new_rows = [row for row in rows if row.external_number not in existing]
    now = timezone.now()
    for start in range(0, len(new_rows), CHUNK):
        chunk = new_rows[start : start + CHUNK]
        applications = [
            {
                "action_id": action.pk,
                "candidate_id": None,
                "applicant_name": row.applicant_name,
                "status": Status.RECEIVED.value,
                "submitted_at": now,
                "status_changed_at": now,
                "source": source.value,
                "external_number": row.external_number,
                "external_data": row.external_data,
            }
            for row in chunk
        ]
        application_ids = insert_rows(Application, applications)
        event = {
            "created_at": now,
            "actor_id": actor.pk,
            "actor_role": Actor.HR.value,
            "subject": AuditEvent.Subject.APPLICATION.value,
            "action_id": action.pk,
            "from_state": "",
            "to_state": Status.RECEIVED.value,
            "reason": reason,
        }
        event_ids = insert_rows(AuditEvent, [{**event, "application_id": pk} for pk in application_ids])
        texts = _receipt_notices(action, application_ids, applications)
        notice = {"code": "", "created_at": now, "delivery": Notice.Delivery.NO_ADDRESS.value}
        insert_rows(
            Notice,
            [
                {**notice, "application_id": pk, "event_id": event_pk, "subject": subject, "body": body}
                for pk, event_pk, (subject, body) in zip(application_ids, event_ids, texts, strict=True)
            ],
        )
    return ImportResult(created=len(new_rows), unchanged=len(rows) - len(new_rows))


def _receipt_notices(
    action: HiringAction, ids: list[int], applications: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The receipt notice (subject, body) for each new application (ids and field values), as
    application_submit's _record renders it, but rendering the templates a few times per chunk instead
    of once per applicant (notices.notice_texts explains how, and when it renders every one)."""

    def instance(index: int) -> Application:
        application = Application(pk=ids[index], **applications[index])
        application.action = action  # loaded already; no query per render
        return application

    return notice_texts(
        status=Status.RECEIVED,
        code="",
        names=[values["applicant_name"] for values in applications],
        has_account=[values["candidate_id"] is not None for values in applications],
        application=instance,
    )


# --- The Assessment Review Tool ---------------------------------------------------------------------


@dataclass
class ArtImportResult:
    action: HiringAction
    action_created: bool
    competencies_created: int = 0
    competencies_unchanged: int = 0
    users_created: int = 0
    roles_granted: int = 0
    applications: ImportResult = field(default_factory=lambda: ImportResult(0, 0))
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        verb = "Created" if self.action_created else "Found"
        return (
            f"{verb} hiring action {self.action.pk} “{self.action.title}”. "
            f"Competencies: {self.competencies_created} new, {self.competencies_unchanged} already present. "
            f"People: {self.users_created} new accounts, {self.roles_granted} roles given. "
            f"{self.applications.summary}"
        )


def art_marker(key: str) -> str:
    """The reason of the audit row that records which ART hurdle an action came from."""
    return f"Created from Assessment Review Tool hurdle {key}."


def _has_external_ref() -> bool:
    return any(f.name == "external_ref" for f in HiringAction._meta.concrete_fields)


def art_action_for(*, agency: Agency, key: str) -> HiringAction | None:
    """The action an earlier import made from the ART hurdle `key`, if any. Uses
    HiringAction.external_ref when the model has it, and the creation audit row otherwise."""
    if _has_external_ref():
        action = HiringAction.objects.filter(agency=agency, external_ref=key).first()
        if action is not None:
            return action
    event = (
        AuditEvent.objects.filter(
            action__agency=agency, subject=AuditEvent.Subject.HIRING_ACTION, reason=art_marker(key)
        )
        .select_related("action")
        .order_by("id")
        .first()
    )
    return event.action if event else None


@transaction.atomic
def hiring_action_import_art(
    *,
    agency: Agency,
    actor: User,
    config: ArtConfig,
    series: str | None = None,
    grades: list[int] | None = None,
) -> ArtImportResult:
    """Create (or find, when imported before) the hiring action an ART configuration describes, with
    its competencies, SMEs, HR reviewers and applicants (agency HR only). Running it again adds only what
    is new in the files.

    The action enters at resume review, where ART works: its job analysis is recorded as final (a frozen
    version, from the ART competencies) and its announcement happened outside SMEQA. Writes audit rows
    for the creation, the phase, each role and each applicant; applicants' notices are not emailed.
    """
    # Serializes imports into one agency, so two runs of one configuration make one action.
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if not AgencyRole.objects.filter(agency=agency, user=actor, role=AgencyRole.Kind.HR).exists():
        raise DomainError(f"Only HR specialists of {agency} can import its hiring actions.")
    hurdle = config.hurdle
    action = art_action_for(agency=agency, key=hurdle.key)
    if action is None:
        action = _art_action_create(agency=agency, actor=actor, config=config, series=series, grades=grades)
        result = ArtImportResult(action=action, action_created=True)
    else:
        action = HiringAction.objects.select_for_update(no_key=True).get(pk=action.pk)
        require_role(action=action, user=actor, role=Role.HR)
        result = ArtImportResult(action=action, action_created=False)
    _art_competencies(action=action, config=config, result=result)
    if result.action_created:
        _art_finalize(action=action, actor=actor)
    _art_people(action=action, actor=actor, agency=agency, config=config, result=result)
    if action.phase not in IMPORT_PHASES:
        imported = Application.objects.filter(action=action, source=Source.ART).values_list(
            "external_number", flat=True
        )
        new = {a.external_number for a in config.applicants} - set(imported)
        if new:
            raise DomainError(
                f"applicants.csv has {len(new)} applicants not yet imported, but the action is in "
                f"{action.get_phase_display().lower()}, past the phases that take applicants. "
                "Nothing was imported."
            )
    result.applications = _import_applications(
        action=action,
        actor=actor,
        source=Source.ART,
        rows=config.applicants,
        reason="Imported from the Assessment Review Tool.",
    )
    return result


def _art_action_create(
    *, agency: Agency, actor: User, config: ArtConfig, series: str | None, grades: list[int] | None
) -> HiringAction:
    hurdle = config.hurdle
    series = series or config.series
    grades = sorted(set(grades or config.grades))
    if not series or not grades:
        raise DomainError(
            "The series and grades could not be read from specialties.json (localIds like "
            "2210-13(Generalist) name them). Give them with --series and --grades."
        )
    try:
        action = hiring_action_create(
            agency=agency,
            actor=actor,
            title=hurdle.position_name,
            series=series,
            grades=grades,
            full_performance_level=max(grades),
            duty_locations=hurdle.locations,
        )
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None
    if _has_external_ref():
        action.external_ref = hurdle.key
        action.save(update_fields=["external_ref"])
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.HIRING_ACTION,
        action=action,
        from_state=action.phase,
        to_state=action.phase,
        reason=art_marker(hurdle.key),
    )
    return action


def _art_competencies(*, action: HiringAction, config: ArtConfig, result: ArtImportResult) -> None:
    existing = {c.name: c for c in Competency.objects.filter(action=action)}
    default_level = action.levels[0][0]  # "meets" on the two-level scale: ART rates Meets / Does not meet
    for item in config.competencies:
        current = existing.get(item.name)
        if current is not None:
            result.competencies_unchanged += 1
            if (current.definition, current.screen_out) != (item.definition, item.screen_out):
                result.notes.append(
                    f"Competency “{item.name}” differs from competencies.json; it was left as it is in SMEQA."
                )
            continue
        if action.job_analysis_is_final:
            raise DomainError(
                f"competencies.json adds “{item.name}”, but this action's job analysis is final. "
                "Start a revision of the job analysis in SMEQA to add it. Nothing was imported."
            )
        competency = Competency(
            action=action,
            order=item.order,
            name=item.name,
            definition=item.definition,
            required_levels={str(grade): default_level for grade in action.grades},
            level_descriptions={default_level: item.required_proficiency}
            if item.required_proficiency
            else {},
            screen_out=item.screen_out,
        )
        try:
            competency.full_clean()
        except ValidationError as error:
            raise DomainError(f"Competency “{item.name}”: {' '.join(error.messages)}") from None
        competency.save()
        result.competencies_created += 1


def _art_people(
    *, action: HiringAction, actor: User, agency: Agency, config: ArtConfig, result: ArtImportResult
) -> None:
    emails = [user.email for user in config.users]
    accounts = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    held = set(ActionRole.objects.filter(action=action).values_list("user_id", "role"))
    agency_hr = set(
        AgencyRole.objects.filter(agency=agency, role=AgencyRole.Kind.HR).values_list("user_id", flat=True)
    )
    for person in config.users:
        user = accounts.get(person.email)
        role = Role.HR if person.is_hr else Role.SME
        if user is None:
            if person.is_hr:
                result.notes.append(
                    f"{person.email} is HR in ART but has no SMEQA account; not made HR. An administrator "
                    f"can add them as an HR specialist of {agency}, then import again."
                )
                continue
            # SMEs named by the agency's HR are taken to be its staff; they set a password to sign in.
            user = User.objects.create_user(person.email, password=None, full_name=person.name, agency=agency)
            result.users_created += 1
        if (user.pk, role) in held:
            continue
        if person.is_hr and user.pk not in agency_hr:
            result.notes.append(
                f"{person.email} is HR in ART but not an HR specialist of {agency} in SMEQA; not made HR."
            )
            continue
        action_role_grant(action=action, user=user, role=role, actor=actor)
        held.add((user.pk, role))
        result.roles_granted += 1


def _art_finalize(*, action: HiringAction, actor: User) -> None:
    """A new ART action enters at resume review: its competencies are final (frozen as version 1)."""
    now = timezone.now()
    JobAnalysisVersion.objects.create(
        action=action,
        number=action.job_analysis_version,
        snapshot=job_analysis_snapshot(action),
        finalized_by=actor,
    )
    action.job_analysis_finalized_at = now
    previous = action.phase
    action.phase = Phase.RESUME_REVIEW
    action.phase_changed_at = now
    action.save(update_fields=["job_analysis_finalized_at", "phase", "phase_changed_at"])
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                actor_role=Actor.HR,
                subject=AuditEvent.Subject.JOB_ANALYSIS,
                action=action,
                from_state="draft",
                to_state="final",
                reason="Version 1 recorded from the Assessment Review Tool's competencies.",
            ),
            AuditEvent(
                actor=actor,
                actor_role=Actor.HR,
                subject=AuditEvent.Subject.HIRING_ACTION,
                action=action,
                from_state=previous,
                to_state=Phase.RESUME_REVIEW,
                reason="Imported at resume review: the job analysis and announcement were done outside SMEQA.",
            ),
        ]
    )
