"""Selecting on a pooled action (ADR 0015 step 6): each participant's hiring managers see and act on
their own agency's certificates only; a selection shows as "selected elsewhere" on the other agencies'
certificates until it is declined; a second A is refused while one stands; audit moves only an A."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, Disposition, Entry
from hiring.models import Application, AuditEvent, Notice, Role
from hiring.workflow import Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    ParticipantFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DC = "Washington, DC"


def referred(action, name) -> Application:
    """An applicant already on the certificates (the steps before are other tests' business)."""
    return Application.objects.create(
        action=action, candidate=UserFactory(full_name=name), applicant_name=name, status=Status.REFERRED,
        submitted_at=timezone.now(),
    )  # fmt: skip


def build_pool():
    """An OPM-led action with two participating agencies; an original certificate for each of them and
    for the lead, each listing Ada and Bo (referred), and a hiring manager per agency."""
    lead = AgencyFactory(name="Office of Personnel Management", code="OPM")
    action = HiringActionFactory(
        agency=lead, grades=[13], duty_locations=[DC], phase=Phase.CERTIFICATE, announcement=False
    )
    interior = AgencyFactory(name="Department of the Interior", code="DOI")
    energy = AgencyFactory(name="Department of Energy", code="DOE")
    for agency in (interior, energy):
        ParticipantFactory(action=action, agency=agency)
    hr = ActionRoleFactory(action=action, role=Role.HR).user

    def manager(agency):
        user = StaffFactory(agency=agency or lead)
        return ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, agency=agency, user=user).user

    people = {name: referred(action, name) for name in ("Ada Lovelace", "Bo Diddley")}
    certificates = {}
    for key, agency, number in (("doi", interior, "DOI-2026-01"), ("doe", energy, "DOE-2026-02"),
                                ("lead", lead, "OPM-2026-03")):  # fmt: skip
        certificate = CertificateFactory(action=action, agency=agency, number=number, issued_by=hr)
        for rank, application in enumerate(people.values(), start=1):
            EntryFactory(certificate=certificate, application=application, rank=rank)
        certificates[key] = certificate
    return {
        "action": action,
        "hr": hr,
        "doi_manager": manager(interior),
        "doe_manager": manager(energy),
        "lead_manager": manager(None),
        "people": people,
        "certificates": certificates,
    }


@pytest.fixture
def pool(db):
    return build_pool()


def entry_of(certificate, name) -> Entry:
    return certificate.entries.get(name=name)


def dispose(certificate, name, user, code, **kwargs):
    certificate.refresh_from_db()
    return services.disposition_record(
        entry_id=entry_of(certificate, name).pk, user=user, code=code, on=timezone.localdate(),
        version=certificate.version, **kwargs,
    )  # fmt: skip


def page(client, certificate) -> str:
    response = client.get(reverse("certificates:certificate", args=[certificate.pk]))
    assert response.status_code == 200
    return response.text


# --- access ----------------------------------------------------------------------------------------


def urls_of(certificate) -> dict[str, tuple[str, str]]:
    entry = certificate.entries.order_by("rank").first()
    return {
        "page": ("get", reverse("certificates:certificate", args=[certificate.pk])),
        "pdf status": ("get", reverse("certificates:certificate_pdf_status", args=[certificate.pk])),
        "package": ("get", reverse("certificates:entry_package", args=[certificate.pk, entry.pk])),
        "return": ("post", reverse("certificates:certificate_act", args=[certificate.pk, "return"])),
        "disposition": (
            "post",
            reverse("certificates:entry_act", args=[certificate.pk, entry.pk, "disposition"]),
        ),
    }


@pytest.mark.parametrize(
    "who, sees",
    [("doi_manager", "doi"), ("doe_manager", "doe"), ("lead_manager", "lead")],
)
def test_each_agencys_hiring_manager_sees_and_acts_on_its_own_certificate_only(client, pool, who, sees):
    client.force_login(pool[who])
    for key, certificate in pool["certificates"].items():
        for what, (method, url) in urls_of(certificate).items():
            if method == "post":
                data = {"version": certificate.version, "code": "A", "on": timezone.localdate().isoformat()}
                status = getattr(client, method)(url, data).status_code
            else:
                status = client.get(url).status_code
            if key == sees:
                assert status in (200, 302), f"{who} {what} of {key}: {status}"
            else:
                assert status == 404, f"{who} {what} of {key}: {status}"
    # The refused POSTs changed nothing on the other certificates.
    for key, certificate in pool["certificates"].items():
        if key != sees:
            assert not certificate.entries.exclude(disposition="").exists()


def test_the_manager_home_lists_only_their_agencys_certificates(client, pool):
    client.force_login(pool["doe_manager"])
    text = client.get(reverse("certificates:manager_home")).text
    assert "DOE-2026-02" in text
    assert "DOI-2026-01" not in text and "OPM-2026-03" not in text


def test_hr_of_the_action_sees_every_participants_certificate(client, pool):
    client.force_login(pool["hr"])
    for certificate in pool["certificates"].values():
        assert client.get(reverse("certificates:certificate", args=[certificate.pk])).status_code == 200


def test_on_a_single_agency_action_every_hiring_manager_sees_every_original(client):
    action = HiringActionFactory(grades=[13], duty_locations=[DC, "Denver, CO"])
    managers = [ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user for _ in range(2)]
    originals = [CertificateFactory(action=action, duty_location=where) for where in (DC, "Denver, CO")]
    for manager in managers:
        client.force_login(manager)
        for certificate in originals:
            assert client.get(reverse("certificates:certificate", args=[certificate.pk])).status_code == 200
        listed = client.get(reverse("certificates:manager_home")).text
        assert all(c.number in listed for c in originals)


# --- selected elsewhere ----------------------------------------------------------------------------


def test_a_selection_shows_on_the_other_agencies_certificates_until_it_is_declined(client, pool):
    doi, doe, lead = (pool["certificates"][k] for k in ("doi", "doe", "lead"))
    client.force_login(pool["doi_manager"])
    ada = entry_of(doi, "Ada Lovelace")
    response = client.post(
        reverse("certificates:entry_act", args=[doi.pk, ada.pk, "disposition"]),
        {"code": "A", "on": timezone.localdate().isoformat(), "version": doi.version},
    )
    assert response.status_code == 302
    assert entry_of(doi, "Ada Lovelace").disposition == Disposition.SELECTED
    mark = "Selected by Department of the Interior (certificate DOI-2026-01)"
    assert mark not in page(client, doi)  # not on the certificate that selected her

    for viewer, certificate in ((pool["doe_manager"], doe), (pool["lead_manager"], lead), (pool["hr"], doe)):
        client.force_login(viewer)
        text = page(client, certificate)
        assert text.count(mark) == 1, viewer
        assert text.count("data-selected-elsewhere") == 1  # Ada only; Bo was not selected
        row = text[text.index('data-entry="Ada Lovelace"') :]
        assert row.index(mark) < row.index("</tr>")

    # A declined offer returns the candidate: the flag is gone at the next page load.
    client.force_login(pool["doi_manager"])
    doi.refresh_from_db()
    client.post(
        reverse("certificates:entry_act", args=[doi.pk, ada.pk, "disposition"]),
        {"code": "D", "decline_reason": "Took another offer", "version": doi.version},
    )
    assert entry_of(doi, "Ada Lovelace").disposition == Disposition.DECLINED
    client.force_login(pool["doe_manager"])
    assert "Selected by" not in page(client, doe)


def test_a_second_selection_is_refused_while_one_stands_and_allowed_after_the_decline(pool):
    doi, doe = pool["certificates"]["doi"], pool["certificates"]["doe"]
    dispose(doi, "Ada Lovelace", pool["doi_manager"], Disposition.SELECTED)

    with pytest.raises(DomainError) as refused:
        dispose(doe, "Ada Lovelace", pool["doe_manager"], Disposition.SELECTED)
    assert refused.value.message == (
        "Selected by Department of the Interior on certificate DOI-2026-01; "
        "their decline must be recorded there first."
    )
    assert entry_of(doe, "Ada Lovelace").disposition == ""
    # Other codes for her, and a selection of someone else, are not held up.
    dispose(doe, "Bo Diddley", pool["doe_manager"], Disposition.SELECTED)
    dispose(doe, "Ada Lovelace", pool["doe_manager"], Disposition.NOT_SELECTED_CONTACTED)

    dispose(doi, "Ada Lovelace", pool["doi_manager"], Disposition.DECLINED, decline_reason="Took DOE's offer")
    dispose(doe, "Ada Lovelace", pool["doe_manager"], Disposition.SELECTED)
    assert entry_of(doe, "Ada Lovelace").disposition == Disposition.SELECTED
    assert AuditEvent.objects.filter(
        actor=pool["doe_manager"], reason="Certificate DOE-2026-02: Ada Lovelace recorded A: selected."
    ).exists()


def test_a_refused_selection_from_the_page_says_whose_decline_is_needed(client, pool):
    doi, doe = pool["certificates"]["doi"], pool["certificates"]["doe"]
    dispose(doi, "Ada Lovelace", pool["doi_manager"], Disposition.SELECTED)
    client.force_login(pool["doe_manager"])
    response = client.post(
        reverse("certificates:entry_act", args=[doe.pk, entry_of(doe, "Ada Lovelace").pk, "disposition"]),
        {"code": "A", "on": timezone.localdate().isoformat(), "version": doe.version},
        follow=True,
    )
    assert "Selected by Department of the Interior on certificate DOI-2026-01" in response.text
    assert entry_of(doe, "Ada Lovelace").disposition == ""


# --- audit -----------------------------------------------------------------------------------------


def return_and_audit(certificate, manager, hr):
    certificate.refresh_from_db()
    services.certificate_return(certificate_id=certificate.pk, user=manager, version=certificate.version)
    certificate.refresh_from_db()
    services.certificate_audit(certificate_id=certificate.pk, hr=hr, version=certificate.version)


def test_on_a_pooled_action_audit_selects_the_a_and_leaves_the_others_referred(pool):
    doi = pool["certificates"]["doi"]
    dispose(doi, "Ada Lovelace", pool["doi_manager"], Disposition.SELECTED)
    dispose(doi, "Bo Diddley", pool["doi_manager"], Disposition.NOT_SELECTED_CONTACTED)
    return_and_audit(doi, pool["doi_manager"], pool["hr"])

    ada, bo = (Application.objects.get(pk=pool["people"][n].pk) for n in ("Ada Lovelace", "Bo Diddley"))
    assert ada.status == Status.SELECTED
    assert bo.status == Status.REFERRED  # still on DOE's and the lead's certificates: pool_close decides
    assert Certificate.objects.get(pk=doi.pk).state == Certificate.State.AUDITED
    # Ada is told which agency selected her, at what grade and where.
    notice = Notice.objects.filter(application=ada).latest("id")
    assert notice.subject.startswith("You were selected for")
    assert (
        f"{doi.agency.name} selected you for {doi.action.title} at GS-{doi.grade:02d} in {doi.duty_location}."
        in notice.body
    )


def test_on_a_single_agency_action_audit_still_ends_the_others_as_not_selected():
    action = HiringActionFactory(
        grades=[13], duty_locations=[DC], phase=Phase.CERTIFICATE, announcement=False
    )
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    certificate = CertificateFactory(action=action, issued_by=hr)
    for rank, name in enumerate(("Ada Lovelace", "Bo Diddley"), start=1):
        EntryFactory(certificate=certificate, application=referred(action, name), rank=rank)
    dispose(certificate, "Ada Lovelace", manager, Disposition.SELECTED)
    dispose(certificate, "Bo Diddley", manager, Disposition.NOT_SELECTED_CONTACTED)
    return_and_audit(certificate, manager, hr)
    statuses = dict(Application.objects.filter(action=action).values_list("applicant_name", "status"))
    assert statuses == {"Ada Lovelace": Status.SELECTED, "Bo Diddley": Status.NOT_SELECTED}


# --- query count -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["doe_manager", "hr"])
def test_the_certificate_pages_queries_do_not_grow_with_names_selected_elsewhere(client, pool, who):
    """Names selected on DOI's certificate show the mark on DOE's; the page's query count is the same
    at 8 and 40 of them (tests/test_query_counts.py style)."""
    action, doi, doe = pool["action"], pool["certificates"]["doi"], pool["certificates"]["doe"]
    client.force_login(pool[who])
    seen = []
    for size in (8, 40):
        start = doe.entries.count()
        now = timezone.now()
        rows = Application.objects.bulk_create(
            Application(action=action, applicant_name=f"Person {start + i:05d}", status=Status.REFERRED,
                        submitted_at=now)
            for i in range(size - (start - 2))
        )  # fmt: skip
        for certificate, code in ((doi, Disposition.SELECTED), (doe, "")):
            Entry.objects.bulk_create(
                Entry(certificate=certificate, application=a, rank=start + i + 1, name=a.applicant_name,
                      preference="NV", score=90, category="best", earned_category="best", why="Score 90.",
                      disposition=code, disposition_on=timezone.localdate() if code else None)
                for i, a in enumerate(rows)
            )  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            text = page(client, doe)
        assert text.count("data-selected-elsewhere") == size
        seen.append(len(captured))
    assert seen[0] == seen[1] <= 12


# --- two agencies at once (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_agencies_recording_a_for_the_same_person_at_once_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    pool = build_pool()
    doi, doe = pool["certificates"]["doi"], pool["certificates"]["doe"]
    barrier = threading.Barrier(2)
    won, refused, errors = [], [], []

    def run(certificate, manager):
        try:
            entry = entry_of(certificate, "Ada Lovelace")
            barrier.wait()
            services.disposition_record(
                entry_id=entry.pk, user=manager, code=Disposition.SELECTED, on=timezone.localdate(),
                version=certificate.version,
            )  # fmt: skip
            won.append(certificate.number)
        except DomainError as error:
            refused.append(error.message)
        except Exception as error:  # a deadlock or anything else fails the test
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(doi, pool["doi_manager"])),
        threading.Thread(target=run, args=(doe, pool["doe_manager"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and len(refused) == 1
    assert refused[0].startswith("Selected by Department of ")
    selected = Entry.objects.filter(
        application=pool["people"]["Ada Lovelace"], disposition=Disposition.SELECTED
    ).values_list("certificate__number", flat=True)
    assert list(selected) == won
