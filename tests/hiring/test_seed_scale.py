"""seed_scale at a small size: what HR, an SME, the hiring manager and the candidate would see agrees
with the data it generated, and the stored counts and interview rules hold."""

import json
import re
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from assessments import rules
from assessments.interviews import sheet_parts
from assessments.models import Interview, ResumeReview
from assessments.selectors import _reviews_of
from certificates.models import Certificate, Entry
from hiring.models import Application, HiringAction, User
from hiring.workflow import Phase, Status
from tests.assessments.test_resume_review import loads_from_reviews, stored_loads

pytestmark = pytest.mark.django_db

PASSWORD = "scale-password-for-tests"
LIVE = [s for s in ResumeReview.State if s != ResumeReview.State.WITHDRAWN]


@pytest.fixture
def built(tmp_path, monkeypatch):
    monkeypatch.delenv("SEED_SCALE_PASSWORD", raising=False)
    path = tmp_path / "manifest.json"
    call_command("seed_scale", applicants=300, smes=12, password=PASSWORD, manifest=str(path))
    return json.loads(path.read_text())


def signed_in(client, email):
    # django-axes checks every sign-in against its lockouts, so authenticate() needs a request.
    assert client.login(request=HttpRequest(), username=email, password=PASSWORD), email
    return client


def test_manifest_names_what_was_built(built):
    action = HiringAction.objects.get(pk=built["action_id"])
    assert action.phase == Phase.CERTIFICATE
    assert action.competencies.count() == 5
    assert {q.round for q in action.questions.all()} == {1, 2}
    assert built["applicants"] == action.applications.count() == 300
    assert built["smes"] == 12
    counts = Counter(action.applications.values_list("status", flat=True))
    assert built["counts"] == dict(counts)
    # Spread over the outcomes of every phase; nobody is still waiting in an earlier one.
    assert {Status.INELIGIBLE, Status.WITHDRAWN, Status.DID_NOT_MOVE_FORWARD, Status.REFERRED} <= set(counts)
    assert not set(counts) & {
        Status.RECEIVED,
        Status.IN_RESUME_REVIEW,
        Status.MOVED_FORWARD,
        Status.IN_ROUND_1,
    }
    assert built["reviews"] == ResumeReview.objects.filter(action=action).count()
    assert built["interviews"] == Interview.objects.filter(action=action).count()
    mine = Application.objects.get(pk=built["candidate_application_id"])
    assert mine.candidate.email == built["candidate_email"] and mine.status == Status.REFERRED
    interview = Interview.objects.get(pk=built["interview_id"])
    assert interview.sme.email == built["sme_email"] and interview.state == Interview.State.ACCEPTED
    _, competencies = sheet_parts(interview)
    assert rules.round_score(interview.ratings, competencies) == interview.score
    for email in (built["hr_email"], built["sme_email"], built["manager_email"], built["candidate_email"]):
        assert authenticate(HttpRequest(), username=email, password=PASSWORD) is not None, email
    assert isinstance(built["seconds"], float)


def test_hr_pages_show_the_generated_counts(built, client):
    signed_in(client, built["hr_email"])
    action_id = built["action_id"]
    page = client.get(reverse("hiring:hr_action_detail", args=[action_id]))
    assert page.status_code == 200
    shown = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', page.content.decode()))
    for status in Status:
        assert int(shown[status.label]) == built["counts"].get(status.value, 0), status

    page = client.get(reverse("assessments:hr_resume_review", args=[action_id]))
    assert page.status_code == 200
    body = page.content.decode()
    states = {key: int(n) for key, n in re.findall(r'data-state="(\w+)">(\d+)<', body)}
    unsent = {Status.RECEIVED, Status.INELIGIBLE, Status.IN_RESUME_REVIEW, Status.WITHDRAWN}
    sent = sum(n for status, n in built["counts"].items() if status not in unsent)
    assert states.pop("sent") == sent
    assert set(states.values()) == {0}  # resume review is over: nobody waits in it
    pairs = Application.objects.filter(action_id=action_id, resume_reviews__slot=2).count()
    rate = re.search(r"data-split-rate>([^<]+)<", body).group(1)
    assert rate == f"{round(built['tiebreaks'] / pairs * 100)}%"
    assert 15 <= built["tiebreaks"] / pairs * 100 <= 30

    assert client.get(reverse("assessments:hr_interviews", args=[action_id])).status_code == 200
    assert client.get(reverse("assessments:hr_interview", args=[built["interview_id"]])).status_code == 200


def test_the_manager_sees_the_certificate_and_the_candidate_their_status(built, client):
    certificate = Certificate.objects.get(pk=built["certificate_id"])
    referred = Application.objects.filter(action_id=built["action_id"], status=Status.REFERRED)
    assert set(certificate.entries.values_list("application_id", flat=True)) == set(
        referred.values_list("pk", flat=True)
    )
    assert [e.rank for e in certificate.entries.all()] == list(range(1, built["certificate_entries"] + 1))
    page = signed_in(client, built["manager_email"]).get(
        reverse("certificates:certificate", args=[certificate.pk])
    )
    assert page.status_code == 200
    assert page.content.decode().count("data-entry=") == built["certificate_entries"] == Entry.objects.count()

    client.logout()
    page = signed_in(client, built["candidate_email"]).get(
        reverse("hiring:candidate_application_status", args=[built["candidate_application_id"]])
    )
    assert page.status_code == 200
    assert Status.REFERRED.label in page.content.decode()
    # Their timeline: every status they passed through, received to referred.
    assert Application.objects.get(pk=built["candidate_application_id"]).notices.count() == 7


def test_sme_pages_answer(built, client):
    signed_in(client, built["sme_email"])
    action_id = built["action_id"]
    assert client.get(reverse("assessments:sme_home")).status_code == 200
    assert client.get(reverse("assessments:sme_queue", args=[action_id])).status_code == 200
    assert client.get(reverse("assessments:sme_interviews", args=[action_id])).status_code == 200
    assert client.get(reverse("assessments:sme_sheet", args=[built["interview_id"]])).status_code == 200


def test_stored_counts_equal_a_recount(built):
    action = HiringAction.objects.get(pk=built["action_id"])
    assert stored_loads(action) == loads_from_reviews(action)
    live = defaultdict(list)
    for application_id, slot, state, decision in ResumeReview.objects.filter(
        action=action, state__in=LIVE
    ).values_list("application_id", "slot", "state", "decision"):
        live[application_id].append((slot, state, decision))
    for pk, signature in action.applications.values_list("pk", "review_signature"):
        assert _reviews_of(signature) == sorted(live[pk]), pk
    # Two reviews each for everyone reviewed, a tiebreak exactly where the first two disagree.
    for reviews in filter(None, live.values()):
        decisions = {slot: decision for slot, _, decision in reviews}
        assert (3 in decisions) == (decisions[1] != decisions[2])


def test_interviews_follow_the_rules(built):
    interviews = list(Interview.objects.filter(action_id=built["action_id"]))
    by_application = defaultdict(dict)
    for interview in interviews:
        by_application[interview.application_id][interview.round] = interview.sme_id
    assert all(rounds[1] != rounds[2] for rounds in by_application.values() if 2 in rounds)
    starts = defaultdict(list)
    for sme_id, start in Interview.objects.filter(starts_at__isnull=False).values_list("sme_id", "starts_at"):
        starts[sme_id].append(timezone.localtime(start))
    for times in starts.values():
        for i, start in enumerate(times):
            assert rules.booking_problem(start=start, existing=times[:i] + times[i + 1 :]) is None
    scored = [i for i in interviews if i.state == Interview.State.ACCEPTED]
    assert scored and all(i.starts_at < timezone.now() and i.score is not None for i in scored)


def test_a_second_run_builds_a_second_action_and_leaves_the_first_alone(built):
    first = HiringAction.objects.get(pk=built["action_id"])
    statuses = list(first.applications.order_by("pk").values_list("status", flat=True))
    call_command("seed_scale", applicants=300, smes=12, password=PASSWORD)
    assert HiringAction.objects.filter(title=first.title).count() == 2
    assert User.objects.filter(email__endswith="@scale.test").count() == 15
    assert list(first.applications.order_by("pk").values_list("status", flat=True)) == statuses
    # The second action's interviews come before the first's, so no SME is booked twice (rule 23).
    starts = defaultdict(list)
    for sme_id, start in Interview.objects.filter(starts_at__isnull=False).values_list("sme_id", "starts_at"):
        starts[sme_id].append(timezone.localtime(start))
    for times in starts.values():
        for i, start in enumerate(times):
            assert rules.booking_problem(start=start, existing=times[:i] + times[i + 1 :]) is None


def test_it_refuses_without_a_password(monkeypatch):
    monkeypatch.delenv("SEED_SCALE_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="password"):
        call_command("seed_scale", applicants=300, smes=12)
    assert not HiringAction.objects.exists()
