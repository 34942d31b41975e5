"""The talent pool (Competitive Service Act, rules 51-61): audited certificates of other agencies that
an agency's HR may request for its own position, and the copies it received."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from hiring.models import AgencyRole
from smeqa.access import role_required
from smeqa.errors import DomainError

from .. import selectors, sharing
from ..forms import ShareRequestForm
from ..models import Certificate


@role_required("hr")
def talent_pool(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "certificates/talent_pool.html",
        {
            "pool": selectors.talent_pool(user=request.user),
            "copies": selectors.copies_for_agency_hr(user=request.user),
            "is_agency_hr": AgencyRole.objects.filter(user=request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required("hr")
def talent_pool_request(request: HttpRequest, pk: int) -> HttpResponse:
    original = get_object_or_404(
        Certificate.objects.select_related("agency"),
        pk=pk,
        source__isnull=True,
        state=Certificate.State.AUDITED,
    )
    agency_role = (
        AgencyRole.objects.filter(user=request.user, role=AgencyRole.Kind.HR).select_related("agency").first()
    )
    form = ShareRequestForm(request.POST or None)
    refusals: list[str] = []
    if request.method == "POST" and agency_role is None:
        form.add_error(None, "Only HR of an agency's HR office can request a certificate.")
    elif request.method == "POST" and form.is_valid():
        try:
            log = sharing.share_request(
                certificate_id=original.pk,
                hr=request.user,
                agency_id=agency_role.agency_id,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if log.copy_id:
                messages.success(
                    request, f"Certificate {log.copy.number} is yours to use; each candidate was told."
                )
                return redirect("certificates:certificate", pk=log.copy_id)
            refusals = log.refusals
    return render(
        request,
        "certificates/talent_pool_request.html",
        {
            "original": original,
            "form": form,
            "refusals": refusals,
            "agency": agency_role.agency if agency_role else None,
        },
    )
