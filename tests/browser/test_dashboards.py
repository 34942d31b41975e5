"""HR's dashboards through Chromium on the demo data: the action dashboard and time to hire across
actions show the database's numbers, their charts and tables pass axe, and a table downloads as CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

from assessments.models import Interview
from certificates.models import Certificate
from hiring.models import Application, AuditEvent, HiringAction

from .conftest import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def cell(page, table_id: str, row: str, column: int) -> str:
    """The text of `column` (0: the row header) in the row of `table_id` headed `row`."""
    line = page.locator(f"#{table_id} tbody tr").filter(
        has=page.get_by_role("rowheader", name=row, exact=True)
    )
    return line.locator("th, td").nth(column).inner_text().strip()


def test_hr_reads_both_dashboards(page, demo):
    action = HiringAction.objects.get(title="Senior Product Manager")
    sign_in(page, "hr@demo.test")
    page.get_by_role("link", name="Dashboard for Senior Product Manager").click()
    expect(page.get_by_role("heading", name="Dashboard: Senior Product Manager", level=1)).to_be_visible()
    check_page(page, "hr-action-dashboard")

    # The funnel against the database.
    assert cell(page, "table-funnel", "Applied", 1) == str(Application.objects.filter(action=action).count())
    passed = Interview.objects.filter(action=action, state="accepted", score__gte=1)
    assert cell(page, "table-funnel", "Passed round 1", 1) == str(passed.filter(round=1).count())
    assert cell(page, "table-funnel", "Passed round 2", 1) == str(passed.filter(round=2).count())
    referred = Application.objects.filter(action=action, certificate_entries__isnull=False).distinct().count()
    assert cell(page, "table-funnel", "Referred", 1) == str(referred) != "0"
    # The demo's certificate is with the hiring manager: nobody selected yet.
    assert cell(page, "table-funnel", "Selected", 1) == "0"
    assert cell(page, "table-phases", "Certificate", 2) == "still in it"
    moves = AuditEvent.objects.filter(action=action, subject="hiring_action").exclude(from_state="").count()
    assert moves >= 4  # every phase move is on the audit trail the dashboard reads
    chart = page.get_by_role("img", name="Applicants reaching each stage")
    expect(chart).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Applicants reaching each stage” as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))  # noqa: SIM115
    assert rows[1][:2] == ["Applied", str(Application.objects.filter(action=action).count())]

    page.get_by_role("link", name="Time to hire across your hiring actions").click()
    expect(
        page.get_by_role("heading", name="Time to hire across your hiring actions", level=1)
    ).to_be_visible()
    check_page(page, "hr-dashboard")
    certificates = Certificate.objects.filter(action=action, source__isnull=True).count()
    assert cell(page, "table-effort", "Senior Product Manager", 9) == str(certificates) == "1"
    reviews_done = action.resume_reviews.filter(state__in=["submitted", "accepted"]).count()
    assert cell(page, "table-effort", "Senior Product Manager", 2) == str(reviews_done)
    interviews_done = Interview.objects.filter(action=action, state__in=["submitted", "accepted"]).count()
    assert cell(page, "table-effort", "Senior Product Manager", 3) == str(interviews_done) != "0"
    expect(page.get_by_text("SME hours are an estimate")).to_be_visible()
    expect(page.get_by_role("img", name="Announcement open to certificate issued, days")).to_be_visible()
    # Every action the demo HR runs has its row, and only those.
    titles = sorted(
        HiringAction.objects.filter(roles__user__email="hr@demo.test", roles__role="hr").values_list(
            "title", flat=True
        )
    )
    shown = sorted(page.locator("#table-time-to-hire tbody th").all_inner_texts())
    assert shown == titles
