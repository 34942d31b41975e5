"""Project-level views: the signed-in landing redirect, health check and error pages."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hiring.selectors import roles_of

logger = logging.getLogger(__name__)

HOME_BY_ROLE = [
    ("hr", "hiring:hr_home"),
    ("sme", "assessments:sme_home"),
    ("hiring_manager", "certificates:manager_home"),
]


def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to the home page of their first role."""
    roles = roles_of(request.user)
    for role, url_name in HOME_BY_ROLE:
        if role in roles:
            return redirect(url_name)
    return redirect("hiring:candidate_home")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status. 503 only when the database does not answer: without Redis every
    page still works (queued work waits in PostgreSQL for the sweeps, docs/operations.md), so a
    broker outage is "degraded", 200, and an orchestrator does not drain or restart web for it."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    if checks["database"] != "ok":
        status = "unavailable"
    elif checks["broker"] in {"ok", "not configured (tasks run in-process)"}:
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, **checks}, status=503 if status == "unavailable" else 200)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is reported, not raised: this is the health page
        logger.warning("healthz: database unavailable: %s", exc)
        return "unavailable"
    return "ok"


def _check_broker() -> str:
    if not settings.BROKER_URL:
        return "not configured (tasks run in-process)"
    from smeqa.celery import app

    try:
        with app.connection_for_write(settings.BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # report, don't raise
        logger.warning("healthz: broker unavailable: %s", exc)
        return "unavailable"
    return "ok"


@login_not_required
def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_not_required
def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
