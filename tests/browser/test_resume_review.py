"""A whole resume-review phase through Chromium: 6 applicants, 4 SMEs, one recusal, one split
settled by a tiebreaker, one justification returned and fixed, results sent."""

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from assessments.models import Recusal, ResumeReview
from hiring.models import Application, Role
from hiring.workflow import Status
from tests.factories import (
    ActionRoleFactory,
    ApplicationDocumentFactory,
    ApplicationFactory,
    CompetencyFactory,
    HiringActionFactory,
    UserFactory,
    start_resume_review,
)
from tests.hostile_uploads import long_resume

from .conftest import check_page, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long test password 42"
NAMES = ["Ada Byron", "Ben Okafor", "Cora Lindqvist", "Dev Patel", "Eve Moreau", "Finn Walsh"]
SPLIT, FAILING, RETURNED = "Cora Lindqvist", "Eve Moreau", "Dev Patel"


def staff(action, role, email):
    user = ActionRoleFactory(action=action, role=role, user__email=email).user
    user.set_password(PASSWORD)
    user.save()
    return user


def decide(name: str, slot_text: str) -> str:
    """What each SME decides: a split on Cora, both reject Eve and Dev, everyone else moves forward."""
    if name in {FAILING, RETURNED}:
        return "no"
    if name == SPLIT:
        return "yes" if "First review" in slot_text or "Tiebreak" in slot_text else "no"
    return "yes"


def review_everything(page, action):
    """Work the SME's queue to the end: "Next applicant" leads from one review to the next."""
    page.goto("/sme/")
    page.get_by_role("link", name=re.compile("Review your assigned resumes")).click()
    expect(page.get_by_role("heading", name=re.compile("^Resume review:"))).to_be_visible()
    if not page.get_by_role("link", name="Next applicant").count():
        return
    page.get_by_role("link", name="Next applicant").click()
    while True:
        page.wait_for_load_state()
        if page.url.rstrip("/").endswith("/reviews"):
            expect(page.get_by_text("You have no reviews waiting")).to_be_visible()
            return
        name = page.locator("h1").inner_text()
        slot_text = page.locator(".usa-intro").first.inner_text()
        meets = decide(name, slot_text) == "yes"
        page.locator("label", has_text="Meets").first.click()
        page.locator("label", has_text="Meets" if meets else "Does not meet").nth(1).click()
        page.locator("label[for=id_experience_0]").click()
        if not meets:
            page.get_by_label("Justification").fill(
                "Delivery is weak."
                if name == RETURNED
                else "The resume shows no delivery of software at the GS-13 level."
            )
        page.get_by_role("button", name=re.compile("^Submit")).click()
        expect(page.get_by_text(f"Review of {name} submitted.")).to_be_visible()


def test_a_whole_resume_review_phase(page, browser, live_server):
    action = HiringActionFactory(title="Service Designer")
    hr = staff(action, Role.HR, "hr.rr@example.test")
    CompetencyFactory(action=action, name="Research")
    CompetencyFactory(action=action, name="Delivery")
    smes = [staff(action, Role.SME, f"sme{i}.rr@example.test") for i in range(1, 5)]
    applications = {}
    for name in NAMES:
        application = ApplicationFactory(action=action, candidate=UserFactory(full_name=name))
        ApplicationDocumentFactory(
            application=application, file=ContentFile(long_resume(3), name="cv.pdf"), pages=3
        )
        Application.objects.filter(pk=application.pk).update(resume_pages=3)
        applications[name] = application
    start_resume_review(action)

    # Each SME checks the names first; SME 1 recuses from Ada.
    for i, sme in enumerate(smes):
        sign_in(page, sme.email, PASSWORD)
        page.goto(f"/sme/actions/{action.pk}/reviews/")
        expect(page.get_by_role("heading", name="Before you review: conflicts of interest")).to_be_visible()
        if i == 0:
            page.get_by_label("Ada Byron").select_option("personal")
            check_page(page, "rr-conflicts")
        page.get_by_role("button", name="I have checked every name").click()
        expect(page.get_by_text("You will never be assigned anyone you named")).to_be_visible()
        sign_out(page)
    assert Recusal.objects.filter(sme=smes[0], application=applications["Ada Byron"]).exists()

    # HR releases everyone to resume review: two reviewers each, balanced, never SME 1 on Ada.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/screening/")
    page.get_by_role("button", name="Release everyone waiting").click()
    expect(page.get_by_text("Released 6 applications to resume review")).to_be_visible()
    assert not ResumeReview.objects.filter(sme=smes[0], application=applications["Ada Byron"]).exists()
    sign_out(page)

    # Every SME works their queue; the split on Cora creates a tiebreak for a third SME.
    for round_number in range(2):
        for i, sme in enumerate(smes):
            sign_in(page, sme.email, PASSWORD)
            if round_number == 0 and i == 1:
                page.goto(f"/sme/actions/{action.pk}/reviews/")
                check_page(page, "rr-queue")
                page.get_by_role("link", name="Next applicant").click()
                page.get_by_role("button", name="Submit review").click()
                expect(page.get_by_text("Rate every competency and requirement").first).to_be_visible()
                check_page(page, "rr-review-error")
            review_everything(page, action)
            sign_out(page)
    tiebreak = ResumeReview.objects.get(application=applications[SPLIT], slot=3)
    assert tiebreak.state == ResumeReview.State.SUBMITTED

    # HR: return Dev's vague justification, accept everything else.
    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/resume-review/")
    check_page(page, "rr-dashboard")
    vague = ResumeReview.objects.filter(
        application=applications[RETURNED], justification="Delivery is weak."
    ).first()
    entry = page.locator(f"form[action='/hr/reviews/{vague.pk}/decide/']")
    entry.locator("summary").click()
    entry.get_by_label("Or return it with a note").fill(
        "Say what delivery evidence is missing and at what level."
    )
    entry.get_by_role("button", name=re.compile("^Return to SME")).click()
    expect(page.get_by_text(re.compile("^Returned to .+ with your note"))).to_be_visible()
    while page.get_by_role("button", name=re.compile("^Accept")).count():
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Accept")).first.click()
        expect(page.get_by_text(re.compile("^Accepted"))).to_be_visible()
    sign_out(page)

    # The SME fixes the returned review: it tops their queue.
    sme = vague.sme
    sign_in(page, sme.email, PASSWORD)
    page.goto(f"/sme/actions/{action.pk}/reviews/next/")
    expect(page.get_by_role("heading", name="HR returned this review")).to_be_visible()
    page.get_by_label("Justification").fill(
        "No software delivery at the GS-13 level: the resume lists only coursework."
    )
    page.get_by_role("button", name="Submit review").click()
    sign_out(page)

    sign_in(page, hr.email, PASSWORD)
    page.goto(f"/hr/actions/{action.pk}/resume-review/")
    page.get_by_role("button", name=re.compile("^Accept")).first.click()
    page.get_by_role("button", name="Send every ready result").click()
    expect(page.get_by_text("Sent 6 results (ELSM or IQSM).")).to_be_visible()
    expect(page.locator("td[data-state=sent]")).to_have_text("6")
    expect(page.locator("[data-split-rate]")).to_have_text("17%")
    check_page(page, "rr-dashboard-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the USA Staffing import (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert Counter(row["Minimum Qualifications Rating"] for row in rows) == {"ELSM": 4, "IQSM": 2}
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the audit file (CSV)").click()
    audit = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert Counter(row["Record"] for row in audit) == {"review": 13, "return": 1, "recusal": 1}

    statuses = {a.applicant_name: a.status for a in Application.objects.filter(action=action)}
    assert statuses == {
        "Ada Byron": Status.MOVED_FORWARD,
        "Ben Okafor": Status.MOVED_FORWARD,
        "Cora Lindqvist": Status.MOVED_FORWARD,
        "Dev Patel": Status.DID_NOT_MOVE_FORWARD,
        "Eve Moreau": Status.DID_NOT_MOVE_FORWARD,
        "Finn Walsh": Status.MOVED_FORWARD,
    }
