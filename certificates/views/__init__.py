"""Phase 5 pages: HR's adjudication and certificates, the certificate itself (hiring manager, HR, a
receiving agency) and each candidate's package. Views authorize through selectors
and call one service. HR's time-in-grade page is in `time_in_grade`, the talent pool in `talent_pool`."""

import re
from collections import Counter

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from hiring import selectors as hiring_selectors
from hiring.models import Application, Role
from hiring.workflow import Phase
from smeqa.access import role_required
from smeqa.errors import DomainError
from smeqa.forms import posted_version

from .. import grade_checks, placing, rules, selectors, services, sharing
from ..forms import (
    AdjudicationForm,
    DispositionForm,
    InternalNoticeForm,
    IssueForm,
    NoteForm,
    PassOverForm,
)
from ..models import Certificate


@role_required("hiring_manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    """Hiring manager's home: their hiring actions, the certificates issued to them, and on a pooled
    action their own agency's vacancies, selections and positions filled (ADR 0015 step 8)."""
    from ..pool import pool_progress_for_manager

    actions = list(hiring_selectors.actions_for(user=request.user, role=Role.HIRING_MANAGER))
    titles = {action.pk: action for action in actions}
    pool_rows = [
        (titles[action_id], agency)
        for action_id, agency in pool_progress_for_manager(user=request.user)
        if action_id in titles
    ]
    certificates = list(selectors.certificates_for_manager(user=request.user))
    issued = Counter(c.action_id for c in certificates)
    theirs = {action.pk: agency for action, agency in pool_rows}
    for action in actions:
        # On a pooled action, their own agency's vacancies and certificates, not the whole pool's.
        action.my_vacancies = theirs[action.pk].vacancies if action.pk in theirs else action.vacancies
        action.my_certificates = issued[action.pk]
    return render(
        request,
        "certificates/manager_home.html",
        {"actions": actions, "certificates": certificates, "pool_rows": pool_rows},
    )


# --- HR: adjudication and issuing -------------------------------------------------------------------


SHOWN = 100  # rows of each list on HR's certificate page


def hr_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    wanted = (request.GET.get("agency", ""), request.GET.get("location", ""), request.GET.get("grade", ""))
    rows, slot, (listed, not_listed, waiting) = placing.page_cached(action, wanted)
    qualified = selectors.qualified_applicants(action=action, waiting_first=True)
    checked_grades = grade_checks.grades_to_check(action)
    due = selectors.grade_checks_due(action=action, grades=checked_grades)
    # The page's numbered steps; time in grade and the table of certificates show only when needed.
    shown = [
        "preference",
        *(["time_in_grade"] if checked_grades else []),
        *(["slots"] if len(rows) > 1 else []),
    ]
    step = {name: number for number, name in enumerate([*shown, "order", "issue"], start=1)}
    return render(
        request,
        "certificates/hr_certificates.html",
        {
            "action": action,
            "is_hr": True,
            # Bounded at any size: the claims still to adjudicate come first; the whole order is on
            # the issued certificate and its PDF.
            "applicants": qualified[:SHOWN],
            "applicant_total": qualified.count(),
            "shown": SHOWN,
            "listed": listed,
            "listed_shown": listed.names[:SHOWN],
            "not_listed": not_listed,
            "not_listed_shown": not_listed[:SHOWN],
            "waiting": waiting,
            "waiting_claims": sum(1 for w in waiting if w.reason == placing.PREFERENCE),
            "waiting_time_in_grade": sum(1 for w in waiting if w.reason == placing.TIME_IN_GRADE),
            # Time in grade (ADR 0015 step 3): only when the action fills more than one grade.
            "multi_grade": bool(checked_grades),
            "grade_checks_due": due[:SHOWN] if checked_grades else [],
            "grade_checks_due_total": due.count() if checked_grades else 0,
            "certificates": selectors.certificates_of(action=action),
            # ADR 0015 steps 4-5: one certificate per agency, location and grade; the one previewed.
            "slots": rows,
            "several_slots": len(rows) > 1,
            "step": step,
            "slot": slot,
            "slot_issued": next((r.certificate for r in rows if r.slot == slot), None),
            "issue_form": IssueForm(action=action, slot=slot),
            "in_certificate": action.phase == Phase.CERTIFICATE,
            "issuable": any(r.certificate is None for r in rows),
        },
    )


@require_http_methods(["GET", "POST"])
def hr_adjudicate(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    application = get_object_or_404(
        Application.objects.select_related("adjudication"), pk=application_pk, action=action
    )
    current = getattr(application, "adjudication", None)
    initial = (
        {
            "preference": current.preference,
            "documents": current.documents,
            "disability_percent": current.disability_percent,
            "tentative": current.tentative,
            "note": current.note,
        }
        if current
        else {"preference": application.preference_claim}
    )
    form = AdjudicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjudicate(application_id=application.pk, hr=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Preference recorded for {application.applicant_name}.")
            return redirect("certificates:hr_certificates", pk=action.pk)
    return render(
        request,
        "certificates/hr_adjudicate.html",
        {
            "action": action,
            "application": application,
            "form": form,
            "documents": application.documents.exclude(kind="resume"),
        },
    )


@require_POST
def hr_issue(request: HttpRequest, pk: int) -> HttpResponse:
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    form = IssueForm(request.POST, action=action)
    if not form.is_valid():
        messages.error(request, "Choose a certificate to issue from the table, and a return date.")
        return redirect("certificates:hr_certificates", pk=action.pk)
    data = form.cleaned_data
    back = (
        reverse("certificates:hr_certificates", args=[action.pk])
        + "?"
        + placing.Slot(data["agency"] or action.agency_id, "", data["duty_location"], data["grade"]).query
    )
    try:
        certificate = services.certificate_issue(
            action_id=action.pk, hr=request.user, grade=data["grade"], duty_location=data["duty_location"],
            return_by=data["return_by"], agency_id=data["agency"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        f"Certificate {certificate.number} issued; "
        + (
            "the listed candidates are told they were referred."
            if action.is_pooled
            else "referred and not-referred notices are on their way."
        ),
    )
    return redirect("certificates:certificate", pk=certificate.pk)


# --- the certificate --------------------------------------------------------------------------------


def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    cert = selectors.certificate_for(user=request.user, pk=pk)
    may_select = services.may_select(cert, request.user)
    may_administer = services.may_administer(cert, request.user)
    start = request.GET.get("from", "")
    names = selectors.certificate_names(certificate=cert, start=int(start) if start.isdigit() else 0)
    entries = names.entries
    editing = may_select and cert.state == Certificate.State.ISSUED
    # Forms whose only difference is the id prefix are rendered once and given each name's prefix
    # (identical markup; rendering 50 of each took 150 ms).
    blank_disposition = str(
        DispositionForm(initial={"code": "", "on": None, "version": cert.version}, auto_id="e0_%s")
    )
    blank_pass_over = str(PassOverForm(initial={"version": cert.version}, auto_id="p0_%s"))
    for entry in entries:
        if entry.disposition or entry.disposition_on:
            entry.form = DispositionForm(
                initial={"code": entry.disposition, "on": entry.disposition_on, "version": cert.version},
                auto_id=f"e{entry.pk}_%s",
            )
        else:
            entry.form = _with_prefix(blank_disposition, "e", entry.pk)
        entry.pass_over_form = _with_prefix(blank_pass_over, "p", entry.pk)
    return render(
        request,
        "certificates/certificate.html",
        {
            "certificate": cert,
            "action": cert.action,
            "entries": entries,
            "names": names,
            "may_select": may_select,
            "may_administer": may_administer,
            "editing": editing,
            "today": timezone.localdate(),
            "usable_until": rules.last_csa_day(cert.issued_on) if cert.is_copy else None,
            "corrections": (cert.source or cert).corrections.all(),
            "share_log": cert.share_requests.select_related("agency").all()
            if may_administer and not cert.is_copy
            else [],
            "note_form": NoteForm(),
            "notice_form": InternalNoticeForm(
                initial={"version": cert.version, "closed_on": cert.internal_notice_closed_on}
            ),
        },
    )


def _with_prefix(markup: str, letter: str, pk: int) -> str:
    """Our own form's markup with the id prefix "<letter>0_" (at the start of an attribute value or
    of a space-separated id) made "<letter><pk>_"."""
    return mark_safe(re.sub(rf'(?<=["\s]){letter}0_', f"{letter}{pk}_", markup))  # noqa: S308  # nosec B308 B703: our own escaped form markup; only an integer key is inserted


def certificate_pdf(request: HttpRequest, pk: int) -> FileResponse:
    cert = selectors.certificate_for(user=request.user, pk=pk)
    if cert.pdf_state != Certificate.Pdf.READY or not cert.pdf:
        raise Http404("The PDF is not ready yet.")
    response = FileResponse(cert.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    return response


def certificate_pdf_status(request: HttpRequest, pk: int) -> JsonResponse:
    """For the page's progress note: is the PDF ready yet?"""
    cert = selectors.certificate_for(user=request.user, pk=pk)
    return JsonResponse({"state": cert.pdf_state, "label": cert.get_pdf_state_display()})


@require_POST
def certificate_act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Return (selecting official), audit, correct, internal notice (HR)."""
    cert = selectors.certificate_for(user=request.user, pk=pk)
    version = posted_version(request)
    try:
        if what == "return":
            services.certificate_return(certificate_id=cert.pk, user=request.user, version=version)
            messages.success(request, "Certificate returned to HR, signed and dated by you.")
        elif what == "audit":
            services.certificate_audit(certificate_id=cert.pk, hr=request.user, version=version)
            messages.success(request, "Certificate audited and locked. Selection notices are on their way.")
        elif what == "correct":
            sharing.correction_record(
                certificate_id=cert.pk, hr=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, "Correction recorded and sent to every agency holding a copy.")
        elif what == "internal-notice":
            form = InternalNoticeForm(request.POST)
            if not form.is_valid():
                raise DomainError("Enter the date your internal notice closed.")
            sharing.internal_notice_record(
                certificate_id=cert.pk,
                hr=request.user,
                closed_on=form.cleaned_data["closed_on"],
                version=version,
            )
            messages.success(request, "Internal notice recorded.")
        else:
            raise Http404("No such action.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("certificates:certificate", pk=cert.pk)


@require_POST
def entry_act(request: HttpRequest, pk: int, entry_pk: int, what: str) -> HttpResponse:
    """A disposition (selecting official) or a pass-over (HR) for one name."""
    cert = selectors.certificate_for(user=request.user, pk=pk)
    entry = selectors.entry_for(certificate=cert, pk=entry_pk)
    try:
        if what == "disposition":
            form = DispositionForm(request.POST)
            if not form.is_valid():
                raise DomainError("Choose a disposition (and a date for a selection).")
            data = form.cleaned_data
            services.disposition_record(
                entry_id=entry.pk, user=request.user, code=data["code"], on=data["on"],
                decline_reason=data["decline_reason"], note=data["note"], version=data["version"],
            )  # fmt: skip
            messages.success(request, f"Recorded for {entry.name}.")
        elif what == "pass-over":
            form = PassOverForm(request.POST)
            if not form.is_valid():
                raise DomainError("Write the reasons for the pass-over.")
            services.pass_over_record(entry_id=entry.pk, hr=request.user, **form.cleaned_data)
            messages.success(request, f"Pass-over of {entry.name} recorded as approved.")
        else:
            raise Http404("No such action.")
    except DomainError as error:
        messages.error(request, error.message)
    page_start = selectors.names_page_start(entry.rank)
    url = reverse("certificates:certificate", args=[cert.pk])
    return redirect(f"{url}?from={page_start}#entry-{entry.pk}" if page_start else f"{url}#entry-{entry.pk}")


def entry_package(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One candidate's package: resume and the accepted interview sheets (transcripts, ratings, analysis)."""
    cert = selectors.certificate_for(user=request.user, pk=pk)
    entry = selectors.entry_for(certificate=cert, pk=entry_pk)
    return render(
        request,
        "certificates/package.html",
        {"certificate": cert, "entry": entry, **selectors.package(entry=entry)},
    )


def entry_resume(request: HttpRequest, pk: int, entry_pk: int) -> FileResponse:
    cert = selectors.certificate_for(user=request.user, pk=pk)
    entry = selectors.entry_for(certificate=cert, pk=entry_pk)
    document = entry.application.documents.filter(kind="resume").first()
    if document is None:
        raise Http404("No resume on file.")
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="resume-{entry.application_id}.pdf"'
    return response
