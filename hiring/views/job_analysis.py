"""The job analysis workshop pages. HR edits; SMEs and the hiring manager read and comment."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import CommentForm, CompetencyForm, QuestionForm, ReviseForm
from ..models import Competency, InterviewQuestion, Role


def job_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    action, roles = selectors.action_for_member(user=request.user, pk=pk)
    return render(
        request,
        "hiring/job_analysis.html",
        {
            "action": action,
            "is_hr": Role.HR in roles,
            "review": services.job_analysis_check(action),
            "comment_form": CommentForm(),
            "revise_form": ReviseForm(),
            **selectors.job_analysis_of(action=action),
        },
    )


def _hr_action(request: HttpRequest, pk: int):
    return selectors.action_for(user=request.user, pk=pk, role=Role.HR)


@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, pk: int, competency_pk: int | None = None) -> HttpResponse:
    action = _hr_action(request, pk)
    competency = get_object_or_404(Competency, pk=competency_pk, action=action) if competency_pk else None
    form = CompetencyForm(request.POST or None, action=action, competency=competency)
    if request.method == "POST" and form.is_valid():
        try:
            services.competency_save(
                action_id=action.pk, actor=request.user, competency_id=competency_pk, **form.service_fields()
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Saved “{form.cleaned_data['name']}”.")
            return redirect("hiring:job_analysis", pk=action.pk)
    return render(
        request, "hiring/competency_form.html", {"action": action, "form": form, "competency": competency}
    )


@require_POST
def competency_delete(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    action = _hr_action(request, pk)
    competency = get_object_or_404(Competency, pk=competency_pk, action=action)
    try:
        services.competency_delete(action_id=action.pk, actor=request.user, competency_id=competency.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Removed “{competency.name}”.")
    return redirect("hiring:job_analysis", pk=action.pk)


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, question_pk: int | None = None) -> HttpResponse:
    action = _hr_action(request, pk)
    question = get_object_or_404(InterviewQuestion, pk=question_pk, action=action) if question_pk else None
    initial = {"round": request.GET.get("round", 1)} if question is None else None
    form = QuestionForm(request.POST or None, action=action, question=question, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                action_id=action.pk, actor=request.user, question_id=question_pk, **form.service_fields()
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Question saved.")
            return redirect("hiring:job_analysis", pk=action.pk)
    return render(
        request, "hiring/question_form.html", {"action": action, "form": form, "question": question}
    )


@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    action = _hr_action(request, pk)
    question = get_object_or_404(InterviewQuestion, pk=question_pk, action=action)
    try:
        services.question_delete(action_id=action.pk, actor=request.user, question_id=question.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Question removed.")
    return redirect("hiring:job_analysis", pk=action.pk)


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    action, _ = selectors.action_for_member(user=request.user, pk=pk)
    topic = request.POST.get("topic", "job_analysis")
    target = "hiring:announcement" if topic == "announcement" else "hiring:job_analysis"
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                action=action, actor=request.user, topic=topic, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write a comment before sending it.")
    return redirect(target, pk=action.pk)


@require_POST
def job_analysis_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    action = _hr_action(request, pk)
    try:
        action = services.job_analysis_finalize(action_id=action.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("hiring:job_analysis", pk=action.pk)
    messages.success(
        request,
        f"Version {action.job_analysis_version} of the job analysis is final. The announcement is drafted.",
    )
    return redirect("hiring:announcement", pk=action.pk)


@require_POST
def job_analysis_revise(request: HttpRequest, pk: int) -> HttpResponse:
    action = _hr_action(request, pk)
    form = ReviseForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        action = services.job_analysis_revise(action_id=action.pk, actor=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Version {action.job_analysis_version} started. The earlier version stays on record."
        )
    return redirect("hiring:job_analysis", pk=action.pk)
