"""HR's page for importing applicants from a USA Staffing export. Like hiring.views: authorize through a
selector, bind a form, call one service; a refused file shows every problem and nothing is saved."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from smeqa.errors import DomainError

from .. import selectors
from ..imports.usas import COLUMNS, MAX_ROWS, REQUIRED, ImportRejected, parse_usas_csv
from ..models import Role
from ..services.imports import IMPORT_PHASES, applications_import_usas

MAX_UPLOAD_MB = 50  # 100,000 rows of a USA Staffing export are about 20 MB
SHOWN_PROBLEMS = 500  # a page listing more helps nobody; the count says how many more there are


class UsasImportForm(forms.Form):
    file = forms.FileField(
        label="USA Staffing applicant export (CSV)",
        help_text=(
            f"The applicant list exported from USA Staffing as CSV, up to {MAX_ROWS:,} rows. "
            f"Required columns: {', '.join(REQUIRED)}."
        ),
        error_messages={"required": "Choose the CSV file exported from USA Staffing."},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_MB} MB. Split it into smaller files and import each."
            )
        return upload


@require_http_methods(["GET", "POST"])
def hr_import_usas(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    # Bound on every POST: a post with no file must say so, not show a fresh form.
    form = UsasImportForm(request.POST, request.FILES) if request.method == "POST" else UsasImportForm()
    problems: list[str] = []
    if form.is_bound and form.is_valid():
        try:
            rows = parse_usas_csv(form.cleaned_data["file"].read())
            result = applications_import_usas(action=action, actor=request.user, rows=rows)
        except ImportRejected as rejected:
            problems = rejected.errors
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, result.summary)
            return redirect("hiring:hr_action_detail", pk=action.pk)
    return render(
        request,
        "hiring/import_usas.html",
        {
            "action": action,
            "form": form,
            "problems": problems[:SHOWN_PROBLEMS],
            "problem_count": len(problems),
            "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
            "accepting_imports": action.phase in IMPORT_PHASES,
            "columns": COLUMNS,
            "required_count": len(REQUIRED),
        },
    )
