"""Ledger benchmarks, run in a process of their own against the bench database.

``python -m bench.ledger append --writers 16 --ops 40`` prints one JSON object of figures:
receipts + disbursements per second through the service layer (row-locked balances, entries
written unsequenced: ``TONGZHOU_LEDGER_SEQUENCING = "after_commit"``), and plain single-row
INSERTs of the same rows, by as many writers, into a copy of the same table without the chain
and balance logic. The sequencer runs looping in a process of its own (``sequence_pending``
as the Celery task runs it, without the broker hop); the writers still publish the task on
commit as in production (the Redis round trip is in the measured path; no worker consumes it).
Also reported: the merge delay (from the moment the service call returned, committed, to the
entry's ``sequenced_at``) p50/p99/max, the chain verified at the end, and (``baseline``) the
same writers with inline sequencing (the head locked until commit, as before issue 16).

``python -m bench.ledger grow --to N`` extends the chain to N entries with bulk INSERTs (money
receipts, each followed by a disbursement drawing half of it), hashing every entry exactly as
``donations.chain.append`` does, so ``verify_ledger`` accepts the result. Used by ledger_scale,
which reads at 10k and at 1M entries; writing 1M entries through the service layer would take
hours and is measured separately (ledger_append).

``python -m bench.ledger export`` / ``verify`` time the JSONL export (through the view, the
stream consumed and discarded) and the chain verification, with the process's peak memory.

``tree`` extends the Merkle tree over the grown chain and signs a head; ``proof`` times
inclusion proofs directly (no HTTP); ``verify_full`` times ``chain.verify`` (chain, tree, head)
and ``verify_ledger``'s whole work over every entry (ledger_proof, ledger_verify).
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


def _processes(count: int, target) -> float:
    """Run ``target(i)`` in ``count`` forked processes (as gunicorn workers would write: no
    shared interpreter lock), timed from a common start to the last exit."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count + 1)

    def run(index: int) -> None:
        barrier.wait()
        try:
            target(index)
        finally:
            connections.close_all()

    pool = [context.Process(target=run, args=(i,)) for i in range(count)]
    for p in pool:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for p in pool:
        p.join()
    seconds = time.perf_counter() - started
    failed = [p.exitcode for p in pool if p.exitcode]
    if failed:
        raise RuntimeError(f"{len(failed)} writer processes failed")
    return seconds


def _sequencer_process(stats_path: str):
    """Fork a process that runs the sequencer in a loop (a batch whenever something committed
    is pending, else a 2 ms nap); returns the function that stops it. Its batches (count,
    entries, seconds inside ``sequence_pending``) are written to ``stats_path``."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    stopping = context.Event()

    def loop() -> None:
        from donations import sequencer

        batches, entries, busy = 0, 0, 0.0
        try:
            while not stopping.is_set():
                started = time.perf_counter()
                done = sequencer.sequence_pending()
                if done:
                    batches, entries = batches + 1, entries + done
                    busy += time.perf_counter() - started
                else:
                    time.sleep(0.002)
        finally:
            connections.close_all()
            with open(stats_path, "w") as out:
                json.dump({"batches": batches, "entries": entries, "seconds": busy}, out)

    process = context.Process(target=loop)
    process.start()

    def stop() -> None:
        stopping.set()
        process.join(30)
        if process.exitcode:
            raise RuntimeError(f"the sequencer process failed ({process.exitcode})")

    return stop


def _receipt_and_disbursement(org, user, number: str, spend: Decimal, log=None) -> None:
    """One receipt of ¥100 and one disbursement of ``spend`` through the services; with
    ``log``, each entry's id and the moment its call returned (committed) are appended."""
    from donations import services

    gift = services.record_receipt(
        organization=org,
        by=user,
        donor_name="张三",
        donor_kind="individual",
        amount=Decimal("100.00"),
        channel="bank_transfer",
        receipt_number=number,
    )
    if log is not None:
        log.append((gift.pk, time.time()))
    spent = services.disburse(
        organization=org,
        by=user,
        purpose="基准",
        region_code="510100",
        beneficiaries=1,
        amount=spend,
    )
    if log is not None:
        log.append((spent.pk, time.time()))


def append(writers: int, ops: int, processes: bool = True, baseline: bool = True) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from core.roles import Role
    from donations import chain
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

    import tempfile

    run_tag = "S"
    commits_dir = tempfile.mkdtemp(prefix="bench_ledger_")

    def write(index: int) -> None:
        """Receipt + disbursement ``ops`` times; each entry's id and the moment its service
        call returned (committed) go to a file of this writer, for the merge delay."""
        org, user = holders[index]
        committed: list[tuple[int, float]] = []
        for n in range(ops):
            _receipt_and_disbursement(
                org, user, f"B{run_tag}{index}-{n}", Decimal("50.00"), committed
            )
        with open(os.path.join(commits_dir, f"{run_tag}-{index}.json"), "w") as out:
            json.dump(committed, out)

    from django.conf import settings

    from donations.models import LedgerEntry

    parallel = _processes if processes else _threads
    inline_rate = None
    if baseline:
        # The same writers with the entry sequenced inside the business transaction (the head
        # locked until commit, as before issue 16): same machine, same moment, for comparison.
        settings.TONGZHOU_LEDGER_SEQUENCING = "inline"
        run_tag = "I"
        inline_seconds = parallel(writers, write)
        inline_rate = writers * ops * 2 / inline_seconds
        before = chain.verify()[0]
        run_tag = "A"
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"
    first_id = (LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    stats_path = os.path.join(commits_dir, "sequencer.json")
    stop = _sequencer_process(stats_path)
    service_seconds = parallel(writers, write)
    drained = time.perf_counter()
    while LedgerEntry.objects.filter(seq__isnull=True).exists():
        if time.perf_counter() - drained > 120:
            raise RuntimeError("the sequencer did not catch up within 120 s")
        time.sleep(0.01)
    drain_seconds = time.perf_counter() - drained
    stop()
    count, bad, _problem = chain.verify()
    entries = count - before
    # Merge delay: from the commit (the service call returned) to sequenced_at.
    committed_at: dict[int, float] = {}
    for name in os.listdir(commits_dir):
        if name.startswith(f"{run_tag}-"):
            with open(os.path.join(commits_dir, name)) as data:
                committed_at.update(dict(json.load(data)))
    delays = sorted(
        max(0.0, sequenced.timestamp() - committed_at[pk])
        for pk, sequenced in LedgerEntry.objects.filter(id__gte=first_id).values_list(
            "id", "sequenced_at"
        )
        if pk in committed_at
    )

    def percentile(share: float) -> float:
        return delays[min(len(delays) - 1, int(share * len(delays)))]

    p50, p99, worst = percentile(0.5), percentile(0.99), delays[-1]
    with open(stats_path) as data:
        batches = json.load(data)
    import shutil

    shutil.rmtree(commits_dir, ignore_errors=True)
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

    plain_seconds = parallel(writers, plain)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_plain_entries")
    service_rate = entries / service_seconds
    plain_rate = len(rows) / plain_seconds
    return {
        "writers": writers,
        "writer_kind": "processes" if processes else "threads",
        "entries": entries,
        "service_entries_per_s": round(service_rate, 1),
        "plain_inserts_per_s": round(plain_rate, 1),
        "chain_intact": bad is None,
        "sequencer": "own process, sequence_pending loop",
        "inline_entries_per_s": round(inline_rate, 1) if inline_rate else None,
        "merge_delay_p50_ms": round(float(p50) * 1000, 1),
        "merge_delay_p99_ms": round(float(p99) * 1000, 1),
        "merge_delay_max_ms": round(float(worst) * 1000, 1),
        "drain_after_writers_s": round(drain_seconds, 2),
        "sequencer_batches": batches["batches"],
        "sequencer_mean_batch": round(batches["entries"] / max(1, batches["batches"]), 1),
        "sequencer_ms_per_batch": round(1000 * batches["seconds"] / max(1, batches["batches"]), 1),
        "ratio": round(service_rate / plain_rate, 3),
    }


def _postgres_cpu_seconds() -> float | None:
    """CPU seconds of every PostgreSQL process on this machine (``bench.load``'s /proc reader),
    or None where /proc cannot be read. The bench database is the only busy one in a run."""
    from bench.load import _proc_cpu

    if not os.path.isdir("/proc/self"):
        return None
    return _proc_cpu(None, "postgres")


def cost(ops: int = 200) -> dict:
    """Where an entry's machine time goes, one writer at a time (no contention): CPU per entry
    of the writer's Python, of PostgreSQL for the writer's transactions, of the sequencer's
    Python and of PostgreSQL for its batches (of 20, as under load), against a plain INSERT of
    the same rows (Python + PostgreSQL). The sum bounds what 2 cores can do whatever the number
    of writers: with every core busy, entries/s <= cores / machine time per entry."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from core.roles import Role
    from donations import sequencer
    from registry.models import Membership, Organization
    from registry.uscc import make

    if _postgres_cpu_seconds() is None:
        return {"skipped": "no /proc: PostgreSQL's CPU cannot be read"}
    settings.TONGZHOU_LEDGER_SEQUENCING = "after_commit"
    org, _ = Organization.objects.get_or_create(
        uscc=make("53", "510100", "BLCQWT01"),
        defaults={"name": "基准基金会C", "kind": "foundation", "region_code": "510100"},
    )
    Organization.objects.filter(pk=org.pk).update(status="verified")
    org.refresh_from_db()
    user, _ = get_user_model().objects.get_or_create(username="bench_ledger_cost")
    Membership.objects.get_or_create(user=user, organization=org, role=Role.ADMIN)
    tag = f"C{os.getpid()}"

    def entry_pair(n: int) -> None:
        _receipt_and_disbursement(org, user, f"{tag}-{n}", Decimal("100.00"))

    for n in range(5):  # warm: imports, first compilations
        entry_pair(-1 - n)
    sequencer.sequence_all()
    pg0, py0 = _postgres_cpu_seconds(), time.process_time()
    for n in range(ops):
        entry_pair(n)
    entries = 2 * ops
    writer_py = (time.process_time() - py0) / entries
    writer_pg = (_postgres_cpu_seconds() - pg0) / entries
    pg0, py0, done = _postgres_cpu_seconds(), time.process_time(), 0
    while count := sequencer.sequence_pending(limit=20):
        done += count
    sequencer_py = (time.process_time() - py0) / max(1, done)
    sequencer_pg = (_postgres_cpu_seconds() - pg0) / max(1, done)
    table = "donations_ledgerentry"
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_cost_entries")
        cur.execute(f"CREATE TABLE bench_cost_entries (LIKE {table} INCLUDING ALL)")  # noqa: S608
        cur.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT %s", [entries])  # noqa: S608
        columns = [c.name for c in cur.description]
        rows = cur.fetchall()
    insert = (
        f"INSERT INTO bench_cost_entries ({','.join(columns)}) "  # noqa: S608
        f"VALUES ({','.join(['%s'] * len(columns))})"
    )
    pg0, py0 = _postgres_cpu_seconds(), time.process_time()
    for row in rows:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(insert, row)
    plain_py = (time.process_time() - py0) / len(rows)
    plain_pg = (_postgres_cpu_seconds() - pg0) / len(rows)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_cost_entries")
    service = writer_py + writer_pg + sequencer_py + sequencer_pg
    plain = plain_py + plain_pg
    ms = 1000

    def r(value: float) -> float:
        return round(value * ms, 3)

    return {
        "entries": entries,
        "writer_python_ms": r(writer_py),
        "writer_postgres_ms": r(writer_pg),
        "sequencer_python_ms": r(sequencer_py),
        "sequencer_postgres_ms": r(sequencer_pg),
        "service_machine_ms_per_entry": r(service),
        "postgres_only_ms_per_entry": r(writer_pg + sequencer_pg),
        "plain_python_ms": r(plain_py),
        "plain_postgres_ms": r(plain_pg),
        "plain_machine_ms_per_row": r(plain),
        "cpu_bound_ratio": round(plain / service, 3),
        "cpu_bound_ratio_without_any_python": round(plain / (writer_pg + sequencer_pg), 3),
    }


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy(cursor, model, objects) -> None:
    """COPY model rows in (PostgreSQL): ~20x faster than bulk_create at a million rows."""
    import io

    fields = list(model._meta.concrete_fields)
    buffer = io.StringIO()
    for obj in objects:
        buffer.write("\t".join(_copy_text(getattr(obj, f.attname)) for f in fields) + "\n")
    buffer.seek(0)
    columns = ",".join(f'"{f.column}"' for f in fields)
    cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


def _defaults(model) -> dict:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


def grow(to: int, batch: int = 20_000) -> dict:
    """Extend the chain to ``to`` entries with COPY; returns what was written."""
    from types import SimpleNamespace

    from django.db import connection, transaction
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
    # Ids and seqs differ once entries were sequenced after commit (ledger_append ran first).
    next_id = (LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_lot = (Lot.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    next_source = (
        EntrySource.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    started = time.perf_counter()
    written = 0
    base = timezone.now() - timezone.timedelta(days=30)
    hundred, fifty, zero = Decimal("100.00"), Decimal("50.00"), Decimal("0.00")
    # Plain namespaces, not model instances: Model.__init__ would dominate at a million rows.
    entry_defaults, lot_defaults = _defaults(LedgerEntry), _defaults(Lot)
    source_defaults = _defaults(EntrySource)

    def make(defaults, **values):
        return SimpleNamespace(**{**defaults, **values})

    while seq < to:
        entries, lots, draws = [], [], []
        for _ in range(max(1, min(batch, to - seq) // 2)):
            holder = holders[seq % len(holders)]
            incident = incidents[seq % len(incidents)]
            at = base + timezone.timedelta(seconds=seq)
            receipt = make(
                entry_defaults,
                id=next_id,
                seq=seq + 1,
                sequenced_at=at,
                kind="receipt",
                holder_id=holder,
                incident_id=incident,
                amount=hundred,
                goods_value=zero,
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
            lot = make(
                lot_defaults,
                id=next_lot,
                origin_id=receipt.id,
                acquired_by_id=receipt.id,
                holder_id=holder,
                incident_id=incident,
                item="",
                unit="CNY",
                unit_value=Decimal(1),
                quantity=Decimal("100"),
                remaining=Decimal("50"),
                acquired_at=at,
            )
            next_lot += 1
            spend = make(
                entry_defaults,
                id=next_id + 1,
                seq=seq + 2,
                sequenced_at=at,
                kind="disbursement",
                holder_id=holder,
                incident_id=incident,
                purpose="基准测试发放",
                amount=fifty,
                goods_value=zero,
                occurred_at=at,
                recorded_at=at,
                region_code="510100",
                beneficiaries=1,
                prev_hash=prev,
            )
            source = SimpleNamespace(lot=lot, quantity=Decimal("50"), chosen_by_service=True)
            spend.hash = chain.chain_hash(
                prev, chain.public_form(spend, [], [source], [], seq_of={receipt.id: receipt.seq})
            )
            prev = spend.hash
            entries += [receipt, spend]
            lots.append(lot)
            draws.append(
                make(
                    source_defaults,
                    id=next_source,
                    entry_id=spend.id,
                    lot_id=lot.id,
                    quantity=Decimal("50"),
                    chosen_by_service=True,
                )
            )
            next_source += 1
            next_id += 2
            seq += 2
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor.cursor, LedgerEntry, entries)
            _copy(cursor.cursor, Lot, lots)
            _copy(cursor.cursor, EntrySource, draws)
            ChainHead.objects.filter(id=1).update(seq=seq, head_hash=prev)
        written += len(entries)
    with connection.cursor() as cursor:
        for model, last in (
            (LedgerEntry, next_id - 1),
            (Lot, next_lot - 1),
            (EntrySource, next_source - 1),
        ):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last])
        for model in (LedgerEntry, Lot, EntrySource):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return {"entries": seq, "written": written, "seconds": round(time.perf_counter() - started, 1)}


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


def verify(upto: int | None = None) -> dict:
    from donations import chain

    started = time.perf_counter()
    count, bad, problem = chain.verify(upto=upto)
    seconds = time.perf_counter() - started
    return {
        "entries": count,
        "intact": bad is None,
        "problem": problem,
        "seconds": round(seconds, 1),
        "seconds_per_100k": round(seconds / count * 100_000, 1) if count else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def tree() -> dict:
    """Extend the Merkle tree over every entry and sign a head (the beat job's work at once)."""
    from donations import transparency

    started = time.perf_counter()
    size = transparency.extend_tree()
    head = transparency.sign_head(force=True)
    return {
        "tree_size": size,
        "head": head.tree_size if head else 0,
        "seconds": round(time.perf_counter() - started, 1),
    }


def proof_timing(samples: int = 400) -> dict:
    """Direct timing of ``transparency.inclusion_proof`` (the API's work without HTTP) for
    ``samples`` seqs spread over the newest head, against that head's size."""
    import random

    from donations import transparency

    size = transparency.latest_head().tree_size
    picks = random.Random(16).sample(range(1, size + 1), min(samples, size))
    times = []
    for seq in picks:
        started = time.perf_counter()
        transparency.inclusion_proof(seq, size)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "tree_size": size,
        "samples": len(times),
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
    }


def verify_full() -> dict:
    """``chain.verify`` over every entry (chain, Merkle tree, newest signed head; split between
    the cores, ``workers``), the same in one process, and the whole ``verify_ledger`` work
    (``reconcile.verify_all``: plus balances, lots and evidence), each timed, with seconds per
    million entries."""
    from donations import chain, reconcile

    started = time.perf_counter()
    cpu = time.process_time()
    count, bad, problem = chain.verify()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # The same check in one process (no split between cores), for the ratio within the run.
    started = time.perf_counter()
    single_cpu = time.process_time()
    chain.verify(workers=1)
    single, single_cpu = time.perf_counter() - started, time.process_time() - single_cpu
    started = time.perf_counter()
    total, problems = reconcile.verify_all()
    full = time.perf_counter() - started
    per_million = 1_000_000 / count if count else 0
    return {
        "entries": count,
        "intact": bad is None and not problems,
        "problem": problem or (problems[0] if problems else ""),
        "chain_tree_head_seconds": round(seconds, 1),
        "workers": len(chain._ranges(count, None) or [None]),
        "one_process_seconds": round(single, 1),
        "one_process_cpu_seconds": round(single_cpu, 1),
        "seconds_per_1m": round(seconds * per_million, 1),
        "verify_ledger_seconds": round(full, 1),
        "verify_ledger_seconds_per_1m": round(full * per_million, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "what",
        choices=["append", "cost", "grow", "export", "verify", "tree", "proof", "verify_full"],
    )
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--ops", type=int, default=20)
    parser.add_argument("--to", type=int, default=10_000)
    parser.add_argument("--upto", type=int, default=None)
    parser.add_argument("--threads", action="store_true", help="writers as threads, not processes")
    args = parser.parse_args()
    import django

    django.setup()
    if args.what == "append":
        print(json.dumps(append(args.writers, args.ops, processes=not args.threads)))
    elif args.what == "cost":
        print(json.dumps(cost()))
    elif args.what == "grow":
        print(json.dumps(grow(args.to)))
    elif args.what == "export":
        print(json.dumps(export()))
    elif args.what == "tree":
        print(json.dumps(tree()))
    elif args.what == "proof":
        print(json.dumps(proof_timing()))
    elif args.what == "verify_full":
        print(json.dumps(verify_full()))
    else:
        print(json.dumps(verify(args.upto)))


if __name__ == "__main__":
    main()
