"""Pooled hiring, ADR 0015 steps 7-8: lead HR closes the pool (final notices; leftovers to the talent
pool for agencies outside it), and the pool's progress for HR and each agency's hiring managers."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import pool, selectors, sharing
from certificates.models import Certificate, Disposition, ShareRequest
from hiring.models import Application, AuditEvent, Notice, Role
from hiring.workflow import NoticeCode, Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ApplicationPlaceFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    InterviewFactory,
    ParticipantFactory,
    StaffFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db

DC, DENVER = "Washington, DC", "Denver, CO"
AUDITED = Certificate.State.AUDITED


def applicant(action, name: str, status: Status, *, opted_in: bool = True) -> Application:
    """An application already at `status` (written directly: the certificate phase is where it starts)."""
    return Application.objects.create(
        action=action, candidate=UserFactory(full_name=name), applicant_name=name, status=status,
        sharing_opt_in=opted_in, citizenship_attested=True,
    )  # fmt: skip


def original(action, agency, grade=13, location=DENVER, state=AUDITED, **names):
    """An original certificate of `agency` with `names` = {application: disposition code}."""
    certificate = CertificateFactory(
        action=action, agency=agency, grade=grade, duty_location=location, state=state
    )
    for rank, (application, code) in enumerate(names.values(), start=1):
        EntryFactory(
            certificate=certificate, application=application, rank=rank, name=application.applicant_name,
            disposition=code,
        )  # fmt: skip
    return certificate


@pytest.fixture
def w(db):
    """An OPM-led action in the certificate phase, two participants with vacancies (Energy, Interior),
    one hiring manager each, and four applicants: Ada selected by Energy (and listed, not selected, on
    Interior's certificate), Ben referred and selected by no one, Cy qualified and listed on nothing, and
    Dee referred, opted out of sharing."""
    opm = AgencyFactory(name="Office of Personnel Management", code="OPM")
    action = HiringActionFactory(
        agency=opm, phase=Phase.CERTIFICATE, grades=[12, 13], full_performance_level=13,
        duty_locations=[DC, DENVER], title="IT Specialist (INFOSEC)",
    )  # fmt: skip
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    AgencyRoleFactory(agency=opm, user=hr)
    energy = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of Energy"))
    interior = ParticipantFactory(action=action, agency=AgencyFactory(name="Department of the Interior"))
    VacancyFactory(participant=energy, grade=13, duty_location=DENVER, count=2)
    VacancyFactory(participant=energy, grade=12, duty_location=DC, count=1)
    VacancyFactory(participant=interior, grade=13, duty_location=DENVER, count=1)
    managers = {}
    for participant in (energy, interior):
        user = StaffFactory(agency=participant.agency)
        ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, user=user, agency=participant.agency)
        managers[participant.agency.name] = user
    ada = applicant(action, "Ada Best", Status.SELECTED)
    ben = applicant(action, "Ben Vet", Status.REFERRED)
    cy = applicant(action, "Cy Well", Status.QUALIFIED)
    dee = applicant(action, "Dee Well", Status.REFERRED, opted_in=False)
    NS = Disposition.NOT_SELECTED_CONTACTED
    energy_13 = original(action, energy.agency, ada=(ada, "A"), ben=(ben, NS))
    interior_13 = original(action, interior.agency, ada=(ada, NS), ben=(ben, NS), dee=(dee, NS))
    outsider = AgencyFactory(name="Department of Labor")
    return SimpleNamespace(
        action=action, hr=hr, energy=energy, interior=interior, managers=managers, ada=ada, ben=ben, cy=cy,
        dee=dee, energy_13=energy_13, interior_13=interior_13,
        outsider_hr=AgencyRoleFactory(agency=outsider, user=StaffFactory(agency=outsider)).user,
    )  # fmt: skip


def status(application) -> str:
    application.refresh_from_db()
    return application.status


# --- closing ---------------------------------------------------------------------------------------


def test_closing_gives_every_candidate_left_a_final_answer_and_a_notice(w):
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    w.action.refresh_from_db()
    assert w.action.pool_closed_at is not None
    assert status(w.ada) == Status.SELECTED  # untouched: selected at Energy's audit
    assert status(w.ben) == Status.NOT_SELECTED
    assert status(w.dee) == Status.NOT_SELECTED
    assert status(w.cy) == Status.NOT_REFERRED
    cy_notice = Notice.objects.get(application=w.cy)
    assert cy_notice.code == NoticeCode.ELSN
    assert "hiring managers of the agencies and locations you chose" in cy_notice.body
    ben_notice = Notice.objects.get(application=w.ben)
    assert "none of them selected you" in ben_notice.body and "certificate" not in ben_notice.body.lower()
    assert not Notice.objects.filter(application=w.ada).exists()
    event = AuditEvent.objects.get(action=w.action, reason__startswith=pool.CLOSED)
    assert event.actor == w.hr and "2 not selected, 1 not referred" in event.reason
    assert pool.pool_close_event(w.action) == event


def test_a_referred_candidate_with_a_standing_selection_becomes_selected_at_close(w):
    Application.objects.filter(pk=w.ada.pk).update(status=Status.REFERRED)
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    assert status(w.ada) == Status.SELECTED


def test_the_pool_closes_only_once_every_agency_audited_its_certificates(w):
    Certificate.objects.filter(pk=w.interior_13.pk).update(state=Certificate.State.RETURNED)
    VacancyFactory(participant=w.interior, grade=12, duty_location=DC, count=1)
    commerce = ParticipantFactory(action=w.action, agency=AgencyFactory(name="Department of Commerce"))
    VacancyFactory(participant=commerce, grade=13, duty_location=DC)
    # Eve passed (one round: Exceeds is 100) and accepted Commerce, which has issued nothing yet.
    eve = applicant(w.action, "Eve Late", Status.QUALIFIED)
    InterviewFactory(application=eve, round=1, state="accepted", score=2)
    place = ApplicationPlaceFactory(application=eve, participant=commerce, duty_location=DC)
    with pytest.raises(DomainError) as refused:
        pool.pool_close(action_id=w.action.pk, hr=w.hr)
    message = refused.value.message
    assert "Certificates are still open at Department of the Interior (1 certificate)" in message
    assert "Department of Commerce has certificates still to issue" in message
    assert "Department of Energy" not in message
    w.action.refresh_from_db()
    assert w.action.pool_closed_at is None and status(w.ben) == Status.REFERRED
    assert not Notice.objects.exists()
    # A vacancy nobody accepted lists no one, so it does not hold the pool open for ever.
    place.delete()
    Certificate.objects.filter(pk=w.interior_13.pk).update(state=AUDITED)
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    assert status(eve) == Status.NOT_REFERRED


def test_only_lead_hr_closes_a_pooled_action_in_the_certificate_phase_once(w):
    with pytest.raises(DomainError, match="Only the action's"):
        pool.pool_close(action_id=w.action.pk, hr=w.managers["Department of Energy"])
    single = HiringActionFactory(phase=Phase.CERTIFICATE)
    single_hr = ActionRoleFactory(action=single, role=Role.HR).user
    with pytest.raises(DomainError, match="no participating agencies"):
        pool.pool_close(action_id=single.pk, hr=single_hr)
    type(w.action).objects.filter(pk=w.action.pk).update(phase=Phase.ASSESSMENTS)
    with pytest.raises(DomainError, match="closes in the certificate phase"):
        pool.pool_close(action_id=w.action.pk, hr=w.hr)
    type(w.action).objects.filter(pk=w.action.pk).update(phase=Phase.CERTIFICATE)
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    with pytest.raises(DomainError, match="already closed"):
        pool.pool_close(action_id=w.action.pk, hr=w.hr)
    assert AuditEvent.objects.filter(action=w.action, reason__startswith=pool.CLOSED).count() == 1


# --- the talent pool after the close ------------------------------------------------------------------


def test_the_talent_pool_lists_a_pools_certificates_only_after_the_close_and_only_outside_it(w):
    assert selectors.talent_pool(user=w.outsider_hr) == []
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    listed = {c.pk: c.available for c in selectors.talent_pool(user=w.outsider_hr)}
    # Ada was selected by Energy, so she is not available on Interior's certificate either; Dee opted out.
    assert listed == {w.energy_13.pk: 1, w.interior_13.pk: 1}
    energy_hr = AgencyRoleFactory(agency=w.energy.agency, user=StaffFactory(agency=w.energy.agency)).user
    assert selectors.talent_pool(user=energy_hr) == []
    assert selectors.talent_pool(user=w.hr) == []  # the lead ran it


def test_a_single_agency_certificate_still_counts_only_its_own_selections(w):
    single = HiringActionFactory(phase=Phase.CERTIFICATE)
    a = applicant(single, "Eve Qual", Status.REFERRED)
    b = applicant(single, "Fay Qual", Status.REFERRED)
    first = original(single, single.agency, a=(a, "A"), b=(b, "NS"))
    second = original(single, single.agency, location=DC, a=(a, "NS"), b=(b, "NS"))
    listed = {c.pk: c.available for c in selectors.talent_pool(user=w.outsider_hr)}
    assert listed == {first.pk: 1, second.pk: 2}


def position(certificate) -> dict:
    return {
        "position_title": "Security Engineer", "series": certificate.series, "grade": certificate.grade,
        "full_performance_level": certificate.full_performance_level, "duty_location": certificate.duty_location,
        "appointment_type": "permanent",
    }  # fmt: skip


def test_a_copy_of_a_pools_certificate_leaves_out_anyone_selected_anywhere_in_the_pool(w):
    outsider = w.outsider_hr
    log = sharing.share_request(
        certificate_id=w.interior_13.pk, hr=outsider, agency_id=outsider.agency_id, **position(w.interior_13)
    )
    assert log.copy is None and "still selecting" in " ".join(log.refusals)
    energy_hr = AgencyRoleFactory(agency=w.energy.agency, user=StaffFactory(agency=w.energy.agency)).user
    with pytest.raises(DomainError, match="takes part in this pooled action"):
        sharing.share_request(
            certificate_id=w.interior_13.pk, hr=energy_hr, agency_id=w.energy.agency_id, **position(w.interior_13)
        )  # fmt: skip
    pool.pool_close(action_id=w.action.pk, hr=w.hr)
    log = sharing.share_request(
        certificate_id=w.interior_13.pk, hr=outsider, agency_id=outsider.agency_id, **position(w.interior_13)
    )
    assert log.refusals == []
    # Ada: selected on Energy's certificate; Dee: opted out. Only Ben is shared.
    assert list(log.copy.entries.values_list("name", flat=True)) == ["Ben Vet"]
    assert ShareRequest.objects.filter(certificate=w.interior_13).count() == 2


# --- progress ------------------------------------------------------------------------------------------


def test_progress_counts_vacancies_selections_and_filled_per_agency_grade_and_location(w):
    original(w.action, w.energy.agency, grade=12, location=DC, ben=(w.ben, "A"), dee=(w.dee, "A"))
    labor = ParticipantFactory(action=w.action, agency=AgencyFactory(name="Department of Commerce"))
    progress = {a.agency_name: a for a in pool.pool_progress(w.action)}
    energy = progress["Department of Energy"]
    assert [(p.grade, p.duty_location, p.vacancies, p.selections, p.filled) for p in energy.places] == [
        (12, DC, 1, 2, 1),
        (13, DENVER, 2, 1, 1),
    ]
    assert (energy.vacancies, energy.selections, energy.filled) == (3, 3, 2)
    interior = progress["Department of the Interior"]
    assert (interior.vacancies, interior.selections, interior.filled) == (1, 0, 0)
    assert progress[labor.agency.name].places == []
    # A declined offer no longer counts.
    w.energy_13.entries.filter(application=w.ada).update(disposition=Disposition.DECLINED)
    energy = next(a for a in pool.pool_progress(w.action) if a.agency_name == "Department of Energy")
    assert energy.places[1].selections == 0


def test_progress_takes_the_same_two_queries_at_any_size(w):
    def grow():
        participant = ParticipantFactory(action=w.action)
        VacancyFactory(participant=participant, grade=12, duty_location=DC, count=3)
        VacancyFactory(participant=participant, grade=13, duty_location=DENVER, count=3)
        people = [applicant(w.action, f"P{participant.pk}-{i}", Status.REFERRED) for i in range(3)]
        original(w.action, participant.agency, **{f"p{i}": (p, "A") for i, p in enumerate(people)})

    seen = []
    for size in (1, 6):
        for _ in range(size):
            grow()
        with CaptureQueriesContext(connection) as captured:
            rows = pool.pool_progress(w.action)
        seen.append(len(captured))
    assert len(rows) == 9
    assert seen == [2, 2]


# --- pages ---------------------------------------------------------------------------------------------


def test_hr_sees_the_progress_and_closes_the_pool_from_its_page(w, client):
    labor = ParticipantFactory(action=w.action, agency=AgencyFactory(name="Department of Commerce"))
    client.force_login(w.hr)
    url = reverse("hiring:hr_pool", args=[w.action.pk])
    page = client.get(url).content.decode()
    assert "Vacancies, selections and positions filled by agency, grade and duty location" in page
    assert "Department of Commerce has no vacancies yet" in page
    assert "Close the pool and send the notices" in page
    assert "agencies outside this pool can request them" in page
    labor.delete()
    response = client.post(url, {"operation": "close"}, follow=True)
    page = response.content.decode()
    assert "The pool is closed." in page
    assert f"{w.hr.full_name} closed the pool on" in page
    assert "Close the pool and send the notices" not in page
    assert status(w.ben) == Status.NOT_SELECTED


def test_a_refused_close_is_explained_beside_the_button(w, client):
    Certificate.objects.filter(pk=w.energy_13.pk).update(state=Certificate.State.ISSUED)
    client.force_login(w.hr)
    url = reverse("hiring:hr_pool", args=[w.action.pk])
    page = client.get(url).content.decode()
    assert "Certificates are still open at Department of Energy (1 certificate)" in page
    page = client.post(url, {"operation": "close"}).content.decode()
    assert (
        'role="alert"' in page
        and "Certificates are still open at Department of Energy (1 certificate)" in page
    )
    w.action.refresh_from_db()
    assert w.action.pool_closed_at is None


def test_a_hiring_manager_sees_only_their_own_agencys_progress(w, client):
    client.force_login(w.managers["Department of the Interior"])
    page = client.get(reverse("certificates:manager_home")).content.decode()
    assert "Your agency's selections in pooled actions" in page
    assert "IT Specialist (INFOSEC) (Department of the Interior)" in page
    assert "Department of Energy" not in page


def test_the_managers_home_takes_the_same_queries_with_more_pooled_actions(w, client):
    manager = w.managers["Department of Energy"]
    client.force_login(manager)

    def grow():
        action = HiringActionFactory(phase=Phase.CERTIFICATE, agency=w.action.agency)
        participant = ParticipantFactory(action=action, agency=w.energy.agency)
        VacancyFactory(participant=participant, grade=13, duty_location=DC, count=2)
        ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, user=manager, agency=w.energy.agency)
        people = [applicant(action, f"Q{action.pk}-{i}", Status.REFERRED) for i in range(2)]
        original(
            action,
            w.energy.agency,
            grade=13,
            location=DC,
            **{f"p{i}": (p, "A") for i, p in enumerate(people)},
        )

    seen = []
    for size in (1, 5):
        for _ in range(size):
            grow()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("certificates:manager_home"))
        assert response.status_code == 200
        seen.append(len(captured))
    assert seen[0] == seen[1]
    assert len(response.context["pool_rows"]) == 7


def test_hrs_pool_page_takes_the_same_queries_with_more_agencies_and_selections(w, client):
    client.force_login(w.hr)
    url = reverse("hiring:hr_pool", args=[w.action.pk])

    def grow():
        participant = ParticipantFactory(action=w.action)
        VacancyFactory(participant=participant, grade=13, duty_location=DC, count=2)
        people = [applicant(w.action, f"R{participant.pk}-{i}", Status.REFERRED) for i in range(3)]
        original(
            w.action,
            participant.agency,
            grade=13,
            location=DC,
            **{f"p{i}": (p, "A") for i, p in enumerate(people)},
        )

    seen = []
    for size in (1, 6):
        for _ in range(size):
            grow()
        cache.clear()  # the page reads HR's cached certificate summary: compute it at both sizes
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        seen.append(len(captured))
    assert seen[0] == seen[1]
    assert len(response.context["progress"]) == 9
