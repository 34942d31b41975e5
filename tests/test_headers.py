"""Security headers, cookies and CSRF tokens on every page as each role (issue 8, "Headers and deployment").

A local stand-in for a ZAP baseline scan (research §B4, goal 9), which cannot run here: the URL table and
the world of tests/test_url_access.py give every page and role; each page a role may see is fetched, and
what a browser would be told is checked. HSTS and the HTTPS redirect are checked against the production
settings module itself, in a fresh interpreter, since they depend on DEBUG at import time.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests import test_url_access as sweep
from tests.factories import TEST_PASSWORD, UserFactory
from tests.test_url_access import ROLES, TABLE

world = sweep.world  # the sweep's fixture: one action with every role and object its URLs need

ROOT = Path(__file__).resolve().parent.parent
ONE_YEAR = 365 * 24 * 60 * 60
# Every page a role is shown (200 in the table), in the table's method.
SHOWN = sorted(
    (name, role)
    for name, (_method, _kwargs, expected) in TABLE.items()
    for role in ROLES
    if expected[role] == 200
)
# The one page that may be framed (by our own review page) and loads nothing: the SME's copy of a resume.
FRAMED_BY_US = {"assessments:sme_review_resume"}


class Forms(HTMLParser):
    """Each <form> on a page: its method and whether it carries Django's CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._open = {
                "method": (attributes.get("method") or "get").lower(),
                "action": attributes.get("action") or "",
                "token": False,
            }
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._open["token"] = bool(attributes.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def fetch(client: Client, world: dict, name: str, role: str):
    method, kwargs, _expected = TABLE[name]
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=kwargs(world))
    return url, getattr(client, method)(url, secure=True)


@pytest.mark.parametrize(("name", "role"), SHOWN)
def test_every_page_sends_the_security_headers(client, world, name, role):
    url, response = fetch(client, world, name, role)
    assert response.status_code == 200, url
    where = f"{role} {url}"

    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert "Server" not in response and "X-Powered-By" not in response, where
    if role != "anonymous":
        assert response["Cache-Control"] == "no-store", where
    if not response["Content-Type"].startswith("text/html"):
        return
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["object-src"] == ["'none'"], where
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, where
    assert response["X-Frame-Options"] == "DENY", where


@pytest.mark.parametrize(("name", "role"), [(n, r) for n, r in SHOWN if n in FRAMED_BY_US])
def test_the_resume_copy_may_be_framed_only_by_our_pages_and_loads_nothing(client, world, name, role):
    _url, response = fetch(client, world, name, role)

    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy


@pytest.mark.parametrize(("name", "role"), SHOWN)
def test_every_post_form_carries_a_csrf_token(client, world, name, role):
    url, response = fetch(client, world, name, role)
    if not response["Content-Type"].startswith("text/html"):
        return
    parser = Forms()
    parser.feed(response.content.decode())

    posting = [form for form in parser.forms if form["method"] == "post"]
    assert [form for form in posting if not form["token"]] == [], f"{role} {url}"


def test_the_sweep_reaches_every_kind_of_page(client, world):
    """Guards the sweep itself: it covers each role and sees post forms with their tokens."""
    assert {role for _, role in SHOWN} == set(ROLES)
    assert len(SHOWN) >= 60
    _url, response = fetch(client, world, "hiring:hr_action_detail", "hr")
    parser = Forms()
    parser.feed(response.content.decode())
    assert any(form["method"] == "post" and form["token"] for form in parser.forms)


def test_the_interview_link_page_is_not_stored_either(client, world):
    _url, response = fetch(client, world, "assessments:interview_schedule", "anonymous")

    assert "no-store" in response.get("Cache-Control", "")


# --- cookies ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_cookies_are_secure_httponly_and_same_site():
    user = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("login"), secure=True)
    token = page.cookies[settings.CSRF_COOKIE_NAME].value

    signed_in = browser.post(
        reverse("login"),
        {"username": user.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/"},  # Django checks it over HTTPS
    )

    assert signed_in.status_code == 302
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    csrf = signed_in.cookies[settings.CSRF_COOKIE_NAME]
    for cookie in (session, csrf):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
        assert not cookie["domain"], cookie.key  # sent back only to the host that set it
    # Ends with the browser (no max-age) or within 12 hours (ASVS 4.0.3 3.3.2).
    assert session["max-age"] == "" or int(session["max-age"]) <= 12 * 60 * 60


# --- HTTPS: HSTS and the redirect ------------------------------------------------------------------


@pytest.mark.django_db
def test_hsts_for_one_year_with_subdomains_is_sent_over_https_only(client):
    over_https = client.get(reverse("hiring:jobs"), secure=True)
    over_http = client.get(reverse("hiring:jobs"))

    hsts = [part.strip() for part in over_https["Strict-Transport-Security"].split(";")]
    assert f"max-age={ONE_YEAR}" in hsts and "includeSubDomains" in hsts
    assert "Strict-Transport-Security" not in over_http


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_sent_to_https_except_the_health_check():
    client = Client()
    page = client.get(reverse("hiring:jobs"))
    health = client.get(reverse("healthz"))

    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert health.status_code == 200


def _settings_under(environment: dict[str, str]) -> dict:
    """The security settings smeqa.settings computes under `environment`, read in a fresh interpreter."""
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
    ]
    program = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    keep = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "PYTHONPATH"}}
    run = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "smeqa.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_the_redirect_and_secure_cookies():
    production = _settings_under({"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "smeqa.gov"})

    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True and production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_settings_send_no_hsts():
    """A laptop on http://127.0.0.1 must not be told to insist on HTTPS for a year."""
    development = _settings_under({"DEBUG": "true"})

    assert development["DEBUG"] is True
    assert not development["SECURE_HSTS_SECONDS"]
    assert not development["SECURE_SSL_REDIRECT"]
