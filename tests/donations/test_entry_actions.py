"""The entry page's buttons are the entry's allowed actions (donations.actions.ENTRY), and the
services accept exactly those: no "sign for" after the allocation was signed for or reversed,
no "reverse" for someone who does not write the ledger."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.states import InvalidTransition, allowed_actions
from donations import services
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def page_actions(client, user, entry) -> set[str]:
    client.force_login(user)
    html = client.get(f"/ledger/entries/{entry.seq}/").content.decode()
    client.logout()
    return set(re.findall(r'data-action="(\w+)"', html))


def accepted(user, entry) -> set[str]:
    """The entry actions the services accept for ``user`` (each tried, then rolled back)."""
    calls = {
        "acknowledge": lambda: services.acknowledge(allocation=entry, by=user, amount=entry.amount),
        "reverse": lambda: services.reverse(entry=entry, by=user, reason="记错了"),
        "reveal": lambda: services.reveal_private(entry=entry, by=user),
    }
    ok = set()
    for name, call in calls.items():
        try:
            with transaction.atomic():
                call()
                ok.add(name)
                transaction.set_rollback(True)
        except (PermissionDenied, InvalidTransition, Exception):  # noqa: B014 - any refusal
            continue
    return ok


def test_buttons_follow_the_allocation_through_its_life(client, charity, charity_admin, ngo):
    receiver = df.writer(ngo)
    df.receipt(charity, charity_admin, "1000.00")
    allocation = services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(300)
    )
    people = {"sender": charity_admin, "receiver": receiver}
    expected = {"sender": {"reverse"}, "receiver": {"acknowledge"}}
    for who, user in people.items():
        assert set(allowed_actions(user, allocation)) == expected[who], who
        assert page_actions(client, user, allocation) == expected[who], who
        assert accepted(user, allocation) == expected[who], who

    services.acknowledge(allocation=allocation, by=receiver, amount=Decimal(300))
    for who, user in people.items():
        assert allowed_actions(user, allocation) == [], who
        assert page_actions(client, user, allocation) == set(), who
        assert accepted(user, allocation) == set(), who


def test_a_receipt_offers_reverse_and_reveal_to_its_writers_only(
    client, charity, charity_admin, ngo
):
    receipt = df.receipt(charity, charity_admin, "500.00", donor_name="王小明")
    outsider = df.writer(ngo)
    assert set(allowed_actions(charity_admin, receipt)) == {"reverse", "reveal"}
    assert page_actions(client, charity_admin, receipt) == {"reverse", "reveal"}
    assert accepted(charity_admin, receipt) == {"reverse", "reveal"}
    assert allowed_actions(outsider, receipt) == []
    assert page_actions(client, outsider, receipt) == set()
    assert accepted(outsider, receipt) == set()
