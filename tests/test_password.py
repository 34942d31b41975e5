"""Self-service passwords (smeqa/passwords.py): a reset link by email for a forgotten password, and a
change for a signed-in person. The link works once, says nothing about whether an account exists,
signs nobody in, and a new password ends the account's other sessions."""

import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hiring.models import User
from smeqa.passwords import RESETS_PER_CLIENT
from tests.factories import TEST_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a fresh long passphrase 42"
LINK = re.compile(r"^(https?://\S+/accounts/password/reset/\S+/\S+/)$", re.MULTILINE)


def text(response) -> str:
    return " ".join(response.content.decode().split())


def main(response) -> str:
    """The page's own content (the head differs each time by its CSP nonce)."""
    return text(response).split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def ask_for_link(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def link_in(message) -> str:
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def open_link(client, url):
    """Follow the emailed link: Django moves the token into the session and shows the form."""
    response = client.get(path_of(url))
    assert response.status_code == 302, text(response)
    return response["Location"]


def set_new(client, form_url, password=NEW, again=None):
    return client.post(form_url, {"new_password1": password, "new_password2": again or password})


def signs_in(email, password) -> bool:
    return Client().login(request=HttpRequest(), username=email, password=password)


def is_signed_in(client) -> bool:
    return client.get(reverse("hiring:candidate_home")).status_code == 200


# --- The reset link ------------------------------------------------------------------------------------


def test_a_reset_email_carries_a_working_link_then_the_new_password_signs_in(client, candidate, settings):
    settings.SITE_URL = "https://hiring.example.gov"
    response = ask_for_link(client, candidate.email.upper())  # as typed, any case
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "If an account uses that address, we sent a link" in text(client.get(response["Location"]))

    [message] = mail.outbox
    assert message.to == [candidate.email]
    assert message.subject == "Reset your SMEQA Hiring password"
    assert not message.alternatives  # plain text only
    url = link_in(message)
    assert url.startswith("https://hiring.example.gov/accounts/password/reset/")
    assert "expires in 1 hour" in message.body

    form_url = open_link(client, url)
    assert form_url.endswith("/set-password/")
    assert "Choose a new password" in text(client.get(form_url))
    done = set_new(client, form_url)
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Sign in with your new password" in text(client.get(done["Location"]))

    assert not is_signed_in(client)  # a reset signs nobody in
    assert signs_in(candidate.email, NEW)
    assert not signs_in(candidate.email, TEST_PASSWORD)


def test_the_link_uses_site_url_not_the_requests_host(client, candidate, settings):
    settings.SITE_URL = "https://hiring.example.gov"
    client.post(reverse("password_reset"), {"email": candidate.email}, headers={"host": "evil.example"})
    assert link_in(mail.outbox[0]).startswith("https://hiring.example.gov/")


@pytest.mark.parametrize(
    "password, message",
    [
        ("short pw 1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("583920174629", "This password is entirely numeric."),
        ("my smeqa password!", "This password contains “SMEQA”."),
    ],
)
def test_a_weak_new_password_is_refused_with_the_validators_reason(client, candidate, password, message):
    ask_for_link(client, candidate.email)
    form_url = open_link(client, link_in(mail.outbox[0]))
    response = set_new(client, form_url, password)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'id="id_new_password1-error"' in page  # beside the first box
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


def test_a_password_like_the_persons_name_or_email_is_refused(client):
    person = UserFactory(email="jordan.rivers@example.test", full_name="Jordan Rivers")
    ask_for_link(client, person.email)
    form_url = open_link(client, link_in(mail.outbox[0]))
    assert "too similar to the full name" in text(set_new(client, form_url, "Jordan Rivers 2026"))
    assert "too similar to the email" in text(set_new(client, form_url, "jordan.rivers@example"))


def test_two_different_new_passwords_are_refused_and_the_link_still_works(client, candidate):
    ask_for_link(client, candidate.email)
    form_url = open_link(client, link_in(mail.outbox[0]))
    response = set_new(client, form_url, NEW, NEW + "x")
    assert "The two passwords are different." in text(response)
    assert set_new(client, form_url).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, candidate):
    known = ask_for_link(client, candidate.email)
    unknown = ask_for_link(client, "nobody-here@example.test")
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert unknown.content == known.content
    assert main(client.get(unknown["Location"])) == main(client.get(known["Location"]))
    assert [m.to for m in mail.outbox] == [[candidate.email]]


def test_a_staff_account_hr_created_without_a_password_chooses_its_first_one(client):
    """HR adds a new SME by email with no password yet; the reset link is how they choose one. A
    candidate's Login.gov-only account (no password, no agency) gets nothing: it signs in at Login.gov."""
    sme = StaffFactory()
    candidate = UserFactory()
    for person in (sme, candidate):
        person.set_unusable_password()
        person.save()
        ask_for_link(client, person.email)
    [message] = mail.outbox
    assert message.to == [sme.email]
    set_new(client, open_link(client, link_in(message)))
    assert signs_in(sme.email, NEW)


def test_a_fourth_request_for_one_address_within_the_hour_sends_nothing_and_looks_the_same(client, candidate):
    answers = [ask_for_link(client, candidate.email) for _ in range(4)]
    assert len(mail.outbox) == 3
    assert {a["Location"] for a in answers} == {reverse("password_reset_done")}
    # Another address from the same client is still served, up to the client's own limit.
    other = UserFactory()
    ask_for_link(client, other.email)
    assert mail.outbox[-1].to == [other.email]


def test_a_client_asking_for_many_addresses_is_limited_too(client):
    people = [UserFactory() for _ in range(RESETS_PER_CLIENT + 1)]
    for person in people:
        assert ask_for_link(client, person.email)["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[p.email] for p in people[:RESETS_PER_CLIENT]]


def test_a_turned_off_account_is_sent_nothing_either(client):
    person = UserFactory(is_active=False)
    assert ask_for_link(client, person.email)["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_malformed_address_is_refused_beside_the_field_and_kept(client):
    response = ask_for_link(client, "not-an-address")
    assert response.status_code == 200
    page = text(response)
    assert "Enter a valid email address." in page and 'id="id_email-error"' in page
    assert 'value="not-an-address"' in page


def test_the_link_works_once(client, candidate):
    ask_for_link(client, candidate.email)
    url = link_in(mail.outbox[0])
    set_new(client, open_link(client, url))

    again = Client().get(path_of(url))
    assert again.status_code == 200
    page = text(again)
    assert "This link has expired or was already used; ask for a new one." in page
    assert reverse("password_reset") in page
    assert "new_password1" not in page


def test_a_tampered_link_shows_the_same_page(client, candidate):
    ask_for_link(client, candidate.email)
    url = link_in(mail.outbox[0])
    response = client.get(path_of(url)[:-3] + "xx/")
    assert "This link has expired or was already used" in text(response)


def test_an_expired_link_shows_the_same_page(client, candidate, settings):
    ask_for_link(client, candidate.email)
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(path_of(link_in(mail.outbox[0])))
    assert "This link has expired or was already used" in text(response)


def test_a_reset_signs_out_every_other_session(client, candidate):
    elsewhere = Client()
    elsewhere.force_login(candidate)
    assert is_signed_in(elsewhere)

    ask_for_link(client, candidate.email)
    set_new(client, open_link(client, link_in(mail.outbox[0])))

    response = elsewhere.get(reverse("hiring:candidate_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_who_owe_a_code_still_enter_it_after_a_reset(client, hr, settings):
    settings.REQUIRE_STAFF_TOTP = True
    TOTPDevice.objects.create(user=hr, name="Authenticator app", confirmed=True)
    ask_for_link(client, hr.email)
    done = set_new(client, open_link(client, link_in(mail.outbox[0])))
    assert done["Location"] == reverse("password_reset_complete")

    assert client.get(reverse("hiring:hr_home"))["Location"].startswith(reverse("login"))
    client.post(reverse("login"), {"username": hr.email, "password": NEW})
    response = client.get(reverse("hiring:hr_home"))
    assert response["Location"] == f"{reverse('two_factor_verify')}?next=/hr/"


def test_the_log_names_the_user_by_id_only(client, candidate, caplog):
    caplog.set_level(logging.INFO, logger="smeqa.passwords")
    ask_for_link(client, candidate.email)
    set_new(client, open_link(client, link_in(mail.outbox[0])))
    lines = [r.getMessage() for r in caplog.records if r.name == "smeqa.passwords"]
    assert lines == [
        f"password reset link sent to user {candidate.pk}",
        f"password reset by emailed link for user {candidate.pk}",
    ]
    assert all(candidate.email not in line for line in lines)


def test_the_sign_in_page_links_to_the_reset_page(client):
    page = text(client.get(reverse("login")))
    assert f'<a href="{reverse("password_reset")}">Forgot your password?</a>' in page


# --- Changing a password, signed in ------------------------------------------------------------------


def change(client, current=TEST_PASSWORD, new=NEW, again=None):
    return client.post(
        reverse("password_change"),
        {"old_password": current, "new_password1": new, "new_password2": again or new},
    )


def test_changing_needs_the_current_password(client, candidate):
    client.force_login(candidate)
    response = change(client, current="not my password")
    assert response.status_code == 200
    page = text(response)
    assert "That is not your current password." in page and 'id="id_old_password-error"' in page
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


def test_changing_refuses_a_weak_password_with_the_reason(client, candidate):
    client.force_login(candidate)
    assert "This password is too common." in text(change(client, new="password1234"))


def test_changing_keeps_this_session_and_ends_the_others(client, candidate):
    elsewhere = Client()
    elsewhere.force_login(candidate)
    client.force_login(candidate)
    before = client.cookies["sessionid"].value

    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "Your password is changed" in text(client.get(response["Location"]))
    assert is_signed_in(client)
    assert client.cookies["sessionid"].value != before  # a new key for the same person
    assert not Session.objects.filter(session_key=before).exists()
    assert not is_signed_in(elsewhere)
    assert signs_in(candidate.email, NEW)


def test_changing_needs_a_signed_in_person(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_change_their_password_only_after_their_code(client, hr, settings):
    settings.REQUIRE_STAFF_TOTP = True
    TOTPDevice.objects.create(user=hr, name="Authenticator app", confirmed=True)
    client.force_login(hr)
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("two_factor_verify"))
    change(client)
    hr.refresh_from_db()
    assert hr.check_password(TEST_PASSWORD)


def test_the_header_links_to_the_change_page_for_accounts_with_a_password(client, candidate):
    client.force_login(candidate)
    assert reverse("password_change") in text(client.get(reverse("hiring:candidate_home")))
    candidate.set_unusable_password()  # a Login.gov account: nothing to change here
    candidate.save()
    client.force_login(User.objects.get(pk=candidate.pk))
    assert reverse("password_change") not in text(client.get(reverse("hiring:candidate_home")))
