"""Sign in with Login.gov (issue 9; docs/adr/0014-login-gov-oidc.md), against a local OpenID Connect
provider (tests/oidc_provider.py) over real HTTP: the app side through Django's test client, the
person's browser hop to the provider through `requests`, and the app's back-channel calls (token, user
info, keys) made by mozilla-django-oidc itself."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessLog
from cryptography.hazmat.primitives import serialization
from django.urls import reverse

from hiring.models import AccountEvent, User
from smeqa import oidc
from smeqa.signin import LAST_SEEN, SIGNED_IN_AT
from tests.factories import TEST_PASSWORD, StaffFactory, UserFactory
from tests.oidc_provider import OidcProvider, new_rsa_key

pytestmark = pytest.mark.django_db
CLIENT_ID = "urn:gov:gsa:openidconnect.profiles:sp:sso:agency:smeqa"
CALLBACK = "http://testserver/oidc/callback/"


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture(scope="module")
def rp_key():
    return new_rsa_key()


@pytest.fixture
def provider():
    with OidcProvider(client_id=CLIENT_ID) as op:
        yield op


@pytest.fixture
def login_gov(provider, rp_key, settings):
    """Login.gov configured with private_key_jwt, as a web app registers with it."""
    provider.register(redirect_uri=CALLBACK, public_key=rp_key.public_key())
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_RP_PRIVATE_KEY = rp_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.OIDC_USE_PKCE = False
    return provider


@pytest.fixture
def login_gov_pkce(provider, settings):
    """Login.gov configured with PKCE instead of a private key."""
    provider.register(redirect_uri=CALLBACK, public_key=None)
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_RP_PRIVATE_KEY = ""
    settings.OIDC_USE_PKCE = True
    return provider


def go_to_login_gov(client, next_url: str = "") -> str:
    """Clicks "Sign in with Login.gov" and lets the provider answer; returns where it sends the browser
    back to (the app's callback, with code and state)."""
    start = client.get(reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return f"{back.path}?{back.query}"


def sign_in_with_login_gov(client, next_url: str = ""):
    return client.get(go_to_login_gov(client, next_url), follow=True)


def signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


# --- Off unless configured ------------------------------------------------------------------------


def test_without_configuration_there_is_no_login_gov_button_and_its_addresses_answer_404(client):
    assert "Sign in with Login.gov" not in text(client.get(reverse("login")))
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404


def test_configured_the_sign_in_page_offers_login_gov(client, login_gov):
    page = text(client.get(reverse("login") + "?next=/my/applications/"))
    assert "Sign in with Login.gov" in page
    assert f'href="{reverse("oidc_authentication_init")}?next=/my/applications/"' in page


# --- Signing in -------------------------------------------------------------------------------------


def test_first_sign_in_creates_a_candidate_account_and_signs_them_in(client, login_gov):
    login_gov.person = {"email": "Pat.Applicant@Example.com", "email_verified": True}
    response = sign_in_with_login_gov(client, next_url=reverse("hiring:candidate_home"))

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("hiring:candidate_home")
    user = signed_in_as(client)
    assert user is not None and user.email == "pat.applicant@example.com"
    assert user.agency_id is None and not user.is_staff  # a candidate
    assert not user.has_usable_password()  # signs in with Login.gov; no password to guess
    # The session clocks started (smeqa.signin.stamp_session on user_logged_in), as for a password.
    assert client.session[SIGNED_IN_AT] and client.session[LAST_SEEN]
    assert client.session.get_expiry_age() <= 12 * 3600
    # Sign-ins are logged by axes as for a password (AU-2).
    assert AccessLog.objects.filter(username="pat.applicant@example.com").count() == 1
    # The account's history starts as a form sign-up's does.
    assert list(AccountEvent.objects.filter(user=user).values_list("kind", flat=True)) == [
        AccountEvent.Kind.SIGNED_UP
    ]


def test_the_request_to_login_gov_is_the_one_its_documentation_asks_for(client, login_gov):
    sign_in_with_login_gov(client)
    sent = login_gov.authorize_requests[-1]
    assert sent["acr_values"] == "urn:acr.login.gov:auth-only"
    assert sent["prompt"] == "select_account"
    assert sent["scope"] == "openid email"
    assert sent["client_id"] == CLIENT_ID and len(sent["nonce"]) >= 22 and len(sent["state"]) >= 22
    token_request = login_gov.token_requests[-1]
    assert token_request["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in token_request and "code_verifier" not in token_request


def test_a_second_sign_in_finds_the_same_account_whatever_the_case(client, login_gov):
    login_gov.person = {"email": "pat@example.com", "email_verified": True}
    sign_in_with_login_gov(client)
    first = signed_in_as(client)
    client.post(reverse("logout"))
    assert signed_in_as(client) is None

    login_gov.person = {"email": "PAT@Example.COM", "email_verified": True}
    sign_in_with_login_gov(client)
    assert signed_in_as(client) == first
    assert User.objects.filter(email__iexact="pat@example.com").count() == 1


def test_an_existing_password_account_is_found_by_its_email(client, login_gov):
    person = UserFactory(email="casey@example.com")
    login_gov.person = {"email": "Casey@example.com", "email_verified": True}
    sign_in_with_login_gov(client)
    assert signed_in_as(client) == person
    person.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)  # the password still works too


def test_pkce_instead_of_a_private_key(client, login_gov_pkce):
    login_gov_pkce.person = {"email": "robin@example.com", "email_verified": True}
    sign_in_with_login_gov(client)
    assert signed_in_as(client).email == "robin@example.com"
    assert login_gov_pkce.authorize_requests[-1]["code_challenge_method"] == "S256"
    token_request = login_gov_pkce.token_requests[-1]
    assert token_request["code_verifier"] and "client_assertion" not in token_request


# --- Refusals ---------------------------------------------------------------------------------------


def test_an_unverified_email_is_refused_with_a_message(client, login_gov):
    UserFactory(email="taken@example.com")
    login_gov.person = {"email": "taken@example.com", "email_verified": False}
    response = sign_in_with_login_gov(client)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert oidc.UNVERIFIED_EMAIL in text(response)
    assert signed_in_as(client) is None


def test_an_unverified_email_creates_no_account(client, login_gov):
    login_gov.person = {"email": "new@example.com"}  # no email_verified claim at all
    response = sign_in_with_login_gov(client)
    assert oidc.UNVERIFIED_EMAIL in text(response)
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_wrong_state_is_refused(client, login_gov):
    back = go_to_login_gov(client)
    path, query = back.split("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    response = client.get(path, {"code": params["code"], "state": "forged-" + params["state"]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert oidc.EXPIRED in text(response)
    assert signed_in_as(client) is None


def test_a_callback_cannot_be_replayed(client, login_gov):
    back = go_to_login_gov(client)
    client.get(back)
    assert signed_in_as(client) is not None
    client.post(reverse("logout"))
    response = client.get(back, follow=True)
    assert signed_in_as(client) is None
    assert oidc.NOT_FINISHED in text(response) or oidc.EXPIRED in text(response)


def test_an_id_token_with_the_wrong_nonce_is_refused(client, login_gov):
    login_gov.tamper_nonce = True
    response = sign_in_with_login_gov(client)
    assert oidc.EXPIRED in text(response)
    assert signed_in_as(client) is None
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "claim",
    [{"iss": "https://idp.elsewhere.example"}, {"aud": "urn:gov:gsa:openidconnect.profiles:sp:sso:other"}],
)
def test_an_id_token_from_another_issuer_or_for_another_site_is_refused(client, login_gov, claim):
    login_gov.id_token_overrides = claim
    response = sign_in_with_login_gov(client)
    assert oidc.EXPIRED in text(response)
    assert signed_in_as(client) is None


def test_cancelling_at_login_gov_comes_back_to_the_sign_in_page_with_a_message(client, login_gov):
    client.get(reverse("oidc_authentication_init"))
    state = next(iter(client.session["oidc_states"]))
    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert oidc.CANCELLED in text(client.get(reverse("login")))


def test_a_closed_account_is_refused(client, login_gov):
    UserFactory(email="gone@example.com", is_active=False)
    login_gov.person = {"email": "gone@example.com", "email_verified": True}
    response = sign_in_with_login_gov(client)
    assert oidc.INACTIVE in text(response)
    assert signed_in_as(client) is None


# --- The rules that apply to every sign-in ----------------------------------------------------------


def test_staff_signing_in_with_login_gov_still_owe_their_authenticator_code(client, login_gov, settings):
    settings.REQUIRE_STAFF_TOTP = True
    staff = StaffFactory(email="hr.person@agency.example.gov")
    login_gov.person = {"email": "hr.person@agency.example.gov", "email_verified": True}
    response = sign_in_with_login_gov(client, next_url=reverse("hiring:hr_home"))
    assert signed_in_as(client) == staff
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    assert "authenticator app" in text(response).lower()
    # Any staff page sends them back to the code step until they enter one.
    again = client.get(reverse("hiring:hr_home"))
    assert again.status_code == 302 and again["Location"].startswith(reverse("two_factor_setup"))


def test_an_email_locked_after_wrong_passwords_stays_locked_for_login_gov(client, login_gov):
    person = UserFactory(email="locked@example.com")
    for _ in range(5):
        client.post(reverse("login"), {"username": person.email, "password": "wrong password!"})
    login_gov.person = {"email": "locked@example.com", "email_verified": True}
    response = client.get(go_to_login_gov(client))
    assert response.status_code == 429
    assert "30 minutes" in text(response)
    assert signed_in_as(client) is None


def test_the_idle_limit_ends_a_login_gov_session(client, login_gov):
    sign_in_with_login_gov(client)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("hiring:candidate_home"), follow=True)
    assert signed_in_as(client) is None
    assert "30 minutes without activity" in text(response)


def test_sign_out_through_oidc_logout_also_ends_the_login_gov_session(client, login_gov):
    sign_in_with_login_gov(client)
    response = client.post(reverse("oidc_logout"))
    assert signed_in_as(client) is None
    assert response.status_code == 302
    assert response["Location"].startswith(login_gov.settings()["OIDC_OP_LOGOUT_ENDPOINT"])
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == ["http://testserver" + reverse("login")]


def test_a_password_sign_in_carrying_code_and_state_never_reaches_the_provider(client, login_gov):
    person = UserFactory(email="sam@example.com")
    response = client.post(
        reverse("login") + "?code=stolen&state=whatever",
        {"username": person.email, "password": "wrong password!"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert login_gov.token_requests == []
    assert signed_in_as(client) is None
