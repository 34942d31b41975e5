"""HR's applicant list: filter, sort, 50 a page by keyset, and a query count that does not grow."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hiring.models import Application, Role
from hiring.workflow import Status
from tests.factories import ActionRoleFactory, HiringActionFactory

pytestmark = pytest.mark.django_db


def applicants(action, n, *, start=0):
    """`n` imported-style applicants (no account) with distinct times and some shared names."""
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            action=action,
            applicant_name=f"Applicant {(i // 2):04d}",  # pairs share a name: the id breaks the tie
            submitted_at=now - timedelta(minutes=i),
            status=Status.INELIGIBLE if i % 5 == 0 else Status.RECEIVED,
        )
        for i in range(start, start + n)
    )


@pytest.fixture
def hr_client(client):
    action = HiringActionFactory()
    hr = ActionRoleFactory(action=action, role=Role.HR).user
    client.force_login(hr)
    return client, action


def walk(client, url):
    """Follow "Next 50" to the end; returns the names in page order and the number of pages."""
    names, pages = [], 0
    while url:
        page = client.get(url).content.decode()
        pages += 1
        names += re.findall(r'data-label="Applicant"><a href="[^"]+">([^<]+)</a>', page)
        found = re.search(r'href="(\?[^"]*after=[^"#]+)#applicants" rel="next"', page)
        url = (url.split("?")[0] + found.group(1).replace("&amp;", "&")) if found else None
    return names, pages


@pytest.mark.parametrize("sort", ["name", "newest", "oldest"])
def test_following_next_visits_every_applicant_once_in_order(hr_client, sort):
    client, action = hr_client
    applicants(action, 120)
    base = reverse("hiring:hr_action_detail", args=[action.pk])
    names, pages = walk(client, f"{base}?sort={sort}")
    assert pages == 3 and len(names) == 120
    rows = Application.objects.filter(action=action)
    order = {
        "name": ("applicant_name", "id"),
        "newest": ("-submitted_at", "-id"),
        "oldest": ("submitted_at", "id"),
    }
    assert names == list(rows.order_by(*order[sort]).values_list("applicant_name", flat=True))


def test_the_status_filter_pages_only_that_status(hr_client):
    client, action = hr_client
    applicants(action, 120)
    base = reverse("hiring:hr_action_detail", args=[action.pk])
    names, _ = walk(client, f"{base}?status=ineligible&sort=name")
    assert len(names) == 24 == Application.objects.filter(action=action, status=Status.INELIGIBLE).count()


def test_an_edited_page_link_starts_again_with_a_message(hr_client):
    client, action = hr_client
    applicants(action, 60)
    page = client.get(
        reverse("hiring:hr_action_detail", args=[action.pk]) + "?after=not-a-cursor", follow=True
    )
    text = page.content.decode()
    assert "That page link was not valid" in text
    assert text.count('data-label="Applicant"') == 50


def test_a_deep_page_costs_the_same_queries_as_the_first_at_any_size(hr_client):
    client, action = hr_client
    base = reverse("hiring:hr_action_detail", args=[action.pk])

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    applicants(action, 60)
    small_first = queries(f"{base}?sort=name")
    applicants(action, 600, start=60)
    large_first = queries(f"{base}?sort=name")
    deep = Application.objects.filter(action=action).order_by("applicant_name", "id")[500]
    from hiring.selectors import encode_cursor

    large_deep = queries(f"{base}?sort=name&after={encode_cursor(deep.applicant_name, deep.pk)}")
    assert small_first == large_first == large_deep
