"""Every write to hiring's models goes through a service here: one transaction, its audit row
beside the change, side effects queued with transaction.on_commit.

Import services from this package: `from hiring import services; services.application_submit(...)`.
"""

from .actions import action_role_grant, hiring_action_advance_phase, hiring_action_create, require_role
from .applications import application_submit, application_transition
from .notices import NoticeDeliveryFailed, notice_deliver

__all__ = [
    "NoticeDeliveryFailed",
    "action_role_grant",
    "application_submit",
    "application_transition",
    "hiring_action_advance_phase",
    "hiring_action_create",
    "notice_deliver",
    "require_role",
]
