"""Sign in with Login.gov in a real browser: Chromium goes from the sign-in page to the local OpenID
Connect provider (tests/oidc_provider.py) and back to the live server, signed in as a new candidate.
The sign-in page with its Login.gov button is scanned with axe (WCAG 2.1 A/AA)."""

import pytest
from cryptography.hazmat.primitives import serialization

from hiring.models import User
from tests.browser.conftest import check_page
from tests.oidc_provider import OidcProvider, new_rsa_key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def login_gov(live_server, settings):
    key = new_rsa_key()
    with OidcProvider(client_id="urn:gov:gsa:openidconnect.profiles:sp:sso:agency:smeqa") as op:
        op.register(redirect_uri=f"{live_server.url}/oidc/callback/", public_key=key.public_key())
        for name, value in op.settings().items():
            setattr(settings, name, value)
        settings.OIDC_RP_PRIVATE_KEY = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        settings.OIDC_USE_PKCE = False
        yield op


def test_a_new_candidate_signs_in_with_login_gov(page, login_gov):
    login_gov.person = {"email": "jordan.applicant@example.com", "email_verified": True}
    page.goto("/accounts/login/")
    check_page(page, "sign-in-with-login-gov")

    page.get_by_role("link", name="Sign in with Login.gov").click()
    page.wait_for_url("**/status/")
    assert page.get_by_role("button", name="Sign out jordan.applicant@example.com").is_visible()
    assert User.objects.get(email="jordan.applicant@example.com").agency_id is None
