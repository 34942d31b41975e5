"""Certificates per agency, location and grade (ADR 0015 steps 4-5): who each lists on a multi-grade and
a pooled action, what waits, what is refused, and when the not-referred notice goes out."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import placing, services
from certificates.models import Certificate
from hiring.models import Application, Role
from hiring.workflow import Status
from smeqa.errors import DomainError
from tests.factories import ActionRoleFactory, AgencyFactory, ParticipantFactory, VacancyFactory, hr_for
from tests.pooled import RETURN_BY, eligible, multi_grade_action, to_certificate_phase

pytestmark = pytest.mark.django_db


def names(preview):
    return [p.name for p in preview[0].names]


def slot_of(action, grade, location="Denver, CO", agency=None):
    agency = agency or action.agency
    return next(
        s
        for s in placing.slots(action)
        if (s.agency_id, s.duty_location, s.grade) == (agency.pk, location, grade)
    )


def test_each_eligible_is_listed_at_every_grade_from_the_lowest_accepted_to_the_highest_qualified():
    action = multi_grade_action()
    eligible(action, "Ada", 100, meets={13: True, 14: True})  # any grade, qualifies at 14
    eligible(action, "Ben", 85, lowest=13, meets={13: True, 14: True})  # takes 13 and up, qualifies at 13
    eligible(action, "Cy", 100, lowest=12, meets={13: True, 14: False})  # under 52 weeks at GS-13
    eligible(action, "Dee", 70, lowest=13, meets={13: True})  # qualifies at 12 only, accepts 13 and up
    to_certificate_phase(action)

    by_grade = {grade: names(placing.preview(action, slot_of(action, grade))) for grade in (12, 13, 14)}

    assert sorted(by_grade[12]) == ["Ada", "Cy"]
    assert sorted(by_grade[13]) == ["Ada", "Ben", "Cy"]
    assert by_grade[14] == ["Ada"]


def test_a_grade_without_a_time_in_grade_check_waits_and_cannot_be_issued_but_the_lowest_can():
    action = multi_grade_action()
    ada = eligible(action, "Ada", 100, meets={13: True})  # GS-14 not checked
    eligible(action, "Ben", 100, meets={13: True, 14: True})
    to_certificate_phase(action)

    _, _, waiting = placing.preview(action, slot_of(action, 14))
    assert [(w.pk, w.reason) for w in waiting] == [(ada.pk, placing.TIME_IN_GRADE)]
    with pytest.raises(DomainError, match=r"Record time in grade at GS-14 first .* for: Ada"):
        services.certificate_issue(
            action_id=action.pk, hr=hr_for(action), grade=14, duty_location="Denver, CO", return_by=RETURN_BY
        )
    # GS-12 is the lowest grade: SMEs judged it at resume review, so no check holds it up.
    certificate = services.certificate_issue(
        action_id=action.pk, hr=hr_for(action), grade=12, duty_location="Denver, CO", return_by=RETURN_BY
    )
    assert sorted(certificate.entries.values_list("name", flat=True)) == ["Ada", "Ben"]


def test_time_in_grade_switched_off_lists_everyone_in_range_without_checks():
    action = multi_grade_action(time_in_grade_applies=False)
    eligible(action, "Ada", 100)
    to_certificate_phase(action)
    assert names(placing.preview(action, slot_of(action, 14))) == ["Ada"]


def test_on_a_multi_grade_action_the_not_referred_notice_waits_for_the_last_certificate():
    action = multi_grade_action(duty_locations=["Denver, CO"])
    ada = eligible(action, "Ada", 100, meets={13: True, 14: True})
    dee = eligible(action, "Dee", 70, lowest=13, meets={13: True, 14: True})  # listed nowhere
    ben = eligible(action, "Ben", 85, meets={13: True, 14: True})  # on 12 and 13, not 14
    to_certificate_phase(action)
    hr = hr_for(action)

    services.certificate_issue(
        action_id=action.pk, hr=hr, grade=14, duty_location="Denver, CO", return_by=RETURN_BY
    )
    statuses = dict(Application.objects.filter(action=action).values_list("pk", "status"))
    assert statuses[ada.pk] == Status.REFERRED
    assert statuses[ben.pk] == statuses[dee.pk] == Status.QUALIFIED  # GS-12 and GS-13 may still list them

    for grade in (13, 12):
        services.certificate_issue(
            action_id=action.pk, hr=hr, grade=grade, duty_location="Denver, CO", return_by=RETURN_BY
        )
    statuses = dict(Application.objects.filter(action=action).values_list("pk", "status"))
    assert statuses[ben.pk] == Status.REFERRED
    assert statuses[dee.pk] == Status.NOT_REFERRED


@pytest.fixture
def pool():
    """A GS-13/14 action led by the Demonstration agency, pooled with Interior (Denver) and Energy
    (Boston), each with vacancies at both grades in its own location."""
    action = multi_grade_action(agency=AgencyFactory(name="Demonstration Agency", code="DEMO"))
    type(action).objects.filter(pk=action.pk).update(grades=[13, 14], grade_scores={"13": 85, "14": 100})
    action.refresh_from_db()
    interior = ParticipantFactory(action=action, agency=AgencyFactory(name="Interior", code="DOI"))
    energy = ParticipantFactory(action=action, agency=AgencyFactory(name="Energy", code="DOE"))
    for participant, location in ((interior, "Denver, CO"), (energy, "Boston, MA")):
        for grade in (13, 14):
            VacancyFactory(participant=participant, duty_location=location, grade=grade, count=2)
    return {"action": action, "interior": interior, "energy": energy}


def test_a_pooled_certificate_lists_only_those_who_accepted_its_agency_and_location(pool):
    action, interior, energy = pool["action"], pool["interior"], pool["energy"]
    both = ((interior, "Denver, CO"), (energy, "Boston, MA"))
    eligible(action, "Ada", 100, meets={14: True}, places=both)
    eligible(action, "Ben", 100, meets={14: True}, places=[(interior, "Denver, CO")])
    eligible(action, "Cy", 100, meets={14: True}, places=[(energy, "Boston, MA")])
    eligible(action, "Dee", 85, lowest=14, places=both)  # accepts 14 only, qualifies at 13 only
    to_certificate_phase(action)

    assert [(s.agency_name, s.duty_location, s.grade, s.vacancies) for s in placing.slots(action)] == [
        ("Energy", "Boston, MA", 13, 2), ("Energy", "Boston, MA", 14, 2),
        ("Interior", "Denver, CO", 13, 2), ("Interior", "Denver, CO", 14, 2),
    ]  # fmt: skip
    interior_14 = placing.preview(action, slot_of(action, 14, "Denver, CO", interior.agency))
    energy_14 = placing.preview(action, slot_of(action, 14, "Boston, MA", energy.agency))
    assert sorted(names(interior_14)) == ["Ada", "Ben"]
    assert sorted(names(energy_14)) == ["Ada", "Cy"]
    # GS-13 is the lowest grade: Ada, who takes any grade, is listed there too; Dee, who takes only
    # GS-14 and qualifies only at GS-13, is on no certificate.
    assert sorted(names(placing.preview(action, slot_of(action, 13, "Denver, CO", interior.agency)))) == [
        "Ada",
        "Ben",
    ]


def test_rule_40_merges_per_certificate(pool):
    """Interior's Best Qualified list is short (one name), so it merges with Well Qualified; Energy's
    has three, so it does not."""
    action, interior, energy = pool["action"], pool["interior"], pool["energy"]
    type(action).objects.filter(pk=action.pk).update(grades=[13], grade_scores={})
    action.refresh_from_db()
    for name in ("Ann", "Bo", "Cal"):
        eligible(action, name, 100, places=[(energy, "Boston, MA")])
    eligible(action, "Dan", 100, places=[(interior, "Denver, CO")])
    eligible(action, "Eli", 85, places=[(interior, "Denver, CO"), (energy, "Boston, MA")])
    to_certificate_phase(action)

    interior_list = placing.preview(action, slot_of(action, 13, "Denver, CO", interior.agency))[0]
    energy_list = placing.preview(action, slot_of(action, 13, "Boston, MA", energy.agency))[0]
    assert [p.name for p in interior_list.names] == ["Dan", "Eli"] and interior_list.merged
    assert [p.name for p in energy_list.names] == ["Ann", "Bo", "Cal"] and not energy_list.merged


def test_issuing_a_pooled_certificate_makes_it_the_agencys_refers_only_the_listed_and_refuses_a_second(pool):
    action, interior, energy = pool["action"], pool["interior"], pool["energy"]
    ada = eligible(action, "Ada", 100, meets={14: True}, places=[(interior, "Denver, CO")])
    cy = eligible(action, "Cy", 100, meets={14: True}, places=[(energy, "Boston, MA")])
    to_certificate_phase(action)
    hr = hr_for(action)

    certificate = services.certificate_issue(
        action_id=action.pk, hr=hr, grade=14, duty_location="Denver, CO", return_by=RETURN_BY,
        agency_id=interior.agency_id,
    )  # fmt: skip

    assert certificate.agency == interior.agency and certificate.number.startswith("DOI-")
    assert list(certificate.entries.values_list("name", flat=True)) == ["Ada"]
    statuses = dict(Application.objects.filter(action=action).values_list("pk", "status"))
    # No not-referred notice at issue on a pooled action: Energy's certificate may still list Cy.
    assert statuses == {ada.pk: Status.REFERRED, cy.pk: Status.QUALIFIED}
    with pytest.raises(DomainError, match="already issued for this agency, grade and location"):
        services.certificate_issue(
            action_id=action.pk, hr=hr, grade=14, duty_location="Denver, CO", return_by=RETURN_BY,
            agency_id=interior.agency_id,
        )  # fmt: skip
    with pytest.raises(DomainError, match="No participating agency has a GS-14 vacancy in Boston, MA"):
        services.certificate_issue(
            action_id=action.pk, hr=hr, grade=14, duty_location="Boston, MA", return_by=RETURN_BY,
            agency_id=interior.agency_id,
        )  # fmt: skip
    energy_certificate = services.certificate_issue(
        action_id=action.pk, hr=hr, grade=14, duty_location="Boston, MA", return_by=RETURN_BY,
        agency_id=energy.agency_id,
    )  # fmt: skip
    assert list(energy_certificate.entries.values_list("name", flat=True)) == ["Cy"]
    assert Certificate.objects.filter(action=action, source__isnull=True).count() == 2


def test_hr_previews_each_agencys_certificate_and_issues_it_from_the_page(client, pool):
    action, interior, energy = pool["action"], pool["interior"], pool["energy"]
    eligible(action, "Ada", 100, meets={14: True}, places=[(interior, "Denver, CO")])
    eligible(action, "Cy", 100, meets={14: True}, places=[(energy, "Boston, MA")])
    to_certificate_phase(action)
    client.force_login(hr_for(action))
    url = reverse("certificates:hr_certificates", args=[action.pk])

    page = client.get(url, {"agency": interior.agency_id, "location": "Denver, CO", "grade": 14})
    text = page.content.decode()
    assert "Categories and order: Interior, Denver, CO, GS-14" in text
    assert [p.name for p in page.context["listed"].names] == ["Ada"]
    assert [(r.slot.agency_name, r.listed) for r in page.context["slots"]] == [
        ("Energy", 1), ("Energy", 1), ("Interior", 1), ("Interior", 1)
    ]  # fmt: skip

    response = client.post(
        reverse("certificates:hr_issue", args=[action.pk]),
        {"agency": interior.agency_id, "grade": 14, "duty_location": "Denver, CO", "return_by": RETURN_BY},
    )
    certificate = Certificate.objects.get(action=action, agency=interior.agency)
    assert response.url == reverse("certificates:certificate", args=[certificate.pk])
    # A refusal comes back to the same certificate's preview with the reason, and issues nothing.
    response = client.post(
        reverse("certificates:hr_issue", args=[action.pk]),
        {
            "agency": energy.agency_id,
            "grade": 13,
            "duty_location": "Boston, MA",
            "return_by": timezone.localdate(),
        },
        follow=True,
    )
    assert "The return date must be after today." in response.content.decode()
    assert response.context["slot"].agency_id == energy.agency_id and response.context["slot"].grade == 13
    assert not Certificate.objects.filter(action=action, agency=energy.agency).exists()


def test_a_hiring_manager_cannot_issue(client, pool):
    action = pool["action"]
    to_certificate_phase(action)
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER, agency=pool["interior"].agency).user
    client.force_login(manager)
    response = client.post(
        reverse("certificates:hr_issue", args=[action.pk]),
        {"grade": 14, "duty_location": "Denver, CO", "return_by": RETURN_BY},
    )
    assert response.status_code == 404
    assert not Certificate.objects.filter(action=action).exists()
