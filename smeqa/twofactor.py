"""Two-step sign-in for staff (NIST SP 800-53 IA-2(1); ASVS 5.0 V6.3.3): after the password, a code from
an authenticator app (TOTP, RFC 6238) through django-otp. Who must use it, the two pages (set up an app,
enter a code) and the two writes behind them. Decisions: docs/adr/0013-sign-in-hardening.md."""

import logging
import time
from base64 import b32encode
from collections.abc import Callable
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device, verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from hiring.models import AccountEvent

from .errors import DomainError
from .twofactor_forms import TotpCodeForm

logger = logging.getLogger(__name__)

SETUP_KEY = "smeqa_totp_setup_key"  # the secret offered on the set-up page, until it is confirmed
DEVICE_NAME = "Authenticator app"
WRONG_CODE = (
    "That code did not match. Check that the time on your phone is right, then enter the code your "
    "app shows now for SMEQA Hiring."
)


def two_factor_exempt(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view a person may reach before entering their code (StaffTwoFactorMiddleware)."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


def two_factor_required(user) -> bool:
    """Staff (anyone with an agency: HR, SMEs, hiring managers) and admin users need a second factor
    when REQUIRE_STAFF_TOTP is on. Candidates never do."""
    return bool(
        settings.REQUIRE_STAFF_TOTP
        and user.is_authenticated
        and (user.agency_id is not None or user.is_staff)
    )


def two_factor_pending(request: HttpRequest) -> HttpResponse | None:
    """The redirect to the set-up or code page for a session still owing its second factor; None when
    it owes nothing. Reads the user's devices only in the first case."""
    user = request.user
    if not two_factor_required(user) or _verified(user):
        return None
    target = "two_factor_verify" if user_has_device(user, confirmed=True) else "two_factor_setup"
    next_url = request.get_full_path() if request.method == "GET" else reverse("home")
    return redirect_to_login(next_url, login_url=reverse(target))


def _verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # installed by django_otp's OTPMiddleware
    return bool(is_verified and is_verified())


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def totp_device_confirm(*, user, key: str, token: str) -> TOTPDevice:
    """Confirms the authenticator app holding `key` with its first code and saves it as the person's
    device. Writes the TOTPDevice and an AccountEvent; refuses a second app (an admin removes the old
    one first)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one set-up at a time
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise DomainError("Two-step sign-in is already set up for this account.")
    device = TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance):
        raise DomainError(WRONG_CODE, field="code")
    device.drift = totp.drift
    device.last_t = totp.t()  # this code is used up
    device.last_used_at = timezone.now()
    device.full_clean()
    device.save()
    AccountEvent.objects.record(user=user, kind=AccountEvent.Kind.TWO_FACTOR_SET_UP)
    logger.info("two-step sign-in set up for user %s", user.pk)
    return device


def totp_device_verify(*, user, token: str) -> TOTPDevice:
    """Checks a sign-in code against the person's app. Writes the device: the code's time step on
    success (a code works once), else the failure count, which doubles the wait before the next try."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise DomainError("No authenticator app is set up for this account.", field="code")
    allowed, why = device.verify_is_allowed()
    if not allowed:
        locked_until = (why or {}).get("locked_until")
        wait = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 60
        raise DomainError(
            f"Too many codes did not match. Wait {wait} second{'s' if wait != 1 else ''}, then enter "
            "the code your app shows at that time.",
            field="code",
        )
    verified = verify_token(user, device.persistent_id, token)
    if verified is None:
        logger.warning("two-step sign-in: wrong code for user %s", user.pk)
        raise DomainError(WRONG_CODE, field="code")
    return verified


def _signed_in_with(request: HttpRequest, device: TOTPDevice) -> None:
    """The session now carries both factors: record the device, and issue a new session key for the
    raised privilege (ASVS 5.0 V7.2.4)."""
    otp_login(request, device)
    request.session.cycle_key()


# --- Pages --------------------------------------------------------------------------------------


@two_factor_exempt
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: its secret as a QR code and as text, confirmed by a first code."""
    user = request.user
    next_url = _next_url(request)
    if not two_factor_required(user) or _verified(user):
        return redirect(next_url)
    if user_has_device(user, confirmed=True):
        # Replacing an app needs the old one first; otherwise a stolen password could swap it.
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': next_url})}")
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = random_hex(20)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_device_confirm(user=user, key=key, token=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            del request.session[SETUP_KEY]
            _signed_in_with(request, device)
            messages.success(
                request, "Two-step sign-in is set up. Each time you sign in, enter the code your app shows."
            )
            return redirect(next_url)
    device = TOTPDevice(user=user, key=key)
    uri = device.config_url
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(uri),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "otpauth_uri": uri,
        "help_email": settings.SIGN_IN_HELP_EMAIL,
    }
    return render(request, "registration/two_factor_setup.html", context)


@two_factor_exempt
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code from the authenticator app, after the password."""
    user = request.user
    next_url = _next_url(request)
    if not two_factor_required(user) or _verified(user):
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_device_verify(user=user, token=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            _signed_in_with(request, device)
            return redirect(next_url)
    context = {"form": form, "next": next_url, "help_email": settings.SIGN_IN_HELP_EMAIL}
    return render(request, "registration/two_factor_verify.html", context)


def _qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, named for screen readers (the secret is also shown
    as text beside it)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    return mark_safe(labelled)  # noqa: S308  # nosec B308 B703: segno's own SVG; the URI is encoded as path data
