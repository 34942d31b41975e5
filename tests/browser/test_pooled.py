"""Issue 10's whole pooled flow through Chromium: a three-agency action at GS-13 and GS-14 whose
candidates chose different agencies, locations and lowest grades. HR issues each agency's certificates
from the Certificate tab; each agency's hiring manager sees only their own; Interior's selection shows on
Energy's and Commerce's certificates; once every certificate is audited HR closes the pool, and an
outside agency's HR finds the opted-in candidates no one selected in the talent pool. axe on every page.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services
from certificates.models import Certificate, Disposition
from hiring.models import Application, Role
from hiring.workflow import Status
from tests.factories import (
    TEST_PASSWORD,
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ParticipantFactory,
    StaffFactory,
    VacancyFactory,
    hr_for,
)
from tests.pooled import eligible, multi_grade_action, to_certificate_phase

from .conftest import check_page, dispose, row, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

DENVER, BOSTON, REMOTE = "Denver, CO", "Boston, MA", "Remote"
INTERIOR, ENERGY, COMMERCE = "Department of the Interior", "Department of Energy", "Department of Commerce"


def build():
    """OPM leads; Interior (Denver) and Energy (Boston) fill GS-13 and GS-14, Commerce (Remote) GS-13."""
    opm = AgencyFactory(name="Office of Personnel Management", code="OPM")
    action = multi_grade_action(
        agency=opm, title="IT Specialist (INFOSEC)", grades=[13, 14], grade_scores={"13": 85, "14": 100},
        duty_locations=[DENVER, BOSTON, REMOTE],
    )  # fmt: skip
    members = {}
    for name, code, location, grades in (
        (INTERIOR, "DOI", DENVER, (13, 14)),
        (ENERGY, "DOE", BOSTON, (13, 14)),
        (COMMERCE, "DOC", REMOTE, (13,)),
    ):
        participant = ParticipantFactory(action=action, agency=AgencyFactory(name=name, code=code))
        for grade in grades:
            VacancyFactory(participant=participant, duty_location=location, grade=grade, count=1)
        manager = StaffFactory(agency=participant.agency)
        ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, user=manager, agency=participant.agency)
        members[name] = (participant, location, manager)
    place = {name: (participant, location) for name, (participant, location, _) in members.items()}
    everywhere = list(place.values())
    # Ada: everywhere, any grade, qualifies at 14. Ben: Interior only, GS-14 only. Cy: Energy and
    # Commerce, qualifies at 13. Dee: Interior and Energy, opted out of sharing. Eve: Energy, GS-14
    # only, but under 52 weeks at GS-13, so on no certificate.
    eligible(action, "Ada Lovelace", 100, meets={14: True}, places=everywhere, opted_in=True)
    eligible(
        action, "Ben Franklin", 100, lowest=14, meets={14: True}, places=[place[INTERIOR]], opted_in=True
    )
    eligible(action, "Cy Young", 85, places=[place[ENERGY], place[COMMERCE]], opted_in=True)
    eligible(action, "Dee Dee", 85, places=[place[INTERIOR], place[ENERGY]], opted_in=False)
    eligible(action, "Eve Arden", 100, lowest=14, meets={14: False}, places=[place[ENERGY]], opted_in=True)
    to_certificate_phase(action)
    outsider = StaffFactory(agency=AgencyFactory(name="Department of the Treasury", code="TRE"))
    AgencyRoleFactory(agency=outsider.agency, user=outsider)
    return action, members, outsider


def names_on(certificate_id):
    return list(
        Certificate.objects.get(pk=certificate_id).entries.order_by("rank").values_list("name", flat=True)
    )


def select(page, name):
    dispose(page, name, "A: selected", on=timezone.localdate())
    expect(page.get_by_text(f"Recorded for {name}.")).to_be_visible()


def test_three_agencies_each_select_from_their_own_certificates_and_the_rest_go_to_the_talent_pool(page):
    action, members, outsider = build()
    hr = hr_for(action)

    # HR previews one agency's certificate, then issues every certificate that lists someone.
    sign_in(page, hr.email, TEST_PASSWORD)
    page.goto(reverse("certificates:hr_certificates", args=[action.pk]))
    page.get_by_role("link", name=f"Preview {INTERIOR}, {DENVER}, GS-14").click()
    expect(
        page.get_by_role("heading", name=f"Categories and order: {INTERIOR}, {DENVER}, GS-14")
    ).to_be_visible()
    check_page(page, "pooled-hr-certificates")
    for _ in range(5):
        page.get_by_role("button", name="Issue certificate").click()
        expect(page.get_by_text("issued; the listed candidates are told they were referred")).to_be_visible()
        page.goto(reverse("certificates:hr_certificates", args=[action.pk]))
    expect(page.get_by_text("A certificate has been issued for every agency's vacancies.")).to_be_visible()
    sign_out(page)

    originals = {
        (c.agency.name, c.grade): c
        for c in Certificate.objects.filter(action=action).select_related("agency")
    }
    assert set(originals) == {(INTERIOR, 13), (INTERIOR, 14), (ENERGY, 13), (ENERGY, 14), (COMMERCE, 13)}
    # Each lists only those who accepted its agency and location, at a grade in their range.
    assert names_on(originals[(INTERIOR, 14)].pk) == ["Ada Lovelace", "Ben Franklin"]
    assert names_on(originals[(INTERIOR, 13)].pk) == ["Ada Lovelace", "Dee Dee"]
    assert names_on(originals[(ENERGY, 14)].pk) == ["Ada Lovelace"]
    assert names_on(originals[(COMMERCE, 13)].pk) == ["Ada Lovelace", "Cy Young"]

    # Interior's hiring manager sees only Interior's certificates, and selects Ada at GS-14.
    interior_manager = members[INTERIOR][2]
    sign_in(page, interior_manager.email, TEST_PASSWORD)
    page.goto(reverse("certificates:manager_home"))
    for (agency, _), certificate in originals.items():
        link = page.get_by_role("link", name=certificate.number)
        expect(link).to_have_count(1 if agency == INTERIOR else 0)
    mine = page.get_by_role("table", name="Your hiring actions as hiring manager").get_by_role("row").nth(1)
    expect(mine.locator("[data-label=Vacancies]")).to_have_text("2")  # Interior's, not the pool's 5
    expect(mine).to_contain_text("Select from your certificates below, then sign and return each.")
    check_page(page, "pooled-manager-home")
    page.goto(reverse("certificates:certificate", args=[originals[(INTERIOR, 14)].pk]))
    select(page, "Ada Lovelace")
    check_page(page, "pooled-interior-certificate")
    response = page.goto(reverse("certificates:certificate", args=[originals[(ENERGY, 13)].pk]))
    assert response.status == 404
    sign_out(page)

    # Energy's and Commerce's managers see Ada as selected elsewhere on their own certificates.
    for agency, grade in ((ENERGY, 13), (COMMERCE, 13)):
        sign_in(page, members[agency][2].email, TEST_PASSWORD)
        page.goto(reverse("certificates:certificate", args=[originals[(agency, grade)].pk]))
        expect(page.locator("[data-certificate-agency]")).to_contain_text(f"For {agency}")
        expect(row(page, "Ada Lovelace")).to_contain_text(f"Selected by {INTERIOR}")
        expect(row(page, "Cy Young")).not_to_contain_text("Selected by")
        check_page(page, f"pooled-{agency.split()[-1].lower()}-certificate")
        response = page.goto(reverse("certificates:certificate", args=[originals[(INTERIOR, 14)].pk]))
        assert response.status == 404
        sign_out(page)

    # The managers record the rest and return their certificates; HR audits each (covered page by page in
    # tests/browser/test_certificates.py), then closes the pool on the Pool tab.
    for (agency, _), certificate in originals.items():
        manager = members[agency][2]
        for entry in certificate.entries.filter(disposition=""):
            certificate.refresh_from_db()
            services.disposition_record(
                entry_id=entry.pk,
                user=manager,
                code=Disposition.NOT_SELECTED,
                on=None,
                version=certificate.version,
            )
        certificate.refresh_from_db()
        services.certificate_return(certificate_id=certificate.pk, user=manager, version=certificate.version)
        certificate.refresh_from_db()
        services.certificate_audit(certificate_id=certificate.pk, hr=hr, version=certificate.version)
    sign_in(page, hr.email, TEST_PASSWORD)
    page.goto(reverse("hiring:hr_pool", args=[action.pk]))
    progress = page.get_by_role("table", name="Vacancies, selections and positions filled")
    expect(progress.get_by_role("row", name=f"{INTERIOR}, all")).to_contain_text("1")
    page.get_by_role("button", name="Close the pool and send the notices").click()
    expect(page.get_by_text("The pool is closed. Candidates not selected were told")).to_be_visible()
    check_page(page, "pooled-pool-closed")
    sign_out(page)
    statuses = dict(Application.objects.filter(action=action).values_list("applicant_name", "status"))
    assert statuses == {
        "Ada Lovelace": Status.SELECTED, "Ben Franklin": Status.NOT_SELECTED, "Cy Young": Status.NOT_SELECTED,
        "Dee Dee": Status.NOT_SELECTED, "Eve Arden": Status.NOT_REFERRED,
    }  # fmt: skip

    # Another agency's HR finds the leftovers: opted-in, selected by no agency of the pool.
    sign_in(page, outsider.email, TEST_PASSWORD)
    page.goto(reverse("certificates:talent_pool"))
    available = {
        number: page.locator("tr", has=page.get_by_role("link", name=number)).locator("[data-available]")
        for number in (originals[(INTERIOR, 14)].number, originals[(COMMERCE, 13)].number)
    }
    expect(available[originals[(INTERIOR, 14)].number]).to_have_text("1")  # Ben (Ada was selected)
    expect(available[originals[(COMMERCE, 13)].number]).to_have_text("1")  # Cy
    check_page(page, "pooled-talent-pool")
