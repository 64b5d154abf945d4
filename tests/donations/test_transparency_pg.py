"""Real threads on PostgreSQL: writers appending while several extenders and signers run never
leave a hole or a duplicate in the tree, and every head verifies."""

import threading

import pytest
from django.db import connection

from donations import chain, merkle, transparency
from donations.models import LedgerEntry, MerkleNode, SignedHead
from tests.donations import factories as df
from tests.donations.test_transparency_merkle import ref_root


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_extenders_and_signers(settings):
    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    org = df.foundation()
    user = df.writer(org)
    errors: list = []
    done = threading.Event()
    barrier = threading.Barrier(6)

    def write():
        try:
            barrier.wait()
            for n in range(15):
                df.receipt(org, user, f"{n + 1}.00")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    def sign():
        try:
            barrier.wait()
            while not done.is_set():
                transparency.sign_head(force=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    writers = [threading.Thread(target=write) for _ in range(2)]
    signers = [threading.Thread(target=sign) for _ in range(4)]
    for t in writers + signers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in signers:
        t.join()
    assert errors == []
    final = transparency.sign_head(force=True)
    assert final.tree_size == 30
    hashes = [
        bytes.fromhex(h) for h in LedgerEntry.objects.order_by("seq").values_list("hash", flat=True)
    ]
    assert MerkleNode.objects.count() == len(merkle.build_levels(hashes))
    for head in SignedHead.objects.all():
        assert head.root_hash == ref_root(hashes[: head.tree_size]).hex()
        assert transparency.head_signature_ok(head)
    timestamps = list(SignedHead.objects.order_by("tree_size").values_list("timestamp", flat=True))
    assert timestamps == sorted(timestamps)
    assert chain.verify() == (30, None, "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_does_not_queue_behind_the_extender(settings):
    """While another connection holds the tree lock, a lazy reader returns the newest head at
    once instead of waiting; the beat job (waiting) gets the lock afterwards."""
    from django.db import transaction

    from donations.models import TreeState
    from donations.signals import ledger_sequenced
    from donations.tasks import on_ledger_sequenced

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    org = df.foundation()
    user = df.writer(org)
    df.receipt(org, user)
    first = transparency.sign_head()
    # the sequencer's signal would sign the second head at once: leave it to the lazy reader
    ledger_sequenced.disconnect(dispatch_uid="donations.tree-follows-seq")
    try:
        df.receipt(org, user)
    finally:
        ledger_sequenced.connect(on_ledger_sequenced, dispatch_uid="donations.tree-follows-seq")
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                TreeState.objects.select_for_update().get(id=1)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    try:
        assert transparency.current_head() == first  # did not wait for the lock
        assert transparency.tree_size() == 1
    finally:
        release.set()
        holder.join()
    assert transparency.sign_head().tree_size == 2
