"""Pooled hiring through Chromium (ADR 0015 steps 7-8): lead HR reads each agency's selections against
its vacancies, closes the pool once every certificate is audited, and a participating agency's hiring
manager sees their own agency's rows on their home page."""

import pytest
from playwright.sync_api import expect

from certificates.models import Certificate
from hiring.models import Application, Role
from hiring.workflow import Phase, Status
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    ParticipantFactory,
    StaffFactory,
    UserFactory,
    VacancyFactory,
)

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"
DC, DENVER = "Washington, DC", "Denver, CO"


def test_hr_reads_the_pools_progress_and_closes_it_and_a_manager_sees_their_agencys_rows(page):
    opm = AgencyFactory(name="Office of Personnel Management", code="OPM")
    action = HiringActionFactory(
        agency=opm, title="IT Specialist (INFOSEC)", phase=Phase.CERTIFICATE, grades=[12, 13],
        full_performance_level=13, duty_locations=[DC, DENVER],
    )  # fmt: skip
    hr = ActionRoleFactory(
        action=action, role=Role.HR, user__email="hr@pool.test", user__full_name="Hana Reyes"
    ).user
    energy = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of Energy"))
    interior = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of the Interior"))
    ParticipantFactory(action=action, agency=AgencyFactory(name="Department of Labor"))
    VacancyFactory(participant=energy, grade=13, duty_location=DENVER, count=2)
    VacancyFactory(participant=energy, grade=12, duty_location=DC, count=1)
    VacancyFactory(participant=interior, grade=13, duty_location=DENVER, count=1)
    manager = StaffFactory(agency=interior.agency, email="pat@interior.test", full_name="Pat Manager")
    ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, user=manager, agency=interior.agency)
    for user in (hr, manager):
        user.set_password(PASSWORD)
        user.save()
    people = [
        Application.objects.create(
            action=action, candidate=UserFactory(), applicant_name=name, status=status, sharing_opt_in=True
        )
        for name, status in (
            ("Ada Best", Status.SELECTED),
            ("Ben Vet", Status.REFERRED),
            ("Cy Well", Status.QUALIFIED),
            ("Dee Well", Status.SELECTED),
        )
    ]
    ada, ben, _, dee = people
    for agency, grade, location, names in (
        (energy.agency, 13, DENVER, [(ada, "A"), (ben, "NS")]),
        (energy.agency, 12, DC, [(ben, "NS")]),
        (interior.agency, 13, DENVER, [(dee, "A"), (ada, "NS"), (ben, "NS")]),
    ):
        certificate = CertificateFactory(
            action=action,
            agency=agency,
            grade=grade,
            duty_location=location,
            state=Certificate.State.RETURNED,
        )
        for rank, (application, code) in enumerate(names, start=1):
            EntryFactory(
                certificate=certificate, application=application, rank=rank, name=application.applicant_name,
                disposition=code,
            )  # fmt: skip

    sign_in(page, "hr@pool.test", PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/pool/")
    table = page.get_by_role("table", name="Vacancies, selections and positions filled")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="Department of Energy, all")).to_contain_text("3")
    expect(page.get_by_text("Department of Labor has no vacancies yet")).to_be_visible()
    expect(
        page.get_by_text("Certificates are still open at Department of Energy (2 certificates)")
    ).to_be_visible()
    check_page(page, "pool-progress")
    page.get_by_role("button", name="Close the pool and send the notices").click()
    expect(page.get_by_role("alert")).to_contain_text("Certificates are still open")

    Certificate.objects.filter(action=action).update(state=Certificate.State.AUDITED)
    page.goto(f"/hr/actions/{action.pk}/pool/")
    page.get_by_role("button", name="Close the pool and send the notices").click()
    expect(page.get_by_text("The pool is closed. Candidates not selected were told")).to_be_visible()
    expect(page.get_by_text("Hana Reyes closed the pool on")).to_be_visible()
    check_page(page, "pool-closed")
    ben.refresh_from_db()
    assert ben.status == Status.NOT_SELECTED
    sign_out(page)

    sign_in(page, "pat@interior.test", PASSWORD)
    page.goto("/manager/")
    progress = page.get_by_role("table", name="Vacancies, selections and positions filled for your agency")
    expect(progress).to_contain_text("IT Specialist (INFOSEC) (Department of the Interior)")
    expect(progress).not_to_contain_text("Department of Energy")
    check_page(page, "manager-pool-progress")
