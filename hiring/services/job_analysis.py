"""The job analysis workshop: competencies, question sets, comments, finalizing and revising."""

from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import (
    ActionRole,
    Announcement,
    AuditEvent,
    Comment,
    Competency,
    HiringAction,
    InterviewQuestion,
    JobAnalysisVersion,
    Role,
    User,
)
from ..rules import CompetencySpec, QuestionSpec, Review, job_analysis_review
from ..workflow import Actor, Phase
from .actions import require_role


def _editable(action_id: int, actor: User) -> HiringAction:
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if action.job_analysis_is_final:
        raise DomainError(
            f"Version {action.job_analysis_version} of the job analysis is final. Start a revision to change it."
        )
    return action


def _audit(action: HiringAction, actor: User, from_state: str, to_state: str, reason: str) -> None:
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR,
        subject=AuditEvent.Subject.JOB_ANALYSIS,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


@transaction.atomic
def competency_save(*, action_id: int, actor: User, competency_id: int | None = None, **fields) -> Competency:
    """Add or change a competency while the job analysis is a draft (HR only). Writes an audit row."""
    action = _editable(action_id, actor)
    if competency_id is None:
        competency = Competency(action=action, order=action.competencies.count() + 1)
    else:
        competency = Competency.objects.get(pk=competency_id, action=action)
    for name, value in fields.items():
        setattr(competency, name, value)
    competency.full_clean()
    competency.save()
    verb = "added" if competency_id is None else "changed"
    _audit(action, actor, "draft", "draft", f"Competency “{competency.name}” {verb}.")
    return competency


@transaction.atomic
def competency_delete(*, action_id: int, actor: User, competency_id: int) -> None:
    """Remove a competency from a draft job analysis, with its question links (HR only)."""
    action = _editable(action_id, actor)
    competency = Competency.objects.get(pk=competency_id, action=action)
    name = competency.name
    competency.delete()
    _audit(action, actor, "draft", "draft", f"Competency “{name}” removed.")


@transaction.atomic
def question_save(
    *, action_id: int, actor: User, question_id: int | None = None, competency_ids: list[int], **fields
) -> InterviewQuestion:
    """Add or change an interview question mapped to one or two competencies (HR only)."""
    action = _editable(action_id, actor)
    competencies = list(Competency.objects.filter(action=action, pk__in=competency_ids))
    if not 1 <= len(competencies) <= 2 or len(competencies) != len(set(competency_ids)):
        raise DomainError(
            "Map each question to one or two of this action's competencies.", field="competencies"
        )
    if question_id is None:
        question = InterviewQuestion(action=action)
        question.order = action.questions.filter(round=fields.get("round")).count() + 1
    else:
        question = InterviewQuestion.objects.get(pk=question_id, action=action)
    for name, value in fields.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    question.competencies.set(competencies)
    verb = "added" if question_id is None else "changed"
    _audit(action, actor, "draft", "draft", f"Round {question.round} question {question.order} {verb}.")
    return question


@transaction.atomic
def question_delete(*, action_id: int, actor: User, question_id: int) -> None:
    """Remove an interview question from a draft job analysis (HR only)."""
    action = _editable(action_id, actor)
    question = InterviewQuestion.objects.get(pk=question_id, action=action)
    question.delete()
    _audit(action, actor, "draft", "draft", f"Round {question.round} question removed.")


@transaction.atomic
def comment_add(*, action: HiringAction, actor: User, topic: str, body: str) -> Comment:
    """Record a comment by anyone with a role on the action (HR, SME, hiring manager). Writes the
    comment and an audit row (the comment keeps the text)."""
    roles = set(ActionRole.objects.filter(action=action, user=actor).values_list("role", flat=True))
    if not roles:
        raise DomainError("Only people on this hiring action can comment.")
    comment = Comment(action=action, author=actor, topic=topic, body=body.strip())
    comment.full_clean()
    comment.save()
    AuditEvent.objects.create(
        actor=actor,
        actor_role=next(Actor(r) for r in (Role.HR, Role.SME, Role.HIRING_MANAGER) if r in roles),
        subject=(
            AuditEvent.Subject.ANNOUNCEMENT
            if topic == Comment.Topic.ANNOUNCEMENT
            else AuditEvent.Subject.JOB_ANALYSIS
        ),
        action=action,
        from_state="",
        to_state="",
        reason=f"Comment {comment.pk} added to the {comment.get_topic_display().lower()}.",
    )
    return comment


def job_analysis_check(action: HiringAction) -> Review:
    """Review the action's job analysis against SMEQA's rules (hiring.rules.job_analysis_review)."""
    competencies = list(action.competencies.all())
    questions = list(action.questions.prefetch_related("competencies"))
    return job_analysis_review(
        competencies=[
            CompetencySpec(c.name, c.definition, c.required_levels, c.level_descriptions)
            for c in competencies
        ],
        questions=[QuestionSpec(q.round, tuple(c.name for c in q.competencies.all())) for q in questions],
        grades=action.grades,
        levels=[value for value, _ in action.levels],
        specialized_experience=action.specialized_experience,
    )


def job_analysis_snapshot(action: HiringAction) -> dict:
    """The job analysis as plain data, for the frozen version and the case file."""
    return {
        "version": action.job_analysis_version,
        "title": action.title,
        "series": action.series,
        "grades": action.grades,
        "full_performance_level": action.full_performance_level,
        "proficiency_scale": action.proficiency_scale,
        "resume_page_limit": action.resume_page_limit,
        "recency_years": action.recency_years,
        "specialized_experience": action.specialized_experience,
        "categories": action.categories,
        # Multi-grade (ADR 0015; §1.1): the final score required at each grade and the time-in-grade
        # settings are part of the job analysis, frozen with it.
        "grade_scores": {str(g): s for g, s in action.scores_by_grade.items()},
        "two_grade_interval": action.two_grade_interval,
        "time_in_grade_applies": action.time_in_grade_applies,
        "competencies": [
            {
                "name": c.name,
                "definition": c.definition,
                "required_levels": c.required_levels,
                "level_descriptions": c.level_descriptions,
                "screen_out": c.screen_out,
            }
            for c in action.competencies.all()
        ],
        "questions": [
            {
                "round": q.round,
                "order": q.order,
                "text": q.text,
                "competencies": [c.name for c in q.competencies.all()],
                "follow_ups": q.follow_ups,
                "probes": q.probes,
                "benchmarks": q.benchmarks,
            }
            for q in action.questions.prefetch_related("competencies")
        ],
    }


@transaction.atomic
def job_analysis_finalize(*, action_id: int, actor: User) -> HiringAction:
    """Freeze the job analysis (HR only), move the action to its announcement phase and draft the
    announcement from it.

    Refuses while job_analysis_check finds problems. Writes the frozen version and audit rows.
    """
    action = _editable(action_id, actor)
    review = job_analysis_check(action)
    if not review.ready:
        raise DomainError("The job analysis is not ready: " + " ".join(review.problems))
    JobAnalysisVersion.objects.create(
        action=action,
        number=action.job_analysis_version,
        snapshot=job_analysis_snapshot(action),
        finalized_by=actor,
    )
    action.job_analysis_finalized_at = timezone.now()
    action.save(update_fields=["job_analysis_finalized_at"])
    _audit(action, actor, "draft", "final", f"Version {action.job_analysis_version} finalized.")
    if action.phase == Phase.JOB_ANALYSIS:
        from .actions import hiring_action_advance_phase
        from .announcements import announcement_draft

        action = hiring_action_advance_phase(
            action_id=action.pk, actor=actor, expected_phase=Phase.JOB_ANALYSIS
        )
        announcement_draft(action=action, actor=actor)
    return action


@transaction.atomic
def job_analysis_revise(*, action_id: int, actor: User, reason: str) -> HiringAction:
    """Reopen a final job analysis as a new version (HR only); the frozen version stays on record."""
    action = HiringAction.objects.select_for_update(no_key=True).get(pk=action_id)
    require_role(action=action, user=actor, role=Role.HR)
    if not action.job_analysis_is_final:
        raise DomainError("The job analysis is already a draft.")
    published = Announcement.objects.filter(action=action).exclude(state=Announcement.State.DRAFT).exists()
    if action.phase not in {Phase.JOB_ANALYSIS, Phase.ANNOUNCEMENT} or published:
        raise DomainError(
            "The announcement is published, so applicants were told these qualifications; the job analysis can no longer change."
        )
    if not reason.strip():
        raise DomainError(
            "Say why the job analysis is being revised; it goes in the case file.", field="reason"
        )
    action.job_analysis_version += 1
    action.job_analysis_finalized_at = None
    action.save(update_fields=["job_analysis_version", "job_analysis_finalized_at"])
    _audit(
        action, actor, "final", "draft", f"Version {action.job_analysis_version} started: {reason.strip()}"
    )
    return action
