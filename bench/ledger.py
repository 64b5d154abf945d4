"""Ledger benchmarks, run in a process of their own against the bench database.

``python -m bench.ledger append --writers 16 --ops 40`` prints one JSON object of figures:
receipts + disbursements per second through the service layer (chain + row-locked balances,
chain verified at the end), and plain single-row INSERTs of the same rows, by as many writers,
into a copy of the same table without the chain and balance logic.

``python -m bench.ledger grow --to N`` extends the chain to N entries with bulk INSERTs (money
receipts, each followed by a disbursement drawing half of it), hashing every entry exactly as
``donations.chain.append`` does, so ``verify_ledger`` accepts the result. Used by ledger_scale,
which reads at 10k and at 1M entries; writing 1M entries through the service layer would take
hours and is measured separately (ledger_append).

``python -m bench.ledger export`` / ``verify`` time the JSONL export (through the view, the
stream consumed and discarded) and the chain verification, with the process's peak memory.
"""

import argparse
import json
import os
import threading
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _threads(count: int, target) -> float:
    from django.db import connection

    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            target(index)
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def append(writers: int, ops: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from core.roles import Role
    from donations import chain, services
    from registry.models import Membership, Organization
    from registry.uscc import make

    holders = []
    for i in range(writers):
        org, _ = Organization.objects.get_or_create(
            uscc=make("53", "510100", f"BL{os.getpid() % 9999:04d}{i:02d}"),
            defaults={
                "name": f"基准基金会{i}",
                "kind": "foundation",
                "region_code": "510100",
                "status": "verified",
            },
        )
        user, _ = get_user_model().objects.get_or_create(username=f"bench_ledger_{i}")
        Membership.objects.get_or_create(user=user, organization=org, role=Role.ADMIN)
        holders.append((org, user))
    before = chain.verify()[0]

    def write(index: int) -> None:
        org, user = holders[index]
        for n in range(ops):
            services.record_receipt(
                organization=org,
                by=user,
                donor_name="张三",
                donor_kind="individual",
                amount=Decimal("100.00"),
                channel="bank_transfer",
                receipt_number=f"B{index}-{n}",
            )
            services.disburse(
                organization=org,
                by=user,
                purpose="基准",
                region_code="510100",
                beneficiaries=1,
                amount=Decimal("50.00"),
            )

    service_seconds = _threads(writers, write)
    count, bad, _problem = chain.verify()
    entries = count - before
    table = "donations_ledgerentry"
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_plain_entries")
        cur.execute(f"CREATE TABLE bench_plain_entries (LIKE {table} INCLUDING ALL)")  # noqa: S608
        cur.execute(f"SELECT * FROM {table} ORDER BY seq DESC LIMIT %s", [entries])  # noqa: S608
        columns = [c.name for c in cur.description]
        rows = cur.fetchall()
    placeholders = ",".join(["%s"] * len(columns))
    insert = f"INSERT INTO bench_plain_entries ({','.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    share = [rows[i::writers] for i in range(writers)]

    def plain(index: int) -> None:
        from django.db import connection as conn
        from django.db import transaction

        for row in share[index]:
            with transaction.atomic(), conn.cursor() as cur:
                cur.execute(insert, row)

    plain_seconds = _threads(writers, plain)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_plain_entries")
    service_rate = entries / service_seconds
    plain_rate = len(rows) / plain_seconds
    return {
        "writers": writers,
        "entries": entries,
        "service_entries_per_s": round(service_rate, 1),
        "plain_inserts_per_s": round(plain_rate, 1),
        "chain_intact": bad is None,
        "ratio": round(service_rate / plain_rate, 3),
    }


def grow(to: int, batch: int = 5000) -> dict:
    """Extend the chain to ``to`` entries with bulk INSERTs; returns what was written."""
    from types import SimpleNamespace

    from django.db import transaction
    from django.utils import timezone

    from coordination.models import Incident
    from donations import chain
    from donations.models import ChainHead, EntrySource, LedgerEntry, Lot
    from registry.models import Organization

    holders = list(
        Organization.objects.filter(status="verified")
        .exclude(kind="agency")
        .values_list("pk", flat=True)[:200]
    )
    incidents = list(Incident.objects.values_list("pk", flat=True)[:5]) or [None]
    head, _ = ChainHead.objects.get_or_create(id=1)
    seq, prev = head.seq, head.head_hash
    started = time.perf_counter()
    written = 0
    base = timezone.now() - timezone.timedelta(days=30)
    while seq < to:
        entries, lots, draws = [], [], []
        for _ in range(min(batch, to - seq) // 2 or 1):
            holder = holders[seq % len(holders)]
            incident = incidents[seq % len(incidents)]
            at = base + timezone.timedelta(seconds=seq)
            receipt = LedgerEntry(
                seq=seq + 1,
                kind="receipt",
                holder_id=holder,
                incident_id=incident,
                amount=Decimal("100.00"),
                goods_value=Decimal("0.00"),
                occurred_at=at,
                recorded_at=at,
                donor_display="张*",
                donor_kind="individual",
                channel="bank_transfer",
                receipt_number=f"BENCH-{seq + 1}",
                trace_code=f"BN{seq + 1:012d}",
                prev_hash=prev,
            )
            receipt.hash = chain.chain_hash(prev, chain.public_form(receipt, [], [], []))
            prev = receipt.hash
            lot = Lot(
                origin_id=receipt.seq,
                acquired_by_id=receipt.seq,
                holder_id=holder,
                incident_id=incident,
                item="",
                unit="CNY",
                unit_value=Decimal(1),
                quantity=Decimal("100"),
                remaining=Decimal("50"),
                acquired_at=at,
            )
            spend = LedgerEntry(
                seq=seq + 2,
                kind="disbursement",
                holder_id=holder,
                incident_id=incident,
                purpose="基准测试发放",
                amount=Decimal("50.00"),
                goods_value=Decimal("0.00"),
                occurred_at=at,
                recorded_at=at,
                region_code="510100",
                beneficiaries=1,
                prev_hash=prev,
            )
            source = SimpleNamespace(lot=lot, quantity=Decimal("50"), chosen_by_service=True)
            spend.hash = chain.chain_hash(prev, chain.public_form(spend, [], [source], []))
            prev = spend.hash
            entries += [receipt, spend]
            lots.append(lot)
            draws.append((spend, lot))
            seq += 2
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries, batch_size=batch)
            Lot.objects.bulk_create(lots, batch_size=batch)
            EntrySource.objects.bulk_create(
                [
                    EntrySource(
                        entry=spend, lot=lot, quantity=Decimal("50"), chosen_by_service=True
                    )
                    for spend, lot in draws
                ],
                batch_size=batch,
            )
            ChainHead.objects.filter(id=1).update(seq=seq, head_hash=prev)
        written += len(entries)
    with connection_cursor() as cur:
        cur.execute("VACUUM ANALYZE donations_ledgerentry")
        cur.execute("VACUUM ANALYZE donations_lot")
        cur.execute("VACUUM ANALYZE donations_entrysource")
    return {"entries": seq, "written": written, "seconds": round(time.perf_counter() - started, 1)}


def connection_cursor():
    from django.db import connection

    return connection.cursor()


def peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def export() -> dict:
    """Stream /api/v1/ledger/export.jsonl through the view, discarding it; time and peak memory."""
    from django.test import Client

    before = peak_rss_mb()
    started = time.perf_counter()
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/ledger/export.jsonl")
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - started
    return {
        "lines": lines,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "lines_per_s": round(lines / seconds, 1),
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def verify() -> dict:
    from donations import chain

    started = time.perf_counter()
    count, bad, problem = chain.verify()
    seconds = time.perf_counter() - started
    return {
        "entries": count,
        "intact": bad is None,
        "problem": problem,
        "seconds": round(seconds, 1),
        "seconds_per_100k": round(seconds / count * 100_000, 1) if count else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["append", "grow", "export", "verify"])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--ops", type=int, default=20)
    parser.add_argument("--to", type=int, default=10_000)
    args = parser.parse_args()
    import django

    django.setup()
    if args.what == "append":
        print(json.dumps(append(args.writers, args.ops)))
    elif args.what == "grow":
        print(json.dumps(grow(args.to)))
    elif args.what == "export":
        print(json.dumps(export()))
    else:
        print(json.dumps(verify()))


if __name__ == "__main__":
    main()
