"""The job announcement: drafted from the job analysis, edited by HR, published, and closed."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import Announcement, AuditEvent, HiringAction, Role, User
from ..rules import Intake, accepting_applications
from ..workflow import Actor, Phase
from .actions import require_role

EDITABLE_FIELDS = (
    "summary",
    "duties",
    "qualifications",
    "specialized_experience",
    "evaluation",
    "page_limit_statement",
    "categories_statement",
    "sharing_notice",
)


def draft_text(action: HiringAction) -> dict[str, str]:
    """The announcement's sections, written from the job analysis in plain language.

    Qualifications are the competencies only (rule 3); the page limit is stated (rule 4); every
    assessment is pass/fail (rule 7); the categories are described (5 CFR 337.303(c)); the sharing
    notice asks for an opt-in (rule 6, §3.6).
    """
    levels = dict(action.levels)
    competencies = list(action.competencies.all())
    lines = []
    for c in competencies:
        required = ", ".join(
            f"{levels.get(c.required_levels.get(str(g), ''), '?')} at {action.pay_plan}-{g}"
            for g in action.grades
        )
        lines.append(f"{c.name} ({required}): {c.definition}")
    pages = action.resume_page_limit
    categories = "; ".join(f"{name}: {score}" for name, score in action.categories)
    # Multi-grade (§1.1: one assessment strategy, a different required score per grade; rule 42).
    by_grade = ""
    if len(action.grades or []) > 1:
        by_grade = (
            " The same assessments serve every grade; the final score decides the highest grade you "
            "qualify for: "
            + "; ".join(f"{action.pay_plan}-{g}: {s}" for g, s in action.scores_by_grade.items())
            + "."
        )
    recency = (
        f" Experience must be within the last {action.recency_years} years." if action.recency_years else ""
    )
    return {
        "summary": (
            f"{action.agency.name} is hiring {action.vacancies} {action.title} "
            f"({action.series}, {action.grade}) in {action.duty_location}."
        ),
        "duties": "",
        "qualifications": "To qualify, your resume must show each of these competencies:\n"
        + "\n".join(lines),
        "specialized_experience": (action.specialized_experience + recency).strip(),
        "evaluation": (
            "Subject matter experts, people who do this work today, evaluate every application. "
            "Two of them review your resume independently; if they disagree, a third decides. "
            "If your resume shows every competency, you will be invited to structured interviews. "
            "Every assessment is pass/fail, and you must pass each one to be qualified. "
            "Veterans' preference is applied after you pass every assessment."
        ),
        "page_limit_statement": (
            f"Reviewers will read only the first {pages} page{'s' if pages != 1 else ''} of your resume. "
            "A longer resume is accepted, but anything after that page is not considered."
        ),
        "categories_statement": (
            "Qualified applicants are placed in quality categories by their assessment results: "
            f"{categories}. Preference eligibles are listed ahead of others within each category.{by_grade}"
        ),
        # §3.6 (SMEQA's opt-in wording); on a pooled action the agencies of the pool select first (ADR 0015).
        "sharing_notice": (
            (
                "After the agencies in this pool finish selecting, qualified applicants may be considered by "
                "other federal agencies outside the pool hiring for the same job. "
                if action.is_pooled
                else "After this agency finishes selecting, qualified applicants may be considered by other "
                "federal agencies hiring for the same job. "
            )
            + "If you opt in, your name, application and assessment results may be shared with them. This is "
            "your choice and does not guarantee further consideration."
        ),
    }


@transaction.atomic
def announcement_draft(*, action: HiringAction, actor: User) -> Announcement:
    """Create the draft announcement from the finalized job analysis (or refresh a draft's text).

    Writes an audit row.
    """
    require_role(action=action, user=actor, role=Role.HR)
    text = draft_text(action)
    announcement = Announcement.objects.filter(action=action).first()
    if announcement is None:
        announcement = Announcement(
            action=action, number=f"{action.agency.code}-{timezone.now():%Y}-{action.pk:05d}"
        )
    elif announcement.state != Announcement.State.DRAFT:
        raise DomainError("The announcement is already published; it can no longer be regenerated.")
    for name, value in text.items():
        setattr(announcement, name, value)
    announcement.updated_at = timezone.now()
    announcement.full_clean(exclude=["duties"])
    announcement.save()
    _audit(announcement, actor, "", Announcement.State.DRAFT, "Drafted from the job analysis.")
    return announcement


@transaction.atomic
def announcement_update(*, announcement_id: int, actor: User, revision: int, **fields) -> Announcement:
    """Save HR's edits to a draft announcement, refusing an edit made on an older copy."""
    announcement = Announcement.objects.select_for_update().select_related("action").get(pk=announcement_id)
    require_role(action=announcement.action, user=actor, role=Role.HR)
    if announcement.state != Announcement.State.DRAFT:
        raise DomainError("A published announcement cannot be edited here.")
    if revision != announcement.revision:
        raise DomainError("Someone saved this announcement since you opened it. Reload to see their changes.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(announcement, name, value)
    announcement.revision += 1
    announcement.updated_at = timezone.now()
    announcement.full_clean()
    announcement.save()
    _audit(
        announcement,
        actor,
        announcement.state,
        announcement.state,
        f"Edited (revision {announcement.revision}).",
    )
    return announcement


@transaction.atomic
def announcement_publish(
    *,
    announcement_id: int,
    actor: User,
    opens_on: date,
    closes_on: date | None,
    application_cap: int | None,
    cap_rule: str = Announcement.CapRule.EXACT,
) -> Announcement:
    """Publish the announcement with an open date and a close date, a cap, or both (HR only)."""
    announcement = Announcement.objects.select_for_update().select_related("action").get(pk=announcement_id)
    require_role(action=announcement.action, user=actor, role=Role.HR)
    if announcement.state != Announcement.State.DRAFT:
        raise DomainError("This announcement is already published.")
    if announcement.action.phase != Phase.ANNOUNCEMENT:
        raise DomainError("Finalize the job analysis before publishing the announcement.")
    if closes_on is None and application_cap is None:
        raise DomainError("Give a close date, an application cap, or both.", field="closes_on")
    if closes_on is not None and closes_on < opens_on:
        raise DomainError("The close date must be on or after the open date.", field="closes_on")
    if not announcement.duties.strip():
        raise DomainError("Describe the duties before publishing.", field="duties")
    announcement.state = Announcement.State.PUBLISHED
    announcement.opens_on, announcement.closes_on = opens_on, closes_on
    announcement.application_cap, announcement.cap_rule = application_cap, cap_rule
    announcement.published_at = timezone.now()
    announcement.full_clean()
    announcement.save()
    _audit(announcement, actor, Announcement.State.DRAFT, Announcement.State.PUBLISHED, "Published.")
    return announcement


def intake(announcement: Announcement, received: int | None = None) -> Intake:
    """The announcement's intake settings for hiring.rules.accepting_applications."""
    if received is None:
        # Only an exact cap needs the count (rule 1); an uncapped job at 50,000 applicants skips it.
        counted = announcement.application_cap is not None and announcement.cap_rule == "exact"
        received = announcement.action.applications.count() if counted else 0
    return Intake(
        state=announcement.state,
        opens_on=announcement.opens_on,
        closes_on=announcement.closes_on,
        cap=announcement.application_cap,
        cap_rule=announcement.cap_rule,
        cap_reached_on=announcement.cap_reached_on,
        received=received,
    )


def accepting(announcement: Announcement) -> tuple[bool, str]:
    """Whether the announcement takes an application today, and if not, why."""
    return accepting_applications(intake(announcement), timezone.localdate())


def _audit(
    announcement: Announcement, actor: User | None, from_state: str, to_state: str, reason: str
) -> None:
    AuditEvent.objects.create(
        actor=actor,
        actor_role=Actor.HR if actor else Actor.SYSTEM,
        subject=AuditEvent.Subject.ANNOUNCEMENT,
        action=announcement.action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
