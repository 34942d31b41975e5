"""Applying: candidate sign-up, the application form with drafts and checked uploads."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import DOCUMENT_FIELDS, ApplyForm, SignUpForm
from ..models import ActionRole, Application, PreferenceClaim
from ..uploads import pages_note
from .public import _public


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """A candidate creates an account, is signed in, and continues where they were going."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.candidate_register(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready.")
            return redirect(next_url or "hiring:candidate_home")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply to an open announcement. Every valid upload and answer is kept in a draft, so a bad
    file or a closed browser loses nothing; submitting needs a resume, citizenship and the sharing answer."""
    joa = _public(pk)
    action = joa.action
    existing = Application.objects.filter(action=action, candidate=request.user).first()
    if existing is not None:
        messages.info(request, "You have already applied to this job.")
        return redirect("hiring:candidate_application_status", pk=existing.pk)
    if ActionRole.objects.filter(action=action, user=request.user).exists():
        raise PermissionDenied("You hold a role on this hiring action, so you cannot apply to it.")
    accepting, why = services.accepting(joa)
    if not accepting:
        return render(
            request,
            "hiring/apply_closed.html",
            {"announcement": joa, "action": action, "why": why},
            status=410,
        )

    choices = _choices(action)
    draft = services.application_draft_of(action=action, candidate=request.user)
    documents = {d.kind: d for d in draft.documents.all()} if draft else {}
    if request.method == "GET":
        saved = draft.data if draft else {}
        initial = {
            "citizenship": saved.get("citizenship", False),
            "preference_claim": saved.get("preference_claim") or PreferenceClaim.NONE,
            "sharing": saved.get("sharing", ""),
            "places": saved.get("places", []),
            "lowest_grade": saved.get("lowest_grade", ""),
        }
        form = ApplyForm(initial=initial, documents=documents, sharing_notice=joa.sharing_notice, **choices)
        return _render(request, joa, form, documents)

    form = ApplyForm(
        request.POST, request.FILES, documents=documents, sharing_notice=joa.sharing_notice, **choices
    )
    uploads = {kind: request.FILES.get(kind) for kind in DOCUMENT_FIELDS}
    draft, refused = services.application_draft_save(
        action=action, candidate=request.user, data=form.draft_data(), uploads=uploads
    )
    documents = {d.kind: d for d in draft.documents.all()}
    form = ApplyForm(
        request.POST, request.FILES, documents=documents, sharing_notice=joa.sharing_notice, **choices
    )
    form.is_valid()
    for kind, reason in refused.items():
        form.add_error(kind, reason)
    if "submit" not in request.POST:
        if not refused:
            messages.success(request, "Draft saved. You can come back to it any time before the job closes.")
        return _render(request, joa, form, documents)
    if form.check_complete():
        try:
            application = services.application_submit(
                action=action,
                candidate=request.user,
                citizenship_attested=True,
                preference_claim=form.cleaned_data["preference_claim"],
                sharing_opt_in=form.cleaned_data["sharing"] == "opt_in",
                draft=draft,
                places=form.chosen_places() if form.pooled else None,
                lowest_grade=form.chosen_lowest_grade(),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Application submitted. We emailed you a receipt.")
            return redirect("hiring:candidate_application_status", pk=application.pk)
    return _render(request, joa, form, documents)


def _choices(action) -> dict:
    """The apply form's choices: the places on a pooled action (None on a single-agency one), and the
    action's grades (the form asks the lowest grade accepted when there are two or more)."""
    places = selectors.pool_places(action=action)
    pooled = bool(places) or action.is_pooled
    grades = [(str(g), f"{action.pay_plan}-{g:02d}") for g in sorted(action.grades or [])]
    return {"places": places if pooled else None, "grades": grades}


def _render(request, joa, form, documents) -> HttpResponse:
    resume = documents.get("resume")
    note = pages_note(resume.pages, joa.action.resume_page_limit) if resume else None
    return render(
        request,
        "hiring/apply.html",
        {"announcement": joa, "action": joa.action, "form": form, "resume_note": note},
    )
