"""Time in grade on a multi-grade action (ADR 0015 step 3): HR records the grade history of a qualified
applicant from the SF-50 or resume; each grade above the action's lowest gets a check."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.grade_checks import (
    grade_check_record,
    grades_to_check,
    required_grade,
    tig_ok_by_application,
)
from certificates.models import GradeCheck
from hiring.models import Application, AuditEvent, HiringAction, Role
from hiring.workflow import Status
from smeqa.errors import DomainError
from tests.factories import ActionRoleFactory, GradeCheckFactory, HiringActionFactory, application_in, hr_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
AGO = {weeks: TODAY - timedelta(weeks=weeks) for weeks in (20, 60, 100)}
# GS-12 for 40 weeks, then GS-13 for the last 20: 60 weeks at GS-12 or higher, 20 at GS-13 or higher.
HISTORY = [[12, AGO[60], AGO[20]], [13, AGO[20], None]]


@pytest.fixture
def world(db):
    """A GS-12/13/14 action with HR and one applicant who passed every assessment."""
    action = HiringActionFactory(title="IT Specialist", grades=[12, 13, 14], full_performance_level=14)
    hr = hr_for(action)
    application = application_in(Status.QUALIFIED, action=action)
    Application.objects.filter(pk=application.pk).update(applicant_name="Ada Lovelace")
    return {"action": action, "hr": hr, "application": application}


def record(world, spans=HISTORY, source="sf50", **kwargs):
    return grade_check_record(
        application_id=world["application"].pk, hr=kwargs.pop("hr", world["hr"]), spans=spans, source=source,
        **kwargs,
    )  # fmt: skip


def results(world) -> dict[int, tuple[int, bool]]:
    return {c.grade: (c.weeks, c.meets) for c in GradeCheck.objects.filter(application=world["application"])}


def test_a_history_meeting_gs_13_but_not_gs_14_gives_those_two_checks_and_one_audit_row(world):
    record(world, note="SF-50s of 2024 and 2025.")
    # The lowest grade, GS-12, needs no check; GS-13 needs 52 weeks at GS-12, GS-14 at GS-13.
    assert results(world) == {13: (60, True), 14: (20, False)}
    event = AuditEvent.objects.filter(application=world["application"]).latest("id")
    assert event.actor == world["hr"]
    assert event.reason == (
        "Time in grade recorded from the SF-50s: GS-13: 60 weeks at GS-12 or higher, meets; "
        "GS-14: 20 weeks at GS-13 or higher, does not meet."
    )
    check = GradeCheck.objects.get(application=world["application"], grade=14)
    assert check.spans == [[12, AGO[60].isoformat(), AGO[20].isoformat()], [13, AGO[20].isoformat(), None]]
    assert check.note == "SF-50s of 2024 and 2025." and check.checked_by == world["hr"]


def test_recording_again_replaces_the_checks(world):
    record(world)
    record(world, spans=[[13, AGO[100], None]], source="resume")
    assert results(world) == {13: (100, True), 14: (100, True)}
    assert GradeCheck.objects.filter(application=world["application"]).count() == 2
    assert set(GradeCheck.objects.values_list("source", flat=True)) == {"resume"}


def test_not_covered_meets_every_grade_without_a_history(world):
    record(world, spans=[], source="not_covered")
    assert results(world) == {13: (0, True), 14: (0, True)}
    reason = AuditEvent.objects.filter(application=world["application"]).latest("id").reason
    assert reason.startswith("Time in grade recorded as not covered (no GS service in the last 52 weeks)")


def test_only_the_actions_hr_may_record(world):
    sme = ActionRoleFactory(action=world["action"], role=Role.SME).user
    other_hr = hr_for(HiringActionFactory())
    for user in (sme, other_hr):
        with pytest.raises(DomainError, match="Only the action's hr specialist can do that"):
            record(world, hr=user)
    assert not GradeCheck.objects.exists()


@pytest.mark.parametrize(
    ("spans", "source", "message", "field"),
    [
        (HISTORY, "sf50", "", None),  # the valid case, for contrast
        ([[16, AGO[60], None]], "sf50", "GS grades run from 1 to 15; “16” is not one.", "spans.0.grade"),
        ([[0, AGO[60], None]], "sf50", "GS grades run from 1 to 15; “0” is not one.", "spans.0.grade"),
        (
            [[12, AGO[60], None], [13, AGO[20], AGO[60]]],
            "sf50",
            "The GS-13 service starts on",
            "spans.1.end",
        ),
        ([[12, None, None]], "sf50", "Enter the date the GS-12 service began.", "spans.0.start"),
        ([], "sf50", "Enter at least one grade and its dates from the SF-50s", "spans"),
        ([], "resume", "Enter at least one grade and its dates from the resume", "spans"),
        (HISTORY, "memo", "Choose where you read the grade history.", "source"),
    ],
)
def test_bad_spans_are_refused_with_a_plain_message(world, spans, source, message, field):
    if not message:
        record(world, spans=spans, source=source)
        return
    with pytest.raises(DomainError) as refused:
        record(world, spans=spans, source=source)
    assert message in refused.value.message and refused.value.field == field
    assert not GradeCheck.objects.exists()


def test_refused_for_applicants_who_did_not_pass_or_a_one_grade_action(world):
    Application.objects.filter(pk=world["application"].pk).update(status=Status.FAILED_ASSESSMENT)
    with pytest.raises(DomainError, match="only for applicants who passed every assessment"):
        record(world)
    single = HiringActionFactory(grades=[13])
    qualified = application_in(Status.QUALIFIED, action=single)
    with pytest.raises(DomainError, match=r"This action fills one grade \(GS-13\)"):
        grade_check_record(application_id=qualified.pk, hr=hr_for(single), spans=HISTORY, source="sf50")


# --- the pages ------------------------------------------------------------------------------------


def page_url(world) -> str:
    return reverse("certificates:hr_grade_check", args=[world["action"].pk, world["application"].pk])


def row_data(rows, source="sf50", total=5):
    data = {"source": source, "note": "", "spans-TOTAL_FORMS": total, "spans-INITIAL_FORMS": 0}
    for i, (grade, start, end) in enumerate(rows):
        data |= {f"spans-{i}-grade": grade, f"spans-{i}-start": start or "", f"spans-{i}-end": end or ""}
    return data


def test_the_page_records_and_shows_each_grades_result(world, client):
    client.force_login(world["hr"])
    # A blank row between two filled ones is skipped.
    rows = [(12, AGO[60].isoformat(), AGO[20].isoformat()), ("", "", ""), (13, AGO[20].isoformat(), "")]
    response = client.post(page_url(world), row_data(rows), follow=True)
    html = response.content.decode()
    assert "Time in grade recorded for Ada Lovelace." in html
    assert results(world) == {13: (60, True), 14: (20, False)}
    result = html.split("<h2>Result</h2>", 1)[1].split("</table>", 1)[0]
    assert "GS-13</th><td>60</td><td>Meets" in result
    assert "GS-14</th><td>20</td><td><strong>Does not meet" in result
    # The recorded rows come back in the form to correct.
    assert f'value="{AGO[60].isoformat()}"' in html


def test_a_bad_row_keeps_what_was_typed_and_says_which_row(world, client):
    client.force_login(world["hr"])
    rows = [(12, AGO[60].isoformat(), AGO[20].isoformat()), (13, AGO[20].isoformat(), AGO[60].isoformat())]
    response = client.post(page_url(world), row_data(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved." in html
    assert "Row 2, To: The GS-13 service starts on" in html
    assert 'id="id_spans-1-end-error"' in html  # the message also sits beside the field
    assert html.count(f'value="{AGO[20].isoformat()}"') == 2 and f'value="{AGO[60].isoformat()}"' in html
    assert not GradeCheck.objects.exists()
    # A half-filled row is caught by the form, before the service.
    response = client.post(page_url(world), row_data([(13, "", "")]))
    assert "Row 1, From: Enter the date this grade began." in response.content.decode()


def test_hrs_certificate_page_links_each_applicant_and_counts_who_still_needs_a_check(world, client):
    client.force_login(world["hr"])
    url = reverse("certificates:hr_certificates", args=[world["action"].pk])
    html = client.get(url).content.decode()
    assert "2. Time in grade" in html
    assert "1 applicant still needs a time-in-grade check" in html
    assert html.count(page_url(world)) == 2  # in the applicants table and in the list still to check
    record(world)
    html = client.get(url).content.decode()
    assert "still need" not in html and "Time in grade is recorded for everyone who passed." in html


def test_a_one_grade_actions_certificate_page_has_no_time_in_grade(client):
    action = HiringActionFactory(grades=[13])
    application_in(Status.QUALIFIED, action=action)
    client.force_login(hr_for(action))
    html = client.get(reverse("certificates:hr_certificates", args=[action.pk])).content.decode()
    assert "Time in grade" not in html and "2. Categories and order" in html


def test_the_certificate_page_query_count_does_not_grow_with_those_still_to_check(world, client):
    client.force_login(world["hr"])
    url = reverse("certificates:hr_certificates", args=[world["action"].pk])
    seen = []
    for size in (8, 160):
        now = timezone.now()
        made = Application.objects.bulk_create(
            Application(action=world["action"], applicant_name=f"Person {size}-{i:04d}", status=Status.QUALIFIED,
                        submitted_at=now)
            for i in range(size)
        )  # fmt: skip
        # Some already checked: they drop out of the list.
        GradeCheck.objects.bulk_create(
            GradeCheck(application=a, grade=g, source="resume", weeks=60, meets=True, checked_by=world["hr"])
            for a in made[:3]
            for g in (13, 14)
        )
        # Real changes write an audit row, which is what the page's cached preview keys on.
        AuditEvent.objects.create(
            action=world["action"], actor_role="system", subject=AuditEvent.Subject.APPLICATION, reason="bulk"
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        seen.append(len(captured))
    assert seen[0] == seen[1]
    assert response.context["grade_checks_due_total"] == 1 + 5 + 157
    assert len(response.context["grade_checks_due"]) == 100


# --- the action's switches: time in grade off, two-grade interval; the placements helper -------------


def test_turning_time_in_grade_off_leaves_nothing_to_check_or_record(world, client):
    HiringAction.objects.filter(pk=world["action"].pk).update(time_in_grade_applies=False)
    world["action"].refresh_from_db()
    assert grades_to_check(world["action"]) == []
    with pytest.raises(DomainError, match="Time in grade is turned off in this action's job analysis"):
        record(world)
    assert not GradeCheck.objects.exists()
    client.force_login(world["hr"])
    html = client.get(page_url(world)).content.decode()
    assert "Time in grade is turned off" in html and "Record the grade history" not in html


def test_a_two_grade_interval_series_needs_52_weeks_two_grades_below_through_gs_11(db, client):
    # 5 CFR 300.604: two-grade-interval work advances two grades at a time through GS-11.
    action = HiringActionFactory(grades=[7, 9, 11, 12], full_performance_level=12, two_grade_interval=True)
    assert [(g, required_grade(action, g)) for g in grades_to_check(action)] == [(9, 7), (11, 9), (12, 11)]
    one_step = HiringActionFactory(grades=[7, 9], full_performance_level=9)
    assert required_grade(one_step, 9) == 8
    hr = hr_for(action)
    application = application_in(Status.QUALIFIED, action=action)
    # 60 weeks at GS-9, nothing at GS-10: meets GS-11 only because the interval is two grades.
    grade_check_record(application_id=application.pk, hr=hr, spans=[[9, AGO[60], None]], source="sf50")
    got = {c.grade: c.meets for c in GradeCheck.objects.filter(application=application)}
    assert got == {9: True, 11: True, 12: False}
    client.force_login(hr)
    html = client.get(
        reverse("certificates:hr_grade_check", args=[action.pk, application.pk])
    ).content.decode()
    assert "GS-11 needs GS-9" in html and "two grades below through GS-11" in html


def test_tig_ok_by_application_reads_every_applicant_in_one_query(world):
    record(world)  # meets GS-13, not GS-14
    unchecked = Application.objects.create(
        action=world["action"], applicant_name="Grace", status=Status.QUALIFIED
    )
    other = GradeCheckFactory(grade=13, meets=False)  # another action's check is not read
    ids = [world["application"].pk, unchecked.pk, other.application_id]
    with CaptureQueriesContext(connection) as captured:
        got = tig_ok_by_application(world["action"], ids)
    assert len(captured) == 1
    assert got[world["application"].pk] == {12: True, 13: True, 14: False}
    # No check yet: only the lowest grade is known; the caller treats the rest as waiting.
    assert got[unchecked.pk] == {12: True}
    assert got[other.application_id] == {12: True}


def test_tig_ok_by_application_is_all_true_when_time_in_grade_is_off(world):
    record(world)
    HiringAction.objects.filter(pk=world["action"].pk).update(time_in_grade_applies=False)
    world["action"].refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        got = tig_ok_by_application(world["action"], [world["application"].pk])
    assert len(captured) == 0
    assert got == {world["application"].pk: {12: True, 13: True, 14: True}}
