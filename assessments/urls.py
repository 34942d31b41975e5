from django.urls import path

from . import interview_views, views

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
    # Structured interviews (phase 4)
    path("sme/actions/<int:pk>/interviews/", interview_views.sme_interviews, name="sme_interviews"),
    path(
        "sme/availability/<int:pk>/remove/",
        interview_views.sme_availability_remove,
        name="sme_availability_remove",
    ),
    path("sme/interviews/<int:pk>/", interview_views.sme_sheet, name="sme_sheet"),
    path("sme/interviews/<int:pk>/autosave/", interview_views.sme_sheet_autosave, name="sme_sheet_autosave"),
    path("sme/interviews/<int:pk>/no-show/", interview_views.sme_no_show, name="sme_no_show"),
    path("interview/<uuid:token>/", interview_views.interview_schedule, name="interview_schedule"),
    path("hr/actions/<int:pk>/interviews/", interview_views.hr_interviews, name="hr_interviews"),
    path(
        "hr/actions/<int:pk>/interviews/round-<int:round>/seats/",
        interview_views.hr_seat_add,
        name="hr_seat_add",
    ),
    path(
        "hr/actions/<int:pk>/interviews/round-<int:round>/seats/remove/",
        interview_views.hr_seat_remove,
        name="hr_seat_remove",
    ),
    path(
        "hr/actions/<int:pk>/interviews/round-<int:round>/assign/",
        interview_views.hr_interviews_assign,
        name="hr_interviews_assign",
    ),
    path(
        "hr/actions/<int:pk>/interviews/round-<int:round>/invite/",
        interview_views.hr_invitations_send,
        name="hr_invitations_send",
    ),
    path("hr/interviews/<int:pk>/", interview_views.hr_interview, name="hr_interview"),
    path("hr/interviews/<int:pk>/<slug:what>/", interview_views.hr_interview_act, name="hr_interview_act"),
]
