"""Pooled hiring through Chromium (ADR 0015 steps 1-2): HR adds a participating agency, a vacancy
with a mistyped count (refused, nothing lost) and its hiring manager; a candidate then sees each agency
and location as a checkbox and the lowest grade as a choice."""

import pytest
from playwright.sync_api import expect

from hiring.models import Role
from hiring.workflow import Phase
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AnnouncementFactory,
    HiringActionFactory,
    StaffFactory,
    UserFactory,
)

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"


def test_hr_sets_up_the_pool_and_a_candidate_chooses_places(page):
    action = HiringActionFactory(
        title="IT Specialist (INFOSEC)", phase=Phase.ANNOUNCEMENT, announcement=False,
        grades=[12, 13], full_performance_level=13, duty_locations=["Washington, DC", "Denver, CO"],
    )  # fmt: skip
    hr = ActionRoleFactory(action=action, role=Role.HR, user__email="hr@pool.test").user
    interior = AgencyFactory(name="Department of the Interior", code="IN")
    StaffFactory(agency=interior, email="pat@interior.test", full_name="Pat Manager")
    for user in (hr, UserFactory(email="casey@example.test", full_name="Casey Candidate")):
        user.set_password(PASSWORD)
        user.save()

    sign_in(page, "hr@pool.test", PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/pool/")
    expect(page.get_by_text("No other agency takes part")).to_be_visible()
    page.get_by_label("Participating agency").select_option(label="Department of the Interior")
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_text("Department of the Interior now takes part")).to_be_visible()

    vacancy = page.locator("form", has=page.get_by_role("button", name="Save vacancies"))
    vacancy.get_by_label("Agency").select_option(label="Department of the Interior")
    vacancy.get_by_label("Duty location").select_option("Denver, CO")
    vacancy.get_by_label("Grade").select_option(label="GS-13")
    vacancy.get_by_label("Vacancies").fill("")
    vacancy.get_by_role("button", name="Save vacancies").click()
    expect(page.get_by_text("Enter how many vacancies, or 0 to remove them.").first).to_be_visible()
    expect(vacancy.get_by_label("Duty location")).to_have_value("Denver, CO")
    check_page(page, "pool-vacancy-refused")
    vacancy.get_by_label("Vacancies").fill("3")
    vacancy.get_by_role("button", name="Save vacancies").click()
    expect(page.get_by_text("3 at GS-13, Denver, CO")).to_be_visible()

    manager = page.locator("form", has=page.get_by_role("button", name="Add hiring manager"))
    manager.get_by_label("Agency").select_option(label="Department of the Interior")
    manager.get_by_label("Hiring manager's email address").fill("pat@interior.test")
    manager.get_by_role("button", name="Add hiring manager").click()
    expect(page.get_by_text("Pat Manager (pat@interior.test)")).to_be_visible()
    check_page(page, "pool-page")
    sign_out(page)

    AnnouncementFactory(action=action)
    sign_in(page, "casey@example.test", PASSWORD)
    page.goto(f"/jobs/{action.announcement.pk}/apply/")
    expect(page.get_by_role("group", name="Where would you accept a job?")).to_be_visible()
    # USWDS draws its own boxes over the inputs: people click the labels.
    page.locator("label", has_text="Department of the Interior: Denver, CO").click()
    page.locator("label", has_text="GS-12").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_label("Department of the Interior: Denver, CO")).to_be_checked()
    expect(page.get_by_label("GS-12")).to_be_checked()
    check_page(page, "pool-apply")


def test_a_single_agency_multi_grade_action_asks_the_lowest_grade(page):
    """DEOH pp. 6-5-6-7 (domain-research §2.3): every multi-grade action asks the lowest grade accepted,
    pooled or not; a single-agency action asks no places."""
    action = HiringActionFactory(title="Economist", grades=[12, 13], full_performance_level=13)
    sam = UserFactory(email="sam@example.test", full_name="Sam Candidate")
    sam.set_password(PASSWORD)
    sam.save()

    sign_in(page, "sam@example.test", PASSWORD)
    page.goto(f"/jobs/{action.announcement.pk}/apply/")
    expect(page.get_by_role("group", name="The lowest grade you would accept")).to_be_visible()
    expect(page.get_by_role("group", name="Where would you accept a job?")).to_have_count(0)
    page.locator("label[for=id_citizenship]").click()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#id_lowest_grade-error")).to_have_text(  # beside the field
        "Choose the lowest grade you would accept, or any grade."
    )
    expect(page.locator("#id_citizenship")).to_be_checked()  # what was typed is kept
    page.locator("label", has_text="GS-13").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_label("GS-13")).to_be_checked()
    check_page(page, "apply-lowest-grade")
