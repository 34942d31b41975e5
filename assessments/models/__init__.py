"""assessments' models, by phase; import them from here."""

from .interviews import Availability, Interview, InterviewerSeat
from .reviews import ConflictCheck, Recusal, ResumeReview, ReviewLoad

__all__ = [
    "Availability",
    "ConflictCheck",
    "Interview",
    "InterviewerSeat",
    "Recusal",
    "ResumeReview",
    "ReviewLoad",
]
