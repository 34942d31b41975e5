"""Pooled hiring, ADR 0015 steps 1-2: HR sets up participating agencies, vacancies and hiring managers;
candidates choose the agencies, locations and lowest grade they accept."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiring import services
from hiring.models import ActionRole, Application, ApplicationDraft, AuditEvent, Participant, Role, Vacancy
from hiring.workflow import Phase
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AnnouncementFactory,
    HiringActionFactory,
    ParticipantFactory,
    StaffFactory,
    UserFactory,
)
from tests.hostile_uploads import clean_pdf

pytestmark = pytest.mark.django_db

DC, DENVER = "Washington, DC", "Denver, CO"


@pytest.fixture
def action(db):
    """An action whose announcement is still a draft: its pool can be set up."""
    return HiringActionFactory(
        phase=Phase.ANNOUNCEMENT, announcement=False, grades=[12, 13], full_performance_level=13,
        duty_locations=[DC, DENVER],
    )  # fmt: skip


@pytest.fixture
def hr(action):
    return ActionRoleFactory(action=action, role=Role.HR).user


@pytest.fixture
def interior(db):
    return AgencyFactory(name="Department of the Interior", code="IN")


@pytest.fixture
def energy(db):
    return AgencyFactory(name="Department of Energy", code="DN")


def pool_url(action):
    return reverse("hiring:hr_pool", args=[action.pk])


# --- services ---------------------------------------------------------------------------------------


def test_hr_adds_an_agency_its_vacancies_and_a_manager_each_audited(action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=13, count=2)
    manager = StaffFactory(agency=interior, email="pat@interior.test")
    role = services.pool_manager_grant(
        action_id=action.pk, hr=hr, participant_id=participant.pk, email="PAT@interior.test"
    )

    assert role.user == manager and role.role == Role.HIRING_MANAGER and role.agency == interior
    assert Vacancy.objects.get().count == 2
    assert action.is_pooled
    reasons = list(AuditEvent.objects.filter(action=action, actor=hr).values_list("reason", flat=True))
    assert "Department of the Interior added as a participating agency." in reasons
    assert "Vacancies at Department of the Interior, Washington, DC, GS-13: 0 → 2." in reasons
    assert any("made hiring manager for Department of the Interior" in r for r in reasons)


def test_a_single_agency_action_is_not_pooled(action):
    assert not action.is_pooled


def test_setting_vacancies_to_zero_removes_the_row(action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=3)
    services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=1)
    assert Vacancy.objects.get().count == 1
    assert (
        services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=0)
        is None
    )
    assert not Vacancy.objects.exists()


def test_a_vacancy_must_use_the_actions_grades_and_locations(action, hr, interior):
    from django.core.exceptions import ValidationError

    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    with pytest.raises(ValidationError) as refused:
        services.vacancy_set(
            participant_id=participant.pk, hr=hr, duty_location="Boise, ID", grade=14, count=1
        )
    assert refused.value.message_dict["grade"] == ["Choose one of the action's grades (12, 13)."]
    assert refused.value.message_dict["duty_location"] == ["Choose one of the action's duty locations."]
    assert not Vacancy.objects.exists()


def test_only_the_actions_hr_may_set_up_the_pool(action, hr, interior):
    other_hr = ActionRoleFactory(role=Role.HR).user  # HR of another action
    with pytest.raises(DomainError, match=re.escape("Only the action's hr specialist can do that.")):
        services.pool_participant_add(action_id=action.pk, hr=other_hr, agency_id=interior.pk)
    assert not Participant.objects.exists()


def test_an_agency_joins_once(action, hr, interior):
    services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    with pytest.raises(DomainError, match="Department of the Interior is already taking part"):
        services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)


def test_the_pool_is_fixed_once_the_announcement_is_published(action, hr, interior, energy):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    AnnouncementFactory(action=action)
    message = (
        "The announcement is published, so the participating agencies and vacancies can no longer change."
    )
    with pytest.raises(DomainError, match=message):
        services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=energy.pk)
    with pytest.raises(DomainError, match=message):
        services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=1)
    with pytest.raises(DomainError, match=message):
        services.pool_participant_remove(participant_id=participant.pk, hr=hr)


def test_a_hiring_manager_must_be_staff_of_that_agency(action, hr, interior, energy):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    StaffFactory(agency=energy, email="sam@energy.test")
    UserFactory(email="candidate@example.test")
    with pytest.raises(DomainError, match="works for Department of Energy, not Department of the Interior"):
        services.pool_manager_grant(
            action_id=action.pk, hr=hr, participant_id=participant.pk, email="sam@energy.test"
        )
    with pytest.raises(DomainError, match=re.escape("No staff account uses candidate@example.test")):
        services.pool_manager_grant(
            action_id=action.pk, hr=hr, participant_id=participant.pk, email="candidate@example.test"
        )
    assert not ActionRole.objects.filter(role=Role.HIRING_MANAGER).exists()


def test_an_sme_of_the_action_cannot_be_its_hiring_manager(action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    sme = StaffFactory(agency=interior, email="lee@interior.test")
    ActionRoleFactory(action=action, user=sme, role=Role.SME)
    with pytest.raises(DomainError, match="cannot be both a subject matter expert and the hiring manager"):
        services.pool_manager_grant(
            action_id=action.pk, hr=hr, participant_id=participant.pk, email="lee@interior.test"
        )


def test_removing_an_agency_removes_its_vacancies_and_managers(action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=1)
    StaffFactory(agency=interior, email="pat@interior.test")
    services.pool_manager_grant(
        action_id=action.pk, hr=hr, participant_id=participant.pk, email="pat@interior.test"
    )
    services.pool_participant_remove(participant_id=participant.pk, hr=hr)
    assert not Participant.objects.exists() and not Vacancy.objects.exists()
    assert not ActionRole.objects.filter(role=Role.HIRING_MANAGER).exists()
    assert AuditEvent.objects.filter(actor=hr, reason__contains="removed from the pool").exists()


# --- the pool page ------------------------------------------------------------------------------------


def test_hr_builds_the_pool_on_its_page(client, action, hr, interior):
    StaffFactory(agency=interior, email="pat@interior.test", full_name="Pat Manager")
    client.force_login(hr)
    page = client.get(pool_url(action))
    assert "No other agency takes part" in page.text
    assert f'href="{pool_url(action)}"' in page.text  # the Pool tab
    client.post(pool_url(action), {"operation": "add", "add-agency": interior.pk})
    participant = Participant.objects.get()
    client.post(
        pool_url(action),
        {"operation": "vacancy", "vacancy-participant": participant.pk, "vacancy-duty_location": DENVER,
         "vacancy-grade": 13, "vacancy-count": 4},
    )  # fmt: skip
    response = client.post(
        pool_url(action),
        {"operation": "manager", "manager-participant": participant.pk, "manager-email": "pat@interior.test"},
        follow=True,
    )
    assert "Pat Manager is now a hiring manager for Department of the Interior." in response.text
    assert "4 at GS-13, Denver, CO" in response.text
    assert "Pat Manager (pat@interior.test)" in response.text


def test_a_refused_manager_keeps_what_was_typed_and_says_why(client, action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    client.force_login(hr)
    response = client.post(
        pool_url(action),
        {
            "operation": "manager",
            "manager-participant": participant.pk,
            "manager-email": "nobody@nowhere.test",
        },
    )
    assert response.status_code == 200
    assert "No staff account uses nobody@nowhere.test" in response.text
    assert 'value="nobody@nowhere.test"' in response.text


def test_a_bad_vacancy_count_is_named_next_to_the_field(client, action, hr, interior):
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    client.force_login(hr)
    response = client.post(
        pool_url(action),
        {"operation": "vacancy", "vacancy-participant": participant.pk, "vacancy-duty_location": DC,
         "vacancy-grade": 12, "vacancy-count": ""},
    )  # fmt: skip
    assert "Enter how many vacancies, or 0 to remove them." in response.text
    assert not Vacancy.objects.exists()


def test_the_pool_page_runs_the_same_queries_at_two_sizes(client, action, hr):
    client.force_login(hr)
    seen = []
    for size in (2, 12):
        for n in range(Participant.objects.count(), size):
            agency = AgencyFactory()
            participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=agency.pk)
            services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=12, count=1)
            StaffFactory(agency=agency, email=f"m{n}@pool.test")
            services.pool_manager_grant(
                action_id=action.pk, hr=hr, participant_id=participant.pk, email=f"m{n}@pool.test"
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(pool_url(action)).status_code == 200
        seen.append(len(captured))
    assert seen[0] == seen[1], seen


# --- applying to a pooled action -----------------------------------------------------------------------


@pytest.fixture
def pooled(action, hr, interior, energy):
    """The pool: Interior has vacancies in DC and Denver, Energy in Denver; then the announcement opens."""
    places = {}
    for agency, locations in ((interior, [DC, DENVER]), (energy, [DENVER])):
        participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=agency.pk)
        for location in locations:
            services.vacancy_set(
                participant_id=participant.pk, hr=hr, duty_location=location, grade=13, count=1
            )
            places[(agency.code, location)] = f"{participant.pk}:{location}"
    AnnouncementFactory(action=action)
    return action, places


def apply_url(action):
    return reverse("hiring:apply", args=[action.announcement.pk])


def answers(**extra):
    resume = SimpleUploadedFile("cv.pdf", clean_pdf(2), "application/pdf")
    return {"citizenship": "on", "preference_claim": "NV", "sharing": "opt_out", "submit": "1",
            "resume": resume, **extra}  # fmt: skip


def test_the_apply_form_offers_each_agency_and_location_with_a_vacancy(client, pooled):
    action, _ = pooled
    client.force_login(UserFactory())
    page = client.get(apply_url(action)).text
    assert "Where would you accept a job?" in page
    for label in ("Department of Energy: Denver, CO", "Department of the Interior: Denver, CO",
                  "Department of the Interior: Washington, DC"):  # fmt: skip
        assert label in page
    assert "Department of Energy: Washington, DC" not in page
    assert "GS-12" in page and "Any grade" in page


def test_a_candidate_applies_with_places_and_a_lowest_grade_and_hr_sees_them(client, pooled, hr):
    action, places = pooled
    candidate = UserFactory()
    client.force_login(candidate)
    response = client.post(
        apply_url(action),
        answers(places=[places[("DN", DENVER)], places[("IN", DC)]], lowest_grade="13"),
        follow=True,
    )
    assert "Application submitted" in response.text
    application = Application.objects.get(candidate=candidate)
    assert application.lowest_grade == 13
    assert sorted((p.participant.agency.code, p.duty_location) for p in application.places.all()) == [
        ("DN", DENVER),
        ("IN", DC),
    ]

    client.force_login(hr)
    detail = client.get(reverse("hiring:hr_application_detail", args=[action.pk, application.pk])).text
    assert "Department of Energy: Denver, CO" in detail
    assert "Department of the Interior: Washington, DC" in detail
    assert "Department of the Interior: Denver, CO" not in detail
    assert "GS-13" in detail


def test_any_grade_is_stored_as_no_lowest_grade(client, pooled):
    action, places = pooled
    candidate = UserFactory()
    client.force_login(candidate)
    client.post(apply_url(action), answers(places=[places[("IN", DC)]], lowest_grade="any"))
    assert Application.objects.get(candidate=candidate).lowest_grade is None


def test_a_pooled_application_needs_a_place_and_a_grade(client, pooled):
    action, _ = pooled
    client.force_login(UserFactory())
    response = client.post(apply_url(action), answers())
    assert "Choose at least one agency and duty location you would accept." in response.text
    assert "Choose the lowest grade you would accept, or any grade." in response.text
    assert not Application.objects.exists()


def test_the_service_refuses_a_pooled_application_without_a_place(pooled):
    action, _ = pooled
    with pytest.raises(DomainError, match="Choose at least one agency and duty location"):
        services.application_submit(action=action, candidate=UserFactory(), places=[])
    assert not Application.objects.exists()


def test_a_draft_keeps_the_choices(client, pooled):
    action, places = pooled
    candidate = UserFactory()
    client.force_login(candidate)
    client.post(apply_url(action), {"save": "1", "places": [places[("IN", DENVER)]], "lowest_grade": "12"})
    assert ApplicationDraft.objects.get(candidate=candidate).data["places"] == [places[("IN", DENVER)]]
    page = client.get(apply_url(action)).text
    checked = re.findall(
        r'<input type="(?:checkbox|radio)" name="(places|lowest_grade)" value="([^"]+)"[^>]*checked', page
    )
    assert sorted(checked) == [("lowest_grade", "12"), ("places", places[("IN", DENVER)])]


def test_a_single_agency_action_asks_nothing_about_places(client):
    action = HiringActionFactory()
    candidate = UserFactory()
    client.force_login(candidate)
    assert "Where would you accept a job?" not in client.get(apply_url(action)).text
    client.post(apply_url(action), answers())
    application = Application.objects.get(candidate=candidate)
    assert application.lowest_grade is None and not application.places.exists()


# --- the lowest grade on any multi-grade action, pooled or not ----------------------------------------
# DEOH pp. 6-5-6-7; domain-research §2.3, §3.5 rule 42: certify from the lowest grade accepted.


@pytest.fixture
def two_grades(db):
    """A single-agency GS-12/13 action taking applications: no pool, two grades."""
    return HiringActionFactory(grades=[12, 13], full_performance_level=13, duty_locations=[DC])


def checked_choices(page):
    return re.findall(
        r'<input type="(?:checkbox|radio)" name="(places|lowest_grade)" value="([^"]+)"[^>]*checked', page
    )


def test_a_single_agency_multi_grade_action_asks_the_lowest_grade_but_no_places(client, two_grades):
    client.force_login(UserFactory())
    page = client.get(apply_url(two_grades)).text
    assert "The lowest grade you would accept" in page
    assert re.findall(r'<input type="radio" name="lowest_grade" value="([^"]+)"', page) == ["12", "13", "any"]
    assert "GS-12" in page and "GS-13" in page and "Any grade" in page
    assert "Where would you accept a job?" not in page


def test_submitting_without_the_lowest_grade_is_refused_beside_the_field_and_keeps_the_answers(
    client, two_grades
):
    candidate = UserFactory()
    client.force_login(candidate)
    page = client.post(apply_url(two_grades), answers()).text
    error = re.search(r'<span class="usa-error-message" id="id_lowest_grade-error">([^<]*)</span>', page)
    assert error and error.group(1).strip() == "Choose the lowest grade you would accept, or any grade."
    assert not Application.objects.exists()
    assert re.search(r'<input type="checkbox" name="citizenship"[^>]*checked', page)
    assert re.search(r'<input type="radio" name="sharing" value="opt_out"[^>]*checked', page)
    assert "Uploaded: cv.pdf" in page  # the resume waits in the draft

    client.post(apply_url(two_grades), {**answers(), "resume": "", "lowest_grade": "13"})
    application = Application.objects.get(candidate=candidate)
    assert application.lowest_grade == 13 and application.resume_pages == 2


def test_a_draft_keeps_the_lowest_grade_on_a_single_agency_action(client, two_grades):
    candidate = UserFactory()
    client.force_login(candidate)
    client.post(apply_url(two_grades), {"save": "1", "lowest_grade": "13"})
    assert ApplicationDraft.objects.get(candidate=candidate).data["lowest_grade"] == "13"
    assert checked_choices(client.get(apply_url(two_grades)).text) == [("lowest_grade", "13")]


def test_the_lowest_grade_is_stored_and_hr_sees_it_on_a_single_agency_action(client, two_grades):
    hr = ActionRoleFactory(action=two_grades, role=Role.HR).user
    candidate = UserFactory()
    client.force_login(candidate)
    response = client.post(apply_url(two_grades), answers(lowest_grade="13"), follow=True)
    assert "Application submitted" in response.text
    application = Application.objects.get(candidate=candidate)
    assert application.lowest_grade == 13 and not application.places.exists()

    client.force_login(hr)
    detail = client.get(reverse("hiring:hr_application_detail", args=[two_grades.pk, application.pk])).text
    assert re.search(r"<dt>Lowest grade accepted</dt><dd>GS-13</dd>", detail)
    assert "Would accept (pooled action)" not in detail


def test_any_grade_on_a_single_agency_action_is_stored_as_no_lowest_grade(client, two_grades):
    candidate = UserFactory()
    client.force_login(candidate)
    client.post(apply_url(two_grades), answers(lowest_grade="any"))
    assert Application.objects.get(candidate=candidate).lowest_grade is None


def test_the_service_refuses_a_grade_the_action_does_not_fill(two_grades):
    with pytest.raises(DomainError, match="Choose one of the job's grades, or any grade"):
        services.application_submit(action=two_grades, candidate=UserFactory(), lowest_grade=14)
    assert not Application.objects.exists()


def test_a_single_grade_action_asks_no_lowest_grade_and_the_service_ignores_one(client):
    action = HiringActionFactory(grades=[13])
    candidate = UserFactory()
    client.force_login(candidate)
    page = client.get(apply_url(action)).text
    assert "The lowest grade you would accept" not in page and 'name="lowest_grade"' not in page
    client.post(apply_url(action), answers(lowest_grade="13"))
    assert Application.objects.get(candidate=candidate).lowest_grade is None
    other = services.application_submit(action=action, candidate=UserFactory(), lowest_grade=13)
    assert other.lowest_grade is None

    hr = ActionRoleFactory(action=action, role=Role.HR).user
    client.force_login(hr)
    detail = client.get(reverse("hiring:hr_application_detail", args=[action.pk, other.pk])).text
    assert "Lowest grade accepted" not in detail


def test_a_single_grade_pooled_action_asks_places_but_no_lowest_grade(client, action, hr, interior):
    action.grades, action.full_performance_level = [13], 13
    action.save(update_fields=["grades", "full_performance_level"])
    participant = services.pool_participant_add(action_id=action.pk, hr=hr, agency_id=interior.pk)
    services.vacancy_set(participant_id=participant.pk, hr=hr, duty_location=DC, grade=13, count=1)
    AnnouncementFactory(action=action)
    candidate = UserFactory()
    client.force_login(candidate)
    page = client.get(apply_url(action)).text
    assert "Where would you accept a job?" in page and 'name="lowest_grade"' not in page
    client.post(apply_url(action), answers(places=[f"{participant.pk}:{DC}"]))
    application = Application.objects.get(candidate=candidate)
    assert application.lowest_grade is None and application.places.count() == 1


def test_a_pooled_announcements_sharing_notice_says_the_pool_selects_first():
    """§3.6's opt-in wording: on a pooled action, sharing is with agencies outside the pool, after the
    pool's agencies have selected."""
    from hiring.services.announcements import draft_text

    action = HiringActionFactory(phase=Phase.JOB_ANALYSIS)
    assert draft_text(action)["sharing_notice"].startswith("After this agency finishes selecting")
    ParticipantFactory(action=action)
    pooled = type(action).objects.get(pk=action.pk)  # is_pooled is cached per instance
    notice = draft_text(pooled)["sharing_notice"]
    assert notice.startswith("After the agencies in this pool finish selecting")
    assert "outside the pool" in notice
