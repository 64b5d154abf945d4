"""Real mode: an entry written through the API is sequenced by a real Celery worker after the
commit (the task published by ``transaction.on_commit``), within the maximum merge delay."""

import time

import pytest

from donations import chain
from donations.models import LedgerEntry
from tests.donations import factories as df
from tests.integration.conftest import celery_worker_process  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def test_the_worker_sequences_an_api_write_within_the_merge_delay(
    celery_worker_process,  # noqa: F811
    api,
    settings,
):
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"
    charity = df.foundation()
    admin = df.writer(charity)
    payload = {
        "donor_name": "张三",
        "donor_kind": "individual",
        "channel": "bank_transfer",
        "amount": "300.00",
    }
    body = api(admin).post("/api/v1/ledger/receipts/", payload, format="json").json()
    assert body["sequenced"] is False and body["trace_code"]
    deadline = time.monotonic() + settings.TONGZHOU_LEDGER_MAX_MERGE_DELAY
    while time.monotonic() < deadline:
        if LedgerEntry.objects.filter(pk=body["id"], seq__isnull=False).exists():
            break
        time.sleep(0.05)
    entry = LedgerEntry.objects.get(pk=body["id"])
    assert entry.seq == 1 and entry.hash and entry.sequenced_at
    assert api(None).get(f"/api/v1/ledger/entries/{body['id']}/").json()["sequenced"] is True
    assert chain.verify() == (1, None, "")
