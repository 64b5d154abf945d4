import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The personas each hash a password; the production hasher makes that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
