import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from community import services
from core.roles import Role
from tests.registry import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def foundation(db):
    return f.OrganizationFactory(name="壹基金", kind="foundation", region_code="440300")


@pytest.fixture
def foundation_admin(foundation):
    return f.org_user(foundation, Role.ADMIN)


@pytest.fixture
def need(official):
    """A confirmed routine need of 芦山县 (posted by the official of 雅安市)."""
    return services.post_need(
        by=official,
        category="psychological",
        description="龙门乡留守儿童心理辅导",
        quantity=120,
        unit="人",
        region_code="511826",
    )


@pytest.fixture
def project(ngo_admin):
    today = timezone.localdate()
    return services.post_project(
        by=ngo_admin,
        title="龙门乡儿童陪伴计划",
        region_code="511826",
        category="psychological",
        budget_sought=Decimal("80000.00"),
        starts_on=today,
        ends_on=today + dt.timedelta(days=180),
        description="每周两次陪伴与心理辅导。",
        beneficiaries="龙门乡留守儿童",
    )
