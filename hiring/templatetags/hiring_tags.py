from django import template

from hiring.workflow import PHASE_ORDER, Status

register = template.Library()

# USWDS tag colours by how an application stands: in progress, good news, ended.
GOOD = {Status.MOVED_FORWARD, Status.QUALIFIED, Status.REFERRED, Status.SELECTED}
ENDED = {
    Status.INELIGIBLE,
    Status.DID_NOT_MOVE_FORWARD,
    Status.FAILED_ASSESSMENT,
    Status.NO_RESPONSE,
    Status.NOT_REFERRED,
    Status.NOT_SELECTED,
    Status.WITHDRAWN,
}


@register.filter
def phase_steps(action) -> list[dict]:
    """Each phase of `action` with its state: complete, current or upcoming."""
    current = PHASE_ORDER.index(action.phase)
    return [
        {
            "label": phase.label,
            "state": "complete" if i < current else "current" if i == current else "upcoming",
        }
        for i, phase in enumerate(PHASE_ORDER)
    ]


@register.inclusion_tag("includes/status_tag.html")
def status_tag(status: str) -> dict:
    value = Status(status)
    tone = "good" if value in GOOD else "ended" if value in ENDED else "progress"
    return {"label": value.label, "tone": tone}


RATING_LABELS = {
    "does_not_meet": "Does not meet",
    "meets": "Meets",
    "exceeds": "Exceeds",
    "not_met": "Does not meet",
}


@register.filter
def rating_label(value: str) -> str:
    """An SME's rating as people read it ("does_not_meet" → "Does not meet"); "-" when missing."""
    return RATING_LABELS.get(value or "", "-")
