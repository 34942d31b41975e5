import pytest

from hiring.models import Role

from .factories import ActionRoleFactory, HiringActionFactory, StaffFactory, UserFactory


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
