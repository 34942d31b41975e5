"""Sign-in plumbing around django.contrib.auth: what django-axes needs to count failed sign-ins per
person and address and to show the lockout page, the two session clocks started at sign-in, and the
password rule for this site's own words. Decisions and sources: docs/adr/0013-sign-in-hardening.md."""

import logging
import time
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)

# Session keys: when this session signed in, and when it was last used (Unix seconds).
SIGNED_IN_AT = "smeqa_signed_in_at"
LAST_SEEN = "smeqa_last_seen"


def username_of(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email address a sign-in attempt names, as accounts store it (trimmed, lower case), so that
    `Alice@Agency.gov` and `alice@agency.gov` count against the same limit (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = request.POST.get(field)
    return raw.strip().lower() if isinstance(raw, str) else None


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from (AXES_CLIENT_IP_CALLABLE). Behind TRUSTED_PROXY_COUNT proxies it
    is the entry the outermost one appended to X-Forwarded-For; entries to its left are the client's own
    claims and are ignored, so a forged header cannot move failures to another address."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The page axes shows instead of the sign-in form once the limit is reached (AXES_LOCKOUT_CALLABLE):
    when to try again and who can help. Reads the latest recorded failure; writes nothing."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    last_failure = AccessAttempt.objects.filter(
        username=username_of(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    context = {
        "until": (last_failure or timezone.now()) + cool_off,
        "minutes": int(cool_off.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "help_email": settings.SIGN_IN_HELP_EMAIL,
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def stamp_session(sender, request: HttpRequest, user, **kwargs) -> None:
    """On every sign-in (user_logged_in): start the idle and absolute clocks that
    smeqa.middleware.SessionTimeoutMiddleware checks, and fix the session's expiry to sign-in time plus
    SESSION_COOKIE_AGE, so the database row and the cookie end then however active the person is."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))


class ContextWordsValidator:
    """Refuses passwords built on this site's own names, the first words someone guessing would try
    (ASVS 5.0 V6.1.2 and V6.2.11: a documented list of context-specific words)."""

    # Compared with the password's letters and digits only, so "S.M.E.Q.A" and "usa staffing" count.
    WORDS = {"smeqa": "SMEQA", "usajobs": "USAJOBS", "usastaffing": "USA Staffing"}

    def validate(self, password: str, user=None) -> None:
        letters = "".join(ch for ch in password.lower() if ch.isalnum())
        for word, name in self.WORDS.items():
            if word in letters:
                raise ValidationError(
                    "This password contains “%(name)s”. Choose one without the name of this site or of a hiring system.",
                    code="password_has_context_word",
                    params={"name": name},
                )

    def get_help_text(self) -> str:
        return "Your password can’t contain the name of this site (SMEQA), USAJOBS or USA Staffing."
