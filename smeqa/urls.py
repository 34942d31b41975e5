from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from hiring.forms import SignInForm

from . import oidc, passwords, twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
            extra_context={"login_gov_enabled": oidc.enabled},  # read per request
        ),
        name="login",
    ),
    # Sign-out ends the session on the server (the row is deleted), and needs no second factor.
    path("accounts/logout/", twofactor.two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    # Forgotten and changed passwords (smeqa/passwords.py): Django's views with our forms and pages. The
    # reset pages are public; a reset never signs anyone in. Changing needs both factors, like any page.
    path("accounts/password/reset/", passwords.ResetRequestView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        passwords.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password/change/", passwords.ChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    # Sign in with Login.gov (smeqa/oidc.py; docs/adr/0014-login-gov-oidc.md). mozilla-django-oidc's URL
    # names, with our views; each answers 404 until the provider is configured. Staff still owe their
    # code after the callback (only sign-out is exempt).
    path(
        "oidc/authenticate/",
        login_not_required(oidc.LoginGovStartView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(oidc.LoginGovCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path(
        "oidc/logout/",
        twofactor.two_factor_exempt(oidc.LoginGovLogoutView.as_view()),
        name="oidc_logout",
    ),
    path("", include("hiring.urls")),
    path("", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "smeqa.views.error_403"
handler404 = "smeqa.views.error_404"
handler500 = "smeqa.views.error_500"
