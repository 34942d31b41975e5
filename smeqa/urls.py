from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hiring.forms import SignInForm

from . import twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Sign-out ends the session on the server (the row is deleted), and needs no second factor.
    path("accounts/logout/", twofactor.two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    path("", include("hiring.urls")),
    path("", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "smeqa.views.error_403"
handler404 = "smeqa.views.error_404"
handler500 = "smeqa.views.error_500"
