from django.urls import path

from .views import (
    announcements,
    apply,
    candidates,
    dashboards,
    hr,
    imports,
    job_analysis,
    pools,
    public,
    screening,
)

app_name = "hiring"
urlpatterns = [
    # Public: no sign-in.
    path("jobs/", public.jobs, name="jobs"),
    path("jobs/<int:pk>/", public.job_detail, name="job_detail"),
    path("jobs/<int:pk>/usajobs.json", public.job_json, name="job_json"),
    path("accounts/signup/", apply.signup, name="signup"),
    # Candidates.
    path("jobs/<int:pk>/apply/", apply.apply, name="apply"),
    # HR.
    path("hr/", hr.hr_home, name="hr_home"),
    path("hr/actions/new/", hr.hr_action_create, name="hr_action_create"),
    path("hr/actions/<int:pk>/", hr.hr_action_detail, name="hr_action_detail"),
    path("hr/actions/<int:pk>/settings/", hr.hr_action_settings, name="hr_action_settings"),
    path("hr/actions/<int:pk>/phase/", hr.hr_action_advance_phase, name="hr_action_advance_phase"),
    path(
        "hr/actions/<int:action_pk>/applications/<int:pk>/",
        hr.hr_application_detail,
        name="hr_application_detail",
    ),
    # Pooled hiring (ADR 0015): participating agencies, their vacancies and hiring managers.
    path("hr/actions/<int:pk>/pool/", pools.hr_pool, name="hr_pool"),
    path("hr/actions/<int:pk>/screening/", screening.hr_screening, name="hr_screening"),
    path("hr/actions/<int:pk>/import/usas/", imports.hr_import_usas, name="hr_import_usas"),
    path("hr/actions/<int:action_pk>/documents/<int:pk>/", hr.hr_document, name="hr_document"),
    # HR's dashboards (issue 9): one action, and across the actions the person is HR on.
    path("hr/dashboard/", dashboards.hr_dashboard, name="hr_dashboard"),
    path("hr/dashboard/<slug:table>.csv", dashboards.hr_dashboard_csv, name="hr_dashboard_csv"),
    path("hr/actions/<int:pk>/dashboard/", dashboards.hr_action_dashboard, name="hr_action_dashboard"),
    path(
        "hr/actions/<int:pk>/dashboard/<slug:table>.csv",
        dashboards.hr_action_dashboard_csv,
        name="hr_action_dashboard_csv",
    ),
    # The job analysis workshop and the announcement: everyone on the action reads; HR edits.
    path("actions/<int:pk>/job-analysis/", job_analysis.job_analysis, name="job_analysis"),
    path(
        "actions/<int:pk>/job-analysis/competencies/new/", job_analysis.competency_edit, name="competency_add"
    ),
    path(
        "actions/<int:pk>/job-analysis/competencies/<int:competency_pk>/",
        job_analysis.competency_edit,
        name="competency_edit",
    ),
    path(
        "actions/<int:pk>/job-analysis/competencies/<int:competency_pk>/delete/",
        job_analysis.competency_delete,
        name="competency_delete",
    ),
    path("actions/<int:pk>/job-analysis/questions/new/", job_analysis.question_edit, name="question_add"),
    path(
        "actions/<int:pk>/job-analysis/questions/<int:question_pk>/",
        job_analysis.question_edit,
        name="question_edit",
    ),
    path(
        "actions/<int:pk>/job-analysis/questions/<int:question_pk>/delete/",
        job_analysis.question_delete,
        name="question_delete",
    ),
    path(
        "actions/<int:pk>/job-analysis/finalize/",
        job_analysis.job_analysis_finalize,
        name="job_analysis_finalize",
    ),
    path(
        "actions/<int:pk>/job-analysis/revise/", job_analysis.job_analysis_revise, name="job_analysis_revise"
    ),
    path("actions/<int:pk>/comments/", job_analysis.comment_add, name="comment_add"),
    path("actions/<int:pk>/announcement/", announcements.announcement, name="announcement"),
    path("actions/<int:pk>/announcement/save/", announcements.announcement_save, name="announcement_save"),
    path(
        "actions/<int:pk>/announcement/publish/",
        announcements.announcement_publish,
        name="announcement_publish",
    ),
    # Candidates.
    path("status/", candidates.candidate_home, name="candidate_home"),
    path("status/<int:pk>/", candidates.candidate_application_status, name="candidate_application_status"),
    path("status/<int:pk>/withdraw/", candidates.candidate_withdraw, name="candidate_withdraw"),
]
