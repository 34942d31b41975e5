"""HR's pool page for a pooled action (ADR 0015): participating agencies, their vacancies and their
hiring managers; once certificates are out, each agency's progress and closing the pool. Each form posts
here with an `operation`; a refused form comes back with what was typed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from certificates import pool as certificate_pool
from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import ManagerGrantForm, ParticipantAddForm, VacancyForm
from ..models import Role
from ..workflow import Phase

# Operations that post no form fields: a refusal shows beside their button.
BUTTONS = {"remove", "close"}


def _refused(form: Form, error: DomainError | ValidationError) -> None:
    if isinstance(error, ValidationError):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


@require_http_methods(["GET", "POST"])
def hr_pool(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    pool = selectors.pool_of(action=action)
    data = request.POST if request.method == "POST" else None
    operation = request.POST.get("operation", "") if data else ""
    forms = {
        "add": ParticipantAddForm(
            data if operation == "add" else None, agencies=selectors.agencies_to_add(action=action)
        ),
        "vacancy": VacancyForm(data if operation == "vacancy" else None, action=action, participants=pool),
        "manager": ManagerGrantForm(data if operation == "manager" else None, participants=pool),
    }
    button_error = ""
    if request.method == "POST":
        try:
            done = _act(request, action, pool, operation, forms)
        except DomainError as error:
            if operation in BUTTONS:
                button_error = error.message
            elif operation in forms:
                _refused(forms[operation], error)
            done = None
        except ValidationError as error:
            _refused(forms[operation], error)
            done = None
        if done:
            messages.success(request, done)
            return redirect("hiring:hr_pool", pk=action.pk)
        if operation not in {*forms, *BUTTONS}:
            messages.error(request, "Choose what to change on the pool, then try again.")
            return redirect("hiring:hr_pool", pk=action.pk)
    return render(
        request,
        "hiring/pool.html",
        {
            "action": action,
            "is_hr": True,
            "pool": pool,
            "editable": services.pool_editable(action),
            "add_form": forms["add"],
            "vacancy_form": forms["vacancy"],
            "manager_form": forms["manager"],
            "remove_error": button_error if operation == "remove" else "",
            "close_error": button_error if operation == "close" else "",
            **_progress(action, pool),
        },
    )


def _progress(action, pool) -> dict:
    """The pool's progress and closing (ADR 0015 steps 7-8), once it has participants."""
    if not pool:
        return {}
    closing = action.phase == Phase.CERTIFICATE and action.pool_closed_at is None
    selecting = action.phase in {Phase.CERTIFICATE, Phase.CLOSED}
    return {
        "progress": certificate_pool.pool_progress(action) if selecting else [],
        "without_vacancies": [p.agency.name for p in pool if not p.vacancy_rows],
        "closable": closing,
        "close_problems": certificate_pool.pool_close_problems(action, cached=True) if closing else [],
        "closed": certificate_pool.pool_close_event(action),
    }


def _act(request, action, pool, operation: str, forms) -> str | None:
    """Call the service `operation` names; the success message, or None when the form did not validate."""
    hr = request.user
    if operation == "remove":
        participant = next((p for p in pool if str(p.pk) == request.POST.get("participant", "")), None)
        if participant is None:
            raise DomainError("That agency is no longer taking part in this action.")
        services.pool_participant_remove(participant_id=participant.pk, hr=hr)
        return f"{participant.agency} no longer takes part in this action."
    if operation == "close":
        certificate_pool.pool_close(action_id=action.pk, hr=hr)
        return (
            "The pool is closed. Candidates not selected were told; the opted-in ones can now be "
            "requested from the talent pool by agencies outside the pool."
        )
    form = forms.get(operation)
    if form is None or not form.is_valid():
        return None
    data = form.cleaned_data
    if operation == "add":
        participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=data["agency"].pk)
        return f"{participant.agency} now takes part in this action. Next: its vacancies."
    if operation == "vacancy":
        vacancy = services.vacancy_set(
            participant_id=int(data["participant"]),
            hr=hr,
            duty_location=data["duty_location"],
            grade=data["grade"],
            count=data["count"],
        )
        if vacancy is None:
            return "Vacancies removed."
        return f"Vacancies saved: {vacancy.count} at {action.pay_plan}-{vacancy.grade} in {vacancy.duty_location}."
    if operation == "manager":
        role = services.pool_manager_grant(
            action_id=action.pk, hr=hr, participant_id=int(data["participant"]), email=data["email"]
        )
        return f"{role.user} is now a hiring manager for {role.agency}."
    return None
