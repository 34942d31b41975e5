from django.urls import path

from . import views
from .views import talent_pool, time_in_grade

app_name = "certificates"
urlpatterns = [
    path("manager/", views.manager_home, name="manager_home"),
    path("hr/actions/<int:pk>/certificate/", views.hr_certificates, name="hr_certificates"),
    path("hr/actions/<int:pk>/certificate/issue/", views.hr_issue, name="hr_issue"),
    path(
        "hr/actions/<int:pk>/applications/<int:application_pk>/preference/",
        views.hr_adjudicate,
        name="hr_adjudicate",
    ),
    path(
        "hr/actions/<int:pk>/applications/<int:application_pk>/time-in-grade/",
        time_in_grade.hr_grade_check,
        name="hr_grade_check",
    ),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/pdf-status/", views.certificate_pdf_status, name="certificate_pdf_status"),
    path("certificates/<int:pk>/<slug:what>/", views.certificate_act, name="certificate_act"),
    path("certificates/<int:pk>/names/<int:entry_pk>/", views.entry_package, name="entry_package"),
    path("certificates/<int:pk>/names/<int:entry_pk>/resume.pdf", views.entry_resume, name="entry_resume"),
    path("certificates/<int:pk>/names/<int:entry_pk>/<slug:what>/", views.entry_act, name="entry_act"),
    path("hr/talent-pool/", talent_pool.talent_pool, name="talent_pool"),
    path("hr/talent-pool/<int:pk>/request/", talent_pool.talent_pool_request, name="talent_pool_request"),
]
