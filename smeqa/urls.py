from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hiring.forms import SignInForm

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("hiring.urls")),
    path("", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "smeqa.views.error_403"
handler404 = "smeqa.views.error_404"
handler500 = "smeqa.views.error_500"
