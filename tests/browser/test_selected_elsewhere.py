"""Selected elsewhere through Chromium (ADR 0015 step 6): on a pooled action the Interior manager selects
Ada; the Energy manager sees "Selected by Department of the Interior" on her row of Energy's certificate,
is refused a second selection with the reason, and sees the mark gone once Interior records the decline."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.certificates.test_pooled_selection import build_pool
from tests.factories import TEST_PASSWORD

from .conftest import check_page, dispose, row, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)
ADA = "Ada Lovelace"
MARK = "Selected by Department of the Interior (certificate DOI-2026-01)"


def test_a_selection_shows_on_the_other_agencys_certificate_until_declined(page):
    pool = build_pool()
    doi, doe = pool["certificates"]["doi"], pool["certificates"]["doe"]
    today = timezone.localdate()

    sign_in(page, pool["doi_manager"].email, TEST_PASSWORD)
    page.goto(reverse("certificates:certificate", args=[doi.pk]))
    dispose(page, ADA, "A: selected", on=today)
    expect(page.get_by_text(f"Recorded for {ADA}.")).to_be_visible()
    expect(row(page, ADA).locator("[data-selected-elsewhere]")).to_have_count(0)
    sign_out(page)

    sign_in(page, pool["doe_manager"].email, TEST_PASSWORD)
    page.goto(reverse("certificates:certificate", args=[doe.pk]))
    expect(row(page, ADA)).to_contain_text(MARK)
    expect(row(page, ADA).locator("[data-selected-elsewhere]")).to_have_text("Selected elsewhere")
    expect(row(page, "Bo Diddley").locator("[data-selected-elsewhere]")).to_have_count(0)
    check_page(page, "certificate-selected-elsewhere")
    dispose(page, ADA, "A: selected", on=today)
    expect(page.get_by_role("alert")).to_contain_text(
        "Selected by Department of the Interior on certificate DOI-2026-01; their decline must be recorded there first."
    )
    check_page(page, "certificate-selected-elsewhere-refused")
    sign_out(page)

    sign_in(page, pool["doi_manager"].email, TEST_PASSWORD)
    page.goto(reverse("certificates:certificate", args=[doi.pk]))
    dispose(page, ADA, "D: declined", reason="Took another offer")
    expect(page.get_by_text(f"Recorded for {ADA}.")).to_be_visible()
    sign_out(page)

    sign_in(page, pool["doe_manager"].email, TEST_PASSWORD)
    page.goto(reverse("certificates:certificate", args=[doe.pk]))
    expect(row(page, ADA)).not_to_contain_text("Selected by")
