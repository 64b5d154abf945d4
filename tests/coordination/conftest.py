import pytest

from tests.coordination.factories import IncidentFactory


@pytest.fixture
def incident(agency):
    """A grade II earthquake in 芦山县 (511826), responding, led by 雅安市应急管理局."""
    return IncidentFactory(lead_agency=agency)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are hashed with PBKDF2 otherwise: seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
