"""Access control in one place. Signing in is required everywhere (LoginRequiredMiddleware); role
pages also need the role, and object lookups are scoped in selectors (404 for missing or not yours)."""

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from hiring.selectors import roles_of


def role_required(role: str) -> Callable:
    """Deny (403) a view to anyone who holds `role` on no hiring action ("candidate" for candidates)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if role not in roles_of(request.user):
                # Logged once, with the answer, by smeqa.denials.DenialLogMiddleware.
                raise PermissionDenied(f"This page is for the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
