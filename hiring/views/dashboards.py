"""HR's dashboards (issue 9): one action's funnel, phase times and late work, and time to hire across
the actions the HR specialist runs. GET pages and their tables as CSV; nothing here writes."""

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.rules import csv_safe
from smeqa.access import role_required

from .. import metrics, selectors
from ..models import Role


@require_GET
def hr_action_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One action's dashboard: the funnel, days per phase against SMEQA's targets, and what is late."""
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    data = metrics.action_dashboard(action=action)
    return render(
        request,
        "hiring/dashboards/action.html",
        {"action": action, **data, "late_limit": metrics.LATE_LIMIT, "estimates": _basis()},
    )


@require_GET
def hr_action_dashboard_csv(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """One of the action dashboard's tables as CSV; the late lists in full, not only the first 50."""
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    tables = metrics.action_dashboard(action=action, limit=None)["tables"]
    return _csv(tables, table, f"action-{action.pk}-{table}.csv")


@role_required("hr")
@require_GET
def hr_dashboard(request: HttpRequest) -> HttpResponse:
    """Time to hire, SME effort and notice timeliness across the actions the person is HR on."""
    data = metrics.hr_overview(user=request.user)
    return render(request, "hiring/dashboards/overview.html", {**data, "estimates": _basis()})


@role_required("hr")
@require_GET
def hr_dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    tables = metrics.hr_overview(user=request.user)["tables"]
    return _csv(tables, table, f"hiring-actions-{table}.csv")


def _csv(tables: dict[str, metrics.Table], key: str, filename: str) -> HttpResponse:
    table = {t.key: t for t in tables.values()}.get(key)
    if table is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _basis() -> dict:
    return {
        "minutes_per_review": metrics.MINUTES_PER_REVIEW,
        "hours_per_interview": metrics.HOURS_PER_INTERVIEW,
        "hours_per_sme": metrics.HOURS_PER_SME,
    }
