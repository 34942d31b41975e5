"""Forgotten and changed passwords in Chromium, each page scanned by axe: ask for a link from the sign-in
page, follow the emailed link (Django's locmem outbox), choose a new password, sign in with it, find the
used link dead, then change the password from the header."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import UserFactory

from .conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "a fresh long passphrase 42"
NEWER = "another long passphrase 77"


def emailed_path() -> str:
    [message] = mail.outbox
    url = re.search(r"https?://\S+/accounts/password/reset/\S+/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_reset_a_forgotten_password_then_change_it(page):
    person = UserFactory()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    check_page(page, "password-reset-form")

    page.get_by_label("Email address").fill(person.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an account uses that address, we sent a link")).to_be_visible()
    check_page(page, "password-reset-sent")

    link = emailed_path()
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    check_page(page, "password-reset-choose")

    page.get_by_label("New password", exact=True).fill("short pw 1")
    page.get_by_label("New password again").fill("short pw 1")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator("#id_new_password1-error")).to_contain_text("This password is too short.")
    check_page(page, "password-reset-choose-error")

    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    check_page(page, "password-reset-complete")

    page.goto(link)
    expect(page.get_by_text("This link has expired or was already used; ask for a new one.")).to_be_visible()
    check_page(page, "password-reset-link-used")

    sign_in(page, person.email, NEW)
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    check_page(page, "password-change")

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(NEWER)
    page.get_by_label("New password again").fill(NEWER)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#id_old_password-error")).to_contain_text("That is not your current password.")
    check_page(page, "password-change-error")

    page.get_by_label("Current password").fill(NEW)
    page.get_by_label("New password", exact=True).fill(NEWER)
    page.get_by_label("New password again").fill(NEWER)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    check_page(page, "password-change-done")
