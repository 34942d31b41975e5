"""Sign in with Login.gov: OpenID Connect through mozilla-django-oidc, fitted to this site's rules.

What this adds to the library: client authentication as Login.gov wants it (private_key_jwt, or PKCE);
the id_token's issuer and audience checked (the library checks neither); accounts found by verified email
only, a new one made a candidate; the django-axes lockout and the sign-in page's messages; and the three
views answering 404 until the provider is configured. After the callback, `django.contrib.auth.login`
runs as for a password, so the session clocks (smeqa.signin.stamp_session on user_logged_in), the
sign-in log (axes) and staff two-step sign-in (smeqa.middleware.StaffTwoFactorMiddleware) all apply.
Decisions and sources: docs/adr/0014-login-gov-oidc.md.
"""

import logging
import time
import uuid
from urllib.parse import urlencode

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

logger = logging.getLogger(__name__)

CALLBACK_URL_NAME = "oidc_authentication_callback"
# RFC 7523 §2.2: the client_assertion_type for a JWT that authenticates the client (private_key_jwt).
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# What the sign-in page says when Login.gov sign-in does not finish. Set on the request by the backend.
UNVERIFIED_EMAIL = (
    "Login.gov has not confirmed the email address on your account, so we can’t sign you in with it. "
    "Confirm your email address at Login.gov, then try again."
)
NO_EMAIL = "Login.gov did not share an email address, so we can’t find your account. Try again."
INACTIVE = "This account is closed. Ask the HR office that manages your application for help."
DUPLICATE = "More than one account uses this email address. Ask the SMEQA administrator for help."
NOT_FINISHED = "Signing in with Login.gov did not finish. Try again, or sign in with your password."
CANCELLED = "Signing in with Login.gov was cancelled. Try again, or sign in with your password."
EXPIRED = "That Login.gov sign-in link has expired or was already used. Start again from this page."
UNREACHABLE = "Login.gov did not answer. Try again in a few minutes, or sign in with your password."

REFUSAL = "smeqa_oidc_refusal"  # request attribute: the message to show
LOCKED_EMAIL = "smeqa_oidc_locked_email"  # request attribute: the email axes has locked here


def enabled() -> bool:
    """Whether Login.gov sign-in is configured (settings.OIDC_ENABLED). Read per request, so a test's
    override_settings and the sign-in page's button agree."""
    return bool(settings.OIDC_ENABLED)


def client_assertion() -> str:
    """The private_key_jwt client assertion for one token request: a JWT signed RS256 with our private
    key, naming us as issuer and subject and the token endpoint as audience (Login.gov's token
    documentation; RFC 7523 §3). Unique `jti`, valid for 5 minutes."""
    now = int(time.time())
    claims = {
        "iss": settings.OIDC_RP_CLIENT_ID,
        "sub": settings.OIDC_RP_CLIENT_ID,
        "aud": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 300,
    }
    return jwt.encode(claims, settings.OIDC_RP_PRIVATE_KEY, algorithm="RS256")


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out through /oidc/logout/ goes (OIDC_OP_LOGOUT_URL_METHOD): Login.gov's RP-initiated
    logout, which ends the Login.gov session and returns to our sign-in page, when
    OIDC_OP_LOGOUT_ENDPOINT is set; our sign-in page otherwise. Login.gov takes client_id and
    post_logout_redirect_uri (id_token_hint is no longer accepted)."""
    back = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    if not settings.OIDC_OP_LOGOUT_ENDPOINT:
        return back
    query = urlencode(
        {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": back,
            "state": get_random_string(32),
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"


class LoginGovBackend(OIDCAuthenticationBackend):
    """Finds the account for a Login.gov sign-in by verified email (any case), or creates a candidate's
    account (no agency, no password) the first time. Writes a User only on that first sign-in."""

    def authenticate(self, request, **kwargs):
        # Only the callback view's call, never a password sign-in that happens to carry ?code=&state=.
        if not enabled() or request is None or "username" in kwargs or "password" in kwargs:
            return None
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != CALLBACK_URL_NAME or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict) -> dict:
        payload = {k: v for k, v in payload.items() if k != "client_secret"}
        if settings.OIDC_RP_PRIVATE_KEY:
            payload["client_assertion_type"] = JWT_BEARER
            payload["client_assertion"] = client_assertion()
        return super().get_token(payload)

    def verify_token(self, token, **kwargs) -> dict:
        """The library checks the signature (keys from the JWKS endpoint), expiry and nonce; the issuer
        and audience are checked here (OpenID Connect Core 1.0 §3.1.3.7, steps 2 and 3)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id_token was not issued to this site (aud).")
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The id_token was not issued by the configured provider (iss).")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = (claims.get("email") or "").strip().lower()
        if not email:
            return self._refuse(NO_EMAIL)
        # Login.gov returns email_verified; an address it has not confirmed could be anyone's, and
        # matching on it would hand that person's account over (OpenID Connect Core 1.0 §5.7).
        if claims.get("email_verified") is not True:
            logger.warning("Login.gov sign-in refused: email not verified")
            return self._refuse(UNVERIFIED_EMAIL)
        # NIST SP 800-53 AC-7 (docs/adr/0013): an email and address locked after wrong passwords stay
        # locked whichever way the person signs in. axes then shows its lockout page.
        if not AxesProxyHandler.is_allowed(self.request, {settings.AXES_USERNAME_FORM_FIELD: email}):
            self.request.axes_locked_out = True  # axes counts nothing more and shows the lockout page
            setattr(self.request, LOCKED_EMAIL, email)
            return None
        users = list(self.filter_users_by_claims({"email": email})[:2])
        if len(users) > 1:
            logger.error("Login.gov sign-in refused: %s accounts share one email", len(users))
            return self._refuse(DUPLICATE)
        if users:
            if not self.user_can_authenticate(users[0]):
                return self._refuse(INACTIVE)
            return users[0]
        return self.create_user({"email": email})

    def create_user(self, claims):
        """A candidate's account: no agency, no password (they sign in with Login.gov). Login.gov's
        auth-only level shares no name, so the email address stands in for it until the person gives
        one."""
        from hiring.services.applications import candidate_register

        email = claims["email"]
        user = candidate_register(email=email, full_name=email, password=None)
        logger.info("candidate account %s created at first Login.gov sign-in", user.pk)
        return user

    def user_can_authenticate(self, user) -> bool:
        return ModelBackend.user_can_authenticate(self, user)

    def get_user(self, user_id):
        # ModelBackend's: a deactivated account's session ends at its next request. (The library's own
        # get_user returns inactive users too.)
        return ModelBackend.get_user(self, user_id)

    def _refuse(self, message: str) -> None:
        setattr(self.request, REFUSAL, message)
        return None


class _OnlyWhenConfigured:
    """404 until Login.gov sign-in is configured: the URLs exist, but nothing answers."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Sign-in with Login.gov is not configured.")
        return super().dispatch(request, *args, **kwargs)


class LoginGovStartView(_OnlyWhenConfigured, OIDCAuthenticationRequestView):
    """Sends the person to Login.gov with a fresh state, nonce and (without a private key) PKCE
    challenge, remembered in the session."""


class LoginGovCallbackView(_OnlyWhenConfigured, OIDCAuthenticationCallbackView):
    """Where Login.gov sends the person back. A refusal, a forged or reused state, a wrong nonce or
    token, or Login.gov not answering ends on the sign-in page with a message saying what to do."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("error"):
            setattr(request, REFUSAL, CANCELLED)
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # Unknown state (forged, or used already), wrong nonce, aud or iss, bad signature.
            logger.warning("Login.gov sign-in refused: %s", error)
            setattr(request, REFUSAL, EXPIRED)
        except requests.RequestException as error:
            logger.error("Login.gov sign-in failed talking to the provider: %s", error)
            setattr(request, REFUSAL, UNREACHABLE)
        return self.login_failure()

    def login_failure(self) -> HttpResponse:
        locked = getattr(self.request, LOCKED_EMAIL, None)
        if locked:
            # AxesMiddleware replaces this response with the lockout page; tell it whose lock it is.
            self.request.axes_credentials = {settings.AXES_USERNAME_FORM_FIELD: locked}
        else:
            messages.error(self.request, getattr(self.request, REFUSAL, NOT_FINISHED))
        return HttpResponseRedirect(reverse("login"))


class LoginGovLogoutView(_OnlyWhenConfigured, OIDCLogoutView):
    """Sign-out (POST) that also ends the Login.gov session (provider_logout_url)."""
