"""Multi-grade set-up through Chromium (issue 10; ADR 0015): HR types the final score required at each of
three grades, a mistake is refused beside its grade with nothing typed lost; a pooled candidate's status
page says where they are considered and which agencies' certificates list them."""

import pytest
from playwright.sync_api import expect

from hiring.models import Application, Role
from hiring.workflow import Phase, Status
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    ApplicationPlaceFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    ParticipantFactory,
    UserFactory,
)

from .conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"


def test_hr_sets_a_final_score_per_grade(page):
    action = HiringActionFactory(
        title="IT Specialist (INFOSEC)", grades=[12, 13, 14], full_performance_level=14,
        phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None,
    )  # fmt: skip
    hr = ActionRoleFactory(action=action, role=Role.HR, user__email="hr@grades.test").user
    hr.set_password(PASSWORD)
    hr.save()
    sign_in(page, "hr@grades.test", PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/settings/")
    page.get_by_label("Final score required at GS-13").fill("100")
    page.get_by_label("Final score required at GS-14").fill("85")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_score_14-error")).to_contain_text("Enter 100 or more")
    expect(page.get_by_label("Final score required at GS-13")).to_have_value("100")
    check_page(page, "job-analysis-grade-scores-refused")
    page.get_by_label("Final score required at GS-13").fill("85")
    page.get_by_label("Final score required at GS-14").fill("100")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_text("GS-12: 70; GS-13: 85; GS-14: 100")).to_be_visible()
    check_page(page, "job-analysis-grade-scores")
    page.goto(f"/hr/actions/{action.pk}/settings/")
    check_page(page, "job-analysis-settings-three-grades")


def test_a_pooled_candidate_sees_their_choices_and_certificates(page):
    action = HiringActionFactory(
        title="IT Specialist (INFOSEC)", agency=AgencyFactory(name="OPM", code="OPM"), grades=[12, 13, 14],
        full_performance_level=14, duty_locations=["Denver, CO", "Boulder, CO"], phase=Phase.CERTIFICATE,
    )  # fmt: skip
    interior = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of the Interior"))
    commerce = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of Commerce"))
    candidate = UserFactory(email="ada@example.test", full_name="Ada Lovelace")
    candidate.set_password(PASSWORD)
    candidate.save()
    mine = Application.objects.create(
        action=action,
        candidate=candidate,
        applicant_name="Ada Lovelace",
        lowest_grade=13,
        status=Status.REFERRED,
    )
    ApplicationPlaceFactory(application=mine, participant=interior, duty_location="Denver, CO")
    ApplicationPlaceFactory(application=mine, participant=commerce, duty_location="Boulder, CO")
    for grade in (13, 14):
        certificate = CertificateFactory(
            action=action,
            agency=interior.agency,
            grade=grade,
            full_performance_level=14,
            duty_location="Denver, CO",
        )
        EntryFactory(certificate=certificate, application=mine)
    sign_in(page, "ada@example.test", PASSWORD)
    page.goto(f"/status/{mine.pk}/")
    expect(page.get_by_text("Department of the Interior (Denver, CO) at GS-13 and GS-14")).to_be_visible()
    check_page(page, "candidate-status-pooled")
