"""hiring's models, by sub-domain; import them from here."""

from .accounts import AccountEvent
from .actions import SCALE_LEVELS, AppointmentType, HiringAction, ProficiencyScale, WorkArrangement
from .announcements import Announcement
from .applications import Application, ApplicationDocument, ApplicationDraft, PreferenceClaim, Source
from .audit import AuditEvent, Notice
from .job_analysis import Comment, Competency, InterviewQuestion, JobAnalysisVersion
from .people import ActionRole, Agency, AgencyRole, Role, User, UserManager
from .pools import ApplicationPlace, Participant, Vacancy

__all__ = [
    "SCALE_LEVELS",
    "AccountEvent",
    "ActionRole",
    "Agency",
    "AgencyRole",
    "Announcement",
    "Application",
    "ApplicationDocument",
    "ApplicationDraft",
    "ApplicationPlace",
    "AppointmentType",
    "AuditEvent",
    "Comment",
    "Competency",
    "HiringAction",
    "InterviewQuestion",
    "JobAnalysisVersion",
    "Notice",
    "Participant",
    "PreferenceClaim",
    "ProficiencyScale",
    "Role",
    "Source",
    "User",
    "UserManager",
    "Vacancy",
    "WorkArrangement",
]
