"""Time in grade through Chromium (ADR 0015 step 3): on a GS-12/13/14 action HR finds the applicant who
still needs a check on the certificate page, types a grade history with a mistyped date (refused,
nothing lost), corrects it and sees GS-13 met and GS-14 not met."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hiring.models import Application, Role
from hiring.workflow import Status
from tests.factories import ActionRoleFactory, HiringActionFactory, application_in

from .conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"


def test_hr_records_time_in_grade_and_sees_each_grade(page):
    action = HiringActionFactory(
        title="IT Specialist (INFOSEC)", grades=[12, 13, 14], full_performance_level=14
    )
    hr = ActionRoleFactory(
        action=action, role=Role.HR, user__email="hr@tig.test", user__full_name="Hal Reyes"
    ).user
    hr.set_password(PASSWORD)
    hr.save()
    application = application_in(Status.QUALIFIED, action=action)
    Application.objects.filter(pk=application.pk).update(applicant_name="Grace Hopper", preference_claim="NV")
    today = timezone.localdate()
    gs12_from, gs13_from = today - timedelta(weeks=60), today - timedelta(weeks=20)

    sign_in(page, "hr@tig.test", PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/certificate/")
    expect(page.get_by_text("1 applicant still needs a time-in-grade check")).to_be_visible()
    check_page(page, "grade-check-certificate-page")
    page.get_by_role("list", name="Applicants still needing a time-in-grade check").get_by_role(
        "link", name="Grace Hopper"
    ).click()
    expect(page.get_by_role("heading", name="Time in grade: Grace Hopper")).to_be_visible()
    check_page(page, "grade-check-empty")

    page.locator("label[for=id_source_0]").click()  # SF-50 (USWDS hides the radio behind its label)
    row1 = page.get_by_role("group", name="Row 1")
    row1.get_by_label("Grade").select_option("12")
    row1.get_by_label("From").fill(gs12_from.isoformat())
    row1.get_by_label("To").fill(gs13_from.isoformat())
    row2 = page.get_by_role("group", name="Row 2")
    row2.get_by_label("Grade").select_option("13")
    row2.get_by_label("From").fill(gs13_from.isoformat())
    row2.get_by_label("To").fill(gs12_from.isoformat())  # mistyped: ends before it starts
    page.get_by_role("button", name="Record time in grade").click()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    expect(page.get_by_text("Row 2, To: The GS-13 service starts on")).to_be_visible()
    expect(page.get_by_role("group", name="Row 1").get_by_label("From")).to_have_value(gs12_from.isoformat())
    check_page(page, "grade-check-error")

    page.get_by_role("group", name="Row 2").get_by_label("To").fill("")
    page.get_by_role("button", name="Record time in grade").click()
    expect(page.get_by_text("Time in grade recorded for Grace Hopper.")).to_be_visible()
    result = page.get_by_role("table")
    expect(result.get_by_role("row", name="GS-13 60 Meets")).to_be_visible()
    expect(result.get_by_role("row", name="GS-14 20 Does not meet")).to_be_visible()
    check_page(page, "grade-check-recorded")
