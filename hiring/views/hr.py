"""HR's pages for the hiring spine: their actions, an action's applicants and one applicant's case
file, creating an action and its settings. Views authorize through selectors, bind a form and call
one service; a DomainError's message is shown to the person and nothing is saved."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from smeqa.access import role_required
from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import ApplicationTransitionForm, HiringActionForm, PhaseAdvanceForm
from ..models import ApplicationDocument, Role
from ..workflow import Actor, Status, next_phase


@role_required("hr")
def hr_home(request: HttpRequest) -> HttpResponse:
    """HR specialist's home: the hiring actions they run."""
    actions = selectors.actions_for(user=request.user, role=Role.HR, with_counts=True)
    can_create = selectors.agencies_for_hr(user=request.user).exists()
    return render(request, "hiring/hr_home.html", {"actions": actions, "can_create": can_create})


def hr_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    sort = request.GET.get("sort", "newest")
    sort = sort if sort in selectors.APPLICANT_SORTS else "newest"
    after = request.GET.get("after", "")
    try:
        page = selectors.applicant_page(action=action, status=status, sort=sort, after=after)
    except selectors.BadCursor:
        messages.error(request, "That page link was not valid, so the list starts again from the first page.")
        page, after = selectors.applicant_page(action=action, status=status, sort=sort), ""
    return render(
        request,
        "hiring/hr_action_detail.html",
        {
            "action": action,
            **page,
            "status": status,
            "sort": sort,
            "deep": bool(after),
            "statuses": Status.choices,
            "sorts": [("newest", "Newest first"), ("oldest", "Oldest first"), ("name", "Name, A to Z")],
            "status_counts": selectors.status_counts(action=action),
            "next_phase": next_phase(action.phase),
            "phase_form": PhaseAdvanceForm(initial={"expected_phase": action.phase}),
        },
    )


@require_POST
def hr_action_advance_phase(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    form = PhaseAdvanceForm(request.POST)
    if form.is_valid():
        try:
            action = services.hiring_action_advance_phase(
                action_id=action.pk,
                actor=request.user,
                expected_phase=form.cleaned_data["expected_phase"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The action is now in {action.get_phase_display()}.")
    else:
        messages.error(request, "The request was incomplete; reload the page and try again.")
    return redirect("hiring:hr_action_detail", pk=action.pk)


@require_http_methods(["GET", "POST"])
def hr_application_detail(request: HttpRequest, action_pk: int, pk: int) -> HttpResponse:
    application = selectors.application_for_hr(user=request.user, action_pk=action_pk, pk=pk)
    form = ApplicationTransitionForm(
        request.POST or None, current_status=application.status, phase=application.action.phase
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_transition(
                application_id=application.pk,
                to_status=form.cleaned_data["to_status"],
                actor=request.user,
                actor_role=Actor.HR,
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                f"Status changed to “{application.get_status_display()}”. The candidate was notified.",
            )
            return redirect("hiring:hr_application_detail", action_pk=action_pk, pk=pk)
    return render(
        request,
        "hiring/hr_application_detail.html",
        {
            "application": application,
            "action": application.action,
            "events": selectors.events_for_application(application=application),
            "documents": application.documents.all(),
            "places": application.places.select_related("participant__agency"),
            "form": form,
        },
    )


@role_required("hr")
@require_http_methods(["GET", "POST"])
def hr_action_create(request: HttpRequest) -> HttpResponse:
    """HR starts a hiring action for their agency; the job analysis workshop begins."""
    agencies = list(selectors.agencies_for_hr(user=request.user))
    if not agencies:
        raise PermissionDenied("Only an agency's HR specialists create hiring actions.")
    form = HiringActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            action = services.hiring_action_create(agency=agencies[0], actor=request.user, **fields)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Hiring action created. Next: the job analysis.")
            return redirect("hiring:job_analysis", pk=action.pk)
    return render(request, "hiring/hr_action_create.html", {"form": form, "agency": agencies[0]})


def hr_document(request: HttpRequest, action_pk: int, pk: int) -> FileResponse:
    """HR opens an applicant's uploaded PDF (it passed hiring.uploads.check_pdf on the way in)."""
    action = selectors.action_for(user=request.user, pk=action_pk, role=Role.HR)
    document = get_object_or_404(ApplicationDocument, pk=pk, application__action=action)
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.get_kind_display()}-{document.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def hr_action_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """HR changes the action's settings while the job analysis is a draft."""
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    form = HiringActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            services.hiring_action_update(action_id=action.pk, actor=request.user, **fields)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Settings saved.")
            return redirect("hiring:job_analysis", pk=action.pk)
    return render(request, "hiring/hr_action_settings.html", {"form": form, "action": action})
