"""Structured interview pages: the SME's schedule and score sheet, the candidate's scheduling link, and
HR's interviews dashboard and sheet review. Views authorize through selectors and call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hiring import selectors as hiring_selectors
from hiring.models import Competency, Role, User
from smeqa.errors import DomainError
from smeqa.forms import posted_version

from . import interview_selectors as selectors
from . import interviews as services
from . import selectors as review_selectors
from .interview_forms import (
    AvailabilityForm,
    DeadlineForm,
    ScoreSheetForm,
    SeatForm,
    SheetReturnForm,
    SlotForm,
)
from .models import Availability, Interview, InterviewerSeat

IV = Interview.State


# --- SME -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sme_interviews(request: HttpRequest, pk: int) -> HttpResponse:
    """The SME's interviews on one action, and the availability they publish for candidates to choose from."""
    action = review_selectors.sme_action(sme=request.user, pk=pk)
    form = AvailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.availability_add(
                action_id=action.pk, sme=request.user, starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )  # fmt: skip
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Availability added. Candidates can now choose these times.")
            return redirect("assessments:sme_interviews", pk=action.pk)
    return render(
        request,
        "assessments/interviews/sme_schedule.html",
        {"action": action, "form": form, **selectors.sme_schedule(sme=request.user, action=action)},
    )


@require_POST
def sme_availability_remove(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(Availability, pk=pk, sme=request.user)
    try:
        booked = services.availability_remove(availability_id=window.pk, sme=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        kept = (
            f" The {booked} interview{'s' if booked != 1 else ''} already booked in it stay{'s' if booked == 1 else ''} booked."
            if booked
            else ""
        )
        messages.success(request, "Window removed." + kept)
    return redirect("assessments:sme_interviews", pk=window.action_id)


def _sheet_form(request: HttpRequest, interview: Interview, data=None) -> ScoreSheetForm:
    questions, competency_names = services.sheet_parts(interview)
    by_id = Competency.objects.in_bulk(list(competency_names))
    competencies = [by_id[cid] for cid in competency_names]
    return ScoreSheetForm(
        data, interview=interview, action=interview.action, questions=questions, competencies=competencies
    )


@require_http_methods(["GET", "POST"])
def sme_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The score sheet: the round's questions with notes, a rating per competency, the analysis."""
    interview = selectors.interview_for_sme(sme=request.user, pk=pk)
    form = _sheet_form(request, interview, request.POST or None)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            interview = services.sheet_save(interview_id=interview.pk, sme=request.user, **form.answers())
            if submit:
                interview = services.sheet_submit(
                    interview_id=interview.pk, sme=request.user, version=form.cleaned_data["version"]
                )
        except DomainError as error:
            form.add_error(None, error.message)
            interview.refresh_from_db()
            if submit:
                _mark_missing(form, interview)
        else:
            if submit:
                messages.success(
                    request, f"Score sheet for {interview.application.applicant_name} sent to HR."
                )
                return redirect("assessments:sme_interviews", pk=interview.action_id)
            messages.success(request, "Draft saved.")
            return redirect("assessments:sme_sheet", pk=interview.pk)
    return render(
        request,
        "assessments/interviews/sheet.html",
        {
            "interview": interview,
            "action": interview.action,
            "application": interview.application,
            "form": form,
            "editable": interview.state in services.EDITABLE,
            "started": interview.starts_at is not None and interview.starts_at <= timezone.now(),
        },
    )


def _mark_missing(form: ScoreSheetForm, interview: Interview) -> None:
    """Put "still needed" next to each empty part of the sheet, as well as in the summary at the top."""
    for question, _ in form.question_fields():
        if not (interview.notes.get(str(question.pk)) or "").strip():
            form.add_error(f"notes_{question.pk}", "Add your notes for this question before submitting.")
    for competency, _ in form.rating_fields():
        if not interview.ratings.get(str(competency.pk)):
            form.add_error(f"rating_{competency.pk}", "Rate this competency before submitting.")
    if not interview.analysis.strip():
        form.add_error("analysis", "Write the analysis before submitting.")


@require_POST
def sme_sheet_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves what changed as the SME types (static/js/autosave.js sends changed fields only)."""
    interview = selectors.interview_for_sme(sme=request.user, pk=pk)
    form = _sheet_form(request, interview, request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False, "message": "Not saved: reload the page."}, status=400)
    try:
        interview = services.sheet_save(
            interview_id=interview.pk, sme=request.user, **form.answers(present=set(request.POST))
        )
    except DomainError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=409)
    return JsonResponse(
        {"saved": True, "version": interview.version, "saved_at": interview.saved_at.isoformat()}
    )


@require_POST
def sme_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_for_sme(sme=request.user, pk=pk)
    try:
        services.sheet_no_show(interview_id=interview.pk, sme=request.user, version=posted_version(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessments:sme_sheet", pk=interview.pk)
    messages.success(
        request, f"No-show recorded for {interview.application.applicant_name}. HR will follow up."
    )
    return redirect("assessments:sme_interviews", pk=interview.action_id)


# --- candidate (from the email link; no sign-in needed) --------------------------------------------


@login_not_required
@never_cache  # the job and the interview time, to whoever holds the link: never kept by a browser or proxy
@require_http_methods(["GET", "POST"])
def interview_schedule(request: HttpRequest, token) -> HttpResponse:
    """The candidate chooses, changes or cancels their interview time from the link in their email."""
    interview = selectors.interview_by_token(token=token)
    slots = services.offered_slots(interview) if interview.state in (IV.INVITED, IV.SCHEDULED) else []
    form = SlotForm(request.POST or None, slots=slots, interview=interview)
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.interview_cancel(
                    interview_id=interview.pk, version=posted_version(request), actor=None, by_hr=False
                )
                messages.success(request, "Your interview time is cancelled. Please choose a new time below.")
                return redirect("assessments:interview_schedule", token=interview.token)
            if form.is_valid():
                interview = services.interview_book(
                    interview_id=interview.pk, starts_at=form.chosen(), version=form.cleaned_data["version"],
                    actor=None, by_hr=False,
                )  # fmt: skip
                messages.success(
                    request,
                    f"Your interview is booked for {timezone.localtime(interview.starts_at):%A, %B %-d at %-I:%M %p} "
                    "Eastern. We emailed you a calendar file.",
                )
                return redirect("assessments:interview_schedule", token=interview.token)
        except DomainError as error:
            form.add_error(None, error.message)
    now = timezone.now()
    return render(
        request,
        "assessments/interviews/schedule.html",
        {
            "interview": interview,
            "action": interview.action,
            "form": form,
            "slots": slots,
            "deadline_passed": interview.respond_by is not None and interview.respond_by < now,
            "started": interview.starts_at is not None and interview.starts_at <= now,
        },
    )


# --- HR ------------------------------------------------------------------------------------------


def hr_interviews(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    dashboard = selectors.interviews_dashboard(action=action)
    for round_ in dashboard["rounds"]:
        # One invitation form per round, each with its own ids (both show while both rounds have
        # assigned candidates).
        round_["deadline_form"] = DeadlineForm(auto_id=f"round{round_['number']}_%s")
    return render(
        request,
        "assessments/interviews/hr_dashboard.html",
        {
            "action": action,
            "is_hr": True,
            "dashboard": dashboard,
            "seat_form": SeatForm(smes=[r.user for r in dashboard["smes"]]),
            "in_assessments": action.phase == "assessments",
        },
    )


@require_POST
def hr_seat_add(request: HttpRequest, pk: int, round: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    smes = User.objects.filter(action_roles__action=action, action_roles__role=Role.SME)
    form = SeatForm(request.POST, smes=smes)
    if not form.is_valid():
        messages.error(request, "Choose a subject matter expert to add.")
    else:
        try:
            seat = services.interviewer_seat_add(
                action_id=action.pk, hr=request.user, round=round, sme_id=form.cleaned_data["sme"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{seat.sme.full_name} will interview in round {round}.")
    return redirect("assessments:hr_interviews", pk=action.pk)


@require_POST
def hr_seat_remove(request: HttpRequest, pk: int, round: int) -> HttpResponse:
    """One form per round names the interviewer to remove: a remove button beside each of 120
    interviewers was a quarter of the dashboard's time at 50,000 applicants (docs/performance.md)."""
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    seated = User.objects.filter(
        pk__in=InterviewerSeat.objects.filter(action=action, round=round).values("sme_id")
    ).order_by("email")
    form = SeatForm(request.POST, smes=seated)
    if not form.is_valid():
        messages.error(request, f"Choose a round {round} interviewer to remove.")
    else:
        services.interviewer_seat_remove(
            action_id=action.pk, hr=request.user, round=round, sme_id=form.cleaned_data["sme"]
        )
        messages.success(
            request, f"Removed from the round {round} interviewers. Their interviews stay with them."
        )
    return redirect("assessments:hr_interviews", pk=action.pk)


@require_POST
def hr_interviews_assign(request: HttpRequest, pk: int, round: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    try:
        assigned, left = services.interviews_assign(action_id=action.pk, round=round, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        text = f"Assigned {assigned} round {round} interview{'s' if assigned != 1 else ''}."
        if left:
            text += f" {left} applicant{'s' if left != 1 else ''} could not be assigned: every interviewer in the group is recused or conducted their round 1. Add another SME to the group."
        (messages.warning if left else messages.success)(request, text)
    return redirect("assessments:hr_interviews", pk=action.pk)


@require_POST
def hr_invitations_send(request: HttpRequest, pk: int, round: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the date and time by which candidates must choose.")
        return redirect("assessments:hr_interviews", pk=action.pk)
    try:
        sent = services.invitations_send(
            action_id=action.pk, round=round, hr=request.user, respond_by=form.respond_by()
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Invited {sent} candidate{'s' if sent != 1 else ''} to choose a round {round} time."
        )
    return redirect("assessments:hr_interviews", pk=action.pk)


def hr_interview(request: HttpRequest, pk: int) -> HttpResponse:
    """One interview for HR: scheduling (place by hand, cancel), the sheet and its review."""
    interview = selectors.interview_for_hr(user=request.user, pk=pk)
    questions, competency_names = services.sheet_parts(interview)
    slots = (
        services.offered_slots(interview)
        if interview.state in (IV.ASSIGNED, IV.INVITED, IV.SCHEDULED)
        else []
    )
    return render(
        request,
        "assessments/interviews/hr_interview.html",
        {
            "interview": interview,
            "action": interview.action,
            "is_hr": True,
            "application": interview.application,
            "questions": [(q, interview.notes.get(str(q.pk), "")) for q in questions],
            "ratings": [
                (name, interview.ratings.get(str(cid), "")) for cid, name in competency_names.items()
            ],
            "slot_form": SlotForm(slots=slots, interview=interview),
            "slots": slots,
            "return_form": SheetReturnForm(initial={"version": interview.version}),
            # Its own ids: the slot form on the same page has a hidden `version` too.
            "deadline_form": DeadlineForm(initial={"version": interview.version}, auto_id="deadline_%s"),
            "deadline_passed": interview.respond_by is not None and interview.respond_by < timezone.now(),
            "others": selectors.interviews_of_application(application=interview.application).exclude(
                pk=interview.pk
            ),
        },
    )


@require_POST
def hr_interview_act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """HR's decisions on one interview: accept, return, place, cancel, no-response (FR), reoffer."""
    interview = selectors.interview_for_hr(user=request.user, pk=pk)
    version = posted_version(request)
    name = interview.application.applicant_name
    try:
        if what == "accept":
            interview = services.sheet_accept(interview_id=interview.pk, hr=request.user, version=version)
            interview.application.refresh_from_db()
            messages.success(
                request,
                f"Accepted. Round {interview.round} score {interview.score}: {name} is now “{interview.application.get_status_display()}”.",
            )
        elif what == "return":
            form = SheetReturnForm(request.POST)
            services.sheet_return(
                interview_id=interview.pk, hr=request.user, version=version, note=form.data.get("note", "")
            )
            messages.success(request, f"Returned to {interview.sme.full_name} with your note.")
        elif what == "place":
            form = SlotForm(request.POST, slots=services.offered_slots(interview), interview=interview)
            if not form.is_valid():
                raise DomainError("Choose one of the offered times.")
            services.interview_book(
                interview_id=interview.pk,
                starts_at=form.chosen(),
                version=version,
                actor=request.user,
                by_hr=True,
            )
            messages.success(request, f"{name} is booked; they were emailed the time and a calendar file.")
        elif what in ("cancel", "reoffer"):
            form = DeadlineForm(request.POST)
            if not form.is_valid():
                raise DomainError("Enter the new date and time by which the candidate must choose.")
            if what == "cancel":
                services.interview_cancel(
                    interview_id=interview.pk,
                    version=version,
                    actor=request.user,
                    by_hr=True,
                    respond_by=form.respond_by(),
                )
                messages.success(
                    request, f"Cancelled; the hour is free again and {name} was asked to choose a new time."
                )
            else:
                services.interview_reoffer(
                    interview_id=interview.pk, version=version, hr=request.user, respond_by=form.respond_by()
                )
                messages.success(request, f"{name} was invited to choose a new time.")
        elif what == "no-response":
            services.no_response_record(interview_id=interview.pk, version=version, hr=request.user)
            messages.success(request, f"Failure to respond recorded; {name} was told in writing.")
        else:
            messages.error(request, "Unknown action.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("assessments:hr_interview", pk=interview.pk)
