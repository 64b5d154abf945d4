from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from tests.alerts.stub import Stub


@pytest.fixture
def stub():
    server = Stub()
    yield server
    server.close()


@pytest.fixture(scope="session")
def cap_schema():
    """The official OASIS schema, vendored in standards/ (a missing file fails, never skips)."""
    path = Path(settings.TONGZHOU_STANDARDS_DIR) / "CAP-v1.2.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.TONGZHOU_WEBHOOK_ALLOW_PRIVATE = True
    settings.TONGZHOU_SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Factories set passwords; the production hasher would cost seconds per test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
