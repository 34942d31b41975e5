"""SME pages (conflict check, queue, review) and HR's resume-review pages (dashboard, quality review,
results). Views authorize through selectors and call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hiring import selectors as hiring_selectors
from hiring.models import ApplicationDocument, Role, User
from hiring.uploads import first_pages
from hiring.workflow import Phase
from smeqa.access import role_required
from smeqa.errors import DomainError
from smeqa.forms import posted_version

from . import exports, selectors, services
from .forms import AddSmeForm, ConflictForm, RecuseForm, ResumeReviewForm, ReturnForm
from .models import ResumeReview


@role_required("sme")
def sme_home(request: HttpRequest) -> HttpResponse:
    """SME's home: the hiring actions they serve on and the phase each is in."""
    actions = hiring_selectors.actions_for(user=request.user, role=Role.SME)
    return render(request, "assessments/sme_home.html", {"actions": actions})


# --- SME: conflicts, queue, review ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sme_conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    """Names only: the SME declares conflicts before seeing any resume."""
    action = selectors.sme_action(sme=request.user, pk=pk)
    applications = list(selectors.names_for_conflict_check(action=action))
    form = ConflictForm(request.POST or None, applications=applications)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_check_complete(action_id=action.pk, sme=request.user, recusals=form.recusals())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Thank you. You will never be assigned anyone you named.")
            return redirect("assessments:sme_queue", pk=action.pk)
    done = selectors.has_checked_conflicts(sme=request.user, action=action)
    return render(request, "assessments/conflicts.html", {"action": action, "form": form, "done": done})


def sme_queue(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.sme_action(sme=request.user, pk=pk)
    if not selectors.has_checked_conflicts(sme=request.user, action=action):
        return redirect("assessments:sme_conflicts", pk=action.pk)
    return render(
        request,
        "assessments/queue.html",
        {"action": action, **selectors.sme_queue(sme=request.user, action=action)},
    )


def sme_next(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.sme_action(sme=request.user, pk=pk)
    review = selectors.next_review(sme=request.user, action=action)
    if review is None:
        messages.success(request, "You have no reviews waiting. Thank you.")
        return redirect("assessments:sme_queue", pk=action.pk)
    return redirect("assessments:sme_review", pk=review.pk)


@require_http_methods(["GET", "POST"])
def sme_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_sme(sme=request.user, pk=pk)
    action = review.action
    if not selectors.has_checked_conflicts(sme=request.user, action=action):
        return redirect("assessments:sme_conflicts", pk=action.pk)
    competencies = selectors.competencies_of(action=action)
    form = ResumeReviewForm(request.POST or None, review=review, action=action, competencies=competencies)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            review = services.resume_review_save(
                review_id=review.pk, sme=request.user, version=form.cleaned_data["version"], submit=submit,
                **form.answers(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            if submit:
                messages.success(request, f"Review of {review.application.applicant_name} submitted.")
                return redirect("assessments:sme_next", pk=action.pk)
            messages.success(request, "Draft saved.")
            return redirect("assessments:sme_review", pk=review.pk)
    return render(
        request,
        "assessments/review.html",
        {
            "review": review,
            "action": action,
            "application": review.application,
            "form": form,
            "recuse_form": RecuseForm(),
            "others": selectors.other_justifications(review=review),
            "editable": review.state not in {ResumeReview.State.ACCEPTED},
        },
    )


@require_POST
def sme_review_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves the form as the SME types (static/js/autosave.js); answers with the new version."""
    review = selectors.review_for_sme(sme=request.user, pk=pk)
    competencies = selectors.competencies_of(action=review.action)
    form = ResumeReviewForm(request.POST, review=review, action=review.action, competencies=competencies)
    if not form.is_valid():
        return JsonResponse({"saved": False, "message": "Not saved: reload the page."}, status=400)
    try:
        review = services.resume_review_save(
            review_id=review.pk, sme=request.user, version=form.cleaned_data["version"], submit=False,
            **form.answers(),
        )  # fmt: skip
    except DomainError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=409)
    return JsonResponse({"saved": True, "version": review.version, "saved_at": review.saved_at.isoformat()})


# The resume is shown inside the review page, so this one response may be framed by our own pages.
@xframe_options_sameorigin
@csp_override({"default-src": [CSP.NONE], "frame-ancestors": [CSP.SELF]})
def sme_review_resume(request: HttpRequest, pk: int) -> FileResponse:
    """The resume cut to the announcement's page limit: a new PDF, never the original (rule 4)."""
    review = selectors.review_for_sme(sme=request.user, pk=pk)
    document = get_object_or_404(
        ApplicationDocument, application_id=review.application_id, kind=ApplicationDocument.Kind.RESUME
    )
    with document.file.open("rb") as original:
        data = first_pages(original.read(), review.action.resume_page_limit)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="resume-{review.application_id}-first-pages.pdf"'
    return response


@require_POST
def sme_review_recuse(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_sme(sme=request.user, pk=pk)
    form = RecuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why you are recusing.")
        return redirect("assessments:sme_review", pk=review.pk)
    try:
        services.recusal_declare(review_id=review.pk, sme=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessments:sme_review", pk=review.pk)
    messages.success(request, "You are recused. Another SME will review this applicant.")
    return redirect("assessments:sme_queue", pk=review.action_id)


# --- HR ------------------------------------------------------------------------------------------


def hr_resume_review(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    dashboard = selectors.resume_review_dashboard(action=action)
    after = request.GET.get("after", "")
    to_check = selectors.reviews_for_quality_check(
        action=action, after=int(after) if after.isdigit() else None
    )
    return render(
        request,
        "assessments/hr_dashboard.html",
        {
            "action": action,
            "is_hr": True,
            "dashboard": dashboard,
            "to_check": to_check,
            # Only offered when a full page suggests more; an empty next page says so and links back.
            "next_after": to_check[-1].pk if len(to_check) == selectors.QUALITY_CHECK_PAGE else None,
            "ready": selectors.ready_to_send(action=action, signatures=dashboard["ready_signatures"]),
            "add_sme_form": AddSmeForm(),
            "in_review": action.phase == Phase.RESUME_REVIEW,
        },
    )


@require_POST
def hr_review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_hr(user=request.user, pk=pk)
    version = posted_version(request)
    try:
        if request.POST.get("decision") == "accept":
            services.resume_review_accept(review_id=review.pk, actor=request.user, version=version)
            messages.success(
                request, f"Accepted {review.sme.full_name}'s review of {review.application.applicant_name}."
            )
        else:
            form = ReturnForm(request.POST)
            note = form.data.get("note", "")
            services.resume_review_return(review_id=review.pk, actor=request.user, version=version, note=note)
            messages.success(request, f"Returned to {review.sme.full_name} with your note.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("assessments:hr_resume_review", pk=review.action_id)


@require_POST
def hr_resume_assign(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    created = services.resume_reviews_assign(action_id=action.pk, actor=request.user)
    messages.success(request, f"Assigned {created} review{'s' if created != 1 else ''}.")
    return redirect("assessments:hr_resume_review", pk=action.pk)


@require_POST
def hr_results_send(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    try:
        sent = services.resume_results_send_all(action_id=action.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sent {sent} result{'s' if sent != 1 else ''} (ELSM or IQSM).")
    return redirect("assessments:hr_resume_review", pk=action.pk)


@require_POST
def hr_sme_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    form = AddSmeForm(request.POST)
    if form.is_valid():
        try:
            sme = services.sme_add(action_id=action.pk, actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        else:
            messages.success(request, f"{sme.full_name} is now an SME on this action.")
    else:
        messages.error(request, "Enter the SME's email address.")
    return redirect("assessments:hr_resume_review", pk=action.pk)


@require_POST
def hr_sme_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    sme = get_object_or_404(User, pk=user_pk, action_roles__action=action, action_roles__role=Role.SME)
    moved = services.sme_remove(action_id=action.pk, sme=sme, actor=request.user)
    messages.success(
        request, f"{sme.full_name} removed; {moved} unfinished review{'s' if moved != 1 else ''} reassigned."
    )
    return redirect("assessments:hr_resume_review", pk=action.pk)


_EXPORTS = {
    "usas": exports.write_usas_resume_review_csv,
    "audit": exports.write_resume_review_audit_csv,
}


@require_GET
def hr_resume_review_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """HR downloads the resume-review results: the USA Staffing import (usas) or the audit file (audit)."""
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    write = _EXPORTS.get(kind)
    if write is None:
        raise Http404("No such export.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(action, kind)}"'
    response["Cache-Control"] = "no-store"
    write(action, response)
    return response


@require_POST
def hr_result_send(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """HR sends one applicant's settled result now (ELSM or IQSM)."""
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    application = get_object_or_404(action.applications, pk=application_pk)
    try:
        application = services.resume_result_send(application_id=application.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Sent {application.applicant_name} their result: {application.get_status_display()}."
        )
    return redirect("assessments:hr_resume_review", pk=action.pk)
