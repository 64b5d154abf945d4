"""``chain.verify`` split between processes (PostgreSQL, outside a transaction): every answer,
intact or tampered, is the one a single pass gives, down to the entry named and the count.

The split level is lowered to 2 (ranges of multiples of 4 entries) so that a 21-entry ledger
is shared by three workers: ranges (0, 8], (8, 16], (16, 21].
"""

import pytest

from donations import chain, services
from donations.models import LedgerEntry, MerkleNode, SignedHead
from tests.donations import factories as df

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def ledger(settings, monkeypatch):
    """21 entries of every shape (money, goods with lines, allocations drawing on lots, their
    acknowledgements) with the tree over them and a signed head; ``verify`` split at level 2."""
    from donations import transparency

    settings.TONGZHOU_LEDGER_HEAD_MIN_SECONDS = 0
    monkeypatch.setattr(chain, "SPLIT_LEVEL", 2)
    charity, ngo = df.foundation(), df.foundation(name="第二基金会")
    admin, ngo_admin = df.writer(charity), df.writer(ngo)
    while LedgerEntry.objects.count() < 21:
        count = LedgerEntry.objects.count()
        if count % 5 == 2 and count < 18:
            _gift, sent = df.gift_passed_on(charity, admin, ngo)
            services.acknowledge(allocation=sent, by=ngo_admin, items=[df.item(quantity="4")])
        else:
            df.receipt(charity, admin, f"{count + 1}.00")
    transparency.sign_head(force=True)
    assert transparency.tree_size() == 21
    return monkeypatch


def both(monkeypatch) -> tuple:
    """(three workers' answer, one pass's answer); fails if the split did not happen."""
    ran = []
    split = chain._verify_ranges

    def spy(ranges, size, during=None):
        ran.append(ranges)
        return split(ranges, size, during)

    monkeypatch.setattr(chain, "_verify_ranges", spy)
    parallel = chain.verify(workers=3)
    assert ran == [[(0, 8), (8, 16), (16, 21)]]
    single = chain.verify(workers=1)
    assert len(ran) == 1
    return parallel, single


def tamper(sql: str, params=()) -> None:
    with df.tampering() as cursor:
        cursor.execute(sql, params)


def test_an_intact_ledger_verifies_split_as_in_one_pass(ledger):
    parallel, single = both(ledger)
    assert parallel == single == (21, None, "")


@pytest.mark.parametrize("seq", [1, 8, 9, 17, 21])
def test_a_tampered_entry_is_named_by_every_worker_split(ledger, seq):
    tamper(f"UPDATE {TABLE} SET purpose = 'x' WHERE seq = %s", [seq])  # noqa: S608
    parallel, single = both(ledger)
    assert parallel == single == (seq, seq, "hash does not match the entry's content")


def test_a_broken_link_at_a_range_boundary_is_named(ledger):
    tamper(f"UPDATE {TABLE} SET prev_hash = %s WHERE seq = 9", ["ab" * 32])  # noqa: S608
    parallel, single = both(ledger)
    assert parallel == single == (9, 9, "prev_hash does not match the previous entry's hash")


@pytest.mark.parametrize(
    ("deleted", "named"),
    [((8,), (8, 9, "expected seq 8")), (range(9, 17), (9, 17, "expected seq 9")), ((21,), None)],
)
def test_a_missing_entry_is_named_as_in_one_pass(ledger, deleted, named):
    tamper(f"DELETE FROM {TABLE} WHERE seq = ANY(%s)", [list(deleted)])  # noqa: S608
    parallel, single = both(ledger)
    assert parallel == single
    if named is not None:
        assert parallel == named
    else:  # the last entry gone: the chain head no longer matches
        assert parallel == (20, 21, "chain head does not match the last entry")


@pytest.mark.parametrize(
    ("nodes", "named"),
    [
        ([(0, 10)], (11, "Merkle tree node level 0 index 10 (entry 11)")),
        ([(1, 9)], (19, "Merkle tree node level 1 index 9 (entries 19-20)")),
        # above the split level: the parent's own check
        ([(2, 4)], (17, "Merkle tree node level 2 index 4 (entries 17-20)")),
        ([(4, 0)], (1, "Merkle tree node level 4 index 0 (entries 1-16)")),
        # lower levels first, whichever worker holds them
        ([(1, 1), (0, 20)], (21, "Merkle tree node level 0 index 20 (entry 21)")),
        ([(1, 8), (1, 2)], (5, "Merkle tree node level 1 index 2 (entries 5-6)")),
    ],
)
def test_a_tampered_tree_node_is_named_as_in_one_pass(ledger, nodes, named):
    for level, index in nodes:
        MerkleNode.objects.filter(level=level, index=index).update(hash="cd" * 32)
    parallel, single = both(ledger)
    assert parallel == single
    assert parallel[:2] == (21, named[0])
    assert parallel[2] == f"{named[1]} does not match the entries' chain hashes"


def test_a_missing_tree_node_is_named(ledger):
    MerkleNode.objects.filter(level=0, index=12).delete()
    parallel, single = both(ledger)
    assert parallel == single == (21, 13, "Merkle tree node level 0 index 12 (entry 13) is missing")


def test_a_forged_head_is_named(ledger):
    SignedHead.objects.filter(tree_size=21).update(root_hash="ef" * 32)
    parallel, single = both(ledger)
    assert (
        parallel
        == single
        == (21, 21, "signed head of tree size 21: its root does not match the tree")
    )


@pytest.mark.parametrize("tampered", ["nothing", "entry", "lot", "node"])
def test_verify_ledger_reconciles_while_the_workers_hash(ledger, tampered):
    """``verify_all`` (``verify_ledger``) replays the balances in this process while the
    workers check the hashes: the same entries and problems as one pass."""
    from donations import reconcile
    from donations.models import Lot

    if tampered == "entry":
        tamper(f"UPDATE {TABLE} SET purpose = 'x' WHERE seq = 14")  # noqa: S608
    elif tampered == "lot":
        Lot.objects.filter(pk=Lot.objects.order_by("pk").values("pk")[:1]).update(quantity=7)
    elif tampered == "node":
        MerkleNode.objects.filter(level=1, index=6).update(hash="cd" * 32)
    ledger.setattr(chain, "PARALLEL_FROM", 10)
    split = []
    ledger.setattr(
        chain, "_verify_ranges", lambda *a, s=chain._verify_ranges: split.append(1) or s(*a)
    )
    parallel = reconcile.verify_all()
    ledger.setattr(chain, "PARALLEL_FROM", 10**9)
    single = reconcile.verify_all()
    assert split == [1]
    assert parallel == single
    count, problems = parallel
    assert count == (14 if tampered == "entry" else 21)
    assert bool(problems) == (tampered != "nothing")


def test_short_chains_sqlite_and_transactions_take_one_pass(ledger, monkeypatch):
    from django.db import connection, transaction

    assert chain._ranges(21, None) is None  # under PARALLEL_FROM
    monkeypatch.setattr(chain, "PARALLEL_FROM", 10)
    assert chain._ranges(21, None) is not None or __import__("os").cpu_count() == 1
    assert chain._ranges(21, 1) is None
    assert chain._ranges(3, 3) is None  # one aligned range only
    with transaction.atomic():
        assert connection.in_atomic_block and chain._ranges(21, 3) is None
    monkeypatch.setattr(chain, "SPLIT_LEVEL", 16)
    assert chain._ranges(1_000_000, 2) == [(0, 524_288), (524_288, 1_000_000)]
