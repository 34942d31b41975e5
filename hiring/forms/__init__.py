"""hiring's forms, by sub-domain."""

from .announcements import AnnouncementForm, PublishForm
from .applications import ApplicationTransitionForm, PhaseAdvanceForm, SignInForm, WithdrawForm
from .apply import DOCUMENT_FIELDS, ApplyForm, SignUpForm
from .job_analysis import CommentForm, CompetencyForm, HiringActionForm, QuestionForm, ReviseForm
from .pools import ManagerGrantForm, ParticipantAddForm, VacancyForm

__all__ = [
    "DOCUMENT_FIELDS",
    "AnnouncementForm",
    "ApplicationTransitionForm",
    "ApplyForm",
    "CommentForm",
    "CompetencyForm",
    "HiringActionForm",
    "ManagerGrantForm",
    "ParticipantAddForm",
    "PhaseAdvanceForm",
    "PublishForm",
    "QuestionForm",
    "ReviseForm",
    "SignInForm",
    "SignUpForm",
    "VacancyForm",
    "WithdrawForm",
]
