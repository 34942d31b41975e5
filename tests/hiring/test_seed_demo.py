import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import override_settings

from hiring.models import Application, HiringAction, Notice, User
from hiring.workflow import Status

pytestmark = pytest.mark.django_db

DEMO_SIGN_INS = [
    "hr@demo.test",
    "sme1@demo.test",
    "sme2@demo.test",
    "sme3@demo.test",
    "sme4@demo.test",
    "manager@demo.test",
    "manager2@demo.test",
    "manager3@demo.test",
    "candidate@demo.test",
]


def test_seed_demo_creates_every_sign_in_and_a_moving_action(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    call_command("seed_demo")
    for email in DEMO_SIGN_INS:
        # django-axes checks every sign-in against its lockouts, so authenticate() needs a request.
        signed_in = authenticate(HttpRequest(), username=email, password="a-demo-password-for-tests")
        assert signed_in is not None, email
    product = HiringAction.objects.get(title="Product Manager")
    statuses = set(Application.objects.filter(action=product).values_list("status", flat=True))
    assert {Status.INELIGIBLE, Status.DID_NOT_MOVE_FORWARD, Status.IN_ROUND_2, Status.QUALIFIED} <= statuses
    mine = Application.objects.get(candidate__email="candidate@demo.test", action__title="Product Manager")
    # Five status notices (received → in round 2) and three interview emails: the round-1 invitation and
    # booking, and the round-2 invitation the demo candidate can answer from their status page.
    subjects = list(Notice.objects.filter(application=mine).values_list("subject", flat=True))
    assert len(subjects) == 8
    assert subjects[-1] == "Choose a time for interview round 2: Product Manager"
    assert mine.interviews.get(round=2).state == "invited"


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (User.objects.count(), Application.objects.count(), Notice.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Application.objects.count(), Notice.objects.count()) == counts


def test_seed_demo_refuses_where_demo_data_is_not_allowed():
    with override_settings(DEMO_DATA_ALLOWED=False), pytest.raises(CommandError, match="not allowed"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.test").exists()


def test_seed_demo_builds_a_pool_of_three_agencies_each_with_its_own_manager_and_vacancies():
    from hiring.models import ActionRole, ApplicationPlace, Participant, Role

    call_command("seed_demo")
    pooled = HiringAction.objects.get(title="Digital Services Lead (multi-agency pool)")
    assert pooled.grades == [12, 13, 14]
    participants = Participant.objects.filter(action=pooled).select_related("agency")
    assert {p.agency.name for p in participants} == {
        "Department of Demonstration", "Department of the Interior", "Department of Energy",
    }  # fmt: skip
    managers = {
        r.user.email: r.agency.name
        for r in ActionRole.objects.filter(action=pooled, role=Role.HIRING_MANAGER).select_related(
            "user", "agency"
        )
    }
    assert managers == {
        "manager@demo.test": "Department of Demonstration",
        "manager2@demo.test": "Department of the Interior",
        "manager3@demo.test": "Department of Energy",
    }
    assert sorted(p.vacancies.count() for p in participants) == [2, 2, 3]
    mine = Application.objects.get(candidate__email="candidate@demo.test", action=pooled)
    assert mine.lowest_grade == 13
    assert ApplicationPlace.objects.filter(application=mine).count() == 3


def test_seed_demo_issues_each_agencys_certificates_with_one_selection_by_interior():
    from certificates.models import Certificate, Entry

    call_command("seed_demo")
    pooled = HiringAction.objects.get(title="Digital Services Lead (multi-agency pool)")
    originals = Certificate.objects.filter(action=pooled, source__isnull=True).select_related("agency")
    assert {c.agency.code for c in originals} == {"DEMO", "DOI", "DOE"}
    # Each lists only those who accepted its agency and location, from their lowest grade up.
    mine = Entry.objects.filter(
        certificate__in=originals, application__candidate__email="candidate@demo.test"
    )
    assert sorted((e.certificate.agency.code, e.certificate.grade) for e in mine) == [
        ("DEMO", 13), ("DEMO", 14), ("DOE", 13), ("DOE", 14), ("DOI", 13), ("DOI", 14),
    ]  # fmt: skip
    selected = Entry.objects.get(certificate__in=originals, disposition="A")
    assert selected.certificate.agency.code == "DOI"
    # The same person is on Energy's certificates too, where they show as selected elsewhere.
    assert Entry.objects.filter(
        certificate__agency__code="DOE", certificate__action=pooled, application=selected.application
    ).exists()


def test_seed_demo_leaves_a_pooled_announcement_open_for_candidates_to_choose_places():
    from hiring.models import Announcement, Vacancy

    call_command("seed_demo")
    pool = HiringAction.objects.get(title="Product Manager (governmentwide pool)")
    assert pool.is_pooled and pool.grades == [13, 14]
    assert Announcement.objects.get(action=pool).state == Announcement.State.PUBLISHED
    places = set(
        Vacancy.objects.filter(participant__action=pool).values_list(
            "participant__agency__code", "duty_location"
        )
    )
    assert places == {("DEMO", "Washington, DC"), ("DOI", "Denver, CO"), ("DOE", "Remote")}
    assert not pool.applications.exists()
