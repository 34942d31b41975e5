"""Candidates' pages: their applications, status timeline, withdrawing."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from smeqa.access import role_required
from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import WithdrawForm
from ..workflow import Actor, Status, allowed_moves


@role_required("candidate")
def candidate_home(request: HttpRequest) -> HttpResponse:
    """Candidate's home: their applications and where each stands."""
    applications = list(
        selectors.applications_for_candidate(user=request.user).select_related("action__announcement")
    )
    expectations = services.expectations_of(applications=applications, today=timezone.localdate())
    for application in applications:
        application.expectation = expectations[application.pk]  # what comes next, for its card
    return render(request, "hiring/candidate_home.html", {"applications": applications})


def candidate_application_status(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_candidate(user=request.user, pk=pk)
    return render(
        request,
        "hiring/candidate_status.html",
        {
            "application": application,
            "action": application.action,
            "timeline": selectors.candidate_timeline(application=application),
            # Interviews to choose a time for or attend (assessments.models.Interview, by its reverse name).
            "interviews": application.interviews.filter(state__in=["invited", "scheduled"]).order_by("round"),
            "can_withdraw": Status.WITHDRAWN in _candidate_moves(application.status),
            # What comes next and by when (hiring.rules.expected_next; the fortnightly email says the same).
            "expectation": services.expectation_for(application=application, today=timezone.localdate()),
            # Pooled (ADR 0015): their own choices and the agencies whose certificates list them.
            "pool": selectors.pool_standing(application=application),
        },
    )


def _candidate_moves(status: str) -> list[Status]:
    return allowed_moves(status, Actor.CANDIDATE)


@require_http_methods(["GET", "POST"])
def candidate_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_candidate(user=request.user, pk=pk)
    form = WithdrawForm(request.POST or None, initial={"expected_status": application.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_transition(
                application_id=application.pk,
                to_status=Status.WITHDRAWN,
                actor=request.user,
                actor_role=Actor.CANDIDATE,
                reason="Withdrawn by the candidate.",
                expected_status=form.cleaned_data["expected_status"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your application is withdrawn. We have emailed you a confirmation.")
            return redirect("hiring:candidate_application_status", pk=pk)
    return render(request, "hiring/candidate_withdraw.html", {"application": application, "form": form})
