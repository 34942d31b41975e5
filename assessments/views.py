"""SME pages. Resume review and interview scoring arrive with their phases (issues 4 and 5)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hiring import selectors
from hiring.models import Role
from smeqa.access import role_required


@role_required("sme")
def sme_home(request: HttpRequest) -> HttpResponse:
    """SME's home: the hiring actions they serve on and the phase each is in."""
    actions = selectors.actions_for(user=request.user, role=Role.SME)
    return render(request, "assessments/sme_home.html", {"actions": actions})
