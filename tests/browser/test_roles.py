"""Each demo role signs in through Chromium and finds its own work; every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from hiring.models import Application
from hiring.workflow import Status

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_and_a_wrong_password(page, demo):
    page.goto("/accounts/login/")
    check_page(page, "login")
    sign_in(page, "hr@demo.test", "not the password")
    expect(page.get_by_text("do not match an account")).to_be_visible()
    check_page(page, "login-error")


def test_hr_sees_their_actions_and_moves_an_application(page, demo):
    sign_in(page, "hr@demo.test")
    expect(page.get_by_role("heading", name="HR workspace")).to_be_visible()
    check_page(page, "hr-home")

    page.get_by_role("link", name="Product Manager", exact=True).click()
    expect(page.get_by_role("heading", name="Product Manager", level=1, exact=True)).to_be_visible()
    assert page.locator(".usa-step-indicator__segment--current").inner_text().startswith("Assessments")
    check_page(page, "hr-action")

    page.get_by_role("link", name="Keisha Moore").click()  # did not move forward: final outcome
    expect(page.get_by_text("nothing more HR can change")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Farid Haddad").click()  # in interview round 1
    check_page(page, "hr-application")

    page.get_by_role("button", name="Change status and notify candidate").click()
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    check_page(page, "hr-application-error")

    # Interview outcomes come only from accepted score sheets, so HR's form offers a withdrawal only.
    options = page.get_by_label("New status").locator("option").all_inner_texts()
    assert "In interview round 2" not in options and "Qualified" not in options
    page.get_by_label("New status").select_option(label="Withdrawn")
    page.get_by_label("Reason").fill("The candidate phoned to withdraw.")
    page.get_by_role("button", name="Change status and notify candidate").click()
    expect(page.get_by_text("The candidate was notified")).to_be_visible()
    expect(page.get_by_text("The candidate phoned to withdraw")).to_be_visible()
    application = Application.objects.get(
        candidate__email="applicant06@demo.test", action__title="Product Manager"
    )
    assert application.status == Status.WITHDRAWN


def test_sme_sees_the_actions_they_serve_on(page, demo):
    sign_in(page, "sme1@demo.test")
    expect(page.get_by_role("heading", name="My reviews")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(5)  # the four single-agency actions and the pooled one
    expect(
        page.get_by_role("link", name=re.compile("Publish your availability and score your interviews"))
    ).to_be_visible()
    check_page(page, "sme-home")
    page.goto("/hr/")
    expect(page.get_by_role("heading", name="You don’t have access to this")).to_be_visible()
    check_page(page, "403")


def test_hiring_manager_sees_their_actions(page, demo):
    sign_in(page, "manager@demo.test")
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page.get_by_role("link", name="Product Manager", exact=True)).to_be_visible()
    # The certificate issued for the Senior Product Manager action waits for their selections.
    senior = page.locator("tr", has_text="Senior Product Manager")
    senior.get_by_role("link", name=re.compile(r"^DEMO-\d{4}-\d{4}-01$")).click()
    expect(page.get_by_role("heading", name=re.compile("^Certificate DEMO-"))).to_be_visible()
    expect(page.locator("[data-entry]").first).to_contain_text("Grace O'Neill")  # CPS, floated to the top
    check_page(page, "manager-certificate")
    page.goto("/manager/")
    check_page(page, "manager-home")


def test_candidate_follows_their_application_and_withdraws(page, demo):
    sign_in(page, "candidate@demo.test")
    expect(page.get_by_role("heading", name="My applications")).to_be_visible()
    check_page(page, "candidate-home")

    page.get_by_role("link", name="See details for Product Manager").click()
    expect(page.get_by_role("heading", name="Your application is: In interview round 2")).to_be_visible()
    timeline = page.locator(".timeline__item h3").all_inner_texts()
    assert timeline[0].startswith("We received your application")
    assert "You moved forward for Product Manager (ELSM)" in timeline
    check_page(page, "candidate-status")

    page.get_by_role("link", name="Withdraw this application").click()
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.get_by_text("Check the box to confirm").first).to_be_visible()
    check_page(page, "candidate-withdraw-error")
    page.locator("label[for=id_confirm]").click()  # USWDS draws the box on the label
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.get_by_role("heading", name="Your application is: Withdrawn")).to_be_visible()
    assert page.locator(".timeline__item h3").last.inner_text().endswith("is withdrawn")


def test_a_candidate_cannot_open_someone_elses_application(page, demo):
    other = Application.objects.exclude(candidate__email="candidate@demo.test").first()
    sign_in(page, "candidate@demo.test")
    response = page.goto(f"/status/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We can’t find that page")).to_be_visible()
    check_page(page, "404")
    sign_out(page)


def test_hr_change_reaches_the_candidate(page, demo, browser, live_server):
    mine = Application.objects.get(candidate__email="candidate@demo.test", action__title="Product Manager")
    sign_in(page, "hr@demo.test")
    page.goto(f"/hr/actions/{mine.action_id}/applications/{mine.pk}/")
    page.get_by_label("New status").select_option(label="Withdrawn")
    page.get_by_label("Reason").fill("Withdrawal received by phone from the candidate.")
    page.get_by_role("button", name="Change status and notify candidate").click()
    expect(page.get_by_text("The candidate was notified")).to_be_visible()

    context = browser.new_context(base_url=live_server.url)
    candidate_page = context.new_page()
    sign_in(candidate_page, "candidate@demo.test")
    candidate_page.goto(f"/status/{mine.pk}/")
    expect(candidate_page.get_by_role("heading", name="Your application is: Withdrawn")).to_be_visible()
    expect(candidate_page.get_by_text("is withdrawn and will not be considered further")).to_be_visible()
    assert "by phone" not in candidate_page.content()  # HR's reason is not shown to the candidate
    context.close()
