"""Public job pages: no sign-in. Open announcements, each with schema.org JobPosting JSON-LD and a
USAJOBS-style JSON export."""

import json

from django.contrib.auth.decorators import login_not_required
from django.db.models import Case, Count, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import services
from ..models import Announcement, Application
from ..publishing import job_posting_jsonld, usajobs_export
from ..rules import accepting_applications
from ..services.announcements import intake


def _script_safe(text: str) -> str:
    """JSON safe inside a <script> element: HR-typed text can never close the element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _public(pk: int) -> Announcement:
    try:
        return Announcement.objects.select_related("action__agency").get(
            pk=pk, state__in=[Announcement.State.PUBLISHED, Announcement.State.CLOSED]
        )
    except Announcement.DoesNotExist:
        raise Http404("No such job.") from None


@login_not_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    received = (
        Application.objects.filter(action_id=OuterRef("action_id"))
        .order_by()
        .values("action_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    listed = (
        Announcement.objects.filter(state=Announcement.State.PUBLISHED, opens_on__lte=today)
        .select_related("action__agency")
        # Counted only for jobs with an exact cap (the only rule that needs it), so the public list does
        # not count every application of every open job on each view.
        .annotate(
            received=Case(
                When(application_cap__isnull=False, cap_rule="exact", then=Coalesce(Subquery(received), 0)),
                default=Value(0),
            )
        )
        .order_by("closes_on", "pk")
    )
    open_jobs = [joa for joa in listed if accepting_applications(intake(joa, joa.received), today)[0]]
    return render(request, "hiring/jobs.html", {"jobs": [(joa, True) for joa in open_jobs]})


@login_not_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    joa = _public(pk)
    accepting, why = services.accepting(joa)
    url = request.build_absolute_uri(reverse("hiring:job_detail", args=[joa.pk]))
    return render(
        request,
        "hiring/job_detail.html",
        {
            "announcement": joa,
            "action": joa.action,
            "accepting": accepting,
            "why_closed": why,
            "jsonld": _script_safe(json.dumps(job_posting_jsonld(joa, url=url))),
            "duties": [line for line in joa.duties.splitlines() if line.strip()],
            "qualifications": [line for line in joa.qualifications.splitlines() if line.strip()],
        },
    )


@login_not_required
@require_GET
def job_json(request: HttpRequest, pk: int) -> JsonResponse:
    joa = _public(pk)
    url = request.build_absolute_uri(reverse("hiring:job_detail", args=[joa.pk]))
    return JsonResponse(usajobs_export(joa, url=url), json_dumps_params={"indent": 2})
