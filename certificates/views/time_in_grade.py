"""HR's time-in-grade page (ADR 0015 step 3): the grade history of one qualified applicant of a
multi-grade action, typed as rows, and each grade's answer. Calls certificates.grade_checks."""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from hiring import selectors as hiring_selectors
from hiring.models import Application, Role
from hiring.workflow import Status
from smeqa.errors import DomainError

from .. import grade_checks
from ..forms import GradeCheckForm, grade_span_formset


@require_http_methods(["GET", "POST"])
def hr_grade_check(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    """Time in grade for one qualified applicant: the grade history HR reads, and each grade's answer."""
    action = hiring_selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    application = get_object_or_404(Application, pk=application_pk, action=action)
    checks = list(application.grade_checks.select_related("checked_by").order_by("grade"))
    latest = checks[0] if checks else None
    data = request.POST if request.method == "POST" else None
    form = GradeCheckForm(data, initial={"source": latest.source, "note": latest.note} if latest else None)
    rows = grade_span_formset(data=data, spans=_dated(latest.spans) if latest else [])
    if data is not None:
        form_ok, rows_ok = form.is_valid(), rows.is_valid()
        if form_ok and rows_ok:
            kept = [i for i, row in enumerate(rows.forms) if not row.is_blank()]
            spans = [[rows.forms[i].cleaned_data[k] for k in ("grade", "start", "end")] for i in kept]
            try:
                grade_checks.grade_check_record(
                    application_id=application.pk, hr=request.user, spans=spans, **form.cleaned_data
                )
            except DomainError as error:
                _grade_check_error(error, form, rows, kept)
            else:
                messages.success(request, f"Time in grade recorded for {application.applicant_name}.")
                return redirect("certificates:hr_grade_check", pk=action.pk, application_pk=application.pk)
        for number, row in enumerate(rows.forms, start=1):
            for name, errors in row.errors.items():
                for error in errors:
                    form.add_error(None, f"Row {number}, {row.fields[name].label}: {error}")
    checked_grades = grade_checks.grades_to_check(action)
    return render(
        request,
        "certificates/hr_grade_check.html",
        {
            "action": action,
            "application": application,
            "form": form,
            "rows": rows,
            "checks": checks,
            "latest": latest,
            "checked_grades": [(g, grade_checks.required_grade(action, g)) for g in checked_grades],
            "recordable": bool(checked_grades) and application.status == Status.QUALIFIED,
        },
    )


def _dated(spans: list) -> list:
    """Stored spans ([grade, "start", "end" or null]) with dates, for the form's rows."""
    return [
        [g, date.fromisoformat(start), date.fromisoformat(end) if end else None] for g, start, end in spans
    ]


def _grade_check_error(error: DomainError, form, rows, kept: list[int]) -> None:
    """Put the service's refusal next to what caused it: a row's field, the source, or the whole form."""
    field = error.field or ""
    if field.startswith("spans.") and field.count(".") == 2:
        _, index, name = field.split(".")
        rows.forms[kept[int(index)]].add_error(name, error.message)
    elif field in form.fields:
        form.add_error(field, error.message)
    else:
        form.add_error(None, error.message)
