"""Every list page added with phases 4 and 5 runs the same number of queries at two data sizes
(issue 7: no N+1 anywhere). Rows are bulk-created to reach the larger size quickly."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Interview, InterviewerSeat
from certificates.models import Certificate, Entry
from hiring.models import AgencyRole, Application, AuditEvent, Role
from hiring.workflow import Phase, Status
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    CertificateFactory,
    HiringActionFactory,
    InterviewQuestionFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SIZES = (8, 160)
MAX_QUERIES = 12  # issue 7's budget for a page


def applications(action, n, status):
    now = timezone.now()
    start = Application.objects.filter(action=action).count()
    return Application.objects.bulk_create(
        Application(action=action, applicant_name=f"Person {start + i:05d}", status=status, submitted_at=now,
                    sharing_opt_in=True)
        for i in range(n)
    )  # fmt: skip


def counts(client, url, grow) -> list[int]:
    seen = []
    for size in SIZES:
        grow(size - ((seen and SIZES[0]) or 0))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        seen.append(len(captured))
    return seen


@pytest.fixture
def action(db):
    action = HiringActionFactory(phase=Phase.ASSESSMENTS, announcement=False)
    InterviewQuestionFactory(action=action, round=1)
    InterviewQuestionFactory(action=action, round=2)
    return action


def test_hr_interviews_dashboard(client, action):
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(3)]
    for sme in smes:
        InterviewerSeat.objects.create(action=action, round=1, sme=sme)
    client.force_login(hr)

    def grow(n):
        rows = applications(action, n, Status.IN_ROUND_1)
        Interview.objects.bulk_create(
            Interview(application=a, action=action, round=1, sme=smes[i % 3], state=Interview.State.SUBMITTED,
                      submitted_at=timezone.now())
            for i, a in enumerate(rows)
        )  # fmt: skip

    seen = counts(client, reverse("assessments:hr_interviews", args=[action.pk]), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES


def test_sme_interview_schedule(client, action):
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    client.force_login(sme)

    def grow(n):
        rows = applications(action, n, Status.IN_ROUND_1)
        Interview.objects.bulk_create(
            Interview(application=a, action=action, round=1, sme=sme, state=Interview.State.SCHEDULED,
                      starts_at=timezone.now() + timedelta(days=1, hours=i))
            for i, a in enumerate(rows)
        )  # fmt: skip

    seen = counts(client, reverse("assessments:sme_interviews", args=[action.pk]), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES


def certificate_with_names(action, hr):
    certificate = CertificateFactory(action=action, issued_by=hr)

    def grow(n):
        start = certificate.entries.count()
        rows = applications(action, n, Status.REFERRED)
        Entry.objects.bulk_create(
            Entry(certificate=certificate, application=a, rank=start + i + 1, name=a.applicant_name,
                  preference="TP" if i % 4 == 0 else "NV", score=100, category="best", earned_category="best",
                  why="Score 100 earns Best Qualified.")
            for i, a in enumerate(rows)
        )  # fmt: skip

    return certificate, grow


@pytest.mark.parametrize("who", ["hr", "manager"])
def test_certificate_page(client, action, who):
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    certificate, grow = certificate_with_names(action, hr)
    client.force_login(hr if who == "hr" else manager)
    seen = counts(client, reverse("certificates:certificate", args=[certificate.pk]), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES


def test_manager_home_with_many_certificates(client, action):
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    client.force_login(manager)

    def grow(n):
        for _ in range(max(1, n // 20)):
            other = HiringActionFactory(agency=action.agency, announcement=False)
            ActionRoleFactory(action=other, role=Role.HIRING_MANAGER, user=manager)
            CertificateFactory(action=other, issued_by=hr)

    seen = counts(client, reverse("certificates:manager_home"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES


def test_talent_pool(client):
    mine = AgencyFactory()
    hr = AgencyRoleFactory(agency=mine, user=StaffFactory(agency=mine)).user
    client.force_login(hr)

    def grow(n):
        for _ in range(max(1, n // 20)):
            action = HiringActionFactory(announcement=False)
            certificate = CertificateFactory(action=action, state=Certificate.State.AUDITED)
            rows = applications(action, 3, Status.REFERRED)
            Entry.objects.bulk_create(
                Entry(certificate=certificate, application=a, rank=i + 1, name=a.applicant_name, preference="NV",
                      score=100, category="best", earned_category="best", why="-")
                for i, a in enumerate(rows)
            )  # fmt: skip

    seen = counts(client, reverse("certificates:talent_pool"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert AgencyRole.objects.filter(user=hr).exists()


# --- the remaining list pages (issue 7: CI asserts every list page at two sizes) ----------------------


def test_hr_home_lists_many_actions(client):
    agency = AgencyFactory()
    hr = AgencyRoleFactory(agency=agency, user=StaffFactory(agency=agency)).user
    client.force_login(hr)

    def grow(n):
        for _ in range(max(1, n // 20)):
            other = HiringActionFactory(agency=agency, announcement=False)
            ActionRoleFactory(action=other, role=Role.HR, user=hr)
            applications(other, 10, Status.RECEIVED)

    seen = counts(client, reverse("hiring:hr_home"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert len(client.get(reverse("hiring:hr_home")).context["actions"]) == 8


def test_hr_screening_list(client):
    action = HiringActionFactory(phase=Phase.RESUME_REVIEW, announcement=False)
    client.force_login(ActionRoleFactory(action=action, role=Role.HR).user)
    url = reverse("hiring:hr_screening", args=[action.pk])
    seen = counts(client, url, lambda n: applications(action, n, Status.RECEIVED))
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert len(client.get(url).context["applications"]) == 160


def test_sme_home_lists_many_actions(client):
    sme = StaffFactory()
    client.force_login(sme)

    def grow(n):
        for _ in range(max(1, n // 20)):
            other = HiringActionFactory(phase=Phase.RESUME_REVIEW, announcement=False)
            ActionRoleFactory(action=other, role=Role.SME, user=sme)
            applications(other, 10, Status.IN_RESUME_REVIEW)

    seen = counts(client, reverse("assessments:sme_home"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert len(client.get(reverse("assessments:sme_home")).context["actions"]) == 8


def test_hr_certificate_page(client, action):
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    action.phase = Phase.CERTIFICATE
    action.save(update_fields=["phase"])
    client.force_login(hr)

    def grow(n):
        rows = applications(action, n, Status.QUALIFIED)
        Interview.objects.bulk_create(
            Interview(application=a, action=action, round=r, sme=hr, state=Interview.State.ACCEPTED, score=1 + i % 2)
            for i, a in enumerate(rows)
            for r in (1, 2)
        )  # fmt: skip
        # Real changes write an audit row, which is what the page's cached preview keys on.
        AuditEvent.objects.create(
            action=action,
            actor_role="system",
            subject=AuditEvent.Subject.APPLICATION,
            reason="bulk test rows",
        )

    url = reverse("certificates:hr_certificates", args=[action.pk])
    seen = counts(client, url, grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    page = client.get(url)
    listed, not_listed = page.context["listed"], page.context["not_listed"]
    assert len(listed.names) + len(not_listed) == 160
    # Bounded at any size, with the claims still to adjudicate first.
    last = Application.objects.filter(action=action).order_by("-applicant_name").first()
    Application.objects.filter(pk=last.pk).update(preference_claim="TP")
    page = client.get(url)
    assert page.context["applicants"][0].pk == last.pk
    assert len(page.context["applicants"]) == 100
    assert "160 applicants passed every assessment" in page.content.decode()


def test_candidate_pages_with_many_applications_and_events(client):
    candidate = UserFactory()
    client.force_login(candidate)
    mine = []

    def grow(n):
        for _ in range(max(1, n // 20)):
            other = HiringActionFactory(phase=Phase.RESUME_REVIEW, announcement=False)
            application = Application.objects.create(
                action=other, candidate=candidate, applicant_name=candidate.full_name, status=Status.RECEIVED
            )
            mine.append(application)
            AuditEvent.objects.bulk_create(
                AuditEvent(actor=candidate, actor_role="system", subject=AuditEvent.Subject.APPLICATION,
                           action=other, application=mine[0], from_state="received", to_state="received",
                           reason=f"Event {i}")
                for i in range(10)
            )  # fmt: skip

    seen = counts(client, reverse("hiring:candidate_home"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert len(client.get(reverse("hiring:candidate_home")).context["applications"]) == 8
    status = reverse("hiring:candidate_application_status", args=[mine[0].pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(status).status_code == 200
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=candidate, actor_role="system", subject=AuditEvent.Subject.APPLICATION,
                   action=mine[0].action, application=mine[0], from_state="received", to_state="received",
                   reason=f"More {i}")
        for i in range(150)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        assert client.get(status).status_code == 200
    assert len(small) == len(large) <= MAX_QUERIES


def test_public_job_list(client):
    def grow(n):
        for _ in range(max(1, n // 20)):
            other = HiringActionFactory(phase=Phase.ANNOUNCEMENT)
            applications(other, 10, Status.RECEIVED)

    seen = counts(client, reverse("hiring:jobs"), grow)
    assert seen[0] == seen[1] <= MAX_QUERIES
    assert len(client.get(reverse("hiring:jobs")).context["jobs"]) == 8


def test_the_certificate_page_shows_names_a_page_at_a_time(client, action):
    """50 names a page in rank order; each name's form has its own ids; acting on a name on page 2
    comes back to page 2."""
    import re

    hr = ActionRoleFactory(action=action, role=Role.HR).user
    manager = ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user
    certificate, grow = certificate_with_names(action, hr)
    grow(60)
    client.force_login(manager)
    url = reverse("certificates:certificate", args=[certificate.pk])
    first = client.get(url)
    assert [e.rank for e in first.context["entries"]] == list(range(1, 51))
    html = first.content.decode()
    assert "Names 1 to 50 of 60" in html
    # The pager above and below the list are two landmarks, so each has its own name (axe: landmark-unique).
    assert "Pages of names, above the list" in html and "Pages of names, below the list" in html
    ids = re.findall(r'id="(e\d+_code)"', html)
    assert len(ids) == 50 and len(set(ids)) == 50
    second = client.get(url, {"from": 50})
    assert [e.rank for e in second.context["entries"]] == list(range(51, 61))
    entry = certificate.entries.get(rank=55)
    response = client.post(
        reverse("certificates:entry_act", args=[certificate.pk, entry.pk, "disposition"]),
        {"code": "NS", "version": certificate.version},
    )
    assert response.url == f"{url}?from=50#entry-{entry.pk}"
