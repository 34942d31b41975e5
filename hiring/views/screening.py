"""HR's eligibility screening queue for one action: filters and bulk actions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from smeqa.errors import DomainError

from .. import selectors, services
from ..models import PreferenceClaim, Role
from ..workflow import Phase, Status

FILTERS = {
    "": ("All waiting", {}),
    "no_resume": ("No resume", {"resume_pages__isnull": True}),
    "no_citizenship": ("Citizenship not attested", {"citizenship_attested": False}),
    "preference": (
        "Preference claimed",
        {"preference_claim__in": [c for c in PreferenceClaim.values if c != "NV"]},
    ),
}


@require_http_methods(["GET", "POST"])
def hr_screening(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    chosen_filter = request.GET.get("filter", "")
    if chosen_filter not in FILTERS:
        chosen_filter = ""
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("applications") if value.isdigit()]
        operation = request.POST.get("operation")
        try:
            if operation == "release_all":
                moved = services.screening_release(action_id=action.pk, actor=request.user)
                messages.success(
                    request, f"Released {moved} application{'s' if moved != 1 else ''} to resume review."
                )
            elif operation == "release":
                if not ids:
                    raise DomainError("Choose the applications to release.")
                moved = services.screening_release(
                    action_id=action.pk, actor=request.user, application_ids=ids
                )
                messages.success(
                    request, f"Released {moved} application{'s' if moved != 1 else ''} to resume review."
                )
            elif operation == "remove":
                removed = services.screening_remove(
                    action_id=action.pk,
                    actor=request.user,
                    application_ids=ids,
                    ground=request.POST.get("ground", ""),
                    details=request.POST.get("details", ""),
                )
                messages.success(request, f"Removed {removed} as not eligible. Each applicant was notified.")
            else:
                raise DomainError("Choose what to do with the selected applications.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}?filter={chosen_filter}" if chosen_filter else request.path)
    waiting = selectors.applications_for_action(action=action).filter(
        status=Status.RECEIVED, **FILTERS[chosen_filter][1]
    )
    return render(
        request,
        "hiring/screening.html",
        {
            "action": action,
            "is_hr": True,
            "applications": waiting[:500],
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "chosen_filter": chosen_filter,
            "grounds": services.REMOVAL_GROUNDS.items(),
            "can_release": action.phase == Phase.RESUME_REVIEW,
        },
    )
