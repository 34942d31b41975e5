"""Sign-in hardening (issue 8; docs/adr/0013-sign-in-hardening.md): lockout after repeated failures
(django-axes), password rules wherever a password is set, the idle and absolute session limits, sign-out
and sign-in session keys, and two-step sign-in for staff (django-otp)."""

import os
import subprocess
import sys
import time
from binascii import unhexlify
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hiring.models import User
from smeqa.signin import LAST_SEEN, SIGNED_IN_AT
from smeqa.twofactor import SETUP_KEY
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def sign_in(client, email, password=TEST_PASSWORD, ip="192.0.2.10", **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password, "next": ""}, REMOTE_ADDR=ip, **headers
    )


def fail(client, email, times, ip="192.0.2.10", **headers):
    for _ in range(times):
        response = sign_in(client, email, "not the password", ip=ip, **headers)
    return response


def is_signed_in(client) -> bool:
    response = client.get(reverse("hiring:candidate_home"))
    return response.status_code == 200


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- Lockout (NIST SP 800-53 AC-7; ASVS 5.0 V6.3.1) -------------------------------------------------


def test_four_wrong_passwords_only_show_the_form_error(client, candidate):
    response = fail(client, candidate.email, 4)
    assert response.status_code == 200
    assert "do not match an account" in text(response)
    assert sign_in(client, candidate.email).status_code == 302
    assert is_signed_in(client)


def test_the_fifth_wrong_password_pauses_sign_in_and_says_until_when(client, candidate):
    response = fail(client, candidate.email, 5)
    assert response.status_code == 429
    page = text(response)
    assert "Sign-in paused for 30 minutes" in page
    attempt = AccessAttempt.objects.get(username=candidate.email)
    until = timezone.localtime(attempt.attempt_time + timedelta(minutes=30))
    assert f"Try again after {dateformat.format(until, 'g:i A T')}" in page
    assert "contact the HR office named in the job announcement" in page
    assert "your agency’s HR office or the SMEQA administrator" in page


def test_while_paused_even_the_right_password_is_refused(client, candidate):
    fail(client, candidate.email, 5)
    response = sign_in(client, candidate.email)
    assert response.status_code == 429
    assert "Sign-in paused" in text(response)
    assert not is_signed_in(client)
    # Tries during the pause do not push the stated time back.
    assert AccessAttempt.objects.get(username=candidate.email).failures_since_start == 5


def test_the_pause_is_for_that_email_from_that_address_only(client, candidate):
    other = UserFactory()
    fail(client, candidate.email, 5, ip="192.0.2.10")
    # The same person from another address, and another person from the same address, sign in.
    assert sign_in(Client(), candidate.email, ip="198.51.100.7").status_code == 302
    assert sign_in(Client(), other.email, ip="192.0.2.10").status_code == 302


def test_changing_the_case_of_the_email_does_not_reset_the_count(client, candidate):
    variants = [candidate.email.upper(), f" {candidate.email} ", candidate.email.title()]
    for variant in variants:
        sign_in(client, variant, "not the password")
    fail(client, candidate.email, 1)
    response = fail(client, candidate.email, 1)
    assert response.status_code == 429


def test_a_good_sign_in_starts_the_count_again(client, candidate):
    fail(client, candidate.email, 4)
    assert sign_in(client, candidate.email).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, candidate.email, 4).status_code == 200


def test_the_pause_ends_after_30_minutes(client, candidate):
    fail(client, candidate.email, 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
    assert sign_in(client, candidate.email).status_code == 302
    assert is_signed_in(client)


def test_hr_can_lift_the_pause_with_axes_reset_username(client, candidate):
    fail(client, candidate.email, 5)
    call_command("axes_reset_username", candidate.email, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert sign_in(client, candidate.email).status_code == 302


def test_the_help_address_is_shown_when_set(client, candidate, settings):
    settings.SIGN_IN_HELP_EMAIL = "smeqa-help@agency.example.gov"
    response = fail(client, candidate.email, 5)
    assert 'href="mailto:smeqa-help@agency.example.gov"' in response.content.decode()


def test_behind_a_proxy_the_forwarded_address_counts_not_a_forged_one(client, candidate, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    fail(client, candidate.email, 5, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Another client behind the same proxy is not paused; a forged left-hand entry changes nothing.
    assert (
        sign_in(Client(), candidate.email, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 302
    )
    forged = sign_in(Client(), candidate.email, ip=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert forged.status_code == 429


def test_the_admin_sign_in_is_counted_too(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        response = client.post(
            reverse("admin:login"), {"username": admin.email, "password": "nope"}, REMOTE_ADDR="192.0.2.10"
        )
    assert response.status_code == 429
    assert "Sign-in paused" in text(response)


# --- Passwords (ASVS 5.0 V6.2) --------------------------------------------------------------------


def signup(client, password):
    return client.post(
        reverse("hiring:signup"),
        {"full_name": "Pat Doe", "email": "pat@example.test", "password1": password, "password2": password},
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("short pw 1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("583920174629", "This password is entirely numeric."),
        ("my smeqa password!", "This password contains “SMEQA”."),
        ("Usa Staffing 2026 ok", "This password contains “USA Staffing”."),
        ("pat@example.test!!", "The password is too similar to the email."),
        ("Pat Doe 2026", "The password is too similar to the full name."),
    ],
)
def test_signing_up_with_a_weak_password_is_refused_with_the_reason(client, password, message):
    response = signup(client, password)
    assert response.status_code == 200
    assert message in text(response)
    assert not User.objects.filter(email="pat@example.test").exists()


def test_signing_up_with_a_long_passphrase_works(client):
    assert signup(client, "a long test password 42").status_code == 302
    assert User.objects.filter(email="pat@example.test").exists()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_refuses_a_weak_password_for_a_new_account(admin_client):
    response = admin_client.post(
        reverse("admin:hiring_user_add"),
        {
            "email": "new@example.test",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "smeqa2026",
            "password2": "smeqa2026",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "This password is too short" in page
    assert "This password contains “SMEQA”." in page
    assert not User.objects.filter(email="new@example.test").exists()


def test_the_admin_refuses_a_weak_password_when_resetting_one(admin_client, candidate):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[candidate.pk]),
        {"usable_password": "true", "password1": "password1234", "password2": "password1234"},
    )
    assert response.status_code == 200
    assert "This password is too common." in text(response)
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


# --- Sessions (NIST SP 800-63B AAL2 reauthentication; ASVS 5.0 V7.2.4, V7.3, V7.4.1) ----------------


def shift(client, key, seconds):
    """Move one of the session's clocks back, as if that much time had passed."""
    session = client.session
    session[key] -= seconds
    session.save()


def test_signing_in_issues_a_new_session_key(client, candidate):
    session = client.session  # an anonymous session, as an attacker could plant
    session["planted"] = True
    session.save()
    before = client.cookies["sessionid"].value
    assert sign_in(client, candidate.email).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert is_signed_in(client)


def test_signing_out_ends_the_session_on_the_server(client, candidate):
    sign_in(client, candidate.email)
    old_cookie = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    response = replay.get(reverse("hiring:candidate_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_30_idle_minutes_sign_you_out_and_say_why(client, candidate):
    client.force_login(candidate)
    shift(client, LAST_SEEN, 30 * 60)
    response = client.get(reverse("hiring:candidate_home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "You were signed out after 30 minutes without activity." in text(response)
    assert not is_signed_in(client)


def test_29_idle_minutes_do_not(client, candidate):
    client.force_login(candidate)
    shift(client, LAST_SEEN, 29 * 60)
    assert client.get(reverse("hiring:candidate_home")).status_code == 200
    # That request counted as activity: 29 more minutes are fine again.
    shift(client, LAST_SEEN, 29 * 60)
    assert client.get(reverse("hiring:candidate_home")).status_code == 200


def test_12_hours_after_signing_in_you_are_signed_out_however_active(client, candidate):
    client.force_login(candidate)
    shift(client, SIGNED_IN_AT, 12 * 3600)
    response = client.get(reverse("hiring:candidate_home"), follow=True)
    assert "You were signed out because 12 hours have passed since you signed in." in text(response)
    assert not is_signed_in(client)


def test_the_server_ends_the_session_12_hours_after_sign_in_even_with_activity(client, candidate):
    signed_in = timezone.now()
    sign_in(client, candidate.email)
    key = client.cookies["sessionid"].value
    expires = Session.objects.get(session_key=key).expire_date
    assert abs(expires - (signed_in + timedelta(hours=12))) < timedelta(seconds=30)
    shift(client, LAST_SEEN, 61)
    client.get(reverse("hiring:candidate_home"))  # rewrites the activity stamp
    assert Session.objects.get(session_key=key).expire_date == expires


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for q in queries if "django_session" in q["sql"] and q["sql"].lstrip().startswith("UPDATE"))


def test_activity_is_written_to_the_session_at_most_once_a_minute(client, candidate):
    client.force_login(candidate)
    url = reverse("hiring:candidate_home")
    assert [session_writes(client, url) for _ in range(3)] == [0, 0, 0]
    shift(client, LAST_SEEN, 61)
    assert session_writes(client, url) == 1
    assert session_writes(client, url) == 0


# --- Two-step sign-in for staff (NIST SP 800-53 IA-2(1)) --------------------------------------------


def code(key_hex: str, at: float | None = None) -> str:
    totp = TOTP(unhexlify(key_hex))
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def totp_on(settings):
    settings.REQUIRE_STAFF_TOTP = True
    return settings


@pytest.fixture
def staff(hr):
    """An HR specialist: staff of an agency, with a home page to reach."""
    return hr


@pytest.fixture
def staff_with_app(staff):
    return TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True).user


def test_staff_without_an_app_are_sent_to_set_one_up_before_any_page(client, staff, totp_on):
    response = sign_in(client, staff.email)
    assert response.status_code == 302
    response = client.get(reverse("hiring:hr_home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('two_factor_setup')}?next=/hr/"
    page = text(client.get(response["Location"]))
    assert "Set up two-step sign-in" in page
    assert "<svg" in page and 'aria-label="QR code for your authenticator app"' in page
    secret = " ".join(page.split('id="totp-key">')[1].split("<")[0].split())
    assert len(secret.replace(" ", "")) == 32  # the 20-byte secret in base32, to type by hand


def test_setting_up_needs_a_right_code_then_the_pages_open(client, staff, totp_on):
    client.force_login(staff)
    client.get(reverse("two_factor_setup"))
    key = client.session[SETUP_KEY]
    wrong = client.post(
        reverse("two_factor_setup"), {"code": "000000" if code(key) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "That code did not match." in text(wrong)
    assert not TOTPDevice.objects.filter(user=staff).exists()

    response = client.post(reverse("two_factor_setup"), {"code": code(key), "next": "/hr/"})
    assert response.status_code == 302 and response["Location"] == "/hr/"
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and device.key == key
    assert client.get(reverse("hiring:hr_home")).status_code == 200


def test_a_malformed_code_gets_a_plain_message(client, staff, totp_on):
    client.force_login(staff)
    response = client.post(reverse("two_factor_setup"), {"code": "12ab"})
    assert "Enter the 6 digits your authenticator app shows, like 123456." in text(response)
    response = client.post(reverse("two_factor_setup"), {"code": ""})
    assert "Enter the 6-digit code from your authenticator app." in text(response)


def test_staff_with_an_app_are_asked_for_the_code_before_any_page(client, staff_with_app, totp_on):
    device = TOTPDevice.objects.get(user=staff_with_app)
    sign_in(client, staff_with_app.email)
    response = client.get(reverse("hiring:hr_home"))
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=/hr/"
    # Nor can they set up a second app to get past it.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor_verify"))

    wrong = client.post(reverse("two_factor_verify"), {"code": "12345x"})
    assert "Enter the 6 digits" in text(wrong)
    before = client.cookies["sessionid"].value
    response = client.post(reverse("two_factor_verify"), {"code": code(device.key), "next": "/hr/"})
    assert response.status_code == 302 and response["Location"] == "/hr/"
    assert client.cookies["sessionid"].value != before  # a new session key for the raised privilege
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("hiring:hr_home")).status_code == 200


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client, staff_with_app, totp_on):
    totp_on.OTP_TOTP_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.get(user=staff_with_app)
    client.force_login(staff_with_app)
    right = code(device.key)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code did not match." in text(response)
    response = client.post(reverse("two_factor_verify"), {"code": right})
    assert "Too many codes did not match. Wait" in text(response)
    assert client.get(reverse("hiring:hr_home")).status_code == 302


def test_a_code_works_only_once(client, staff_with_app, totp_on):
    device = TOTPDevice.objects.get(user=staff_with_app)
    used = code(device.key)
    client.force_login(staff_with_app)
    assert client.post(reverse("two_factor_verify"), {"code": used}).status_code == 302
    client.post(reverse("logout"))
    client.force_login(staff_with_app)
    response = client.post(reverse("two_factor_verify"), {"code": used})
    assert "That code did not match." in text(response)


def test_signing_out_works_before_the_code(client, staff_with_app, totp_on):
    client.force_login(staff_with_app)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert not is_signed_in(client)


def test_a_post_before_the_code_goes_to_the_code_page_then_home(client, staff_with_app, totp_on):
    client.force_login(staff_with_app)
    response = client.post(reverse("hiring:hr_action_create"), {"title": "x"})
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=/"


def test_admin_users_need_a_second_factor_too(client, totp_on):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_setup"))


def test_candidates_never_get_asked(client, candidate, totp_on):
    sign_in(client, candidate.email)
    assert is_signed_in(client)
    assert client.get(reverse("two_factor_setup"))["Location"] == reverse("home")
    assert client.get(reverse("two_factor_verify"))["Location"] == reverse("home")


def test_with_the_setting_off_staff_sign_in_with_a_password(client, staff_with_app, settings):
    settings.REQUIRE_STAFF_TOTP = False
    sign_in(client, staff_with_app.email)
    assert client.get(reverse("hiring:hr_home")).status_code == 200


@pytest.mark.parametrize(
    "env, required",
    [
        ({"DEBUG": "false"}, True),  # production
        ({"DEBUG": "true"}, False),  # make run, whose demo accounts must sign in
        ({"DEBUG": "true", "REQUIRE_STAFF_TOTP": "true"}, True),
        ({"DEBUG": "false", "DEMO_DATA_ALLOWED": "true"}, False),  # benchmarks' throwaway accounts
    ],
)
def test_two_step_sign_in_is_on_by_default_only_where_demo_accounts_are_not_allowed(env, required):
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEMO_DATA_ALLOWED", "REQUIRE_STAFF_TOTP"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import smeqa.settings as s; print(s.REQUIRE_STAFF_TOTP)"],
        env={**clean, "SECRET_KEY": "x", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(required)
