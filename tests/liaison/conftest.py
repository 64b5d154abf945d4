import pytest

from core.roles import Role
from tests.coordination.factories import IncidentFactory
from tests.registry import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def incident(agency):
    """A grade II earthquake in 芦山县 (511826), led by 雅安市应急管理局."""
    return IncidentFactory(lead_agency=agency)


@pytest.fixture
def province_agency(province_official):
    return province_official.memberships.get().organization


@pytest.fixture
def county_agency(db):
    """芦山县应急管理局 (511826), with an official."""
    agency = f.AgencyFactory(name="芦山县应急管理局", region_code="511826")
    user = f.UserFactory(username="county_official")
    f.MembershipFactory(user=user, organization=agency, role=Role.OFFICIAL)
    agency.official = user
    return agency


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
