"""Self-service passwords: a reset link by email for a forgotten password, and a change for a signed-in
person. Django's own views and forms (django.contrib.auth), with this site's words, the email built
from SITE_URL, and for each new password one AccountEvent row and one log line naming the user by id
only. Behaviour: docs/security.md."""

import hashlib
import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.timesince import timeuntil
from django.utils.timezone import now

from hiring.models import AccountEvent

from .signin import client_ip

logger = logging.getLogger(__name__)

STRONG_ENOUGH_HINT = (
    "At least 12 characters. Not a common password, not only numbers, not like your email address or "
    "name, and without SMEQA, USAJOBS or USA Staffing."
)
MISMATCH = "The two passwords are different. Type the same new password in both boxes."


def link_lifetime() -> str:
    """How long a reset link works, in words ("3 days"): Django's PASSWORD_RESET_TIMEOUT."""
    start = now()
    # timeuntil joins number and unit with a no-break space; plain-text email wants a plain one.
    return timeuntil(start + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), start).replace("\xa0", " ")


# Reset requests an hour (OWASP Forgot Password cheat sheet: limit requests so the form cannot be used to
# flood a mailbox or probe at speed): per address asked for, and per client address.
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 20
RESET_WINDOW = 3600


def reset_allowed(email: str, client: str | None) -> bool:
    """Count this request against the address and the client; False once either is over its hourly
    limit. Counters live in Django's cache under hashed keys, so no address is stored; with the default
    in-process cache each web process counts on its own, so the limits are per process."""
    allowed = True
    for kind, value, limit in (
        ("to", email.casefold(), RESETS_PER_ADDRESS),
        ("from", client or "", RESETS_PER_CLIENT),
    ):
        key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
        cache.add(key, 0, RESET_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, RESET_WINDOW)
            count = 1
        allowed = allowed and count <= limit
    return allowed


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(
            label="New password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=STRONG_ENOUGH_HINT,
        ),
        forms.CharField(
            label="New password again",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class NewPasswordMixin:
    """The new password twice, checked by AUTH_PASSWORD_VALIDATORS against this person; a validator's
    reason shows beside the first box (Django puts it beside the second)."""

    error_messages = {"password_mismatch": MISMATCH}

    def clean(self):
        cleaned = forms.Form.clean(self)  # not SetPasswordForm.clean: it reports on the second box
        self.validate_passwords("new_password1", "new_password2")
        if "new_password2" not in self.errors:
            self.validate_password_for_user(self.user, "new_password1")
        return cleaned


class ResetRequestForm(PasswordResetForm):
    """The email address to send a reset link to."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text="The address you sign in with.",
    )

    def get_users(self, email):
        """Active accounts using `email` (case-insensitive) that have a password, as Django's form, and
        also staff accounts HR created with none yet (a new SME added by email): the link is how they
        choose their first password. A candidate's Login.gov-only account signs in at Login.gov."""
        users = get_user_model().objects.filter(email__iexact=email, is_active=True)
        return (
            u
            for u in users
            if u.email.casefold() == email.casefold() and (u.has_usable_password() or u.agency_id)
        )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kw):
        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kw)
        logger.info("password reset link sent to user %s", context["user"].pk)


class NewPasswordForm(NewPasswordMixin, SetPasswordForm):
    new_password1, new_password2 = _new_password_fields()


class ChangePasswordForm(NewPasswordMixin, PasswordChangeForm):
    error_messages = {
        "password_mismatch": MISMATCH,
        "password_incorrect": "That is not your current password. Check it and try again.",
    }
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1, new_password2 = _new_password_fields()
    field_order = ["old_password", "new_password1", "new_password2"]


# --- Pages ----------------------------------------------------------------------------------------


class ResetRequestView(auth_views.PasswordResetView):
    """Ask for a reset link. Every valid address gets the same page whether or not an account uses it;
    only an active account with a password is sent the link (Django's PasswordResetForm.get_users)."""

    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_email_subject.txt"

    def get_extra_email_context(self) -> dict:
        # The link's host comes from settings, never from the request's Host header.
        return {"site_url": settings.SITE_URL, "lifetime": link_lifetime()}

    def form_valid(self, form):
        if not reset_allowed(form.cleaned_data["email"], client_ip(self.request)):
            # The same page as a sent link: a limit reached must not say whether the address has an account.
            logger.warning("password reset requests over the hourly limit; nothing sent")
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link. The link works once (Django's token covers the
    password hash); a reset does not sign the person in (post_reset_login stays False), so staff
    still enter their authenticator code, and every session of the account ends (the session hash)."""

    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"lifetime": link_lifetime()}

    @transaction.atomic  # the new password and its AccountEvent, or neither
    def form_valid(self, form):
        response = super().form_valid(form)
        AccountEvent.objects.record(user=form.user, kind=AccountEvent.Kind.PASSWORD_RESET)
        logger.info("password reset by emailed link for user %s", form.user.pk)
        return response


class ChangeView(auth_views.PasswordChangeView):
    """Change a signed-in person's password, with the current one. This session stays signed in (a new
    key); the person's other sessions end."""

    form_class = ChangePasswordForm
    template_name = "registration/password_change_form.html"

    @transaction.atomic  # the new password and its AccountEvent, or neither
    def form_valid(self, form):
        response = super().form_valid(form)
        AccountEvent.objects.record(user=form.user, kind=AccountEvent.Kind.PASSWORD_CHANGED)
        logger.info("password changed by user %s", form.user.pk)
        return response
