"""Sequencing after commit on PostgreSQL: real threads (many writers and sequencers at once), a
sequencer process killed mid-batch, and the trigger that allows exactly one UPDATE of an entry.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connection, transaction

from core.states import Conflict
from donations import chain, sequencer, services
from donations.models import ChainHead, EntrySource, LedgerEntry
from tests.donations import factories as df

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def after_commit(settings, monkeypatch):
    """after_commit mode with the commit-time publication switched off: the test's own
    sequencer threads are the only ones (no eager task run inside the writers)."""
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"
    monkeypatch.setattr(sequencer, "_publish", lambda: None)


def assert_gapless_and_ordered() -> int:
    """No gap, no duplicate seq; every source and related entry points to an earlier seq."""
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert None not in seqs
    assert seqs == list(range(1, len(seqs) + 1))
    seq_of = dict(LedgerEntry.objects.values_list("id", "seq"))
    for entry_id, related_id in LedgerEntry.objects.exclude(related=None).values_list(
        "id", "related_id"
    ):
        assert seq_of[related_id] < seq_of[entry_id]
    for entry_id, origin, acquired in EntrySource.objects.values_list(
        "entry_id", "lot__origin_id", "lot__acquired_by_id"
    ):
        assert seq_of[origin] < seq_of[entry_id] and seq_of[acquired] < seq_of[entry_id]
    assert ChainHead.objects.get().seq == len(seqs)
    return len(seqs)


def test_many_writers_and_sequencers_at_once_keep_one_gapless_chain(after_commit):
    charity = df.foundation()
    ngo = df.foundation(name="第二基金会")
    admin, ngo_admin = df.writer(charity), df.writer(ngo)
    writers, rounds = 8, 6
    outcomes: list = []
    done = threading.Event()
    barrier = threading.Barrier(writers + 2)

    def write(n: int) -> None:
        try:
            barrier.wait()
            for r in range(rounds):
                # draws on a committed lot (maybe not sequenced yet), then reverses it
                _gift, sent = df.gift_passed_on(charity, admin, ngo)
                if (n + r) % 2:
                    services.acknowledge(
                        allocation=sent, by=ngo_admin, items=[df.item(quantity="4")]
                    )
                else:
                    services.reverse(entry=sent, by=admin, reason="送错了")
                outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - any failure is the bug we look for
            outcomes.append(repr(exc))
        finally:
            connection.close()

    def sequence() -> None:
        try:
            barrier.wait()
            while not done.is_set():
                if not sequencer.sequence_pending(limit=7):
                    time.sleep(0.005)
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    sequencers = [threading.Thread(target=sequence) for _ in range(2)]
    for t in threads + sequencers:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in sequencers:
        t.join()
    sequencer.sequence_all()
    assert outcomes == ["ok"] * (writers * rounds)
    total = assert_gapless_and_ordered()
    assert total == writers * rounds * 3
    assert chain.verify() == (total, None, "")


KILLER = """
import os, signal, sys
import django
django.setup()
from django.db import connection
from donations import sequencer
from donations.signals import ledger_sequenced

def die(**kwargs):
    # the rows are updated and the head moved, not committed: the process dies here
    with open(sys.argv[1], "w") as marker:
        marker.write("%s-%s" % (kwargs["first_seq"], kwargs["last_seq"]))
    os.kill(os.getpid(), signal.SIGKILL)

ledger_sequenced.connect(die)
sequencer.sequence_pending()
"""


def test_a_sequencer_killed_mid_batch_leaves_nothing_and_the_next_run_completes(
    after_commit, tmp_path
):
    charity = df.foundation()
    admin = df.writer(charity)
    for n in range(5):
        df.receipt(charity, admin, amount=f"{n + 10}.00")
    assert LedgerEntry.objects.filter(seq__isnull=True).count() == 5
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TONGZHOU_LEDGER_SEQUENCING": "after_commit",
    }
    marker = tmp_path / "marker"
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(marker)],
        env=env,
        cwd=str(django_settings.BASE_DIR),
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert marker.read_text() == "1-5"  # it got as far as the whole batch
    assert LedgerEntry.objects.filter(seq__isnull=True).count() == 5
    assert not ChainHead.objects.filter(seq__gt=0).exists()
    # restarted: everything sequenced once, in id order, and the chain verifies
    assert sequencer.sequence_all() == 5
    assert assert_gapless_and_ordered() == 5
    assert list(LedgerEntry.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert chain.verify() == (5, None, "")


def test_a_second_sequencer_waits_or_gives_up_while_one_holds_the_lock(after_commit):
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [sequencer.ADVISORY_KEY])
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        assert sequencer.sequence_pending() == 0  # try-lock: gives up at once
        assert LedgerEntry.objects.get().seq is None
    finally:
        release.set()
        holder.join()
    assert sequencer.sequence_pending(wait=True) == 1


def _sql(statement: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_allows_exactly_one_update_from_unsequenced_to_sequenced(after_commit):
    charity = df.foundation()
    admin = df.writer(charity)
    entry = df.receipt(charity, admin)
    table = LedgerEntry._meta.db_table
    digest = "a" * 64
    # changing anything else together with the sequencing fields is refused
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(
            f"UPDATE {table} SET seq = 1, prev_hash = %s, hash = %s, amount = amount + 1 "  # noqa: S608
            "WHERE id = %s",
            [digest, digest, entry.pk],
        )
    # setting seq without a hash is refused
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE {table} SET seq = 1 WHERE id = %s", [entry.pk])  # noqa: S608
    # any other change of an unsequenced entry is refused
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE {table} SET purpose = 'x' WHERE id = %s", [entry.pk])  # noqa: S608
    # the one allowed change: the sequencer's
    assert sequencer.sequence_pending() == 1
    # a second update, even of the sequencing fields only, is refused
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(
            f"UPDATE {table} SET seq = 2, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            [digest, digest, entry.pk],
        )
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"UPDATE {table} SET seq = NULL, hash = NULL WHERE id = %s", [entry.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _sql(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    assert chain.verify() == (1, None, "")
