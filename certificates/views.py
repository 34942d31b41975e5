"""Hiring manager pages. Certificates and selections arrive with phase 5 (issue 6)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hiring import selectors
from hiring.models import Role
from smeqa.access import role_required


@role_required("hiring_manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    """Hiring manager's home: their hiring actions, and which are ready for selections."""
    actions = selectors.actions_for(user=request.user, role=Role.HIRING_MANAGER)
    return render(request, "certificates/manager_home.html", {"actions": actions})
