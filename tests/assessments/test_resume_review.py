"""Resume review through the services and pages: assignment, reviewing, tiebreaks, HR quality review,
results, and the races that must not lose an update."""

from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import rules, selectors, services
from assessments.models import ConflictCheck, Recusal, ResumeReview, ReviewLoad
from hiring import services as hiring_services
from hiring.models import Application, Role
from hiring.workflow import Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    StaffFactory,
    start_resume_review,
)

pytestmark = pytest.mark.django_db
RR = ResumeReview.State


@pytest.fixture
def phase(db):
    """An action in resume review: 2 competencies, 6 released applicants, 4 SMEs who checked conflicts."""
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    competencies = [CompetencyFactory(action=action, name=n) for n in ("Research", "Delivery")]
    applications = [ApplicationFactory(action=action) for _ in range(6)]
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(4)]
    start_resume_review(action)
    for sme in smes:
        services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    hiring_services.screening_release(action_id=action.pk, actor=hr)
    return {
        "action": action,
        "hr": hr,
        "smes": smes,
        "applications": applications,
        "competencies": competencies,
    }


def review_of(application, slot):
    return ResumeReview.objects.exclude(state=RR.WITHDRAWN).get(application=application, slot=slot)


def submit(review, decision, justification=""):
    competencies = review.action.competencies.all()
    ratings = {str(c.pk): rules.MEETS for c in competencies}
    if decision == rules.DOES_NOT_MOVE_FORWARD:
        ratings[str(competencies[0].pk)] = rules.NOT_MET
        justification = (
            justification or f"The resume shows no {competencies[0].name.lower()} at the required level."
        )
    return services.resume_review_save(
        review_id=review.pk, sme=review.sme, version=review.version, ratings=ratings, experience_met=True,
        recency_met=None, justification=justification, submit=True,
    )  # fmt: skip


def test_every_released_application_gets_two_different_smes_balanced_by_load(phase):
    live = ResumeReview.objects.exclude(state=RR.WITHDRAWN)
    assert live.count() == 12
    for application in phase["applications"]:
        pair = list(live.filter(application=application).values_list("sme_id", flat=True))
        assert len(pair) == 2 and len(set(pair)) == 2
    assert sorted(Counter(live.values_list("sme_id", flat=True)).values()) == [3, 3, 3, 3]


def test_a_recused_sme_is_never_assigned_that_applicant(db):
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    CompetencyFactory(action=action)
    target = ApplicationFactory(action=action)
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(3)]
    start_resume_review(action)
    services.conflict_check_complete(action_id=action.pk, sme=smes[0], recusals={target.pk: ("personal", "")})
    for sme in smes[1:]:
        services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    hiring_services.screening_release(action_id=action.pk, actor=hr)
    assigned = set(ResumeReview.objects.filter(application=target).values_list("sme_id", flat=True))
    assert assigned == {smes[1].pk, smes[2].pk}
    # A split would need a third SME: the only one left is recused, so it waits on HR's dashboard.
    submit(review_of(target, 1), rules.MOVE_FORWARD)
    submit(review_of(target, 2), rules.DOES_NOT_MOVE_FORWARD)
    assert not ResumeReview.objects.filter(application=target, slot=3).exists()
    assert selectors._applicant_state([(1, RR.SUBMITTED, "x"), (2, RR.SUBMITTED, "y")]) == "split"


def test_a_split_creates_a_tiebreak_for_a_third_sme_whose_decision_is_final(phase):
    application = phase["applications"][0]
    first, second = review_of(application, 1), review_of(application, 2)
    submit(first, rules.MOVE_FORWARD)
    submit(second, rules.DOES_NOT_MOVE_FORWARD)
    tiebreak = review_of(application, 3)
    assert tiebreak.sme_id not in {first.sme_id, second.sme_id}
    submit(tiebreak, rules.MOVE_FORWARD)
    decisions = {r.slot: r.decision for r in ResumeReview.objects.filter(application=application)}
    assert rules.resume_outcome(decisions) == rules.Outcome("settled", rules.MOVE_FORWARD)


def test_does_not_move_forward_needs_a_justification_naming_what_is_missing(phase):
    review = review_of(phase["applications"][0], 1)
    with pytest.raises(DomainError, match="Explain in 1 to 4 sentences"):
        submit(review, rules.DOES_NOT_MOVE_FORWARD, justification=" ")
    review.refresh_from_db()
    with pytest.raises(DomainError, match="Name the unmet competency"):
        submit(review, rules.DOES_NOT_MOVE_FORWARD, justification="Not a good fit for us.")
    review.refresh_from_db()
    assert review.state == RR.ASSIGNED


def test_a_stale_form_or_a_double_submit_is_refused_and_nothing_is_lost(phase):
    review = review_of(phase["applications"][0], 1)
    version = review.version
    submit(review, rules.MOVE_FORWARD)
    review.version = version  # the same form, posted again
    with pytest.raises(DomainError, match="changed since you opened it"):
        submit(review, rules.DOES_NOT_MOVE_FORWARD)
    review.refresh_from_db()
    assert (review.state, review.decision) == (RR.SUBMITTED, rules.MOVE_FORWARD)


def test_hr_accepting_while_the_sme_amends_loses_nothing(phase):
    review = submit(review_of(phase["applications"][0], 1), rules.MOVE_FORWARD)
    seen_by_hr = review.version
    submit(review, rules.DOES_NOT_MOVE_FORWARD)  # the SME amends first
    with pytest.raises(DomainError, match="changed since you opened it"):
        services.resume_review_accept(review_id=review.pk, actor=phase["hr"], version=seen_by_hr)
    review.refresh_from_db()
    assert (review.state, review.decision) == (RR.SUBMITTED, rules.DOES_NOT_MOVE_FORWARD)


def test_a_returned_review_stops_counting_and_tops_the_smes_queue(phase):
    action, hr = phase["action"], phase["hr"]
    application = phase["applications"][-1]
    review = submit(review_of(application, 1), rules.DOES_NOT_MOVE_FORWARD)
    services.resume_review_return(
        review_id=review.pk, actor=hr, version=review.version, note="Name the competency."
    )
    review.refresh_from_db()
    assert review.state == RR.RETURNED and not review.counts
    assert selectors.next_review(sme=review.sme, action=action) == review
    with pytest.raises(DomainError, match="accepted"):
        services.resume_review_accept(review_id=review.pk, actor=hr, version=review.version)


def test_results_go_out_only_when_settled_and_accepted_with_elsm_or_iqsm(
    phase, django_capture_on_commit_callbacks
):
    hr = phase["hr"]
    passing, failing = phase["applications"][:2]
    for application, decision in ((passing, rules.MOVE_FORWARD), (failing, rules.DOES_NOT_MOVE_FORWARD)):
        for slot in (1, 2):
            submit(review_of(application, slot), decision)
    assert services.resume_results_send_all(action_id=phase["action"].pk, actor=hr) == 0  # not accepted yet
    for review in ResumeReview.objects.filter(application__in=[passing, failing], state=RR.SUBMITTED):
        services.resume_review_accept(review_id=review.pk, actor=hr, version=review.version)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resume_results_send_all(action_id=phase["action"].pk, actor=hr) == 2
    assert Application.objects.get(pk=passing.pk).status == Status.MOVED_FORWARD
    assert Application.objects.get(pk=failing.pk).status == Status.DID_NOT_MOVE_FORWARD
    assert sorted(m.subject.split("(")[-1] for m in mail.outbox) == ["ELSM)", "IQSM)"]


def test_recusing_mid_review_reassigns_to_someone_else(phase):
    application = phase["applications"][0]
    review = review_of(application, 1)
    services.recusal_declare(review_id=review.pk, sme=review.sme, reason="personal")
    replacement = review_of(application, 1)
    assert replacement.sme_id != review.sme_id
    assert Recusal.objects.filter(application=application, sme=review.sme).exists()


def test_removing_an_sme_moves_their_unfinished_reviews(phase):
    leaving = phase["smes"][0]
    done = ResumeReview.objects.filter(sme=leaving).first()
    submit(done, rules.MOVE_FORWARD)
    moved = services.sme_remove(action_id=phase["action"].pk, sme=leaving, actor=phase["hr"])
    assert moved == 2
    assert ResumeReview.objects.filter(sme=leaving).exclude(state=RR.WITHDRAWN).get() == done
    assert ResumeReview.objects.exclude(state=RR.WITHDRAWN).count() == 12


def test_an_sme_cannot_open_anothers_review_and_never_sees_their_decision(client, phase):
    application = phase["applications"][0]
    first, second = review_of(application, 1), review_of(application, 2)
    submit(first, rules.DOES_NOT_MOVE_FORWARD, justification="No research at the required level is shown.")
    client.force_login(second.sme)
    assert client.get(reverse("assessments:sme_review", args=[first.pk])).status_code == 404
    page = client.get(reverse("assessments:sme_review", args=[second.pk])).text
    assert "No research at the required level" not in page


def test_the_sme_sees_a_pdf_cut_to_the_page_limit(client, phase, settings):
    import io

    from django.core.files.base import ContentFile
    from pypdf import PdfReader

    from hiring.models import ApplicationDocument
    from tests.factories import ApplicationDocumentFactory
    from tests.hostile_uploads import long_resume

    application = phase["applications"][0]
    ApplicationDocumentFactory(
        application=application, file=ContentFile(long_resume(5), name="cv.pdf"), pages=5
    )
    Application.objects.filter(pk=application.pk).update(resume_pages=5)
    review = review_of(application, 1)
    client.force_login(review.sme)
    response = client.get(reverse("assessments:sme_review_resume", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == phase["action"].resume_page_limit == 2
    assert ApplicationDocument.objects.get(application=application).pages == 5


def test_autosave_keeps_what_was_typed_and_returns_the_new_version(client, phase):
    review = review_of(phase["applications"][0], 1)
    client.force_login(review.sme)
    response = client.post(
        reverse("assessments:sme_review_autosave", args=[review.pk]),
        {"version": review.version, "justification": "Half a thought", "experience": "yes"},
    )
    assert response.json()["saved"] is True
    review.refresh_from_db()
    assert (review.state, review.justification, review.experience_met) == (RR.DRAFT, "Half a thought", True)
    assert response.json()["version"] == review.version


def test_the_conflict_check_comes_before_any_resume(client, phase):
    newcomer = ActionRoleFactory(action=phase["action"], role=Role.SME, user=StaffFactory()).user
    client.force_login(newcomer)
    response = client.get(reverse("assessments:sme_queue", args=[phase["action"].pk]))
    assert response["Location"] == reverse("assessments:sme_conflicts", args=[phase["action"].pk])
    names = client.get(response["Location"]).text
    for application in phase["applications"]:
        assert application.applicant_name in names
    assert not ConflictCheck.objects.filter(sme=newcomer).exists()


def _bulk_phase(action, sme, count):
    start = Application.objects.count()
    apps = Application.objects.bulk_create(
        Application(action=action, applicant_name=f"Applicant {start + n}", status=Status.IN_RESUME_REVIEW)
        for n in range(count)
    )
    ResumeReview.objects.bulk_create(
        ResumeReview(application=a, action=action, sme=sme, slot=1, assigned_at=timezone.now()) for a in apps
    )


@pytest.mark.parametrize("page", ["queue", "dashboard"])
def test_queue_and_dashboard_queries_do_not_grow_with_applicants(client, page):
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    ConflictCheck.objects.create(action=action, sme=sme)
    url, user = (
        (reverse("assessments:sme_queue", args=[action.pk]), sme)
        if page == "queue"
        else (reverse("assessments:hr_resume_review", args=[action.pk]), hr)
    )
    client.force_login(user)
    counts = []
    for size in (10, 990):
        _bulk_phase(action, sme, size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 20


def test_an_autosave_never_makes_the_smes_own_submit_stale(client, phase):
    review = review_of(phase["applications"][0], 1)
    page_version = review.version
    client.force_login(review.sme)
    client.post(
        reverse("assessments:sme_review_autosave", args=[review.pk]),
        {"version": page_version, "experience": "yes"},
    )
    review.refresh_from_db()
    review.version = page_version  # the form still carries what the page loaded with
    submitted = submit(review, rules.MOVE_FORWARD)
    assert submitted.state == RR.SUBMITTED


def test_a_submitted_review_changes_only_by_submitting_an_amendment(phase):
    review = submit(review_of(phase["applications"][0], 1), rules.MOVE_FORWARD)
    with pytest.raises(DomainError, match="submit the amended review"):
        services.resume_review_save(
            review_id=review.pk, sme=review.sme, version=review.version, ratings={}, experience_met=None,
            recency_met=None, justification="", submit=False,
        )  # fmt: skip
    review.refresh_from_db()
    assert (review.state, review.decision) == (RR.SUBMITTED, rules.MOVE_FORWARD)


def test_a_conflict_declared_later_withdraws_the_assigned_review(phase):
    application = phase["applications"][0]
    review = review_of(application, 1)
    services.conflict_check_complete(
        action_id=phase["action"].pk, sme=review.sme, recusals={application.pk: ("other", "")}
    )
    assert review_of(application, 1).sme_id != review.sme_id


def test_hr_cannot_pick_the_resume_review_outcome_by_hand(phase):
    application = phase["applications"][0]
    with pytest.raises(DomainError, match="cannot become"):
        hiring_services.application_transition(
            application_id=application.pk, to_status=Status.MOVED_FORWARD, actor=phase["hr"], actor_role="hr"
        )


@pytest.mark.django_db(transaction=True)
def test_two_smes_submitting_one_applicants_reviews_at_once_both_succeed():
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("row-lock ordering needs PostgreSQL")
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    CompetencyFactory(action=action)
    application = ApplicationFactory(action=action)
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(3)]
    start_resume_review(action)
    for sme in smes:
        services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    hiring_services.screening_release(action_id=action.pk, actor=hr)
    reviews = [review_of(application, 1), review_of(application, 2)]
    barrier = threading.Barrier(2)
    errors = []

    def run(review, decision):
        barrier.wait()
        try:
            submit(review, decision)
        except Exception as error:  # the point is that nothing raises
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(reviews[0], rules.MOVE_FORWARD)),
        threading.Thread(target=run, args=(reviews[1], rules.DOES_NOT_MOVE_FORWARD)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ResumeReview.objects.filter(application=application, state=RR.SUBMITTED).count() == 2
    assert ResumeReview.objects.filter(application=application, slot=3).count() == 1
    assert stored_loads(action) == loads_from_reviews(action)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_and_accepts_keep_every_smes_counts_exact():
    """Two SMEs submit their reviews of the same 8 applicants from opposite ends while HR accepts what
    arrives; splits hand tiebreaks to the other two SMEs. Each SME's stored counts end up equal to a
    recount of their reviews: no lost update, no deadlock."""
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    CompetencyFactory(action=action)
    applications = [ApplicationFactory(action=action) for _ in range(8)]
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(4)]
    start_resume_review(action)
    for sme in smes:
        services.conflict_check_complete(action_id=action.pk, sme=sme, recusals={})
    hiring_services.screening_release(action_id=action.pk, actor=hr)
    first, second = (
        [(review_of(a, slot), rules.MOVE_FORWARD if n % 3 else rules.DOES_NOT_MOVE_FORWARD)
         for n, a in enumerate(applications)]
        for slot in (1, 2)
    )  # fmt: skip
    second = [(review, rules.MOVE_FORWARD) for review, _ in reversed(second)]
    barrier = threading.Barrier(3)
    errors = []
    finished = threading.Event()

    def reviewer(work):
        barrier.wait()
        try:
            for review, decision in work:
                submit(ResumeReview.objects.get(pk=review.pk), decision)
        except Exception as error:  # the point is that nothing raises
            errors.append(error)
        finally:
            connection.close()

    def accepter():
        barrier.wait()
        try:
            while not finished.is_set():
                for review in ResumeReview.objects.filter(action=action, state=RR.SUBMITTED):
                    services.resume_review_accept(review_id=review.pk, actor=hr, version=review.version)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reviewer, args=(work,)) for work in (first, second)]
    hr_thread = threading.Thread(target=accepter)
    for thread in [*threads, hr_thread]:
        thread.start()
    for thread in threads:
        thread.join()
    finished.set()
    hr_thread.join()
    assert errors == []
    assert ResumeReview.objects.filter(action=action, slot=3).exclude(state=RR.WITHDRAWN).count() == 3
    assert stored_loads(action) == loads_from_reviews(action)


def test_closing_resume_review_waits_for_every_result_then_sends_them(phase, client):
    action, hr = phase["action"], phase["hr"]
    with pytest.raises(DomainError, match="6 applicants are still in resume review"):
        hiring_services.hiring_action_advance_phase(
            action_id=action.pk, actor=hr, expected_phase="resume_review"
        )
    for application in phase["applications"]:
        for slot in (1, 2):
            review = submit(review_of(application, slot), rules.MOVE_FORWARD)
            services.resume_review_accept(review_id=review.pk, actor=hr, version=review.version)
    client.force_login(hr)
    page = client.get(reverse("assessments:hr_resume_review", args=[action.pk]))
    assert len(page.context["ready"]) == 6
    first = phase["applications"][0]
    client.post(reverse("assessments:hr_result_send", args=[action.pk, first.pk]))
    assert Application.objects.get(pk=first.pk).status == Status.MOVED_FORWARD
    hiring_services.hiring_action_advance_phase(action_id=action.pk, actor=hr, expected_phase="resume_review")
    assert set(Application.objects.filter(action=action).values_list("status", flat=True)) == {
        Status.MOVED_FORWARD
    }


def loads_from_reviews(action) -> dict:
    """Each SME's (live, done, open, oldest open) recounted from their reviews, for comparison."""
    loads: dict = {}
    for review in ResumeReview.objects.filter(action=action).order_by("assigned_at"):
        live, done, open_, oldest = loads.get(review.sme_id, (0, 0, 0, None))
        if review.state != RR.WITHDRAWN:
            live += 1
            if review.state in (RR.SUBMITTED, RR.ACCEPTED):
                done += 1
            else:
                open_ += 1
                oldest = oldest or review.assigned_at
        loads[review.sme_id] = (live, done, open_, oldest)
    return loads


def stored_loads(action) -> dict:
    return {
        load.sme_id: (load.assigned, load.done, load.open, load.oldest_open_at)
        for load in ReviewLoad.objects.filter(action=action)
    }


def test_each_smes_stored_counts_follow_every_kind_of_change(phase, client):
    """Assignment, submit, accept, return, a tiebreak made and then withdrawn by an amendment, a
    mid-review recusal and an SME's removal: after each, the stored counts equal a recount, and HR's
    dashboard shows them."""
    action, hr, apps, smes = phase["action"], phase["hr"], phase["applications"], phase["smes"]
    assert stored_loads(action) == loads_from_reviews(action)
    assert {done for _, done, _, _ in stored_loads(action).values()} == {0}
    accepted = submit(review_of(apps[0], 1), rules.MOVE_FORWARD)
    services.resume_review_accept(review_id=accepted.pk, actor=hr, version=accepted.version)
    returned = submit(review_of(apps[0], 2), rules.MOVE_FORWARD)
    services.resume_review_return(review_id=returned.pk, actor=hr, version=returned.version, note="Fix.")
    assert stored_loads(action) == loads_from_reviews(action)
    submit(review_of(apps[1], 1), rules.MOVE_FORWARD)
    amended = submit(review_of(apps[1], 2), rules.DOES_NOT_MOVE_FORWARD)  # split: a tiebreak
    tiebreak = review_of(apps[1], 3)
    assert stored_loads(action)[tiebreak.sme_id] == loads_from_reviews(action)[tiebreak.sme_id]
    submit(amended, rules.MOVE_FORWARD)  # the amendment agrees: the tiebreak is withdrawn
    assert ResumeReview.objects.get(pk=tiebreak.pk).state == RR.WITHDRAWN
    assert stored_loads(action) == loads_from_reviews(action)
    recusing = review_of(apps[2], 1)
    services.recusal_declare(review_id=recusing.pk, sme=recusing.sme, reason=Recusal.Reason.PERSONAL)
    assert stored_loads(action) == loads_from_reviews(action)
    services.sme_remove(action_id=action.pk, sme=smes[3], actor=hr)
    loads = loads_from_reviews(action)
    assert stored_loads(action) == loads
    client.force_login(hr)
    page = client.get(reverse("assessments:hr_resume_review", args=[action.pk]))
    shown = {
        role.user_id: (role.assigned, role.done, role.open) for role, _ in page.context["dashboard"]["smes"]
    }
    assert shown == {sme.pk: loads[sme.pk][:3] for sme in smes[:3]}


def test_the_dashboard_counts_from_stored_signatures_match_the_reviews(phase):
    apps = phase["applications"]
    submit(review_of(apps[0], 1), rules.MOVE_FORWARD)
    submit(review_of(apps[1], 1), rules.MOVE_FORWARD)
    submit(review_of(apps[1], 2), rules.DOES_NOT_MOVE_FORWARD)  # split: a tiebreak is assigned
    for slot in (1, 2):
        review = submit(review_of(apps[2], slot), rules.MOVE_FORWARD)
        services.resume_review_accept(review_id=review.pk, actor=phase["hr"], version=review.version)
    returned = submit(review_of(apps[3], 1), rules.DOES_NOT_MOVE_FORWARD)
    services.resume_review_return(
        review_id=returned.pk, actor=phase["hr"], version=returned.version, note="Fix."
    )
    expected = Counter()
    for application in Application.objects.filter(action=phase["action"], status=Status.IN_RESUME_REVIEW):
        live = ResumeReview.objects.filter(application=application).exclude(state=RR.WITHDRAWN)
        expected[selectors._applicant_state([(r.slot, r.state, r.decision) for r in live])] += 1
    dashboard = selectors.resume_review_dashboard(action=phase["action"])
    assert {key: n for key, _, n in dashboard["states"] if n} == dict(expected)
    assert expected == {"awaiting_second": 1, "split": 1, "ready": 1, "returned": 1, "awaiting_first": 2}
    assert [a.pk for a in selectors.ready_to_send(action=phase["action"])] == [apps[2].pk]
    assert services.unsettled_count(action=phase["action"]) == 5


def test_hr_works_through_quality_review_a_page_at_a_time(phase, client, monkeypatch):
    """Does Not Move Forward first, then oldest; HR can skip ahead; accepted reviews leave the list."""
    monkeypatch.setattr(selectors, "QUALITY_CHECK_PAGE", 3)
    action, hr = phase["action"], phase["hr"]
    dnmf = set()
    for n, application in enumerate(phase["applications"][:4]):
        for slot in (1, 2):
            decision = rules.DOES_NOT_MOVE_FORWARD if (n, slot) in {(1, 2), (3, 1)} else rules.MOVE_FORWARD
            review = submit(review_of(application, slot), decision)
            if decision == rules.DOES_NOT_MOVE_FORWARD:
                dnmf.add(review.pk)
    client.force_login(hr)
    url = reverse("assessments:hr_resume_review", args=[action.pk])
    first = client.get(url)
    assert "8 submitted reviews waiting" in first.content.decode()
    seen = [r.pk for r in first.context["to_check"]]
    assert set(seen[:2]) == dnmf and len(seen) == 3
    after = first.context["next_after"]
    while after:
        page = client.get(url, {"after": after})
        seen += [r.pk for r in page.context["to_check"]]
        after = page.context["next_after"]
    submitted = ResumeReview.objects.filter(action=action, state=RR.SUBMITTED)
    assert sorted(seen) == sorted(submitted.values_list("pk", flat=True)) and len(seen) == len(set(seen))
    top = first.context["to_check"][0]
    services.resume_review_accept(review_id=top.pk, actor=hr, version=top.version)
    again = client.get(url)
    assert top.pk not in [r.pk for r in again.context["to_check"]]
    assert "7 submitted reviews waiting" in again.content.decode()
    assert client.get(url, {"after": "junk"}).status_code == 200
