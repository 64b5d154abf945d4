"""Real threads against PostgreSQL row locks: no overdraft and no fork of the chain."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.states import Conflict
from donations import chain, services
from donations.models import LedgerEntry, Lot
from tests.donations import factories as df


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_cannot_overspend_one_balance():
    # given a balance of 1000 and 50 spenders of 30 each (1500 wanted)
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin, "1000.00")
    outcomes: list = []
    barrier = threading.Barrier(50)

    def spend():
        try:
            barrier.wait()
            services.disburse(organization=charity, by=admin, amount=Decimal(30), purpose="x")
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - any other failure is the bug we look for
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then 33 succeed, 17 are refused cleanly, the balance never went negative
    assert outcomes.count("ok") == 33
    assert outcomes.count("insufficient_balance") == 17
    spent = sum(LedgerEntry.objects.filter(kind="disbursement").values_list("amount", flat=True))
    assert spent == Decimal(990)
    assert Lot.objects.get().remaining == Decimal(10)
    # and the chain did not fork
    assert chain.verify() == (34, None, "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overdraft_through_the_api_is_a_clean_409(api):
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin, "100.00")
    codes: list = []
    barrier = threading.Barrier(10)

    def spend():
        try:
            barrier.wait()
            response = api(admin).post(
                "/api/v1/ledger/disbursements/", {"amount": "30.00", "purpose": "x"}, format="json"
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] * 3 + [409] * 7
