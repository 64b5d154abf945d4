"""Demo data of the community app: routine needs of 芦山县 (one posted by the bureau, one by
芦山县应急救援队 and confirmed, one waiting), the team's project addressing one, and a pledge by
the demo foundation.

Built through the services; idempotent (nothing is added once a routine need exists)."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from community import services
from community.models import RoutineNeed
from core.roles import Role


def _user(username: str):
    return get_user_model().objects.get(username=username)


def seed(stdout) -> None:
    if RoutineNeed.objects.exists():
        return
    bureau, ngo, charity = _user("bureau"), _user("ngo"), _user("charity")
    team = ngo.memberships.filter(role=Role.ADMIN).order_by("id").first().organization
    fund = charity.memberships.filter(role=Role.ADMIN).order_by("id").first().organization
    services.post_need(
        by=bureau,
        category="shelter",
        description="龙门乡敬老院冬季取暖设施更新",
        quantity=30,
        unit="间",
        region_code="511826",
        urgency="high",
    )
    children = services.post_need(
        by=ngo,
        organization=team,
        category="psychological",
        description="龙门乡留守儿童陪伴与心理辅导",
        quantity=120,
        unit="人",
        region_code="511826",
    )
    services.confirm_need(need=children, by=bureau)
    services.post_need(
        by=ngo,
        organization=team,
        category="supplies",
        description="宝盛乡村级应急物资储备点补充",
        quantity=6,
        unit="个",
        region_code="511826",
    )
    today = timezone.localdate()
    project = services.post_project(
        by=ngo,
        organization=team,
        title="龙门乡儿童陪伴计划",
        region_code="511826",
        category="psychological",
        budget_sought=Decimal("80000"),
        starts_on=today,
        ends_on=today + timedelta(days=180),
        description="每周两次陪伴活动与心理辅导，培训本地志愿者。",
        beneficiaries="龙门乡留守儿童约120人",
    )
    services.link_need(project=project, by=ngo, need=children, quantity=80)
    services.pledge(project=project, by=charity, funder=fund, amount=Decimal("30000"), note="首期")
