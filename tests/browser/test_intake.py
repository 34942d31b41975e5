"""Phases 1-2 and intake through Chromium: HR builds the job analysis and announcement, a candidate
applies (a bad file first, then a resume longer than the limit), HR screens, the candidate follows."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hiring.models import Application, HiringAction
from hiring.workflow import Status
from tests.factories import AgencyRoleFactory
from tests.hostile_uploads import long_resume, renamed_zip

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long test password 42"
COMPETENCIES = [
    ("Accessibility", "Builds services everyone can use, including people with disabilities."),
    ("Research", "Plans and runs research with the people a service is for."),
    ("Delivery", "Ships working software in small, frequent releases."),
    ("Communication", "Explains technical choices to people who are not technical."),
]


def pdf(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def test_hr_builds_an_action_and_a_candidate_applies_and_is_screened(page, browser, live_server):
    hr = AgencyRoleFactory(user__email="hr.specialist@example.test").user
    hr.set_password(PASSWORD)
    hr.save()

    # HR: create the action.
    sign_in(page, hr.email, PASSWORD)
    page.get_by_role("link", name="Start a hiring action").click()
    check_page(page, "ja-create")
    page.get_by_label("Working title").fill("Accessibility Specialist")
    page.get_by_label("Series", exact=True).fill("2210")
    page.get_by_label("Grades", exact=True).fill("13")
    page.get_by_label("Full performance level (grade)").fill("13")
    page.get_by_label("Duty locations").fill("Washington, DC")
    page.get_by_label("Resume page limit").fill("2")
    page.get_by_label("Specialized experience (52 weeks)").fill(
        "52 weeks at GS-12 making services accessible."
    )
    page.get_by_role("button", name="Create hiring action").click()
    expect(page.get_by_role("heading", name="Accessibility Specialist: job analysis")).to_be_visible()
    action = HiringAction.objects.get(title="Accessibility Specialist")

    # Job analysis: four competencies and round 1 questions covering each.
    for name, definition in COMPETENCIES:
        page.get_by_role("link", name="Add a competency").click()
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Definition", exact=True).fill(definition)
        page.get_by_label("Level required at GS-13").select_option("meets")
        page.get_by_label("What Meets looks like").fill(f"Shows {name.lower()} on typical work.")
        page.get_by_label("What Exceeds looks like").fill(f"Leads others in {name.lower()}.")
        if name == "Accessibility":
            check_page(page, "ja-competency-form")
        page.get_by_role("button", name="Save competency").click()
    expect(page.get_by_text("Round 1 questions do not cover")).to_be_visible()
    for covered in (["Accessibility", "Research"], ["Delivery", "Communication"]):
        page.get_by_role("link", name="Add a round 1 question").click()
        page.get_by_label("Question", exact=True).fill(f"Tell us about your work on {' and '.join(covered)}.")
        for name in covered:
            page.locator("label", has_text=re.compile(f"^{name}$")).click()
        page.get_by_label("Required follow-ups").fill("What was your part?")
        page.get_by_role("button", name="Save question").click()
    check_page(page, "ja-ready")
    page.get_by_role("button", name=re.compile("Finalize version 1")).click()

    # Announcement: drafted from the job analysis; HR adds duties and publishes.
    expect(page.get_by_text("Version 1 of the job analysis is final")).to_be_visible()
    assert "Accessibility" in page.get_by_label("Qualifications (from the competencies)").input_value()
    page.get_by_label("Duties", exact=True).fill("Audit services for accessibility.\nTrain teams.")
    page.get_by_role("button", name="Save announcement").click()
    today = timezone.localdate()
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Application cap").fill("50")
    page.locator("label[for=id_cap_rule_0]").click()
    check_page(page, "joa-edit")
    page.get_by_role("button", name="Publish announcement").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    sign_out(page)

    # Candidate: public job page, account, a bad file, then a long resume.
    page.goto("/jobs/")
    check_page(page, "jobs")
    page.get_by_role("link", name="Accessibility Specialist").click()
    expect(page.locator("script[type='application/ld+json']")).to_have_count(1)
    check_page(page, "job-detail")
    page.get_by_role("link", name="Apply").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Robin Applicant")
    page.get_by_label("Email address").fill("robin@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    check_page(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Apply: Accessibility Specialist")).to_be_visible()

    page.locator("#id_resume").set_input_files(pdf("resume.pdf", renamed_zip()))
    page.locator("label[for=id_citizenship]").click()
    page.locator("label[for=id_sharing_0]").click()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("looks like a ZIP").first).to_be_visible()
    expect(page.locator("#id_citizenship")).to_be_checked()  # what was typed is kept
    check_page(page, "apply-bad-file")

    page.locator("#id_resume").set_input_files(pdf("long-resume.pdf", long_resume(5)))
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Your application is: Application received")).to_be_visible()
    application = Application.objects.get(candidate__email="robin@example.test")
    assert application.resume_pages == 5
    assert application.sharing_opt_in is True
    check_page(page, "status-received")
    sign_out(page)

    # HR closes intake and screens: everyone with a resume goes to the SMEs.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/")
    page.get_by_role("button", name="Move to Resume review").click()
    page.get_by_role("link", name="Screening").click()
    expect(page.get_by_text("5 pages")).to_be_visible()
    check_page(page, "screening")
    page.get_by_role("button", name="Release everyone waiting").click()
    expect(page.get_by_text("Released 1 application to resume review")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.IN_RESUME_REVIEW
    page.get_by_role("link", name="Import").click()
    check_page(page, "import-usas")
    sign_out(page)

    # The candidate sees each step.
    sign_in(page, "robin@example.test", PASSWORD)
    page.goto(f"/status/{application.pk}/")
    expect(page.get_by_role("heading", name="Your application is: In resume review")).to_be_visible()
    expect(page.get_by_text("What comes next:")).to_be_visible()
    subjects = page.locator(".timeline__item h3").all_inner_texts()
    assert subjects == [
        "We received your application for Accessibility Specialist",
        "Your resume is being reviewed for Accessibility Specialist",
    ]
    check_page(page, "status-in-review")
