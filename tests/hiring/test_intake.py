"""Job analysis → announcement → applying → screening, through the services and pages."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hiring import services
from hiring.models import Announcement, Application, ApplicationDraft, AuditEvent, JobAnalysisVersion
from hiring.workflow import Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AnnouncementFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    InterviewQuestionFactory,
    UserFactory,
    start_resume_review,
)
from tests.hostile_uploads import clean_pdf, long_resume, pdf_with_javascript

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(db):
    """An action in its job analysis workshop with a complete, unfinalized job analysis."""
    action = HiringActionFactory(phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None)
    hr = ActionRoleFactory(action=action).user
    competencies = [
        CompetencyFactory(action=action, name=name) for name in ["Alpha", "Beta", "Gamma", "Delta"]
    ]
    InterviewQuestionFactory(action=action, competencies=competencies[:2])
    InterviewQuestionFactory(action=action, competencies=competencies[2:])
    return action, hr


def test_finalizing_freezes_a_version_moves_to_announcement_and_drafts_it(workshop):
    action, hr = workshop
    action = services.job_analysis_finalize(action_id=action.pk, actor=hr)

    assert action.phase == Phase.ANNOUNCEMENT
    version = JobAnalysisVersion.objects.get(action=action)
    assert [c["name"] for c in version.snapshot["competencies"]] == ["Alpha", "Beta", "Gamma", "Delta"]
    joa = Announcement.objects.get(action=action)
    assert joa.state == Announcement.State.DRAFT
    for name in ["Alpha", "Beta", "Gamma", "Delta"]:
        assert name in joa.qualifications
    assert "first 2 pages" in joa.page_limit_statement
    assert "pass/fail" in joa.evaluation
    assert "Best Qualified: 100; Well Qualified: 85; Qualified: 70" in joa.categories_statement
    assert "opt in" in joa.sharing_notice

    with pytest.raises(DomainError, match=r"is final\. Start a revision"):
        services.competency_save(action_id=action.pk, actor=hr, name="Epsilon", definition="New.")


def test_revising_starts_a_new_version_and_keeps_the_old_one(workshop):
    action, hr = workshop
    services.job_analysis_finalize(action_id=action.pk, actor=hr)
    with pytest.raises(DomainError, match="Say why"):
        services.job_analysis_revise(action_id=action.pk, actor=hr, reason="  ")
    action = services.job_analysis_revise(action_id=action.pk, actor=hr, reason="SMEs split a competency.")
    assert action.job_analysis_version == 2
    assert not action.job_analysis_is_final
    services.competency_save(
        action_id=action.pk, actor=hr, name="Epsilon", definition="New.", required_levels={"13": "meets"}
    )
    assert JobAnalysisVersion.objects.filter(action=action).count() == 1
    assert AuditEvent.objects.filter(
        action=action, subject="job_analysis", reason__contains="SMEs split"
    ).exists()


def test_finalizing_is_refused_while_a_round_lacks_coverage(workshop):
    action, hr = workshop
    InterviewQuestionFactory(action=action, round=2, competencies=[action.competencies.first()])
    with pytest.raises(DomainError, match="Round 2 questions do not cover: Beta, Delta, Gamma"):
        services.job_analysis_finalize(action_id=action.pk, actor=hr)
    action.refresh_from_db()
    assert action.phase == Phase.JOB_ANALYSIS
    assert not JobAnalysisVersion.objects.exists()


def test_a_question_maps_to_one_or_two_competencies(workshop):
    action, hr = workshop
    ids = list(action.competencies.values_list("pk", flat=True))
    with pytest.raises(DomainError, match="one or two"):
        services.question_save(action_id=action.pk, actor=hr, round=1, text="Q?", competency_ids=ids[:3])


def test_smes_and_the_manager_comment_but_cannot_edit(client, workshop):
    action, _ = workshop
    sme = ActionRoleFactory(action=action, role="sme").user
    client.force_login(sme)
    page = client.get(reverse("hiring:job_analysis", args=[action.pk]))
    assert "Add a competency" not in page.text
    client.post(
        reverse("hiring:comment_add", args=[action.pk]), {"topic": "job_analysis", "body": "Beta is vague."}
    )
    assert "Beta is vague." in client.get(reverse("hiring:job_analysis", args=[action.pk])).text
    assert client.get(reverse("hiring:competency_add", args=[action.pk])).status_code == 404


def test_a_stale_announcement_edit_is_refused(workshop):
    action, hr = workshop
    services.job_analysis_finalize(action_id=action.pk, actor=hr)
    joa = Announcement.objects.get(action=action)
    services.announcement_update(announcement_id=joa.pk, actor=hr, revision=1, duties="First.")
    with pytest.raises(DomainError, match="Someone saved this announcement"):
        services.announcement_update(announcement_id=joa.pk, actor=hr, revision=1, duties="Second.")
    assert Announcement.objects.get(pk=joa.pk).duties == "First."


def test_publishing_needs_a_close_date_or_cap_and_duties(workshop):
    action, hr = workshop
    services.job_analysis_finalize(action_id=action.pk, actor=hr)
    joa = Announcement.objects.get(action=action)
    today = timezone.localdate()
    with pytest.raises(DomainError, match="close date, an application cap"):
        services.announcement_publish(
            announcement_id=joa.pk, actor=hr, opens_on=today, closes_on=None, application_cap=None
        )
    with pytest.raises(DomainError, match="Describe the duties"):
        services.announcement_publish(
            announcement_id=joa.pk, actor=hr, opens_on=today, closes_on=today, application_cap=None
        )
    services.announcement_update(announcement_id=joa.pk, actor=hr, revision=joa.revision, duties="Do it.")
    services.announcement_publish(
        announcement_id=joa.pk, actor=hr, opens_on=today, closes_on=None, application_cap=10
    )
    assert Announcement.objects.get(pk=joa.pk).state == Announcement.State.PUBLISHED


def test_the_public_page_carries_job_posting_json_ld_that_parses(client, action):
    joa = action.announcement
    response = client.get(reverse("hiring:job_detail", args=[joa.pk]))
    start = response.text.index('<script type="application/ld+json"')
    body = response.text[response.text.index(">", start) + 1 : response.text.index("</script>", start)]
    posting = json.loads(body)
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == action.title
    assert posting["hiringOrganization"]["name"] == action.agency.name
    assert posting["validThrough"].startswith(joa.closes_on.isoformat())
    assert posting["jobLocation"][0]["address"]["addressLocality"] == "Washington, DC"


def test_hr_text_cannot_break_out_of_the_json_ld_script(client):
    action = HiringActionFactory(announcement=False)
    AnnouncementFactory(action=action, summary="</script><script>alert(1)</script>")
    response = client.get(reverse("hiring:job_detail", args=[action.announcement.pk]))
    assert "</script><script>alert(1)" not in response.text
    assert response.text.count("</script>") == response.text.count("<script")


def test_usajobs_export(client, action):
    data = client.get(reverse("hiring:job_json", args=[action.announcement.pk])).json()
    assert data["PositionTitle"] == action.title
    assert data["JobCategory"] == [{"Code": "2210"}]
    assert data["UserArea"]["Details"]["LowGrade"] == "13"


def test_draft_announcements_are_not_public(client):
    action = HiringActionFactory(announcement=False)
    AnnouncementFactory(action=action, state=Announcement.State.DRAFT)
    assert client.get(reverse("hiring:job_detail", args=[action.announcement.pk])).status_code == 404


# --- applying ------------------------------------------------------------------------------------


def apply_url(action):
    return reverse("hiring:apply", args=[action.announcement.pk])


def answers(**extra):
    return {"citizenship": "on", "preference_claim": "NV", "sharing": "opt_out", "submit": "1", **extra}


def test_a_refused_file_is_named_and_every_other_answer_is_kept(client, action, candidate):
    client.force_login(candidate)
    response = client.post(
        apply_url(action),
        answers(resume=SimpleUploadedFile("resume.pdf", pdf_with_javascript(), "application/pdf")),
    )
    assert "contains JavaScript" in response.text
    assert not Application.objects.exists()
    draft = ApplicationDraft.objects.get(candidate=candidate)
    assert draft.data == {"citizenship": True, "preference_claim": "NV", "sharing": "opt_out"}

    again = client.get(apply_url(action))
    assert again.context["form"].initial["sharing"] == "opt_out"


def test_a_long_resume_is_accepted_and_marked_not_rejected(client, action, candidate):
    client.force_login(candidate)
    response = client.post(
        apply_url(action),
        answers(resume=SimpleUploadedFile("cv.pdf", long_resume(5), "application/pdf")),
        follow=True,
    )
    application = Application.objects.get(candidate=candidate)
    assert application.status == Status.RECEIVED
    assert application.resume_pages == 5
    assert application.documents.get().kind == "resume"
    assert not ApplicationDraft.objects.exists()
    assert "Application submitted" in response.text


def test_a_saved_resume_survives_and_submitting_later_needs_no_reupload(client, action, candidate):
    client.force_login(candidate)
    client.post(
        apply_url(action),
        {"save": "1", "resume": SimpleUploadedFile("cv.pdf", clean_pdf(2), "application/pdf")},
    )
    assert "Uploaded: cv.pdf (2 pages)" in client.get(apply_url(action)).text
    client.post(apply_url(action), answers())
    assert Application.objects.get(candidate=candidate).resume_pages == 2


def test_submitting_names_each_missing_answer(client, action, candidate):
    client.force_login(candidate)
    response = client.post(apply_url(action), {"submit": "1", "preference_claim": "NV"})
    for message in ["Upload your resume", "Confirm you are a U.S. citizen", "Choose whether we may share"]:
        assert message in response.text
    assert not Application.objects.exists()


def test_a_closed_announcement_refuses_with_a_clear_page(client, candidate):
    action = HiringActionFactory(announcement=False)
    AnnouncementFactory(
        action=action,
        closes_on=timezone.localdate() - timedelta(days=1),
        opens_on=timezone.localdate() - timedelta(days=9),
    )
    client.force_login(candidate)
    response = client.get(apply_url(action))
    assert response.status_code == 410
    assert "This job closed on" in response.text


@pytest.mark.django_db(transaction=True)
def test_the_cap_is_exact_under_concurrent_submissions():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    action = HiringActionFactory(announcement=False)
    AnnouncementFactory(action=action, closes_on=None, application_cap=5)
    people = [UserFactory() for _ in range(12)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(people))

    def submit(person):
        barrier.wait()
        try:
            services.application_submit(action=action, candidate=person)
            outcomes.append("ok")
        except DomainError as refused:
            outcomes.append(refused.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 5
    assert Application.objects.filter(action=action).count() == 5
    assert outcomes.count("This job closed after receiving 5 applications.") == 7


# --- screening -----------------------------------------------------------------------------------


def test_screening_removes_only_for_no_resume_or_citizenship(action, hr):
    with_resume = ApplicationFactory(action=action)
    Application.objects.filter(pk=with_resume.pk).update(resume_pages=2)  # as if a resume was uploaded
    without = ApplicationFactory(action=action)
    with pytest.raises(DomainError, match="only for no resume or citizenship"):
        services.screening_remove(
            action_id=action.pk, actor=hr, application_ids=[without.pk], ground="too junior"
        )
    with pytest.raises(DomainError, match="submitted a resume"):
        services.screening_remove(
            action_id=action.pk, actor=hr, application_ids=[with_resume.pk], ground="no_resume"
        )
    assert (
        services.screening_remove(
            action_id=action.pk, actor=hr, application_ids=[without.pk], ground="no_resume"
        )
        == 1
    )
    assert Application.objects.get(pk=without.pk).status == Status.INELIGIBLE
    assert "No resume was submitted" in Application.objects.get(pk=without.pk).events.last().reason


def test_releasing_waits_for_intake_to_close_then_moves_everyone_left(action, hr):
    first, second = ApplicationFactory(action=action), ApplicationFactory(action=action)
    with pytest.raises(DomainError, match="Close applications"):
        services.screening_release(action_id=action.pk, actor=hr)
    start_resume_review(action)
    assert services.screening_release(action_id=action.pk, actor=hr) == 2
    assert set(Application.objects.values_list("status", flat=True)) == {Status.IN_RESUME_REVIEW}
    assert Announcement.objects.get(action=action).state == Announcement.State.CLOSED
    assert first.notices.count() == second.notices.count() == 2


def test_screening_page_filters_and_bulk_releases(client, action, hr):
    missing = ApplicationFactory(action=action)
    has = ApplicationFactory(action=action)
    Application.objects.filter(pk=has.pk).update(resume_pages=1)
    start_resume_review(action)
    client.force_login(hr)
    url = reverse("hiring:hr_screening", args=[action.pk])
    filtered = client.get(url, {"filter": "no_resume"})
    assert list(filtered.context["applications"]) == [missing]
    client.post(url, {"operation": "release", "applications": [has.pk]})
    assert Application.objects.get(pk=has.pk).status == Status.IN_RESUME_REVIEW
    assert Application.objects.get(pk=missing.pk).status == Status.RECEIVED


def test_hr_changes_settings_while_draft_and_the_change_is_audited(client, workshop):
    action, hr = workshop
    client.force_login(hr)
    url = reverse("hiring:hr_action_settings", args=[action.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"grades": "13", "duty_locations": "Denver, CO\nWashington, DC", "resume_page_limit": "3"}
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    action.refresh_from_db()
    assert action.duty_locations == ["Denver, CO", "Washington, DC"]
    assert action.resume_page_limit == 3
    assert AuditEvent.objects.filter(action=action, reason__contains="resume page limit").exists()

    services.job_analysis_finalize(action_id=action.pk, actor=hr)
    refused = client.post(url, data)
    assert "Start a revision" in refused.text


def test_a_published_job_analysis_cannot_be_revised(action, hr):
    with pytest.raises(DomainError, match="announcement is published"):
        services.job_analysis_revise(action_id=action.pk, actor=hr, reason="Late change.")
    action.refresh_from_db()
    assert action.job_analysis_is_final


def test_public_job_list_queries_do_not_grow_with_jobs(client, django_assert_max_num_queries):
    HiringActionFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("hiring:jobs"))
    for _ in range(5):
        HiringActionFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("hiring:jobs"))
    assert len(response.context["jobs"]) == 6


def test_the_public_list_drops_a_job_when_its_exact_cap_is_reached(client):
    capped = HiringActionFactory(announcement=False)
    AnnouncementFactory(action=capped, closes_on=None, application_cap=2)
    uncapped = HiringActionFactory()
    services.application_submit(action=capped, candidate=UserFactory())
    listed = [joa.action_id for joa, _ in client.get(reverse("hiring:jobs")).context["jobs"]]
    assert sorted(listed) == sorted([capped.pk, uncapped.pk])
    services.application_submit(action=capped, candidate=UserFactory())
    response = client.get(reverse("hiring:jobs"))
    assert [joa.action_id for joa, _ in response.context["jobs"]] == [uncapped.pk]
    detail = client.get(reverse("hiring:job_detail", args=[capped.announcement.pk])).text
    assert "This job closed after receiving 2 applications." in detail
