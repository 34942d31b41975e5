"""Small cross-cutting HTTP plumbing."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreWhenSignedInMiddleware:
    """Pages shown to a signed-in person carry personal data; browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
