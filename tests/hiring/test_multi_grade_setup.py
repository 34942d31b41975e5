"""Setting up a multi-grade, pooled action (issue 10; ADR 0015): the final score required at each grade and
the time-in-grade switches in the job analysis, a pooled action's hiring managers and their agency, and
what the candidate's status page says about their choices and certificates."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiring import services
from hiring.forms import HiringActionForm
from hiring.models import ActionRole, Application, AuditEvent, HiringAction, JobAnalysisVersion, Role
from hiring.services.announcements import draft_text
from hiring.services.job_analysis import job_analysis_snapshot
from hiring.services.pools import pool_manager_grant
from hiring.workflow import Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    ApplicationFactory,
    ApplicationPlaceFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    ParticipantFactory,
    StaffFactory,
    UserFactory,
    hr_for,
)

pytestmark = pytest.mark.django_db


# --- the job analysis settings: a score per grade, time in grade ------------------------------------


@pytest.fixture
def draft():
    """A GS-12/13/14 action whose job analysis is still a draft, and its HR."""
    action = HiringActionFactory(
        title="IT Specialist (INFOSEC)", grades=[12, 13, 14], full_performance_level=14,
        phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None,
    )  # fmt: skip
    return action, hr_for(action)


def settings_data(action, **changes) -> dict:
    """The settings form as the page fills it from `action`, with `changes`."""
    data = {}
    for bound in HiringActionForm(instance=action):
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_hr_sets_the_final_score_required_at_each_grade_and_the_time_in_grade_switches(draft, client):
    action, hr = draft
    client.force_login(hr)
    url = reverse("hiring:hr_action_settings", args=[action.pk])
    html = client.get(url).content.decode()
    for grade in (12, 13, 14):
        assert f'<label class="usa-label" for="id_score_{grade}">Final score required at GS-{grade}' in html
    assert "each grade asks for its own final score" in html
    assert "This series advances two grades at a time" in html
    data = settings_data(
        action,
        score_12="",
        score_13="85",
        score_14="100",
        two_grade_interval="on",
        time_in_grade_applies=False,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    action.refresh_from_db()
    # GS-12 left blank: the Qualified minimum applies.
    assert action.grade_scores == {"13": 85, "14": 100}
    assert action.scores_by_grade == {12: 70, 13: 85, 14: 100}
    assert action.two_grade_interval is True and action.time_in_grade_applies is False
    event = AuditEvent.objects.filter(action=action).latest("id")
    assert event.actor == hr and "grade scores" in event.reason
    # The page shows it to everyone who reads the job analysis, SMEs included.
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    client.force_login(sme)
    page = client.get(reverse("hiring:job_analysis", args=[action.pk])).content.decode()
    assert "GS-12: 70; GS-13: 85; GS-14: 100" in page
    assert "Not checked (turned off for this action)" in page


def test_a_lower_score_at_a_higher_grade_is_refused_beside_that_grade_and_nothing_typed_is_lost(
    draft, client
):
    action, hr = draft
    client.force_login(hr)
    url = reverse("hiring:hr_action_settings", args=[action.pk])
    data = settings_data(action, title="Security engineer", score_12="70", score_13="100", score_14="85")
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'<span class="usa-error-message" id="id_score_14-error">([^<]*)</span>', html)
    assert (
        error and "Enter 100 or more: a higher grade needs the same final score as GS-13 or more." in error[1]
    )
    assert 'aria-describedby="id_score_14-hint id_score_14-error"' in html
    for name, value in (
        ("score_12", "70"),
        ("score_13", "100"),
        ("score_14", "85"),
        ("title", "Security engineer"),
    ):
        assert re.search(rf'name="{name}" value="{value}"', html), name
    action.refresh_from_db()
    assert action.grade_scores == {} and action.title == "IT Specialist (INFOSEC)"
    # Below the Qualified minimum nobody qualifies at all.
    html = client.post(url, settings_data(action, score_12="60")).content.decode()
    assert "Enter 70 or more: below the Qualified minimum (70)" in html


def test_grades_typed_in_the_same_submission_get_their_score_boxes(draft, client):
    action, hr = draft
    client.force_login(hr)
    url = reverse("hiring:hr_action_settings", args=[action.pk])
    response = client.post(
        url, settings_data(action, grades="13, 14, 15", full_performance_level="15", score_15="x")
    )
    html = response.content.decode()
    assert 'id="id_score_15"' in html and 'id="id_score_12"' not in html
    client.post(url, settings_data(action, grades="13, 14, 15", full_performance_level="15", score_15="100"))
    action.refresh_from_db()
    assert action.grades == [13, 14, 15] and action.grade_scores == {"15": 100}


def test_a_one_grade_action_has_no_score_boxes(client):
    action = HiringActionFactory(grades=[13], phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None)
    client.force_login(hr_for(action))
    html = client.get(reverse("hiring:hr_action_settings", args=[action.pk])).content.decode()
    assert "Final score required" not in html
    page = client.get(reverse("hiring:job_analysis", args=[action.pk])).content.decode()
    assert "Final score required at each grade" not in page


def test_the_scores_freeze_with_the_job_analysis(draft):
    action, hr = draft
    services.hiring_action_update(action_id=action.pk, actor=hr, grade_scores={"13": 85, "14": 100})
    action.refresh_from_db()
    snapshot = job_analysis_snapshot(action)
    assert snapshot["grade_scores"] == {"12": 70, "13": 85, "14": 100}
    assert snapshot["time_in_grade_applies"] is True and snapshot["two_grade_interval"] is False
    # Once final, only a revision changes them (like every other setting).
    HiringAction.objects.filter(pk=action.pk).update(job_analysis_finalized_at=action.created_at)
    with pytest.raises(DomainError, match="The job analysis is final"):
        services.hiring_action_update(action_id=action.pk, actor=hr, grade_scores={"13": 70})
    assert not JobAnalysisVersion.objects.filter(action=action).exists()  # built by finalize, not here


def test_the_announcement_tells_applicants_the_score_each_grade_needs(draft):
    action, hr = draft
    services.hiring_action_update(action_id=action.pk, actor=hr, grade_scores={"13": 85, "14": 100})
    action.refresh_from_db()
    statement = draft_text(action)["categories_statement"]
    assert "the final score decides the highest grade you qualify for: GS-12: 70; GS-13: 85; GS-14: 100." in (
        statement
    )
    single = HiringActionFactory(grades=[13])
    assert "highest grade" not in draft_text(single)["categories_statement"]


# --- a pooled action's hiring managers ----------------------------------------------------------------


@pytest.fixture
def pool():
    """A pooled action led by OPM with Interior and Commerce taking part, its job analysis a draft."""
    action = HiringActionFactory(
        agency=AgencyFactory(name="OPM", code="OPM"), grades=[12, 13, 14], full_performance_level=14,
        duty_locations=["Denver, CO", "Boulder, CO"], phase=Phase.JOB_ANALYSIS, job_analysis_finalized_at=None,
    )  # fmt: skip
    interior = ParticipantFactory(action=action, agency=AgencyFactory(name="Interior", code="DOI"))
    commerce = ParticipantFactory(action=action, agency=AgencyFactory(name="Commerce", code="DOC"))
    return {"action": action, "hr": hr_for(action), "interior": interior, "commerce": commerce}


def test_a_pooled_actions_hiring_manager_needs_a_participating_agency(pool):
    action, hr, interior = pool["action"], pool["hr"], pool["interior"]
    manager = StaffFactory(agency=interior.agency)
    outsider = AgencyFactory(name="Labor", code="DOL")
    for agency in (None, outsider):
        with pytest.raises(DomainError) as refused:
            services.action_role_grant(
                action=action, user=manager, role=Role.HIRING_MANAGER, actor=hr, agency=agency
            )
        assert refused.value.message == "Choose which participating agency this hiring manager selects for."
        assert refused.value.field == "agency"
    with pytest.raises(DomainError, match="a hiring manager selects only for their own agency"):
        services.action_role_grant(
            action=action, user=manager, role=Role.HIRING_MANAGER, actor=hr, agency=pool["commerce"].agency
        )
    assert not ActionRole.objects.filter(action=action, role=Role.HIRING_MANAGER).exists()
    role = services.action_role_grant(
        action=action, user=manager, role=Role.HIRING_MANAGER, actor=hr, agency=interior.agency
    )
    assert role.agency == interior.agency
    event = AuditEvent.objects.filter(action=action).latest("id")
    assert event.actor == hr and event.reason.endswith("made hiring manager for Interior.")
    # SMEs may come from any agency, and carry none.
    sme = services.action_role_grant(action=action, user=StaffFactory(), role=Role.SME, actor=hr)
    assert sme.agency is None


def test_a_single_agency_action_grants_its_hiring_manager_as_before():
    action = HiringActionFactory()
    hr = hr_for(action)
    manager = StaffFactory(agency=action.agency)
    role = services.action_role_grant(action=action, user=manager, role=Role.HIRING_MANAGER, actor=hr)
    assert role.agency is None
    with pytest.raises(DomainError, match="This action is not pooled"):
        services.action_role_grant(
            action=action, user=StaffFactory(), role=Role.HIRING_MANAGER, actor=hr, agency=AgencyFactory()
        )


def test_an_sme_cannot_be_a_hiring_manager_anywhere_in_the_pool(pool):
    # Rules 49-50 (OPM Sept 2019 memo; SMEQA roles.md) hold across the pool: whichever agency grants it.
    action, hr, interior, commerce = pool["action"], pool["hr"], pool["interior"], pool["commerce"]
    person = StaffFactory(agency=commerce.agency)
    services.action_role_grant(action=action, user=person, role=Role.SME, actor=hr)
    with pytest.raises(DomainError, match="both a subject matter expert and the hiring manager"):
        services.action_role_grant(
            action=action, user=person, role=Role.HIRING_MANAGER, actor=hr, agency=commerce.agency
        )
    with pytest.raises(DomainError, match="both a subject matter expert and the hiring manager"):
        pool_manager_grant(action_id=action.pk, hr=hr, participant_id=commerce.pk, email=person.email)
    manager = StaffFactory(agency=interior.agency)
    pool_manager_grant(action_id=action.pk, hr=hr, participant_id=interior.pk, email=manager.email)
    assert ActionRole.objects.get(action=action, user=manager).agency == interior.agency
    with pytest.raises(DomainError, match="both a subject matter expert and the hiring manager"):
        services.action_role_grant(action=action, user=manager, role=Role.SME, actor=hr)


# --- the candidate's status page --------------------------------------------------------------------


def test_the_status_page_lists_the_candidates_choices_and_the_certificates_that_list_them(pool, client):
    action, interior, commerce = pool["action"], pool["interior"], pool["commerce"]
    HiringAction.objects.filter(pk=action.pk).update(phase=Phase.CERTIFICATE)
    mine = Application.objects.create(
        action=action, candidate=UserFactory(), applicant_name="Ada Lovelace", lowest_grade=13,
        status=Status.REFERRED,
    )  # fmt: skip
    ApplicationPlaceFactory(application=mine, participant=interior, duty_location="Denver, CO")
    ApplicationPlaceFactory(application=mine, participant=commerce, duty_location="Boulder, CO")
    other = Application.objects.create(
        action=action, candidate=UserFactory(), applicant_name="Grace Hopper", status=Status.REFERRED
    )
    client.force_login(mine.candidate)
    url = reverse("hiring:candidate_application_status", args=[mine.pk])

    html = client.get(url).content.decode()
    assert "You said you accept GS-13 or higher" in html
    assert "<li>Commerce, Boulder, CO</li>" in html and "<li>Interior, Denver, CO</li>" in html
    assert "Your name is on the certificates of" not in html

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for grade in (13, 14):
        certificate = CertificateFactory(
            action=action, agency=interior.agency, grade=grade, duty_location="Denver, CO"
        )
        EntryFactory(certificate=certificate, application=mine, disposition="A")
        EntryFactory(certificate=certificate, application=other, name="Grace Hopper", score=85)
    # Commerce's certificate lists someone else only; a shared copy is not a pool certificate.
    commerce_cert = CertificateFactory(
        action=action, agency=commerce.agency, grade=13, duty_location="Boulder, CO"
    )
    EntryFactory(certificate=commerce_cert, application=other, name="Grace Hopper")
    copy = CertificateFactory(action=action, agency=AgencyFactory(), grade=13, source=commerce_cert)
    EntryFactory(certificate=copy, application=mine)

    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert len(after) == len(before)
    section = html.split('id="pool-heading"', 1)[1].split("</section>", 1)[0]
    assert "Your name is on the certificates of:" in section
    assert "<li><strong>Interior</strong> (Denver, CO) at GS-13 and GS-14</li>" in section
    assert "<strong>Commerce</strong>" not in section
    # Nobody else's name, score or selection shows.
    assert "Grace Hopper" not in html and "Selected" not in section and "85" not in section


def test_a_single_agency_application_has_no_pool_section(client):
    application = ApplicationFactory()
    client.force_login(application.candidate)
    html = client.get(reverse("hiring:candidate_application_status", args=[application.pk])).content.decode()
    assert "pool-heading" not in html
