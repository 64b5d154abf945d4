import pytest

from tests.donations import factories as df


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas get passwords; the default PBKDF2 cost would dominate this suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def charity(db):
    return df.foundation(name="四川同舟公益基金会")


@pytest.fixture
def charity_admin(charity):
    return df.writer(charity)


@pytest.fixture
def team_writer(ngo):
    return df.writer(ngo)
