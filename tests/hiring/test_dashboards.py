"""HR's dashboards (issue 9): one action's funnel, phase days and late work, and time to hire across
actions. The numbers are checked against a factory-built action whose every applicant took a known
path; the CSV downloads hold the page's numbers; the query count does not grow with the data."""

import csv
import io
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Interview, ResumeReview
from assessments.selectors import signature_update_sql
from certificates.models import Certificate, Entry
from hiring import metrics, services
from hiring.models import Application, AuditEvent, Notice, Role
from hiring.workflow import Actor, Phase, Status, move_for, phase_allows
from tests.factories import (
    ActionRoleFactory,
    AgencyRoleFactory,
    ApplicationFactory,
    CertificateFactory,
    EntryFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    ResumeReviewFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = Status
RR, MF = S.IN_RESUME_REVIEW, S.MOVED_FORWARD
# name: (path of statuses, accepted interview scores per round)
PLAN = {
    "Rae Received": ([], ()),
    "Ian Ineligible": ([S.INELIGIBLE], ()),
    "Dee Split": ([RR, S.DID_NOT_MOVE_FORWARD], ()),
    "Don Agreed": ([RR, S.DID_NOT_MOVE_FORWARD], ()),
    "Fay Failed": ([RR, MF, S.IN_ROUND_1, S.FAILED_ASSESSMENT], (0,)),
    "Sam Selected": ([RR, MF, S.IN_ROUND_1, S.IN_ROUND_2, S.QUALIFIED, S.REFERRED], (2, 2)),
    "Ned Notselected": (
        [RR, MF, S.IN_ROUND_1, S.IN_ROUND_2, S.QUALIFIED, S.REFERRED, S.NOT_SELECTED],
        (1, 2),
    ),
    "Quinn Qualified": ([RR, MF, S.IN_ROUND_1, S.IN_ROUND_2, S.QUALIFIED, S.NOT_REFERRED], (1, 1)),
    "Wes Withdrew": ([RR, MF, S.WITHDRAWN], ()),
}


def walk(action, hr, paths):
    """Move every application along its path, each step in the first phase that allows it, advancing
    the action one phase at a time as HR would."""
    pending = {app.pk: list(path) for app, path in paths}
    while True:
        for pk, steps in pending.items():
            while steps and phase_allows(steps[0], action.phase):
                current = Application.objects.get(pk=pk).status
                move = move_for(current, steps[0])
                services.application_transition(
                    application_id=pk, to_status=steps[0], actor=hr,
                    actor_role=Actor.HR if Actor.HR in move.actors else Actor.SYSTEM, reason="test",
                )  # fmt: skip
                steps.pop(0)
        if not any(pending.values()):
            return action
        action = services.hiring_action_advance_phase(
            action_id=action.pk, actor=hr, expected_phase=action.phase
        )


@pytest.fixture
def built(db):
    """A two-round action in its certificate phase, 40 days old, with one applicant per PLAN path,
    accepted score sheets, resume reviews (one split), a returned certificate with one selection, and
    one of each kind of late work."""
    now = timezone.now()
    today = timezone.localdate()
    action = HiringActionFactory(vacancies=1)
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    smes = [ActionRoleFactory(action=action, role=Role.SME).user for _ in range(2)]
    InterviewQuestionFactory(action=action, round=1)
    InterviewQuestionFactory(action=action, round=2)
    apps = {name: ApplicationFactory(action=action, candidate=UserFactory(full_name=name)) for name in PLAN}
    # Applicant names a spreadsheet would run: the late list's CSV must defuse it.
    Application.objects.filter(pk=apps["Rae Received"].pk).update(applicant_name="=HYPERLINK(1)")
    # Interview rows first: walking a round move needs no sheet, but the scores are what the funnel reads.
    action = walk(action, hr, [(apps[n], path) for n, (path, _) in PLAN.items()])
    for name, (_, scores) in PLAN.items():
        for round_, score in enumerate(scores, 1):
            InterviewFactory(application=apps[name], sme=smes[round_ - 1], round=round_,
                             state=Interview.State.ACCEPTED, score=score)  # fmt: skip
    decided = {"meets": "move_forward", "no": "does_not_move_forward"}
    for name, decisions, state in (
        ("Dee Split", ("meets", "no"), ResumeReview.State.SUBMITTED),
        ("Don Agreed", ("no", "no"), ResumeReview.State.ACCEPTED),
    ):
        for slot, decision in enumerate(decisions, 1):
            ResumeReviewFactory(application=apps[name], sme=smes[slot - 1], slot=slot, state=state,
                                decision=decided[decision], submitted_at=now)  # fmt: skip
    sql, params = signature_update_sql(action_id=action.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

    # Time: created 40 days ago; the phase moves backdated to known days.
    start = now - timedelta(days=40)
    type(action).objects.filter(pk=action.pk).update(created_at=start)
    AuditEvent.objects.create(action=action, actor=hr, actor_role=Actor.HR, subject=AuditEvent.Subject.HIRING_ACTION,
                              from_state=Phase.JOB_ANALYSIS, to_state=Phase.ANNOUNCEMENT, created_at=start + timedelta(days=3))  # fmt: skip
    moves = {Phase.RESUME_REVIEW: 20, Phase.ASSESSMENTS: 24, Phase.CERTIFICATE: 30}
    for to, day in moves.items():
        AuditEvent.objects.filter(
            action=action, subject=AuditEvent.Subject.HIRING_ACTION, to_state=to
        ).update(created_at=start + timedelta(days=day))
    action.announcement.opens_on = timezone.localdate(start + timedelta(days=3))
    action.announcement.save(update_fields=["opens_on"])

    # The certificate: issued 8 days ago, returned 3 days ago; Sam selected 2 days ago, Ned not.
    certificate = CertificateFactory(action=action, issued_by=hr, issued_on=today - timedelta(days=8),
                                     state=Certificate.State.RETURNED, returned_at=now - timedelta(days=3))  # fmt: skip
    EntryFactory(certificate=certificate, application=apps["Sam Selected"], rank=1, disposition="A",
                 disposition_on=today - timedelta(days=2))  # fmt: skip
    EntryFactory(certificate=certificate, application=apps["Ned Notselected"], rank=2, disposition="NS",
                 disposition_on=today - timedelta(days=2), score=85, category="well", earned_category="well")  # fmt: skip
    # Late work: a second certificate past its return-by date, a review assigned 10 days ago (one from
    # today is not late), a sheet 6 days after its interview (one from an hour ago is not late), and
    # Quinn, whose notices are 20 days old (Rae has heard nothing since applying 20 days ago).
    late_certificate = CertificateFactory(action=action, issued_by=hr, duty_location="Denver, CO",
                                          issued_on=today - timedelta(days=20), return_by=today - timedelta(days=4))  # fmt: skip
    ResumeReviewFactory(application=apps["Rae Received"], sme=smes[0], assigned_at=now - timedelta(days=10))
    ResumeReviewFactory(application=apps["Ian Ineligible"], sme=smes[0])
    InterviewFactory(application=apps["Wes Withdrew"], sme=smes[0], state=Interview.State.SCHEDULED,
                     starts_at=now - timedelta(days=6))  # fmt: skip
    InterviewFactory(application=apps["Don Agreed"], sme=smes[1], state=Interview.State.SCHEDULED,
                     starts_at=now - timedelta(hours=1))  # fmt: skip
    Notice.objects.filter(application__in=[apps["Quinn Qualified"], apps["Rae Received"]]).update(
        created_at=now - timedelta(days=20)
    )
    # Notices: every receipt emailed the day of applying, except Don's (10 days late) and Fay's (never
    # sent, applied 20 days ago); Ned's non-selection notice emailed today (returned 3 days ago).
    receipts = Notice.objects.filter(
        application__action=action, event__from_state="", event__to_state=S.RECEIVED
    )
    for notice in receipts.select_related("application"):
        notice.delivery, notice.sent_at = Notice.Delivery.SENT, notice.application.submitted_at
        notice.save()
    don = receipts.get(application=apps["Don Agreed"])
    Application.objects.filter(pk=apps["Don Agreed"].pk).update(submitted_at=now - timedelta(days=20))
    Notice.objects.filter(pk=don.pk).update(sent_at=now - timedelta(days=6))
    Application.objects.filter(pk=apps["Fay Failed"].pk).update(submitted_at=now - timedelta(days=20))
    receipts.filter(application=apps["Fay Failed"]).update(delivery=Notice.Delivery.QUEUED, sent_at=None)
    Notice.objects.filter(application=apps["Ned Notselected"], event__to_state=S.NOT_SELECTED).update(
        delivery=Notice.Delivery.SENT, sent_at=now
    )
    action.refresh_from_db()
    return {"action": action, "hr": hr, "apps": apps, "start": start, "late_certificate": late_certificate,
            "certificate": certificate}  # fmt: skip


def business_days(start, end):
    return sum(1 for d in range(1, (end - start).days + 1) if (start + timedelta(days=d)).weekday() < 5)


def test_the_funnel_counts_every_stage_as_defined(client, built):
    action = built["action"]
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_action_dashboard", args=[action.pk]))
    assert page.status_code == 200
    counts = {s["key"]: s["count"] for s in page.context["funnel"]}
    assert counts == {
        "applied": 9, "eligible": 7, "moved_forward": 5, "round_1": 3, "round_2": 3,
        "best": 1, "well": 1, "qualified": 1, "referred": 2, "selected": 1, "accepted": 1,
    }  # fmt: skip
    # Against the database, each by its definition.
    assert counts["applied"] == Application.objects.filter(action=action).count()
    moved_to = AuditEvent.objects.filter(action=action, subject="application")
    assert counts["eligible"] == moved_to.filter(to_state=RR).values("application").distinct().count()
    assert counts["moved_forward"] == moved_to.filter(to_state=MF).values("application").distinct().count()
    accepted = Interview.objects.filter(action=action, state="accepted", score__gte=1)
    assert counts["round_1"] == accepted.filter(round=1).count()
    assert counts["round_2"] == accepted.filter(round=2).count()
    assert counts["referred"] == Entry.objects.filter(certificate__action=action).count()
    assert counts["selected"] == Entry.objects.filter(certificate__action=action, disposition="A").count()
    # A withdrawn applicant stays in the stages they reached.
    assert Application.objects.get(pk=built["apps"]["Wes Withdrew"].pk).status == S.WITHDRAWN
    html = unescape(page.content.decode())
    for _key, label, definition in metrics.FUNNEL:
        assert label in html and definition in html


def test_accepted_needs_the_certificate_back(built):
    Certificate.objects.filter(pk=built["certificate"].pk).update(
        state=Certificate.State.ISSUED, returned_at=None
    )
    counts = {s["key"]: s["count"] for s in metrics.funnel(action=built["action"])}
    assert counts["selected"] == 1 and counts["accepted"] == 0


def test_days_in_each_phase_against_the_targets(client, built):
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_action_dashboard", args=[built["action"].pk]))
    phases = {p["phase"]: p for p in page.context["phases"]}
    start = built["start"]
    assert phases[Phase.JOB_ANALYSIS]["days"] == 3 and not phases[Phase.JOB_ANALYSIS]["late"]
    assert phases[Phase.ANNOUNCEMENT]["days"] == 17 and phases[Phase.ANNOUNCEMENT]["late"]  # target 14
    review_days = business_days(
        timezone.localdate(start + timedelta(days=20)), timezone.localdate(start + timedelta(days=24))
    )
    assert phases[Phase.RESUME_REVIEW]["days"] == review_days  # business days, target 5
    assert phases[Phase.ASSESSMENTS]["days"] == 6 and not phases[Phase.ASSESSMENTS]["late"]
    assert phases[Phase.CERTIFICATE]["current"] and phases[Phase.CERTIFICATE]["days"] == pytest.approx(
        10, abs=0.1
    )
    html = page.content.decode()
    assert "Announcement" in html and "still in it" in html


def test_late_work_is_named(client, built):
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_action_dashboard", args=[built["action"].pk]))
    late = page.context["late"]
    assert [row[0] for row in late["reviews"].rows] == ["=HYPERLINK(1)"] and late["reviews"].total == 1
    assert [row[0] for row in late["sheets"].rows] == ["Wes Withdrew"] and late["sheets"].total == 1
    assert [row[0] for row in late["certificates"].rows] == [built["late_certificate"].number]
    assert late["certificates"].rows[0][3] == 4
    # Rae and Quinn: still in the process, no notice for 20 days. Finished applicants are not chased.
    assert sorted(row[0] for row in late["silent"].rows) == ["=HYPERLINK(1)", "Quinn Qualified"]
    html = page.content.decode()
    assert "Quinn Qualified" in html and built["late_certificate"].number in html


def test_late_lists_are_bounded_with_their_total(client, built):
    action = built["action"]
    Application.objects.bulk_create(
        Application(action=action, applicant_name=f"Quiet {i:03d}", submitted_at=timezone.now() - timedelta(days=30))
        for i in range(60)
    )  # fmt: skip
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_action_dashboard", args=[action.pk]))
    silent = page.context["late"]["silent"]
    assert len(silent.rows) == 50 and silent.total == 62
    assert "the first 50 of 62" in page.content.decode()
    download = client.get(reverse("hiring:hr_action_dashboard_csv", args=[action.pk, "silent-candidates"]))
    assert len(list(csv.reader(io.StringIO(download.content.decode())))) == 1 + 62


def test_the_overview_measures_time_to_hire_effort_and_notices(client, built):
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_dashboard"))
    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert row["open_to_certificate"] == 40 - 3 - 20  # opened on day 3; the late certificate was issued first
    assert row["certificate_to_return"] == 5.0
    assert row["created_to_selection"] == 38
    assert (row["reviews"], row["interviews"], row["smes"]) == (4, 7, 2)
    assert row["sme_hours"] == round(4 * 8 / 60 + 7 * 2 + 2 * 21, 1)
    assert row["split_rate"] == 0.5
    assert (row["eligible"], row["qualified"]) == (7, 3)
    assert row["qualified_rate"] == pytest.approx(3 / 7)
    assert (row["certificates"], row["selections"], row["selections_per_certificate"]) == (2, 1, 0.5)
    assert row["receipts"] == (7, 2, 0)  # Don emailed 10 business days late; Fay's never sent
    assert row["non_selections"] == (1, 0, 0)
    html = page.content.decode()
    assert "SME hours are an estimate" in html and "43%" in html and "50%" in html


def test_the_overview_lists_only_actions_the_person_is_hr_on(client, built):
    other = HiringActionFactory(title="Somebody Else's Action")
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_dashboard"))
    assert [r["action"] for r in page.context["rows"]] == [built["action"]]
    assert other.title not in page.content.decode()


def test_csv_downloads_hold_the_page_numbers_and_defuse_formulas(client, built):
    action = built["action"]
    client.force_login(built["hr"])
    page = client.get(reverse("hiring:hr_action_dashboard", args=[action.pk]))
    for key in ("funnel", "phases", "late-reviews", "late-sheets", "late-certificates", "silent-candidates"):
        response = client.get(reverse("hiring:hr_action_dashboard_csv", args=[action.pk, key]))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        table = page.context["tables"][key]
        assert rows[0] == table.headers
        assert rows[1:] == [[_safe(cell) for cell in r] for r in table.rows]
    reviews = client.get(reverse("hiring:hr_action_dashboard_csv", args=[action.pk, "late-reviews"]))
    assert "'=HYPERLINK(1)" in reviews.content.decode()
    funnel = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("hiring:hr_action_dashboard_csv", args=[action.pk, "funnel"])
                ).content.decode()
            )
        )
    )
    assert funnel[1][:2] == ["Applied", "9"] and funnel[-1][:2] == ["Accepted", "1"]
    overview = client.get(reverse("hiring:hr_dashboard"))
    for key in ("time-to-hire", "effort", "notices"):
        rows = list(
            csv.reader(
                io.StringIO(client.get(reverse("hiring:hr_dashboard_csv", args=[key])).content.decode())
            )
        )
        table = {t.key: t for t in overview.context["tables"].values()}[key]
        assert rows == [table.headers, *([_safe(c) for c in r] for r in table.rows)]
    assert client.get(reverse("hiring:hr_dashboard_csv", args=["nothing"])).status_code == 404


def _safe(cell):
    text = "" if cell is None else str(cell)
    return "'" + text if text[:1] in "=+-@\t\r" else text


def test_charts_are_images_with_a_name_and_the_numbers_in_a_table(client, built):
    client.force_login(built["hr"])
    for url in (
        reverse("hiring:hr_action_dashboard", args=[built["action"].pk]),
        reverse("hiring:hr_dashboard"),
    ):
        html = client.get(url).content.decode()
        assert html.count('role="img" aria-labelledby=') >= 2
        assert "<title id=" in html and "<desc id=" in html and "<table" in html
        assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_only_the_actions_hr_sees_the_dashboard(client, built):
    action = built["action"]
    url = reverse("hiring:hr_action_dashboard", args=[action.pk])
    csv_url = reverse("hiring:hr_action_dashboard_csv", args=[action.pk, "funnel"])
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    other_hr = AgencyRoleFactory(agency=action.agency, user=StaffFactory(agency=action.agency)).user
    for person in (sme, other_hr):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(csv_url).status_code == 404
    client.force_login(sme)
    assert client.get(reverse("hiring:hr_dashboard")).status_code == 403
    client.force_login(built["hr"])
    home = client.get(reverse("hiring:hr_home")).content.decode()
    assert reverse("hiring:hr_dashboard") in home and url in home
    assert url in client.get(reverse("hiring:hr_action_detail", args=[action.pk])).content.decode()


# --- query counts at two sizes --------------------------------------------------------------------------


def grow(action, hr, sme, n):
    """n more applicants with everything the dashboards read: audit rows, notices, reviews, interviews,
    certificate entries, late work of every kind."""
    now = timezone.now()
    start = Application.objects.filter(action=action).count()
    apps = Application.objects.bulk_create(
        Application(action=action, applicant_name=f"Person {start + i:05d}", status=S.REFERRED,
                    submitted_at=now - timedelta(days=30))
        for i in range(n)
    )  # fmt: skip
    events = AuditEvent.objects.bulk_create(
        AuditEvent(action=action, application=a, actor_role="system", subject="application", from_state=frm, to_state=to)
        for a in apps
        for frm, to in (("", S.RECEIVED), (S.RECEIVED, RR), (RR, MF), (S.IN_ROUND_2, S.QUALIFIED))
    )  # fmt: skip
    Notice.objects.bulk_create(
        Notice(application=e.application, event=e, subject="x", body="x", delivery=Notice.Delivery.SENT,
               sent_at=now, created_at=now - timedelta(days=20))
        for e in events
        if e.to_state in (S.RECEIVED, S.NOT_SELECTED)
    )  # fmt: skip
    ResumeReview.objects.bulk_create(
        ResumeReview(application=a, action=action, sme=sme, slot=1, assigned_at=now - timedelta(days=12))
        for a in apps
    )
    Interview.objects.bulk_create(
        Interview(application=a, action=action, sme=sme, round=r, state=state, score=score, starts_at=now - timedelta(days=5))
        for a in apps
        for r, state, score in ((1, "accepted", 2), (2, "scheduled", None))
    )  # fmt: skip
    certificate = Certificate.objects.filter(action=action).first()
    ranks = Entry.objects.filter(certificate=certificate).count()
    Entry.objects.bulk_create(
        Entry(certificate=certificate, application=a, rank=ranks + i + 1, name=a.applicant_name, preference="NV",
              score=100, category="best", earned_category="best", why="-", disposition="A" if i % 2 else "")
        for i, a in enumerate(apps)
    )  # fmt: skip


@pytest.mark.parametrize("page", ["action", "overview"])
def test_the_dashboards_run_the_same_queries_at_two_sizes(client, page):
    action = HiringActionFactory(phase=Phase.CERTIFICATE, announcement=False)
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    sme = ActionRoleFactory(action=action, role=Role.SME).user
    CertificateFactory(action=action, issued_by=hr, return_by=timezone.localdate() - timedelta(days=1))
    client.force_login(hr)
    url = (
        reverse("hiring:hr_action_dashboard", args=[action.pk])
        if page == "action"
        else reverse("hiring:hr_dashboard")
    )
    seen = []
    for n in (8, 152):
        grow(action, hr, sme, n)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        seen.append(len(captured))
    assert seen[0] == seen[1] <= 20
    if page == "action":
        late = response.context["late"]
        assert late["reviews"].total == late["sheets"].total == late["silent"].total == 160
        assert len(late["silent"].rows) == metrics.LATE_LIMIT
