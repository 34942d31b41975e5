from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("sme/", views.sme_home, name="sme_home"),
    path("sme/actions/<int:pk>/conflicts/", views.sme_conflicts, name="sme_conflicts"),
    path("sme/actions/<int:pk>/reviews/", views.sme_queue, name="sme_queue"),
    path("sme/actions/<int:pk>/reviews/next/", views.sme_next, name="sme_next"),
    path("sme/reviews/<int:pk>/", views.sme_review, name="sme_review"),
    path("sme/reviews/<int:pk>/autosave/", views.sme_review_autosave, name="sme_review_autosave"),
    path("sme/reviews/<int:pk>/resume.pdf", views.sme_review_resume, name="sme_review_resume"),
    path("sme/reviews/<int:pk>/recuse/", views.sme_review_recuse, name="sme_review_recuse"),
    path("hr/actions/<int:pk>/resume-review/", views.hr_resume_review, name="hr_resume_review"),
    path("hr/actions/<int:pk>/resume-review/assign/", views.hr_resume_assign, name="hr_resume_assign"),
    path("hr/actions/<int:pk>/resume-review/send/", views.hr_results_send, name="hr_results_send"),
    path(
        "hr/actions/<int:pk>/applications/<int:application_pk>/send-result/",
        views.hr_result_send,
        name="hr_result_send",
    ),
    path("hr/actions/<int:pk>/smes/", views.hr_sme_add, name="hr_sme_add"),
    path("hr/actions/<int:pk>/smes/<int:user_pk>/remove/", views.hr_sme_remove, name="hr_sme_remove"),
    path("hr/reviews/<int:pk>/decide/", views.hr_review_decide, name="hr_review_decide"),
    path(
        "hr/actions/<int:pk>/resume-review/export/<slug:kind>.csv",
        views.hr_resume_review_export,
        name="hr_resume_review_export",
    ),
]
