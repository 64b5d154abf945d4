import io

import pytest

from donations import chain, reconcile
from donations import demo as donations_demo
from donations.models import Flag, LedgerEntry
from registry import demo as registry_demo


@pytest.mark.django_db
def test_demo_ledger_is_idempotent_and_its_chain_verifies():
    out = io.StringIO()
    registry_demo.seed(out)
    donations_demo.seed(out)
    count = LedgerEntry.objects.count()
    donations_demo.seed(out)
    assert LedgerEntry.objects.count() == count >= 200
    assert chain.verify() == (count, None, "")
    # and its balances reconcile with the lots (hashes, balances, evidence: verify_ledger)
    assert reconcile.verify_all() == (count, [])
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert {"receipt", "allocation", "acknowledgement", "disbursement", "reversal"} <= kinds
    assert LedgerEntry.objects.filter(kind="acknowledgement", shortfall=True).exists()
    assert LedgerEntry.objects.values("holder").distinct().count() >= 4
    from donations.disclosure import check_disclosure_and_stuck_goods

    check_disclosure_and_stuck_goods()
    assert Flag.objects.filter(kind="stuck_goods").exists()
