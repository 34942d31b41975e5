"""Structured interviews through the services and pages: groups, assignment, invitations, scheduling
limits, score sheets, HR review, round scores and statuses, reminders, and the races."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from assessments import ics, interview_selectors, interviews, rules
from assessments.interview_forms import slot_key
from assessments.models import Interview, InterviewerSeat, Recusal
from hiring import services as hiring_services
from hiring.models import Application, Notice, Role
from hiring.workflow import Actor, NoticeCode, Phase, Status
from smeqa.errors import DomainError
from tests.factories import (
    ActionRoleFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    InterviewQuestionFactory,
    start_resume_review,
)

pytestmark = pytest.mark.django_db
IV = Interview.State


def local(day_offset: int, hour: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=day_offset), time(hour))
    )


@pytest.fixture
def phase(db):
    """An action in assessments: 2 competencies, 2 round-1 questions and 1 round-2 question, 4 applicants
    who moved forward, 3 SMEs (round 1: A and B; round 2: B and C), each available tomorrow 9-17."""
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    research, delivery = (CompetencyFactory(action=action, name=n) for n in ("Research", "Delivery"))
    q1 = InterviewQuestionFactory(action=action, round=1, order=1, competencies=[research])
    q2 = InterviewQuestionFactory(action=action, round=1, order=2, competencies=[delivery])
    q3 = InterviewQuestionFactory(action=action, round=2, order=1, competencies=[research, delivery])
    applications = [ApplicationFactory(action=action) for _ in range(4)]
    start_resume_review(action)
    for application in applications:
        for step in (Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD):
            hiring_services.application_transition(
                application_id=application.pk,
                to_status=step,
                actor=None,
                actor_role=Actor.SYSTEM,
                reason="test",
            )
    action = hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(3)]
    for round_, members in ((1, smes[:2]), (2, smes[1:])):
        for sme in members:
            interviews.interviewer_seat_add(action_id=action.pk, hr=hr, round=round_, sme_id=sme.pk)
    for sme in smes:
        interviews.availability_add(action_id=action.pk, sme=sme, starts_at=local(1, 9), ends_at=local(1, 17))
    return {
        "action": action,
        "hr": hr,
        "smes": smes,
        "applications": applications,
        "competencies": [research, delivery],
        "questions": {1: [q1, q2], 2: [q3]},
    }


def interview_of(application, round_=1) -> Interview:
    return Interview.objects.exclude(state=IV.WITHDRAWN).get(application=application, round=round_)


def invite(phase, round_=1):
    return interviews.invitations_send(
        action_id=phase["action"].pk,
        round=round_,
        hr=phase["hr"],
        respond_by=timezone.now() + timedelta(days=2),
    )


def book(interview, starts_at):
    interview.refresh_from_db()
    return interviews.interview_book(
        interview_id=interview.pk, starts_at=starts_at, version=interview.version, actor=None, by_hr=False
    )


def held(interview):
    """The interview took place: its hour is now in the past (what the clock would do)."""
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    interview.refresh_from_db()
    return interview


def score_sheet(interview, ratings, *, notes="She described the study she ran.", analysis="Clear evidence."):
    questions, competencies = interviews.sheet_parts(interview)
    return interviews.sheet_save(
        interview_id=interview.pk,
        sme=interview.sme,
        notes={str(q.pk): notes for q in questions},
        ratings={str(cid): rating for cid, rating in zip(competencies, ratings, strict=True)},
        analysis=analysis,
    )


def submit(interview):
    interview.refresh_from_db()
    return interviews.sheet_submit(interview_id=interview.pk, sme=interview.sme, version=interview.version)


def accept(phase, interview):
    interview.refresh_from_db()
    return interviews.sheet_accept(interview_id=interview.pk, hr=phase["hr"], version=interview.version)


def through_round(phase, application, round_, ratings, slot):
    """Book, hold, score, submit and accept one interview of `application`."""
    interview = interview_of(application, round_)
    if interview.state == IV.ASSIGNED:
        invite(phase, round_)
    book(interview, slot)
    held(interview)
    score_sheet(interview, ratings)
    submit(interview)
    return accept(phase, interview)


# --- rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "score"),
    [
        (["meets", "meets"], 1),
        (["meets", "exceeds"], 2),
        (["exceeds", "exceeds"], 2),
        (["exceeds", "does_not_meet"], 0),
        (["does_not_meet", ""], 0),
        (["meets", ""], None),
        ([], None),
    ],
)
def test_round_score_is_0_if_any_competency_is_not_met_2_if_all_met_and_one_exceeded_else_1(ratings, score):
    values = {str(i): r for i, r in enumerate(ratings)}
    assert rules.round_score(values, range(len(ratings))) == score


def test_booking_allows_three_a_day_with_breaks_and_refuses_a_fourth_an_overlap_and_back_to_back():
    day = local(1, 9)
    hour = timedelta(hours=1)
    booked = [day, day + 2 * hour, day + 4 * hour]
    assert (
        rules.booking_problem(start=day + 6 * hour, existing=booked)
        == "The interviewer already has 3 interviews that day."
    )
    assert "back to back" in rules.booking_problem(start=day + 3 * hour, existing=[booked[0], day + 2 * hour])
    assert "back to back" in rules.booking_problem(start=day + hour, existing=[day])
    assert "already has an interview" in rules.booking_problem(
        start=day + timedelta(minutes=30), existing=[day]
    )
    assert rules.booking_problem(start=day + 2 * hour, existing=[day]) is None
    assert rules.booking_problem(start=day + timedelta(days=1), existing=booked) is None


def test_pick_interviewer_takes_the_least_loaded_not_excluded():
    assert rules.pick_interviewer(loads={1: 3, 2: 1, 3: 1}, excluded=set()) == 2
    assert rules.pick_interviewer(loads={1: 3, 2: 1, 3: 1}, excluded={2}) == 3
    assert rules.pick_interviewer(loads={1: 0}, excluded={1}) is None


def test_sheet_problems_name_each_missing_note_rating_and_the_analysis():
    problems = rules.sheet_problems(
        notes={"10": "said things", "11": "  "},
        question_ids=[10, 11],
        ratings={"5": "meets"},
        competencies={5: "Research", 6: "Delivery"},
        analysis="",
    )
    assert problems == ["Notes for question 2", "A rating for “Delivery”", "The interview analysis"]


def test_calendar_files_escape_text_and_fold_long_lines():
    text = ics.event(
        uid="x@smeqa",
        starts_at=local(1, 10),
        ends_at=local(1, 11),
        summary="Interview; round 1, for “Ops”",
        description="A" * 200,
    )
    assert "SUMMARY:Interview\\; round 1\\, for “Ops”" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "A" * 200 in unfolded
    assert f"DTSTART:{local(1, 10).astimezone(timezone.UTC):%Y%m%dT%H%M%SZ}" in text


# --- assignment ------------------------------------------------------------------------------------


def test_round_1_assignment_balances_the_group_respects_recusals_and_moves_applicants_to_round_1(phase):
    a, b, _ = phase["smes"]
    first = phase["applications"][0]
    Recusal.objects.create(application=first, sme=a, reason=Recusal.Reason.PERSONAL)
    assigned, left = interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    assert (assigned, left) == (4, 0)
    assert interview_of(first).sme == b
    loads = {sme: Interview.objects.filter(sme=sme, round=1).count() for sme in (a, b)}
    assert loads == {a: 2, b: 2}
    assert set(Application.objects.filter(action=phase["action"]).values_list("status", flat=True)) == {
        Status.IN_ROUND_1
    }
    # Running it again assigns nobody twice.
    assert interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"]) == (0, 0)


def test_an_applicant_every_interviewer_is_recused_from_is_left_for_hr_to_resolve(phase):
    first = phase["applications"][0]
    for sme in phase["smes"][:2]:
        Recusal.objects.create(application=first, sme=sme, reason=Recusal.Reason.OTHER)
    assert interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"]) == (3, 1)
    assert not Interview.objects.filter(application=first).exists()
    first.refresh_from_db()
    assert first.status == Status.MOVED_FORWARD


def test_an_interviewer_who_recuses_loses_the_interview_and_the_candidate_is_told(
    phase, client, django_capture_on_commit_callbacks
):
    from assessments import services as review_services

    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    ada = phase["applications"][0]
    interview = interview_of(ada)
    book(interview, local(1, 9))
    recused_sme = interview.sme
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.conflict_check_complete(
            action_id=phase["action"].pk, sme=recused_sme, recusals={ada.pk: (Recusal.Reason.OTHER, "")}
        )
    interview.refresh_from_db()
    assert interview.state == IV.WITHDRAWN
    told = [m for m in mail.outbox if ada.candidate.email in m.to]
    assert len(told) == 1 and "new invitation" in told[0].body
    # The old link says so; the recused SME cannot open the interview.
    page = client.get(reverse("assessments:interview_schedule", args=[interview.token])).content.decode()
    assert "This link no longer works" in page
    # HR's next assignment gives the applicant someone else.
    assert interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"]) == (1, 0)
    replacement = Interview.objects.get(application=ada, round=1, state=IV.ASSIGNED)
    assert replacement.sme_id != recused_sme.pk


def test_assignment_needs_the_assessments_phase_and_a_group(phase):
    InterviewerSeat.objects.filter(action=phase["action"], round=1).delete()
    with pytest.raises(DomainError, match="Place at least one SME in the round 1 interviewers"):
        interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    other = HiringActionFactory()
    with pytest.raises(DomainError, match="Only the action's hr specialist"):
        interviews.interviews_assign(action_id=other.pk, round=1, actor=phase["hr"])


def test_only_an_sme_of_the_action_can_sit_in_a_group(phase):
    outsider = ActionRoleFactory(role=Role.SME).user
    with pytest.raises(DomainError, match="subject matter expert on the action first"):
        interviews.interviewer_seat_add(
            action_id=phase["action"].pk, hr=phase["hr"], round=1, sme_id=outsider.pk
        )


# --- invitations and scheduling ---------------------------------------------------------------------


def test_invitations_carry_the_link_the_deadline_the_removal_warning_and_a_calendar_file(
    phase, django_capture_on_commit_callbacks
):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    mail.outbox.clear()
    with pytest.raises(DomainError, match="at least 24 hours"):
        interviews.invitations_send(
            action_id=phase["action"].pk,
            round=1,
            hr=phase["hr"],
            respond_by=timezone.now() + timedelta(hours=3),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(phase) == 4
    assert len(mail.outbox) == 4
    message = mail.outbox[0]
    interview = Interview.objects.get(application__candidate__email=message.to[0])
    assert interview.state == IV.INVITED
    assert interviews.scheduling_link(interview) in message.body
    assert "removed from consideration" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "Deadline" in content


def test_the_candidate_books_an_offered_time_and_the_hour_and_its_neighbours_stop_being_offered(
    phase, client, django_capture_on_commit_callbacks
):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    a = phase["smes"][0]
    mine = list(Interview.objects.filter(sme=a, round=1).order_by("pk"))
    ten = local(1, 10)
    assert ten in interviews.offered_slots(mine[0])
    url = reverse("assessments:interview_schedule", args=[mine[0].token])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"starts_at": slot_key(ten), "version": mine[0].version})
    assert response.status_code == 302
    mine[0].refresh_from_db()
    assert (mine[0].state, mine[0].starts_at) == (IV.SCHEDULED, ten)
    confirmation = mail.outbox[-1]
    assert "BEGIN:VEVENT" in confirmation.attachments[0][1] and "SEQUENCE:1" in confirmation.attachments[0][1]
    offered = interviews.offered_slots(mine[1])
    assert ten not in offered and local(1, 9) not in offered and local(1, 11) not in offered
    assert local(1, 12) in offered
    with pytest.raises(DomainError, match="just taken or is no longer available"):
        book(mine[1], local(1, 11))


def test_an_sme_never_gets_a_fourth_interview_in_a_day(phase):
    b = phase["smes"][1]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    # Move everyone to SME B so one person's day fills up.
    Interview.objects.filter(action=phase["action"]).update(sme=b)
    booked = list(Interview.objects.filter(action=phase["action"]).order_by("pk"))
    for interview, hour in zip(booked[:3], (9, 11, 13), strict=True):
        book(interview, local(1, hour))
    assert interviews.offered_slots(booked[3]) == []
    with pytest.raises(DomainError, match="no longer available"):
        book(booked[3], local(1, 15))


def test_cancelling_frees_the_hour_and_asks_the_candidate_to_choose_again(
    phase, django_capture_on_commit_callbacks
):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    mine = list(Interview.objects.filter(sme=phase["smes"][0], round=1).order_by("pk"))
    book(mine[0], local(1, 10))
    assert local(1, 10) not in interviews.offered_slots(mine[1])
    mine[0].refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        interviews.interview_cancel(interview_id=mine[0].pk, version=mine[0].version, actor=None, by_hr=False)
    mine[0].refresh_from_db()
    assert (mine[0].state, mine[0].starts_at) == (IV.INVITED, None)
    assert local(1, 10) in interviews.offered_slots(mine[1])
    assert "METHOD:CANCEL" in mail.outbox[-1].attachments[0][1]


def test_a_stale_page_cannot_book_and_a_passed_deadline_is_refused_to_the_candidate(phase):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(phase["applications"][0])
    with pytest.raises(DomainError, match="changed since you loaded the page"):
        interviews.interview_book(
            interview_id=interview.pk,
            starts_at=local(1, 10),
            version=interview.version - 1,
            actor=None,
            by_hr=False,
        )
    Interview.objects.filter(pk=interview.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="deadline to choose a time has passed"):
        book(interview, local(1, 10))
    # HR may still place the candidate by hand.
    interview.refresh_from_db()
    interviews.interview_book(
        interview_id=interview.pk,
        starts_at=local(1, 10),
        version=interview.version,
        actor=phase["hr"],
        by_hr=True,
    )
    assert Interview.objects.get(pk=interview.pk).state == IV.SCHEDULED


def test_failure_to_respond_only_after_the_deadline_and_it_removes_the_applicant_with_a_notice(phase):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(phase["applications"][0])
    with pytest.raises(DomainError, match="only after the deadline"):
        interviews.no_response_record(interview_id=interview.pk, version=interview.version, hr=phase["hr"])
    Interview.objects.filter(pk=interview.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    interviews.no_response_record(interview_id=interview.pk, version=interview.version, hr=phase["hr"])
    application = Application.objects.get(pk=interview.application_id)
    assert application.status == Status.NO_RESPONSE
    assert "not responding by the deadline would remove you" in application.notices.last().body


def test_reminders_go_once_in_the_last_day_before_the_deadline(phase, django_capture_on_commit_callbacks):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    first = interview_of(phase["applications"][0])
    book(first, local(1, 10))
    assert interviews.reminders_send() == 0  # deadline is two days away
    later = timezone.now() + timedelta(days=1, hours=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert interviews.reminders_send(now=later) == 3  # the booked candidate is not reminded
        assert interviews.reminders_send(now=later) == 0
    assert len(mail.outbox) == 3
    assert all("Reminder" in m.subject and "removed from consideration" in m.body for m in mail.outbox)


# --- score sheets and rounds ------------------------------------------------------------------------


def test_submit_names_what_is_missing_and_keeps_the_draft(phase):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(phase["applications"][0])
    book(interview, local(1, 10))
    with pytest.raises(DomainError, match="once the interview has started"):
        submit(interview)
    held(interview)
    q1, _ = phase["questions"][1]
    interviews.sheet_save(
        interview_id=interview.pk, sme=interview.sme, notes={str(q1.pk): "Talked about a survey."},
        ratings={str(phase["competencies"][0].pk): "meets"}, analysis=None,
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        submit(interview)
    assert "Notes for question 2" in refused.value.message
    assert "A rating for “Delivery”" in refused.value.message
    assert "The interview analysis" in refused.value.message
    interview.refresh_from_db()
    assert interview.state == IV.SCHEDULED and interview.notes[str(q1.pk)] == "Talked about a survey."


def test_two_rounds_with_different_interviewers_and_the_computed_scores_decide_the_status(phase):
    """Ada passes both rounds (Qualified), Ben fails round 2 (IQFI), Cora fails round 1 (IQFI)."""
    ada, ben, cora, _ = phase["applications"]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    through_round(phase, ada, 1, ["meets", "exceeds"], local(1, 9))
    ada.refresh_from_db()
    assert ada.status == Status.IN_ROUND_2
    # Round 2 was assigned as soon as round 1 was accepted, to someone else.
    assert interview_of(ada, 2).sme != interview_of(ada, 1).sme
    through_round(phase, ada, 2, ["meets", "meets"], local(1, 13))
    through_round(phase, ben, 1, ["meets", "meets"], local(1, 11))
    through_round(phase, ben, 2, ["does_not_meet", "exceeds"], local(1, 15))
    through_round(phase, cora, 1, ["does_not_meet", "meets"], local(1, 13))
    statuses = dict(Application.objects.filter(pk__in=[ada.pk, ben.pk, cora.pk]).values_list("pk", "status"))
    assert statuses == {
        ada.pk: Status.QUALIFIED,
        ben.pk: Status.FAILED_ASSESSMENT,
        cora.pk: Status.FAILED_ASSESSMENT,
    }
    assert [interview_of(ada, 1).score, interview_of(ada, 2).score] == [2, 1]
    assert interview_of(ben, 2).score == 0
    assert Notice.objects.filter(application=ben, code=NoticeCode.IQFI).count() == 1
    for application in (ada, ben):
        assert interview_of(application, 1).sme_id != interview_of(application, 2).sme_id


def test_a_returned_sheet_does_not_count_until_fixed_and_accepted(phase):
    ada = phase["applications"][0]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(ada)
    book(interview, local(1, 9))
    held(interview)
    score_sheet(interview, ["meets", "meets"], analysis="Fine.")
    submit(interview)
    interview.refresh_from_db()
    with pytest.raises(DomainError, match="Tell the interviewer what to fix"):
        interviews.sheet_return(
            interview_id=interview.pk, hr=phase["hr"], version=interview.version, note=" "
        )
    interviews.sheet_return(
        interview_id=interview.pk, hr=phase["hr"], version=interview.version, note="Explain the ratings."
    )
    ada.refresh_from_db()
    assert ada.status == Status.IN_ROUND_1
    with pytest.raises(DomainError, match="Only a submitted score sheet can be accepted"):
        accept(phase, interview)
    score_sheet(
        interview, ["meets", "meets"], analysis="She met both competencies: the survey and the release."
    )
    submit(interview)
    accept(phase, interview)
    ada.refresh_from_db()
    assert ada.status == Status.IN_ROUND_2


def test_a_no_show_goes_to_hr_who_records_fr_or_offers_new_times(phase):
    ada, ben = phase["applications"][:2]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    for application, hour in ((ada, 9), (ben, 11)):
        interview = interview_of(application)
        book(interview, local(1, hour))
        held(interview)
        interviews.sheet_no_show(interview_id=interview.pk, sme=interview.sme, version=interview.version)
    first, second = interview_of(ada), interview_of(ben)
    assert first.no_show and first.state == IV.SUBMITTED and "No-show" in first.analysis
    with pytest.raises(DomainError, match="Only a submitted score sheet can be accepted"):
        accept(phase, first)
    interviews.no_response_record(interview_id=first.pk, version=first.version, hr=phase["hr"])
    interviews.interview_reoffer(
        interview_id=second.pk,
        version=second.version,
        hr=phase["hr"],
        respond_by=timezone.now() + timedelta(days=2),
    )
    ada.refresh_from_db()
    second.refresh_from_db()
    assert ada.status == Status.NO_RESPONSE
    assert (second.state, second.starts_at, second.no_show) == (IV.INVITED, None, False)
    assert second.submitted_at is None and not second.analysis.startswith("No-show")


def test_the_sme_pages_show_only_their_own_interview_and_never_round_1_to_the_round_2_interviewer(
    phase, client
):
    ada = phase["applications"][0]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(ada)
    book(interview, local(1, 9))
    held(interview)
    score_sheet(interview, ["meets", "exceeds"], notes="ROUND-ONE-TRANSCRIPT")
    submit(interview)
    accept(phase, interview)
    second = interview_of(ada, 2)
    client.force_login(second.sme)
    page = client.get(reverse("assessments:sme_sheet", args=[second.pk]))
    assert page.status_code == 200
    assert "ROUND-ONE-TRANSCRIPT" not in page.content.decode()
    if interview.sme_id != second.sme_id:
        assert client.get(reverse("assessments:sme_sheet", args=[interview.pk])).status_code == 404
    client.force_login(phase["hr"])
    hr_page = client.get(reverse("assessments:hr_interview", args=[interview.pk])).content.decode()
    assert "ROUND-ONE-TRANSCRIPT" in hr_page


def test_autosave_merges_the_fields_it_carries_and_is_refused_after_submit(phase, client):
    ada = phase["applications"][0]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(ada)
    book(interview, local(1, 9))
    q1, q2 = phase["questions"][1]
    client.force_login(interview.sme)
    url = reverse("assessments:sme_sheet_autosave", args=[interview.pk])
    interview.refresh_from_db()
    for field, text in ((f"notes_{q1.pk}", "from tab one"), (f"notes_{q2.pk}", "from tab two")):
        response = client.post(url, {field: text, "version": interview.version})
        assert response.json()["saved"] is True
    interview.refresh_from_db()
    assert interview.notes == {str(q1.pk): "from tab one", str(q2.pk): "from tab two"}
    held(interview)
    score_sheet(interview, ["meets", "meets"])
    submit(interview)
    response = client.post(url, {f"notes_{q1.pk}": "late", "version": interview.version})
    assert response.status_code == 409 and "can no longer be changed" in response.json()["message"]


def test_the_hr_dashboard_counts_interviews_by_round_and_state(phase, client):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    book(interview_of(phase["applications"][0]), local(1, 9))
    dashboard = interview_selectors.interviews_dashboard(action=phase["action"])
    round_1 = dashboard["rounds"][0]
    counts = {state: n for state, _, n in round_1["counts"]}
    assert counts[IV.INVITED] == 3 and counts[IV.SCHEDULED] == 1
    client.force_login(phase["hr"])
    page = client.get(reverse("assessments:hr_interviews", args=[phase["action"].pk])).content.decode()
    assert 'data-round="1" data-state="scheduled">1<' in page


def test_the_hr_dashboard_leaves_out_interviews_of_applicants_who_withdrew(phase, client):
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    ada = phase["applications"][0]
    before = {
        s: n
        for s, _, n in interview_selectors.interviews_dashboard(action=phase["action"])["rounds"][0]["counts"]
    }
    hiring_services.application_transition(
        application_id=ada.pk, to_status=Status.WITHDRAWN, actor=ada.candidate, actor_role=Actor.CANDIDATE,
        reason="Withdrawn by the candidate.",
    )  # fmt: skip
    dashboard = interview_selectors.interviews_dashboard(action=phase["action"])
    counts = {state: n for state, _, n in dashboard["rounds"][0]["counts"]}
    assert counts[IV.INVITED] == before[IV.INVITED] - 1
    assert dashboard["interview_total"] == len(dashboard["interviews"]) == before[IV.INVITED] - 1
    client.force_login(phase["hr"])
    page = client.get(reverse("assessments:hr_interviews", args=[phase["action"].pk])).content.decode()
    assert f'data-round="1" data-state="invited">{before[IV.INVITED] - 1}<' in page
    assert ada.applicant_name not in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_autosave_and_submit_of_one_sheet_lose_nothing(phase):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    ada = phase["applications"][0]
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(ada)
    book(interview, local(1, 9))
    held(interview)
    q1, q2 = phase["questions"][1]
    research, delivery = phase["competencies"]
    for attempt in range(100):
        Interview.objects.filter(pk=interview.pk).update(
            state=IV.SCHEDULED, notes={}, ratings={}, analysis=""
        )
        interview.refresh_from_db()
        barrier = threading.Barrier(2)
        autosaved = f"autosaved {attempt}"

        def autosave(barrier=barrier, autosaved=autosaved):
            close_old_connections()
            try:
                barrier.wait()
                interviews.sheet_save(
                    interview_id=interview.pk, sme=interview.sme, notes={str(q2.pk): autosaved}, ratings={},
                    analysis=None,
                )  # fmt: skip
            except DomainError:
                pass  # it lost the race to the submit and was told so; it overwrote nothing
            finally:
                connection.close()

        def save_and_submit(barrier=barrier, autosaved=autosaved):
            close_old_connections()
            try:
                barrier.wait()
                interviews.sheet_save(
                    interview_id=interview.pk, sme=interview.sme,
                    notes={str(q1.pk): "typed", str(q2.pk): autosaved},
                    ratings={str(research.pk): "meets", str(delivery.pk): "exceeds"}, analysis="Both met.",
                )  # fmt: skip
                interviews.sheet_submit(
                    interview_id=interview.pk, sme=interview.sme, version=interview.version
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=autosave), threading.Thread(target=save_and_submit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        interview.refresh_from_db()
        assert interview.state == IV.SUBMITTED
        assert interview.notes == {str(q1.pk): "typed", str(q2.pk): autosaved}
        assert interview.score == 2


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_one_sheet_at_once_100_times_lose_no_update(phase):
    """Two saves of different parts of one sheet (two tabs, or an autosave racing a click), started
    together 100 times: each time, both survive. Without the row lock one read-modify-write would
    overwrite the other's fields with what it read before."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes writers anyway")
    interviews.interviews_assign(action_id=phase["action"].pk, round=1, actor=phase["hr"])
    invite(phase)
    interview = interview_of(phase["applications"][0])
    book(interview, local(1, 9))
    q1, q2 = (str(q.pk) for q in phase["questions"][1])
    research, delivery = (str(c.pk) for c in phase["competencies"])
    lost = []
    for attempt in range(100):
        Interview.objects.filter(pk=interview.pk).update(notes={}, ratings={}, analysis="")
        barrier = threading.Barrier(2)

        def save(notes, ratings, analysis, barrier=barrier):
            close_old_connections()
            try:
                barrier.wait()
                interviews.sheet_save(
                    interview_id=interview.pk,
                    sme=interview.sme,
                    notes=notes,
                    ratings=ratings,
                    analysis=analysis,
                )
            finally:
                connection.close()

        tabs = [
            threading.Thread(target=save, args=({q1: f"tab A {attempt}"}, {research: "meets"}, None)),
            threading.Thread(
                target=save, args=({q2: f"tab B {attempt}"}, {delivery: "exceeds"}, f"B {attempt}")
            ),
        ]
        for tab in tabs:
            tab.start()
        for tab in tabs:
            tab.join()
        interview.refresh_from_db()
        expected = (
            {q1: f"tab A {attempt}", q2: f"tab B {attempt}"},
            {research: "meets", delivery: "exceeds"},
            f"B {attempt}",
        )
        if (interview.notes, interview.ratings, interview.analysis) != expected:
            lost.append(attempt)
    assert lost == []


def test_hr_removes_an_interviewer_by_name_and_only_one_seated_in_that_round(phase, client):
    a, b, c = phase["smes"]
    client.force_login(phase["hr"])
    url = reverse("assessments:hr_seat_remove", args=[phase["action"].pk, 1])
    dashboard = reverse("assessments:hr_interviews", args=[phase["action"].pk])
    page = client.get(dashboard).content.decode()
    assert f'<option value="{a.pk}">{a.full_name} ({a.email})</option>' in page
    # C sits only in round 2: naming them for round 1 removes nobody and says what to do.
    refused = client.post(url, {"sme": c.pk}, follow=True).content.decode()
    assert "Choose a round 1 interviewer to remove." in refused
    assert InterviewerSeat.objects.filter(action=phase["action"], round=2, sme=c).exists()
    done = client.post(url, {"sme": a.pk}, follow=True).content.decode()
    assert "Removed from the round 1 interviewers." in done
    seated = set(
        InterviewerSeat.objects.filter(action=phase["action"], round=1).values_list("sme_id", flat=True)
    )
    assert seated == {b.pk}
