"""The entry page's buttons are the entry's allowed actions (donations.actions.ENTRY), and the
services accept exactly those: no "sign for" after the allocation was signed for or reversed,
no "reverse" for someone who does not write the ledger."""

from decimal import Decimal

import pytest

from core.states import allowed_actions
from donations import services
from tests.actions import accepted, page_actions
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def calls(entry) -> dict:
    return {
        "acknowledge": lambda user: services.acknowledge(
            allocation=entry, by=user, amount=entry.amount
        ),
        "reverse": lambda user: services.reverse(entry=entry, by=user, reason="记错了"),
        "reveal": lambda user: services.reveal_private(entry=entry, by=user),
    }


def assert_everywhere(user, entry, expected: set[str]) -> None:
    assert set(allowed_actions(user, entry)) == expected
    assert page_actions(user, f"/ledger/entries/{entry.pk}/") == expected
    assert accepted(calls(entry), user) == expected


def test_buttons_follow_the_allocation_through_its_life(charity, charity_admin, ngo):
    receiver = df.writer(ngo)
    df.receipt(charity, charity_admin, "1000.00")
    allocation = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(300)
    )
    assert_everywhere(charity_admin, allocation, {"reverse"})
    assert_everywhere(receiver, allocation, {"acknowledge"})

    services.acknowledge(allocation=allocation, by=receiver, amount=Decimal(300))
    assert_everywhere(charity_admin, allocation, set())
    assert_everywhere(receiver, allocation, set())


def test_a_receipt_offers_reverse_and_reveal_to_its_writers_only(charity, charity_admin, ngo):
    receipt = df.receipt(charity, charity_admin, "500.00", donor_name="王小明")
    assert_everywhere(charity_admin, receipt, {"reverse", "reveal"})
    assert_everywhere(df.writer(ngo), receipt, set())
