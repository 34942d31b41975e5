from django.urls import path

from . import views

app_name = "hiring"
urlpatterns = [
    path("hr/", views.hr_home, name="hr_home"),
    path("hr/actions/<int:pk>/", views.hr_action_detail, name="hr_action_detail"),
    path("hr/actions/<int:pk>/phase/", views.hr_action_advance_phase, name="hr_action_advance_phase"),
    path(
        "hr/actions/<int:action_pk>/applications/<int:pk>/",
        views.hr_application_detail,
        name="hr_application_detail",
    ),
    path("applications/", views.candidate_home, name="candidate_home"),
    path(
        "applications/<int:pk>/",
        views.candidate_application_status,
        name="candidate_application_status",
    ),
    path("applications/<int:pk>/withdraw/", views.candidate_withdraw, name="candidate_withdraw"),
]
