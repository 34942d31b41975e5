"""Every write to hiring's models goes through a service here: one transaction, its audit row
beside the change, side effects queued with transaction.on_commit.

Import services from this package: `from hiring import services; services.application_submit(...)`.
"""

from .actions import (
    action_role_grant,
    hiring_action_advance_phase,
    hiring_action_create,
    hiring_action_update,
    require_role,
)
from .announcements import accepting, announcement_draft, announcement_publish, announcement_update
from .applications import application_submit, application_transition, candidate_register, notice_queue
from .bulk import BulkTransition, applications_transition
from .drafts import application_draft_of, application_draft_save
from .imports import ArtImportResult, ImportResult, applications_import_usas, hiring_action_import_art
from .job_analysis import (
    comment_add,
    competency_delete,
    competency_save,
    job_analysis_check,
    job_analysis_finalize,
    job_analysis_revise,
    question_delete,
    question_save,
)
from .notices import (
    BatchDelivery,
    NoticeDeliveryFailed,
    notice_deliver,
    notices_claim_due,
    notices_deliver,
    notices_resend,
)
from .pools import (
    pool_editable,
    pool_manager_grant,
    pool_participant_add,
    pool_participant_remove,
    vacancy_set,
)
from .screening import REMOVAL_GROUNDS, screening_release, screening_remove
from .updates import (
    applications_due_update,
    expectation_for,
    expectations_for,
    expectations_of,
    status_updates_send,
)

__all__ = [
    "REMOVAL_GROUNDS",
    "ArtImportResult",
    "BatchDelivery",
    "BulkTransition",
    "ImportResult",
    "NoticeDeliveryFailed",
    "accepting",
    "action_role_grant",
    "announcement_draft",
    "announcement_publish",
    "announcement_update",
    "application_draft_of",
    "application_draft_save",
    "application_submit",
    "application_transition",
    "applications_due_update",
    "applications_import_usas",
    "applications_transition",
    "candidate_register",
    "comment_add",
    "competency_delete",
    "competency_save",
    "expectation_for",
    "expectations_for",
    "expectations_of",
    "hiring_action_advance_phase",
    "hiring_action_create",
    "hiring_action_import_art",
    "hiring_action_update",
    "job_analysis_check",
    "job_analysis_finalize",
    "job_analysis_revise",
    "notice_deliver",
    "notice_queue",
    "notices_claim_due",
    "notices_deliver",
    "notices_resend",
    "pool_editable",
    "pool_manager_grant",
    "pool_participant_add",
    "pool_participant_remove",
    "question_delete",
    "question_save",
    "require_role",
    "screening_release",
    "screening_remove",
    "status_updates_send",
    "vacancy_set",
]
