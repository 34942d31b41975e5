"""Structured interviews (phase 4) through Chromium: 4 candidates, 3 SMEs, two rounds. HR places SMEs
in round groups and invites; SMEs publish availability; candidates book from their email link (HR
places one by hand); SMEs fill score sheets (one no-show, one sheet returned and fixed); accepted
round-1 scores of 1 or 2 move applicants to round 2 with a different interviewer; statuses and the
candidates' status pages come out right."""

import re
from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Interview
from hiring import services as hiring_services
from hiring.models import Application, Notice, Role
from hiring.workflow import Actor, Phase, Status
from tests.factories import (
    TEST_PASSWORD,
    ActionRoleFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    InterviewQuestionFactory,
    UserFactory,
    start_resume_review,
)

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"
QUALIFIED, FAILED, NO_SHOW, FAILED_ROUND_1 = "Ada Byron", "Ben Okafor", "Cora Lindqvist", "Dev Patel"
RATING = {"Does not meet": 0, "Meets": 1, "Exceeds": 2}  # RATING_CHOICES order: the radio's index
ADA_ROUND_1_NOTE = "Built a churn model in R; shipped it to the marketing team in 2023."


def staff(action, role, email, name):
    user = ActionRoleFactory(action=action, role=role, user__email=email, user__full_name=name).user
    user.set_password(PASSWORD)
    user.save()
    return user


def live(interview_of: Application, round: int) -> Interview:
    return Interview.objects.exclude(state=Interview.State.WITHDRAWN).get(
        application=interview_of, round=round
    )


def email_to(candidate, subject_starts: str):
    found = [m for m in mail.outbox if m.to == [candidate.email] and m.subject.startswith(subject_starts)]
    assert found, (
        f"no email to {candidate.email} starting {subject_starts!r}: {[m.subject for m in mail.outbox]}"
    )
    return found[-1]


def calendar_of(message) -> str:
    files = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(files) == 1, f"expected one .ics attachment on {message.subject!r}"
    assert files[0][2] == "text/calendar"
    return files[0][1]


def scheduling_path(message, live_server) -> str:
    """The link in the email names SITE_URL; the browser follows it on the live server instead."""
    match = re.search(re.escape(settings.SITE_URL) + r"/interview/[0-9a-f-]+/", message.body)
    assert match, message.body
    return match.group(0).replace(settings.SITE_URL, live_server.url)


def book_first_time(page, url: str, name: str | None = None) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile("^Your interview for"))).to_be_visible()
    if name:
        check_page(page, name)
    page.locator("label[for=id_starts_at_0]").click()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Your interview is booked for")).to_be_visible()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()


def interview_has_started(*interviews: Interview) -> None:
    # Simulate time passing: sheets and no-shows are refused until the interview has started, so the
    # booked hour (3 days ahead) is moved two hours into the past through the ORM.
    Interview.objects.filter(pk__in=[i.pk for i in interviews]).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )


def rate(page, competency, rating: str) -> None:
    label = page.locator(f"label[for=id_rating_{competency.pk}_{RATING[rating]}]")
    expect(label).to_have_text(rating)
    label.click()


def fill_sheet(page, notes: list[str], ratings: dict, analysis: str) -> None:
    for position, text in enumerate(notes, start=1):
        page.get_by_label(f"Notes for question {position}").fill(text)
    for competency, rating in ratings.items():
        rate(page, competency, rating)
    page.get_by_label("Interview analysis").fill(analysis)


def submit_sheet(page, name: str) -> None:
    page.get_by_role("button", name="Submit to HR").click()
    expect(page.get_by_text(f"Score sheet for {name} sent to HR.")).to_be_visible()


def accept(page, interview: Interview, score: int, becomes: Status) -> None:
    page.goto(f"/hr/interviews/{interview.pk}/")
    page.get_by_role("button", name=f"Accept: score {score} counts").click()
    expect(page.get_by_text(f"Accepted. Round {interview.round} score {score}: ")).to_contain_text(
        f"is now “{becomes.label}”"
    )


def test_two_rounds_of_structured_interviews(page, live_server):
    action = HiringActionFactory(title="Data Scientist")
    hr = staff(action, Role.HR, "hr.iv@example.test", "Hana Reyes")
    analysis = CompetencyFactory(action=action, name="Data analysis")
    communication = CompetencyFactory(action=action, name="Communication")
    InterviewQuestionFactory(
        action=action, round=1, competencies=[analysis], text="Tell us about a model you built and shipped."
    )
    InterviewQuestionFactory(
        action=action, round=1, competencies=[communication], text="Explain a finding to a non-expert."
    )
    InterviewQuestionFactory(
        action=action, round=2, competencies=[analysis, communication],
        text="Walk us through an analysis that changed a decision.",
    )  # fmt: skip
    sme1 = staff(action, Role.SME, "sme1.iv@example.test", "Sam Ito")
    sme2 = staff(action, Role.SME, "sme2.iv@example.test", "Tara Quinn")
    sme3 = staff(action, Role.SME, "sme3.iv@example.test", "Uma Vance")
    candidates = {name: UserFactory(full_name=name) for name in [QUALIFIED, FAILED, NO_SHOW, FAILED_ROUND_1]}
    # application_in() walks one application per action out of intake; four need the same walk by hand.
    apps = {name: ApplicationFactory(action=action, candidate=user) for name, user in candidates.items()}
    start_resume_review(action)
    for application in apps.values():
        hiring_services.application_transition(
            application_id=application.pk, to_status=Status.IN_RESUME_REVIEW, actor=hr, actor_role=Actor.HR
        )
        hiring_services.application_transition(
            application_id=application.pk, to_status=Status.MOVED_FORWARD, actor=None, actor_role=Actor.SYSTEM
        )
    hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    day = timezone.localdate() + timedelta(days=3)

    # HR: the round groups (round 1: SMEs 1 and 2; round 2: SMEs 2 and 3), assignment, invitations.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/")
    page.get_by_role("navigation", name="This hiring action").get_by_role("link", name="Interviews").click()
    expect(page.get_by_role("heading", name="Interviews: Data Scientist")).to_be_visible()
    check_page(page, "interviews-hr-dashboard-empty")
    for round_number, smes in [(1, [sme1, sme2]), (2, [sme2, sme3])]:
        for sme in smes:
            page.get_by_label(f"Add an SME to round {round_number}").select_option(
                label=f"{sme.full_name} ({sme.email})"
            )
            page.get_by_role("button", name=f"Add to round {round_number}").click()
            expect(
                page.get_by_text(f"{sme.full_name} will interview in round {round_number}.")
            ).to_be_visible()
    page.get_by_role("button", name="Assign round 1 interviewers").click()
    expect(page.get_by_text("Assigned 4 round 1 interviews.")).to_be_visible()
    expect(page.locator("td[data-round='1'][data-state=assigned]")).to_have_text("4")
    check_page(page, "interviews-hr-dashboard-assigned")
    mail.outbox.clear()
    page.get_by_role("button", name="Send round 1 invitations").click()  # the default deadline
    expect(page.get_by_text("Invited 4 candidates to choose a round 1 time.")).to_be_visible()
    expect(page.locator("td[data-round='1'][data-state=invited]")).to_have_text("4")
    sign_out(page)
    round_1 = {name: live(application, 1) for name, application in apps.items()}
    assert {i.sme_id for i in round_1.values()} == {sme1.pk, sme2.pk}
    assert {i.state for i in round_1.values()} == {Interview.State.INVITED}

    invitations = {
        name: email_to(user, "Choose a time for interview round 1") for name, user in candidates.items()
    }
    invitation = invitations[QUALIFIED]
    assert "If you do not choose a time by this deadline, you will be removed from consideration" in (
        " ".join(invitation.body.split())
    )
    assert "Deadline: choose your interview time" in calendar_of(invitation)

    # Every SME publishes a day of availability, three days ahead.
    for i, sme in enumerate([sme1, sme2, sme3]):
        sign_in(page, sme.email, PASSWORD)
        page.goto("/sme/")
        page.get_by_role(
            "link", name=re.compile("Publish your availability and score your interviews")
        ).click()
        expect(page.get_by_role("heading", name="Interviews: Data Scientist")).to_be_visible()
        page.get_by_label("Date", exact=True).fill(day.isoformat())
        page.get_by_label("From", exact=True).fill("09:00")
        page.get_by_label("Until", exact=True).fill("17:00")
        page.get_by_role("button", name="Add availability").click()
        expect(page.get_by_text("Availability added.")).to_be_visible()
        if i == 0:
            check_page(page, "interviews-sme-schedule")
        sign_out(page)

    # Ada books from the link in her email: a confirmation with the interview in a calendar file follows.
    mail.outbox.clear()
    book_first_time(page, scheduling_path(invitation, live_server), "interviews-candidate-schedule")
    check_page(page, "interviews-candidate-booked")
    booked = live(apps[QUALIFIED], 1)
    assert booked.state == Interview.State.SCHEDULED
    assert timezone.localtime(booked.starts_at).date() == day
    booked_label = f"{timezone.localtime(booked.starts_at):%A, %B %-d, %-I:%M %p} to"
    expect(page.locator("label", has_text=booked_label)).to_have_count(0)  # moving offers other times
    confirmation = email_to(candidates[QUALIFIED], "Your interview for Data Scientist")
    calendar = calendar_of(confirmation)
    assert "SUMMARY:Interview round 1: Data Scientist" in calendar
    assert f"DTSTART:{booked.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in calendar

    # HR places Ben by hand in one of his interviewer's offered times.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/interviews/{round_1[FAILED].pk}/")
    expect(page.get_by_role("heading", name=f"Interview 1: {FAILED}")).to_be_visible()
    check_page(page, "interviews-hr-interview-place")
    page.locator("label[for=id_starts_at_0]").click()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text(f"{FAILED} is booked")).to_be_visible()
    expect(page.locator("[data-interview-state]")).to_have_text("Scheduled")
    expect(page.get_by_role("button", name="Cancel this booking")).to_be_visible()
    check_page(page, "interviews-hr-interview-scheduled")
    sign_out(page)
    assert email_to(candidates[FAILED], "Your interview for Data Scientist")

    # Cora and Dev book from their links too.
    for name in [NO_SHOW, FAILED_ROUND_1]:
        book_first_time(page, scheduling_path(invitations[name], live_server))
    round_1 = {name: live(application, 1) for name, application in apps.items()}
    assert {i.state for i in round_1.values()} == {Interview.State.SCHEDULED}

    # Before the interview starts, the SME can draft but not record a no-show.
    first_sme = round_1[QUALIFIED].sme
    sign_in(page, first_sme.email, PASSWORD)
    page.goto(f"/sme/interviews/{round_1[QUALIFIED].pk}/")
    expect(page.get_by_role("button", name="Record a no-show")).to_be_disabled()
    sign_out(page)

    interview_has_started(*round_1.values())

    # Round 1 sheets: one SME's first attempt is incomplete and is told what is missing.
    for sme in [sme1, sme2]:
        sign_in(page, sme.email, PASSWORD)
        page.goto(f"/sme/actions/{action.pk}/interviews/")
        for name, interview in round_1.items():
            if interview.sme_id != sme.pk:
                continue
            page.get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", name=f"Interview 1: {name}")).to_be_visible()
            if name == NO_SHOW:
                page.get_by_role("button", name="Record a no-show").click()
                expect(page.get_by_text(f"No-show recorded for {name}.")).to_be_visible()
                continue
            if name == QUALIFIED:
                page.get_by_label("Notes for question 1").fill(ADA_ROUND_1_NOTE)
                page.get_by_role("button", name="Submit to HR").click()
                error = page.get_by_role("alert").filter(has_text="the sheet is not complete")
                expect(error).to_contain_text("Notes for question 2")
                expect(error).to_contain_text("A rating for “Data analysis”")
                expect(error).to_contain_text("A rating for “Communication”")
                expect(error).to_contain_text("The interview analysis")
                expect(page.get_by_label("Notes for question 1")).to_have_value(ADA_ROUND_1_NOTE)
                check_page(page, "interviews-sme-sheet-incomplete")
                fill_sheet(
                    page,
                    [ADA_ROUND_1_NOTE, "Explained a p-value with a weather forecast."],
                    {analysis: "Meets", communication: "Meets"},
                    "Good.",
                )
            elif name == FAILED:
                fill_sheet(
                    page,
                    ["Led a forecasting project end to end.", "Clear, used plain words and a chart."],
                    {analysis: "Exceeds", communication: "Meets"},
                    "Strong analysis at the GS-13 level; clear communication.",
                )
            else:
                fill_sheet(
                    page,
                    ["Could not name a model they had built.", "Rambled; used jargon throughout."],
                    {analysis: "Does not meet", communication: "Meets"},
                    "No evidence of data analysis at the GS-13 level.",
                )
            submit_sheet(page, name)
        expect(page.get_by_role("heading", name="Sent to HR")).to_be_visible()
        sign_out(page)
    round_1 = {name: live(application, 1) for name, application in apps.items()}
    assert {name: i.score for name, i in round_1.items()} == {
        QUALIFIED: 1, FAILED: 2, NO_SHOW: None, FAILED_ROUND_1: 0
    }  # fmt: skip
    assert round_1[NO_SHOW].no_show

    # HR: return Ada's one-word analysis, accept Ben (2) and Dev (0), record FR for Cora's no-show.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/interviews/")
    expect(page.get_by_role("heading", name="Score sheets waiting for you")).to_be_visible()
    check_page(page, "interviews-hr-dashboard-sheets")
    page.get_by_role("table", name=re.compile("Submitted score sheets")).get_by_role(
        "link", name=QUALIFIED
    ).click()
    expect(page.get_by_role("heading", name="Score sheet")).to_be_visible()
    expect(page.get_by_text(ADA_ROUND_1_NOTE)).to_be_visible()
    check_page(page, "interviews-hr-interview-review")
    page.get_by_label("What should the interviewer fix?").fill(
        "Say in the analysis how each answer showed each competency at the GS-13 level."
    )
    page.get_by_role("button", name="Return to the interviewer").click()
    expect(
        page.get_by_text(f"Returned to {round_1[QUALIFIED].sme.full_name} with your note.")
    ).to_be_visible()
    accept(page, round_1[FAILED], 2, Status.IN_ROUND_2)
    accept(page, round_1[FAILED_ROUND_1], 0, Status.FAILED_ASSESSMENT)
    page.goto(f"/hr/interviews/{round_1[NO_SHOW].pk}/")
    expect(page.get_by_role("heading", name="The interviewer recorded a no-show")).to_be_visible()
    check_page(page, "interviews-hr-interview-no-show")
    page.get_by_role("button", name="Record failure to respond (FR)").click()
    expect(page.get_by_text(f"Failure to respond recorded; {NO_SHOW} was told in writing.")).to_be_visible()
    sign_out(page)
    page.goto(scheduling_path(invitations[NO_SHOW], live_server))
    expect(page.get_by_text("There is nothing to schedule for this interview.")).to_be_visible()
    # Rolling: accepting Ben's round 1 assigned his round 2 at once, to someone else.
    assert live(apps[FAILED], 2).sme_id not in {round_1[FAILED].sme_id, sme1.pk}

    # The SME fixes the returned sheet; it tops their list.
    sign_in(page, first_sme.email, PASSWORD)
    page.goto(f"/sme/actions/{action.pk}/interviews/")
    page.get_by_role("link", name=QUALIFIED).click()
    expect(page.get_by_role("heading", name="HR returned this sheet")).to_be_visible()
    check_page(page, "interviews-sme-sheet-returned")
    page.get_by_label("Interview analysis").fill(
        "Data analysis: meets; the churn model was built and shipped, but without validation. "
        "Communication: meets; the p-value analogy was accurate and plain."
    )
    submit_sheet(page, QUALIFIED)
    sign_out(page)

    sign_in(page, hr.email, PASSWORD)
    accept(page, live(apps[QUALIFIED], 1), 1, Status.IN_ROUND_2)
    round_2 = {name: live(apps[name], 2) for name in [QUALIFIED, FAILED]}
    for name, interview in round_2.items():
        assert interview.sme_id in {sme2.pk, sme3.pk}
        assert interview.sme_id != round_1[name].sme_id
        assert interview.state == Interview.State.ASSIGNED
    assert not Interview.objects.filter(
        application__in=[apps[NO_SHOW], apps[FAILED_ROUND_1]], round=2
    ).exists()
    mail.outbox.clear()
    page.goto(f"/hr/actions/{action.pk}/interviews/")
    page.get_by_role("button", name="Send round 2 invitations").click()
    expect(page.get_by_text("Invited 2 candidates to choose a round 2 time.")).to_be_visible()
    check_page(page, "interviews-hr-dashboard-round-2")
    sign_out(page)

    for name in [QUALIFIED, FAILED]:
        book_first_time(
            page,
            scheduling_path(email_to(candidates[name], "Choose a time for interview round 2"), live_server),
        )
    round_2 = {name: live(apps[name], 2) for name in [QUALIFIED, FAILED]}
    interview_has_started(*round_2.values())

    # Round 2: the new interviewer never sees round 1's notes.
    for name, rating, score_note in [
        (QUALIFIED, "Exceeds", "Showed a pricing analysis that reversed a launch decision."),
        (FAILED, "Does not meet", "Could not describe any analysis behind a decision."),
    ]:
        interview = round_2[name]
        sign_in(page, interview.sme.email, PASSWORD)
        page.goto(f"/sme/interviews/{interview.pk}/")
        expect(page.get_by_role("heading", name=f"Interview 2: {name}")).to_be_visible()
        expect(page.get_by_text("Walk us through an analysis that changed a decision.")).to_be_visible()
        assert ADA_ROUND_1_NOTE not in page.content()
        assert "Explained a p-value" not in page.content()
        assert "Led a forecasting project" not in page.content()
        if name == QUALIFIED:
            check_page(page, "interviews-sme-sheet-round-2")
        fill_sheet(
            page,
            [score_note],
            {analysis: rating, communication: "Meets"},
            f"Data analysis: {rating.lower()}. Communication: meets.",
        )
        submit_sheet(page, name)
        sign_out(page)

    sign_in(page, hr.email, PASSWORD)
    accept(page, round_2[QUALIFIED], 2, Status.QUALIFIED)
    accept(page, round_2[FAILED], 0, Status.FAILED_ASSESSMENT)
    page.goto(f"/hr/actions/{action.pk}/interviews/")
    expect(page.locator("td[data-round='2'][data-state=accepted]")).to_have_text("2")
    check_page(page, "interviews-hr-dashboard-done")
    sign_out(page)

    # The round-2 interviewer is never the round-1 interviewer, for every applicant who reached round 2.
    for application in apps.values():
        smes = dict(
            Interview.objects.filter(application=application)
            .exclude(state=Interview.State.WITHDRAWN)
            .values_list("round", "sme_id")
        )
        if 2 in smes:
            assert smes[2] != smes[1], application.applicant_name
    statuses = {a.applicant_name: a.status for a in Application.objects.filter(action=action)}
    assert statuses == {
        QUALIFIED: Status.QUALIFIED,
        FAILED: Status.FAILED_ASSESSMENT,
        NO_SHOW: Status.NO_RESPONSE,
        FAILED_ROUND_1: Status.FAILED_ASSESSMENT,
    }
    assert Notice.objects.filter(application=apps[FAILED], code="IQFI").count() == 1
    assert Notice.objects.filter(application=apps[FAILED_ROUND_1], code="IQFI").count() == 1

    # Each candidate sees where they stand.
    for name, status in statuses.items():
        sign_in(page, candidates[name].email, TEST_PASSWORD)
        page.goto(f"/status/{apps[name].pk}/")
        expect(
            page.get_by_role("heading", name=f"Your application is: {Status(status).label}")
        ).to_be_visible()
        if name == QUALIFIED:
            check_page(page, "interviews-candidate-status")
        sign_out(page)
