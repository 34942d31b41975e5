"""Phase 5 through Chromium, as each role concerned: HR adjudicates two preference claims (one refused
first, nothing lost), checks the order and issues the certificate once; its PDF comes back with every
name in order; the hiring manager reads a package, is blocked from passing over the veterans until
one declines and HR approves the other's pass-over, selects, and returns the certificate; HR audits
it; then another agency finds it in the talent pool, is refused for a grade-12 position, receives a
copy for a matching one, posts internal notice and selects."""

import re
from datetime import timedelta

import pypdf
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Interview
from certificates.models import Adjudication, Certificate, ShareRequest
from hiring import services as hiring_services
from hiring.models import Application, Notice, Role
from hiring.workflow import Actor, Phase, Status
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    AgencyRoleFactory,
    ApplicationDocumentFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    InterviewFactory,
    InterviewQuestionFactory,
    UserFactory,
    start_resume_review,
)

from .conftest import check_page, dispose, row, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"
ADA, BEN, CORA, DEV, EVE = "Ada Byron", "Ben Okafor", "Cora Lindqvist", "Dev Patel", "Eve Moreau"
# name: (accepted round scores, preference claimed, opted in to sharing). Transmuted: (2,2) 100 Best,
# (1,2)/(2,1) 85 Well, (1,1) 70 Qualified; Ben's CPS floats to Best.
PEOPLE = {
    ADA: ((2, 2), "NV", True),
    BEN: ((1, 1), "CPS", True),
    CORA: ((1, 2), "TP", False),
    DEV: ((2, 1), "NV", True),
    EVE: ((1, 1), "NV", True),
}
# Best has Ada and Ben (2, fewer than 3), so it merges with Well; preference eligibles top the group.
CERTIFIED = [BEN, CORA, ADA, DEV]
ADA_NOTE = "Ran discovery for a benefits portal; cut the backlog by a third in two quarters."
ADA_ANALYSIS = "Product judgement: exceeds; prioritised with data and explained trade-offs plainly."


def staff(action, role, email, name):
    user = ActionRoleFactory(action=action, role=role, user__email=email, user__full_name=name).user
    user.set_password(PASSWORD)
    user.save()
    return user


def walk(application, *statuses):
    for status in statuses:
        hiring_services.application_transition(
            application_id=application.pk, to_status=status, actor=None, actor_role=Actor.SYSTEM
        )


def world():
    """A GS-13 action in the certificate phase: five applicants walked through both interview rounds as
    SYSTEM moves, with accepted interview rows (scores, notes, ratings) standing for accepted sheets."""
    action = HiringActionFactory(
        title="Product Manager", grades=[13], duty_locations=["Washington, DC"],
        agency=AgencyFactory(name="Federal Example Agency", code="FEA"),
    )  # fmt: skip
    hr = staff(action, Role.HR, "hr.cert@example.test", "Hana Reyes")
    AgencyRoleFactory(agency=action.agency, user=hr)
    manager = staff(action, Role.HIRING_MANAGER, "hm.cert@example.test", "Morgan Lee")
    sme = staff(action, Role.SME, "sme.cert@example.test", "Sam Ito")
    judgement = CompetencyFactory(action=action, name="Product judgement")
    communication = CompetencyFactory(action=action, name="Communication")
    questions = {
        1: InterviewQuestionFactory(
            action=action, round=1, competencies=[judgement, communication],
            text="Tell us about a product decision you made with incomplete data.",
        ),
        2: InterviewQuestionFactory(
            action=action, round=2, competencies=[judgement, communication],
            text="Walk us through a roadmap you had to cut.",
        ),
    }  # fmt: skip
    applications = {}
    for name, (_, claim, opted_in) in PEOPLE.items():
        email = f"{name.split()[0].lower()}.cert@example.test"
        applications[name] = ApplicationFactory(
            action=action, candidate=UserFactory(full_name=name, email=email)
        )
        Application.objects.filter(pk=applications[name].pk).update(
            applicant_name=name, preference_claim=claim, sharing_opt_in=opted_in
        )
    ApplicationDocumentFactory(application=applications[ADA], kind="resume")
    ApplicationDocumentFactory(application=applications[BEN], kind="va_letter", original_name="va-letter.pdf")
    start_resume_review(action)
    for application in applications.values():
        walk(application, Status.IN_RESUME_REVIEW, Status.MOVED_FORWARD)
    hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.RESUME_REVIEW
    )
    started = timezone.now() - timedelta(days=7)
    for name, application in applications.items():
        walk(application, Status.IN_ROUND_1, Status.IN_ROUND_2, Status.QUALIFIED)
        for round_, score in enumerate(PEOPLE[name][0], start=1):
            rating = "exceeds" if score == 2 else "meets"
            InterviewFactory(
                application=application, sme=sme, round=round_, state=Interview.State.ACCEPTED, score=score,
                starts_at=started + timedelta(days=round_), ratings={str(judgement.pk): rating, str(communication.pk): "meets"},
                notes={str(questions[round_].pk): ADA_NOTE if (name, round_) == (ADA, 1) else f"{name}, round {round_}."},
                analysis=ADA_ANALYSIS if (name, round_) == (ADA, 1) else f"Round {round_} score {score}.",
            )  # fmt: skip
    action = hiring_services.hiring_action_advance_phase(
        action_id=action.pk, actor=hr, expected_phase=Phase.ASSESSMENTS
    )
    other = AgencyFactory(name="Department of Elsewhere", code="ELSE")
    other_hr = AgencyRoleFactory(
        agency=other, user__email="hr.elsewhere@example.test", user__full_name="Omar Said"
    ).user
    other_hr.set_password(PASSWORD)
    other_hr.save()
    return action, hr, manager, other_hr, applications


def pdf_text(page) -> str:
    """Download the certificate's PDF as a person would and read its text back."""
    link = page.get_by_role("link", name="Download the certificate (PDF)")
    expect(link).to_be_visible(timeout=60_000)  # pdf_status.js reloads the page once it is ready
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = pypdf.PdfReader(download.path())
    assert len(reader.pages) >= 1
    return "\n".join(p.extract_text() for p in reader.pages)


def assert_in_order(text: str, names: list[str]) -> None:
    positions = [text.find(name) for name in names]
    assert -1 not in positions, f"missing {[n for n in names if n not in text]} in:\n{text}"
    assert positions == sorted(positions), f"out of order: {names} at {positions}"


def test_from_preference_to_an_audited_certificate_and_a_shared_copy(page, live_server):
    action, hr, manager, other_hr, apps = world()
    today = timezone.localdate()
    mail.outbox.clear()

    # --- HR: adjudicate both claims (a CPS at 20% is refused first, nothing lost) --------------------
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/")
    page.get_by_role("navigation", name="This hiring action").get_by_role("link", name="Certificate").click()
    expect(page.get_by_role("heading", name="Certificate: Product Manager")).to_be_visible()
    expect(page.get_by_text("2 claims still to adjudicate before the order is final.")).to_be_visible()
    check_page(page, "certificates-hr-tab-to-adjudicate")

    page.get_by_role("link", name=f"Adjudicate {BEN}'s claim").click()
    expect(page.get_by_role("heading", name=f"Veterans' preference: {BEN}")).to_be_visible()
    expect(page.get_by_role("link", name="VA letter")).to_be_visible()
    expect(page.locator("label[for=id_preference_0]")).to_contain_text("CPS")
    page.locator("label[for=id_preference_0]").click()
    expect(page.locator("label[for=id_documents_2]")).to_contain_text("VA or military statement")
    page.locator("label[for=id_documents_2]").click()
    page.get_by_label("Compensable disability rating (%)").fill("20")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert")).to_contain_text("CPS needs a rating of 30% or more; 20% is CP.")
    expect(page.locator("#id_preference_0")).to_be_checked()
    expect(page.locator("#id_documents_2")).to_be_checked()
    expect(page.get_by_label("Compensable disability rating (%)")).to_have_value("20")
    assert not Adjudication.objects.exists()  # nothing recorded, nothing lost
    check_page(page, "certificates-hr-adjudicate-error")
    page.get_by_label("Compensable disability rating (%)").fill("40")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Preference recorded for {BEN}.")).to_be_visible()

    page.get_by_role("link", name=f"Adjudicate {CORA}'s claim").click()
    expect(page.locator("label[for=id_preference_3]")).to_contain_text("TP: 5-point")
    page.locator("label[for=id_preference_3]").click()
    page.locator("label[for=id_documents_0]").click()  # DD-214
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Preference recorded for {CORA}.")).to_be_visible()
    adjudicated = {
        a.applicant_name: a.adjudication for a in Application.objects.filter(adjudication__isnull=False)
    }
    assert {n: (a.preference, a.disability_percent, a.documents) for n, a in adjudicated.items()} == {
        BEN: ("CPS", 40, ["va_letter"]), CORA: ("TP", None, ["dd214"])
    }  # fmt: skip

    # The order the certificate will have, and why; Eve (Qualified) is not certified.
    expect(page.get_by_text("claims still to adjudicate")).to_have_count(0)
    order = page.get_by_role("table", name=re.compile("in certificate order"))
    rows = order.locator("tbody tr")
    expect(rows).to_have_count(len(CERTIFIED))
    for rank, name in enumerate(CERTIFIED):
        expect(rows.nth(rank).locator("th")).to_have_text(name)
    expect(rows.nth(0)).to_contain_text("floats to Best Qualified")
    expect(rows.nth(1)).to_contain_text("TP is listed ahead of non-preference eligibles")
    expect(rows.nth(2)).to_contain_text("no veterans' preference")
    expect(page.get_by_text(re.compile(f"Not certified.*{EVE}"))).to_be_visible()
    check_page(page, "certificates-hr-tab-order")

    # Issue; a second click from another tab opened before it says it is already issued and makes nothing.
    stale = page.context.new_page()
    stale.goto(page.url)
    page.get_by_role("button", name="Issue certificate").click()
    expect(page.get_by_text(re.compile(r"^Certificate FEA-\d{4}-\d{4}-01 issued;"))).to_be_visible()
    certificate = Certificate.objects.get(action=action)
    expect(page.get_by_role("heading", name=f"Certificate {certificate.number}")).to_be_visible()
    stale.get_by_role("button", name="Issue certificate").click()
    expect(stale.get_by_role("alert")).to_contain_text(
        f"Certificate {certificate.number} was already issued for this grade and location."
    )
    expect(
        stale.get_by_text("A certificate has been issued for every grade and duty location")
    ).to_be_visible()
    stale.close()
    page.go_back()
    assert Certificate.objects.filter(action=action).count() == 1
    statuses = dict(Application.objects.filter(action=action).values_list("applicant_name", "status"))
    assert statuses == {**dict.fromkeys(CERTIFIED, Status.REFERRED), EVE: Status.NOT_REFERRED}

    # The certificate page; its PDF (rendered after commit) lists every name in order.
    page.get_by_role("link", name=f"Certificate {certificate.number}").click()
    expect(page.locator("[data-certificate-state]")).to_have_text("Issued to the hiring manager")
    text = pdf_text(page)
    assert certificate.number in text
    assert_in_order(text, CERTIFIED)
    assert EVE not in text
    check_page(page, "certificates-certificate-hr-issued")
    sign_out(page)

    # --- Hiring manager: a package, the pass-over block, dispositions ----------------------------------
    sign_in(page, manager.email, PASSWORD)
    page.goto("/manager/")
    expect(page.get_by_role("heading", name="Certificates issued to you")).to_be_visible()
    page.get_by_role("link", name=certificate.number).click()
    names = page.locator("tr[data-entry] th a")
    expect(names).to_have_text(CERTIFIED)
    check_page(page, "certificates-certificate-manager")

    page.get_by_role("link", name=ADA).click()
    expect(page.get_by_role("heading", name=ADA, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Interview round 1: score 2")).to_be_visible()
    expect(page.get_by_role("heading", name="Interview round 2: score 2")).to_be_visible()
    expect(page.get_by_text(ADA_NOTE)).to_be_visible()
    expect(page.get_by_text(ADA_ANALYSIS)).to_be_visible()
    resume = page.get_by_role("link", name="Open the resume (PDF)")
    response = page.request.get(resume.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    check_page(page, "certificates-package")
    page.get_by_role("link", name=f"Certificate {certificate.number}").click()

    dispose(page, ADA, "A: selected", on=today)
    blocked = page.get_by_role("alert")
    expect(blocked).to_contain_text(f"{ADA} has no veterans' preference")
    expect(blocked).to_contain_text(f"preference eligibles {BEN}, {CORA} in the same category")
    check_page(page, "certificates-certificate-manager-blocked")
    dispose(page, BEN, "D: declined")
    expect(page.get_by_role("alert")).to_contain_text("Record why the eligible declined")
    dispose(page, BEN, "D: declined", reason="Accepted another federal offer.")
    expect(page.get_by_text(f"Recorded for {BEN}.")).to_be_visible()
    expect(row(page, BEN).locator("[data-disposition]")).to_contain_text("D: declined")
    dispose(page, ADA, "A: selected", on=today)
    expect(page.get_by_role("alert")).to_contain_text(f"preference eligible {CORA} in the same category is")
    sign_out(page)

    # HR approves Cora's pass-over (TP: written reasons are enough).
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/certificate/")
    page.get_by_role("link", name=f"Certificate {certificate.number}").click()
    row(page, CORA).locator("summary", has_text="Record an approved pass-over").click()
    row(page, CORA).get_by_label("Written reasons").fill("Did not pass the suitability check.")
    row(page, CORA).get_by_role("button", name=f"Record pass-over of {CORA}").click()
    expect(page.get_by_text(f"Pass-over of {CORA} recorded as approved.")).to_be_visible()
    expect(row(page, CORA).locator("[data-disposition]")).to_contain_text("Passed over")
    sign_out(page)

    # The manager selects Ada; returning is refused while Dev has no disposition, then goes through.
    sign_in(page, manager.email, PASSWORD)
    page.goto(f"/certificates/{certificate.pk}/")
    dispose(page, ADA, "A: selected", on=today)
    expect(page.get_by_text(f"Recorded for {ADA}.")).to_be_visible()
    page.get_by_role("button", name="Sign and return the certificate").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Still without one: {DEV}.")
    dispose(page, DEV, "NS: not selected (contacted)")
    expect(page.get_by_text(f"Recorded for {DEV}.")).to_be_visible()
    page.get_by_role("button", name="Sign and return the certificate").click()
    expect(page.get_by_text("Certificate returned to HR, signed and dated by you.")).to_be_visible()
    expect(page.locator("[data-certificate-state]")).to_have_text("Returned by the hiring manager")
    expect(page.get_by_role("button", name="Sign and return the certificate")).to_have_count(0)
    check_page(page, "certificates-certificate-manager-returned")
    sign_out(page)

    # --- HR audits and locks; candidates are told ----------------------------------------------------
    mail.outbox.clear()
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/certificates/{certificate.pk}/")
    page.get_by_role("button", name="Audit and lock").click()
    expect(page.get_by_text("Certificate audited and locked.")).to_be_visible()
    expect(page.locator("[data-certificate-state]")).to_have_text("Audited and locked")
    check_page(page, "certificates-certificate-hr-audited")
    statuses = dict(Application.objects.filter(action=action).values_list("applicant_name", "status"))
    assert statuses == {
        ADA: Status.SELECTED, BEN: Status.NOT_SELECTED, CORA: Status.NOT_SELECTED,
        DEV: Status.NOT_SELECTED, EVE: Status.NOT_REFERRED,
    }  # fmt: skip
    for name, status in statuses.items():
        notices = Notice.objects.filter(application=apps[name], event__to_state=status)
        assert notices.count() == 1, (name, status)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[apps[ADA].candidate.email] == "You were selected for Product Manager"
    for name in (BEN, CORA, DEV):
        assert subjects[apps[name].candidate.email] == "Update on your application for Product Manager"
    assert apps[EVE].candidate.email not in subjects
    # The PDF is drawn again with the dispositions.
    page.reload()
    text = pdf_text(page)
    assert_in_order(text, CERTIFIED)
    assert f"{today:%m/%d/%Y}" in text
    sign_out(page)

    # --- Another agency: the talent pool, a refusal, a copy, internal notice, a selection ---------------
    mail.outbox.clear()
    sign_in(page, other_hr.email, PASSWORD)
    page.goto("/hr/talent-pool/")
    expect(page.get_by_role("heading", name="Talent pool")).to_be_visible()
    pool_row = page.get_by_role("row").filter(has_text="Federal Example Agency")
    expect(pool_row.locator("[data-available]")).to_have_text("2")  # Ben and Dev: opted in, not selected
    check_page(page, "certificates-talent-pool")
    pool_row.get_by_role("link", name=f"request certificate {certificate.number}").click()
    expect(page.get_by_role("heading", name="Request: Product Manager")).to_be_visible()
    page.get_by_label("Your position's title").fill("Product Manager")
    page.get_by_label("Series").fill("2210")
    page.get_by_label("Grade", exact=True).fill("12")
    page.get_by_label("Full performance level").fill("13")
    page.get_by_label("Duty location").fill("Washington, DC")
    page.get_by_label("Appointment type").select_option(label="Permanent")
    page.get_by_role("button", name="Request the certificate").click()
    refusal = page.get_by_role("alert").filter(has_text="cannot be used for that position")
    expect(refusal).to_contain_text("The grade differs: the certificate is for 13, your position is 12.")
    expect(refusal.locator("li")).to_have_count(1)
    expect(page.get_by_label("Grade", exact=True)).to_have_value("12")
    check_page(page, "certificates-talent-pool-request-refused")
    assert ShareRequest.objects.get(certificate=certificate).copy is None

    page.get_by_label("Grade", exact=True).fill("13")
    page.get_by_role("button", name="Request the certificate").click()
    copy = Certificate.objects.get(source=certificate)
    expect(
        page.get_by_text(f"Certificate {copy.number} is yours to use; each candidate was told.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=f"Certificate {copy.number}")).to_be_visible()
    expect(page.locator("[data-certificate-state]")).to_have_text(
        "Open for Department of Elsewhere to select from"
    )
    expect(page.locator("tr[data-entry] th a")).to_have_text([BEN, DEV])  # the original order
    expect(
        page.get_by_text(f"Shared under the Competitive Service Act from certificate {certificate.number}")
    ).to_be_visible()
    last_day = certificate.issued_on + timedelta(days=239)
    expect(page.get_by_text(f"usable until {last_day:%B %-d, %Y} (240 days")).to_be_visible()
    check_page(page, "certificates-certificate-receiving-hr")
    text = pdf_text(page)
    assert copy.number in text and f"from certificate {certificate.number}" in text
    assert_in_order(text, [BEN, DEV])
    assert ADA not in text and CORA not in text
    told = sorted(
        m.to[0]
        for m in mail.outbox
        if m.subject == "Department of Elsewhere will consider you for Product Manager"
    )
    assert told == sorted(apps[n].candidate.email for n in (BEN, DEV))

    dispose(page, BEN, "A: selected", on=today)
    expect(page.get_by_role("alert")).to_contain_text("post internal notice to your own employees")
    page.get_by_label("Internal notice to your employees closed on").fill(
        (today - timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Record internal notice").click()
    expect(page.get_by_text("Internal notice recorded.")).to_be_visible()
    expect(page.locator("[data-internal-notice]")).to_have_text(
        f"Recorded: your internal notice closed on {today - timedelta(days=1):%B %-d, %Y}."
    )
    dispose(page, BEN, "A: selected", on=today)
    expect(page.get_by_text(f"Recorded for {BEN}.")).to_be_visible()
    expect(row(page, BEN).locator("[data-disposition]")).to_contain_text("A: selected")
    check_page(page, "certificates-certificate-receiving-hr-selected")
    assert copy.entries.get(name=BEN).disposition == "A"
    assert certificate.entries.get(name=BEN).disposition == "D"  # the original is untouched
