import re

import pytest

from alerts.models import Alert
from core.roles import Role
from registry import services as reg
from tests.registry import factories as f


@pytest.fixture
def hub(db, official):
    hub = f.OrganizationFactory(name="雅安市社会组织服务中心", region_code="511800")
    return reg.designate_hub(organization=hub, by=official)


@pytest.fixture
def hub_admin(hub):
    return f.org_user(hub, Role.ADMIN)


@pytest.fixture
def hub_member(hub):
    return f.org_user(hub, Role.MEMBER)


def last_code(phone: str) -> str:
    """The code in the newest SMS to ``phone`` (the alerts outbox keeps the rendered body)."""
    alert = Alert.objects.filter(deliveries__address=phone).order_by("-id").first()
    return re.search(r"\d{6}", alert.body).group(0)
