import pytest
from django.core.cache import cache

from hiring.models import Role

from .factories import ActionRoleFactory, HiringActionFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (in-process, so a test's cached pages cannot leak into
    the next, whose rows may reuse the same ids on SQLite)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def action(db):
    return HiringActionFactory()


@pytest.fixture
def hr(action):
    return ActionRoleFactory(action=action, role=Role.HR).user


@pytest.fixture
def sme(action):
    return ActionRoleFactory(action=action, role=Role.SME).user


@pytest.fixture
def manager(action):
    return ActionRoleFactory(action=action, role=Role.HIRING_MANAGER).user


@pytest.fixture
def candidate(db):
    return UserFactory()


@pytest.fixture
def other_agency_hr(db):
    """HR of another agency: HR on an action of its own agency, none on `action`."""
    other = HiringActionFactory()
    return ActionRoleFactory(action=other, role=Role.HR, user=StaffFactory(agency=other.agency)).user
