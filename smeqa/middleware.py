"""Small cross-cutting HTTP plumbing."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from .signin import LAST_SEEN, SIGNED_IN_AT


class NoStoreWhenSignedInMiddleware:
    """Pages shown to a signed-in person carry personal data; browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class SessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT without a request, or SESSION_COOKIE_AGE after they
    signed in however active, and tells them why on the sign-in page (NIST SP 800-63B AAL2 reauthentication;
    ASVS 5.0 V7.3.1, V7.3.2). The clocks start in smeqa.signin.stamp_session.

    The last-activity stamp is rewritten only when it is SESSION_ACTIVITY_WRITE_INTERVAL old, so most
    requests cost no session write; the idle limit is therefore exact to within that interval.
    Must come after MessageMiddleware (the reason is a message). It acts before any view-phase check, so
    LoginRequiredMiddleware then sends the now-anonymous request to the sign-in page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # The session's auth key, not request.user: no user query for requests that do not need one.
        if session is not None and SESSION_KEY in session:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request: HttpRequest, session) -> None:
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN)
        if signed_in_at is None or last_seen is None:
            # A session from before these clocks existed: start them now.
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN] = now
            return
        idle_limit = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
        if now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            self._sign_out(
                request, f"You were signed out because {hours} hours have passed since you signed in."
            )
        elif now - last_seen >= idle_limit:
            self._sign_out(request, f"You were signed out after {idle_limit // 60} minutes without activity.")
        elif now - last_seen >= settings.SESSION_ACTIVITY_WRITE_INTERVAL.total_seconds():
            session[LAST_SEEN] = now

    def _sign_out(self, request: HttpRequest, why: str) -> None:
        logout(request)  # deletes the session row and its cookie
        messages.info(request, f"{why} Sign in again to continue.")


class StaffTwoFactorMiddleware:
    """When two-step sign-in is required for a person (smeqa.twofactor.two_factor_required), a session
    signed in with the password alone reaches only the views marked @two_factor_exempt (the code pages
    and sign-out): without a confirmed authenticator app they are sent to set one up, with one to
    enter its code. Costs nothing when the setting is off; django_otp's OTPMiddleware, which must come
    before this, loads the verified device (one query) only for sessions that have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not settings.REQUIRE_STAFF_TOTP or getattr(view_func, "two_factor_exempt", False):
            return None
        from .twofactor import two_factor_pending

        return two_factor_pending(request)
