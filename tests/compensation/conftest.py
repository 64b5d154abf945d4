import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.roles import Role
from tests.coordination.factories import DeploymentFactory, IncidentFactory
from tests.donations import factories as df
from tests.registry import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def photo(name="loss.jpg", color=(200, 80, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def incident(agency):
    return IncidentFactory(lead_agency=agency, title="芦山地震")


@pytest.fixture
def deployment(incident, ngo):
    return DeploymentFactory(incident=incident, organization=ngo, specialties=["water_rescue"])


@pytest.fixture
def rescuer(ngo):
    return f.PersonFactory(organization=ngo, name="周救援")


@pytest.fixture
def fund(official):
    """The compensation fund: a foundation of 雅安市 whose ledger the bureau official writes,
    holding ¥100,000 given for the compensation purpose."""
    org = df.foundation(name="雅安市应急救援补偿基金会", region_code="511800")
    f.MembershipFactory(user=official, organization=org, role=Role.ADMIN)
    df.receipt(
        org,
        official,
        amount="100000.00",
        restricted=True,
        purpose=settings.TONGZHOU_COMPENSATION_PURPOSE,
    )
    return org


def claim_body(deployment, rescuer, **kw):
    return {
        "deployment": deployment.pk,
        "kind": "injury",
        "person": rescuer.pk,
        "description": "冲锋舟侧翻，左腿骨折",
        "occurred_at": "2026-11-20T10:00:00+08:00",
        "amount_claimed": "20000.00",
        "insurer_claim_reference": "PA-CLM-1",
        **kw,
    }


AMOUNT = Decimal("20000.00")
