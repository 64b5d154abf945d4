"""Row locks under real concurrency (PostgreSQL only): a milestone is paid once, however many
officials press the button at the same moment."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.states import InvalidTransition
from procurement import services
from procurement.models import Award, Contract, Milestone, Payment
from tests.procurement.factories import BidFactory, ProjectFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officials_paying_the_same_milestone_pay_it_once(official, agency):
    project = ProjectFactory(buyer=agency, status="implementing", published_at=timezone.now())
    bid = BidFactory(project=project, price=Decimal("1000.00"))
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=timezone.now()
    )
    contract = Contract.objects.create(
        project=project, award=award, supplier=bid.organization, value=bid.price
    )
    Milestone.objects.create(
        contract=contract,
        title="二",
        payment_percent=50,
        due_at=timezone.now() + dt.timedelta(days=9),
    )
    milestone = Milestone.objects.create(
        contract=contract, title="一", payment_percent=50, due_at=timezone.now(), status="accepted"
    )
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def pay():
        try:
            barrier.wait()
            services.pay_milestone(milestone=Milestone(pk=milestone.pk), by=official)
            outcomes.append("paid")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "refused", "refused", "refused"]
    assert Payment.objects.count() == 1
    assert Contract.objects.get(pk=contract.pk).paid_amount == Decimal("500.00")
