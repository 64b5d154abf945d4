"""Ledger benchmarks, run in a process of their own against the bench database.

``python -m bench.ledger append --writers 16 --ops 40`` prints one JSON object of figures:
receipts + disbursements per second through the service layer (chain + row-locked balances,
chain verified at the end), and plain single-row INSERTs of the same rows, by as many writers,
into a copy of the same table without the chain and balance logic.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["append"])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--ops", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    print(json.dumps(append(args.writers, args.ops)))


if __name__ == "__main__":
    main()
