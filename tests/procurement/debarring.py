"""Builders for debarment tests: a supplier's terminated contract with its clawback."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from procurement.models import Award, Clawback, Contract
from tests.procurement.factories import BidFactory, ProjectFactory


def terminated_contract(
    org,
    agency,
    *,
    ground="falsification",
    days_ago=10,
    clawback="36000.00",
    due_in=30,
    region_code="511826",
) -> Contract:
    """A contract of ``org`` terminated ``days_ago`` days ago on ``ground``, with a clawback
    due in ``due_in`` days (negative: overdue)."""
    now = timezone.now()
    project = ProjectFactory(
        buyer=agency,
        status="terminated",
        region_code=region_code,
        published_at=now - dt.timedelta(days=days_ago + 90),
        tender_end=now - dt.timedelta(days=days_ago + 60),
        title="宝兴县灾后入户评估服务",
    )
    bid = BidFactory(project=project, organization=org, price=Decimal("120000.00"))
    award = Award.objects.create(
        project=project,
        bid=bid,
        amount=bid.price,
        standstill_ends_at=now - dt.timedelta(days=days_ago + 50),
    )
    contract = Contract.objects.create(
        project=project,
        award=award,
        supplier=org,
        value=bid.price,
        paid_amount=Decimal("36000.00"),
        status="terminated",
        terminated_at=now - dt.timedelta(days=days_ago),
        termination_reason="入户评估记录与抽查结果严重不符。",
        termination_ground=ground,
    )
    if clawback:
        Clawback.objects.create(
            contract=contract,
            amount_due=Decimal(clawback),
            due_on=timezone.localdate() + dt.timedelta(days=due_in),
        )
    return contract
