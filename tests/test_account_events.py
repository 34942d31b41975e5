"""The account-level audit record (hiring.models.AccountEvent): sign-up, a password changed, a password
reset from the emailed link and an authenticator app set up each leave one row naming the person, in
the same transaction as the change. A refused change leaves none. Behaviour: docs/security.md."""

from binascii import unhexlify

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hiring.models import AccountEvent, User
from hiring.models.accounts import AccountEventManager
from smeqa.twofactor import SETUP_KEY
from tests.factories import TEST_PASSWORD, AccountEventFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "a fresh long passphrase 42"
Kind = AccountEvent.Kind


def kinds(user) -> list[str]:
    return list(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))


@pytest.fixture
def broken_record(monkeypatch):
    """Writing the row fails: the change it records must roll back with it."""

    def fail(self, **kwargs):
        raise RuntimeError("the account event could not be written")

    monkeypatch.setattr(AccountEventManager, "record", fail)


# --- Sign-up -------------------------------------------------------------------------------------------


def signup(client, email="pat@example.test", password=NEW):
    data = {"full_name": "Pat Doe", "email": email, "password1": password, "password2": password}
    return client.post(reverse("hiring:signup"), data)


def test_signing_up_writes_a_signed_up_row(client):
    assert signup(client).status_code == 302
    assert kinds(User.objects.get(email="pat@example.test")) == [Kind.SIGNED_UP]


def test_a_refused_sign_up_writes_no_row(client):
    assert signup(client, password="short pw 1").status_code == 200  # too short
    taken = UserFactory(email="taken@example.test")
    assert signup(client, email="taken@example.test").status_code == 200  # the address has an account
    assert not AccountEvent.objects.exists()
    assert kinds(taken) == []


def test_no_account_without_its_row(client, broken_record):
    with pytest.raises(RuntimeError):
        signup(client)
    assert not User.objects.filter(email="pat@example.test").exists()


# --- Changing a password -------------------------------------------------------------------------------


def change(client, current=TEST_PASSWORD, new=NEW):
    data = {"old_password": current, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), data)


def test_changing_a_password_writes_a_password_changed_row(client, candidate):
    client.force_login(candidate)
    assert change(client).status_code == 302
    assert kinds(candidate) == [Kind.PASSWORD_CHANGED]


@pytest.mark.parametrize(
    "current, new",
    [("not my password at all", NEW), (TEST_PASSWORD, "password1234"), (TEST_PASSWORD, "short pw 1")],
    ids=["wrong current password", "common password", "short password"],
)
def test_a_refused_change_writes_no_row(client, candidate, current, new):
    client.force_login(candidate)
    assert change(client, current, new).status_code == 200
    assert kinds(candidate) == []
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


def test_no_new_password_without_its_row(client, candidate, broken_record):
    client.force_login(candidate)
    with pytest.raises(RuntimeError):
        change(client)
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


# --- Resetting a password from the emailed link ------------------------------------------------------


def open_link(client, user) -> str:
    """The emailed link, followed: its token moves into the session; returns the form's address."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = client.get(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    )
    assert response.status_code == 302
    return response["Location"]


def set_new(client, form_url, password=NEW):
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_a_reset_writes_a_password_reset_row(client, candidate):
    assert set_new(client, open_link(client, candidate)).status_code == 302
    assert kinds(candidate) == [Kind.PASSWORD_RESET]


def test_asking_for_a_link_or_choosing_a_weak_password_writes_no_row(client, candidate):
    assert client.post(reverse("password_reset"), {"email": candidate.email}).status_code == 302
    assert set_new(client, open_link(client, candidate), "password1234").status_code == 200
    assert kinds(candidate) == []


def test_no_reset_without_its_row(client, candidate, broken_record):
    form_url = open_link(client, candidate)
    with pytest.raises(RuntimeError):
        set_new(client, form_url)
    candidate.refresh_from_db()
    assert candidate.check_password(TEST_PASSWORD)


# --- Setting up two-step sign-in -----------------------------------------------------------------------


@pytest.fixture
def staff(client, settings):
    """A staff member signed in with a password, on the set-up page (its secret in the session)."""
    settings.REQUIRE_STAFF_TOTP = True
    person = StaffFactory()
    client.force_login(person)
    client.get(reverse("two_factor_setup"))
    return person


def code(client, offset_steps: int = 0) -> str:
    totp = TOTP(unhexlify(client.session[SETUP_KEY]))
    totp.time = timezone.now().timestamp() + 30 * offset_steps
    return f"{totp.token():06d}"


def test_confirming_an_app_writes_a_two_factor_set_up_row(client, staff):
    response = client.post(reverse("two_factor_setup"), {"code": code(client)})
    assert response.status_code == 302
    assert kinds(staff) == [Kind.TWO_FACTOR_SET_UP]


def test_a_wrong_code_writes_no_row(client, staff):
    right = code(client)
    wrong = "000000" if right != "000000" else "111111"
    assert client.post(reverse("two_factor_setup"), {"code": wrong}).status_code == 200
    assert kinds(staff) == []
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_no_app_without_its_row(client, staff, broken_record):
    with pytest.raises(RuntimeError):
        client.post(reverse("two_factor_setup"), {"code": code(client)})
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_signing_in_with_the_code_writes_no_row(client, staff):
    client.post(reverse("two_factor_setup"), {"code": code(client)})
    client.logout()
    client.force_login(staff)
    # The next time step's code: the set-up used this one up.
    totp_device = TOTPDevice.objects.get(user=staff)
    totp = TOTP(totp_device.bin_key)
    totp.time = timezone.now().timestamp() + 30
    assert client.post(reverse("two_factor_verify"), {"code": f"{totp.token():06d}"}).status_code == 302
    assert kinds(staff) == [Kind.TWO_FACTOR_SET_UP]


# --- The row itself, and the admin ------------------------------------------------------------------------


def test_the_row_holds_the_person_the_kind_and_the_time_only():
    fields = {f.name for f in AccountEvent._meta.concrete_fields}
    assert fields == {"id", "user", "kind", "created_at"}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_an_administrator_sees_a_persons_account_history_read_only(admin_client):
    event = AccountEventFactory(kind=Kind.PASSWORD_CHANGED)
    other = AccountEventFactory()
    page = admin_client.get(reverse("admin:hiring_accountevent_changelist"), {"q": event.user.email})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [event]
    assert other not in page.context["cl"].result_list
    assert admin_client.get(reverse("admin:hiring_accountevent_add")).status_code == 403
    change_url = reverse("admin:hiring_accountevent_change", args=[event.pk])
    assert admin_client.get(change_url).status_code == 200  # shown, without a save button
    assert admin_client.post(change_url, {"kind": "signed_up"}).status_code == 403
    assert admin_client.post(reverse("admin:hiring_accountevent_delete", args=[event.pk])).status_code == 403
    assert AccountEvent.objects.filter(pk=event.pk).exists()
