"""One log line for every request answered 403 or 404, signed in or not: who (user id), what (method and
path) and the answer, on the `smeqa.access` logger. A probe for someone else's records shows as a run of
404s from one user id. Never names, emails or the query string, which can carry personal data."""

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("smeqa.access")

DENIED = frozenset({403, 404})
# A candidate's scheduling link (/interview/<uuid>/) is the key to their interview: keys stay out of logs.
_TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def loggable_path(path: str) -> str:
    """The request path with any UUID (a link's key) replaced by `<token>`."""
    return _TOKEN.sub("<token>", path)


class DenialLogMiddleware:
    """Logs each 403 and 404 response once, after the view and every inner middleware have answered
    (Django has turned Http404 and PermissionDenied into responses by then)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in DENIED:
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else "anonymous"
            logger.warning(
                "denied status=%s user=%s method=%s path=%s",
                response.status_code,
                user_id,
                request.method,
                loggable_path(request.path),
            )
        return response
