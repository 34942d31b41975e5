"""The sign-in hardening pages in Chromium, each scanned by axe: the lockout page, and two-step sign-in
(set up an app, enter a code, a wrong code)."""

import time
from binascii import unhexlify

import pytest
from django.contrib.sessions.models import Session
from django.db.models import F
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hiring.models import Role
from smeqa.twofactor import SETUP_KEY
from tests.factories import TEST_PASSWORD, ActionRoleFactory, UserFactory

from .conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def code(key_hex: str) -> str:
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_five_wrong_passwords_show_the_lockout_page(page):
    person = UserFactory()
    for _ in range(5):
        sign_in(page, person.email, "not the password")
    expect(page.get_by_role("heading", name="Sign-in paused for 30 minutes")).to_be_visible()
    expect(page.get_by_text("Try again after")).to_be_visible()
    check_page(page, "sign-in-locked-out")


def test_hr_sets_up_an_app_then_enters_codes(page, settings):
    settings.REQUIRE_STAFF_TOTP = True
    hr = ActionRoleFactory(role=Role.HR).user

    sign_in(page, hr.email, TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_page(page, "two-factor-setup")

    cookie = {c["name"]: c["value"] for c in page.context.cookies()}
    session = Session.objects.get(session_key=cookie["sessionid"]).get_decoded()
    page.get_by_label("6-digit code").fill(code(session[SETUP_KEY]))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_text("Two-step sign-in is set up.")).to_be_visible()
    expect(page.get_by_role("heading", name="HR workspace")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, hr.email, TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    check_page(page, "two-factor-verify")

    page.get_by_label("6-digit code").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".usa-error-message")).to_contain_text(
        "Enter the 6 digits your authenticator app shows"
    )
    check_page(page, "two-factor-verify-error")

    # The set-up code is spent, and a person would wait up to 30 s for the next; step the record back.
    TOTPDevice.objects.filter(user=hr).update(last_t=F("last_t") - 1)
    page.get_by_label("6-digit code").fill(code(TOTPDevice.objects.get(user=hr).key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="HR workspace")).to_be_visible()
