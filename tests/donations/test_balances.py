from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.states import Conflict, InvalidTransition
from donations import services
from donations.balances import InsufficientBalance, RestrictedPurpose
from donations.models import Lot
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def _money(org):
    return sum(Lot.objects.filter(holder=org, item="").values_list("remaining", flat=True))


def test_disbursement_draws_oldest_receipt_first_and_records_the_choice(charity, charity_admin):
    # given two receipts
    first = df.receipt(charity, charity_admin, "100.00")
    second = df.receipt(charity, charity_admin, "100.00")
    # when 150 is spent without naming sources
    entry = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(150), purpose="帐篷采购"
    )
    # then the oldest is used up first, and the service's choice is recorded
    drawn = {s.lot.origin_id: s.quantity for s in entry.sources.select_related("lot")}
    assert drawn == {first.pk: Decimal(100), second.pk: Decimal(50)}
    assert all(s.chosen_by_service for s in entry.sources.all())
    assert _money(charity) == Decimal(50)


def test_named_sources_are_used(charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    second = df.receipt(charity, charity_admin, "100.00")
    entry = services.disburse(
        organization=charity,
        by=charity_admin,
        amount=Decimal(80),
        purpose="药品",
        sources=[{"entry": second.pk, "amount": 80}],
    )
    assert [s.lot.origin_id for s in entry.sources.all()] == [second.pk]


def test_overdraft_is_refused_and_nothing_is_written(charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    with pytest.raises(InsufficientBalance):
        services.disburse(
            organization=charity, by=charity_admin, amount=Decimal("100.01"), purpose="x"
        )
    assert _money(charity) == Decimal(100)
    assert charity.ledger_entries.count() == 1


def test_goods_balances_are_kept_per_item(charity, charity_admin, ngo):
    df.receipt(
        charity,
        charity_admin,
        items=[df.item("矿泉水", quantity="100"), df.item("帐篷", "顶", "20", "800.00")],
    )
    entry = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(15)}],
    )
    assert entry.goods_value == Decimal("12000.00")
    with pytest.raises(InsufficientBalance):
        services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            items=[{"name": "帐篷", "unit": "顶", "quantity": Decimal(6)}],
        )
    left = dict(Lot.objects.filter(holder=charity).values_list("item", "remaining"))
    assert left == {"矿泉水": Decimal(100), "帐篷": Decimal(5)}


def test_restricted_money_cannot_be_used_outside_its_purpose(charity, charity_admin):
    quake = IncidentFactory()
    other = IncidentFactory()
    df.receipt(charity, charity_admin, "100.00", incident=quake, restricted=True)
    with pytest.raises(RestrictedPurpose):
        services.disburse(
            organization=charity, by=charity_admin, amount=Decimal(10), purpose="x", incident=other
        )
    entry = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(10), purpose="x", incident=quake
    )
    assert entry.restricted


def test_change_of_use_needs_filing_and_consent_where_agreed(charity, charity_admin):
    quake = IncidentFactory()
    flood = IncidentFactory(subtype="flood")
    gift = df.receipt(
        charity, charity_admin, "100.00", incident=quake, restricted=True, donation_agreement=True
    )
    with pytest.raises(InvalidTransition):
        services.change_use(
            entry=gift,
            by=charity_admin,
            incident=flood,
            purpose="",
            filing_reference="川民备〔2026〕1号",
            donor_consent=False,
        )
    change = services.change_use(
        entry=gift,
        by=charity_admin,
        incident=flood,
        purpose="",
        filing_reference="川民备〔2026〕1号",
        donor_consent=True,
    )
    assert change.amount == Decimal(100) and change.filing_reference
    spent = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(100), purpose="x", incident=flood
    )
    assert spent.incident == flood


def test_reversing_a_disbursement_restores_the_balance(charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    spent = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(40), purpose="x"
    )
    reversal = services.reverse(entry=spent, by=charity_admin, reason="录入错误")
    assert reversal.amount == Decimal(40) and reversal.related == spent
    assert _money(charity) == Decimal(100)
    with pytest.raises(InvalidTransition):
        services.reverse(entry=spent, by=charity_admin, reason="again")
    with pytest.raises(InvalidTransition):
        services.reverse(entry=reversal, by=charity_admin, reason="undo")


def test_a_receipt_already_drawn_on_cannot_be_reversed(charity, charity_admin):
    gift = df.receipt(charity, charity_admin, "100.00")
    services.disburse(organization=charity, by=charity_admin, amount=Decimal(1), purpose="x")
    with pytest.raises(Conflict):
        services.reverse(entry=gift, by=charity_admin, reason="wrong")


def test_reversed_receipt_leaves_totals_and_balance(charity, charity_admin):
    from donations.queries import totals

    gift = df.receipt(charity, charity_admin, "100.00")
    df.receipt(charity, charity_admin, "50.00")
    services.reverse(entry=gift, by=charity_admin, reason="退回捐赠人")
    overall = totals()["overall"]
    assert overall["received_money"] == Decimal("50.00")
    assert overall["balance_money"] == Decimal("50.00")


def test_totals_are_cached_per_chain_head_and_never_stale(
    charity, charity_admin, django_assert_max_num_queries
):
    from donations.queries import totals

    df.receipt(charity, charity_admin, "100.00")
    assert totals()["overall"]["received_money"] == Decimal("100.00")
    with django_assert_max_num_queries(3):  # head, incident titles, organization names
        assert totals()["overall"]["received_money"] == Decimal("100.00")
    df.receipt(charity, charity_admin, "50.00")  # the head moves: the next read recomputes
    assert totals()["overall"]["received_money"] == Decimal("150.00")
    assert totals(organization_id=charity.pk)["overall"]["balance_money"] == Decimal("150.00")


def test_acknowledgement_with_shortfall_is_flagged_and_alerted(
    charity, charity_admin, ngo, team_writer
):
    from alerts.models import Alert

    df.receipt(charity, charity_admin, items=[df.item("N95口罩", "个", "1000", "5.00")])
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        items=[{"name": "N95口罩", "unit": "个", "quantity": Decimal(1000)}],
    )
    signed = services.acknowledge(
        allocation=sent,
        by=team_writer,
        items=[{"name": "N95口罩", "unit": "个", "quantity": Decimal(800)}],
    )
    assert signed.shortfall
    assert Lot.objects.get(holder=ngo).remaining == Decimal(800)
    assert Alert.objects.filter(audience__organizations=[charity.pk]).exists()
    with pytest.raises(InvalidTransition):
        services.reverse(entry=sent, by=charity_admin, reason="too late")


def test_lot_check_constraint_is_the_backstop(charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(holder=charity).update(remaining=-1)
