"""The sequencer: gives committed ledger entries their place in the public chain (issue 16).

A business transaction (receipt, allocation, sign-for, disbursement, reversal, change of use)
writes its entry with its balances locked, but unsequenced (``seq``, ``prev_hash``, ``hash``
null): it no longer holds the chain head's row lock until its commit's WAL flush. The sequencer
then assigns seq, prev_hash and hash (same canonical form, same hash rule) in batches.

Modes (``settings.TONGZHOU_LEDGER_SEQUENCING``):

- ``"after_commit"`` (the default in real mode, with REDIS_URL): ``chain.append`` inserts the
  entry unsequenced and ``schedule`` publishes ``donations.tasks.sequence_ledger`` on commit;
  a beat entry (``donations-sequence-ledger``, every 2 s) and the merge-delay monitor
  (``check_merge_delay``) catch anything a lost message left behind.
- ``"inline"`` (the default when REDIS_URL is unset: the embedded demo and the tests): the entry
  is sequenced inside the business transaction as it is written (``sequence_inline``), so it
  behaves as before the split (and as a business transaction it serializes writers again).

Ordering argument (why sources and ``related`` always point to earlier seqs):

1. ids come from a database sequence at INSERT (PostgreSQL: an identity column; nextval is
   monotonic across sessions; SQLite: one writer at a time).
2. An entry refers only to committed entries: a draw reads a committed lot (its origin and
   acquiring entries committed with it), a reversal, acknowledgement, change of use or
   resolution reads the committed entry it relates to. So the referenced entry committed before
   the referring one was even inserted: ``referenced.id < referring.id``.
3. ``sequence_pending`` reads the committed unsequenced entries in one statement (one
   snapshot) in id order. If the referring entry is visible, so is the referenced one (it
   committed earlier); it is either sequenced already or earlier in the same batch (lower id),
   and a batch cut at ``limit`` keeps every lower id. Entries with a lower id that commit
   after the read simply get a later seq: seq order is commit-visibility order, not id order.
4. Defensive: if a reference is still unresolved (a bug, or rows written behind the services'
   back), the batch stops before that entry and logs an error; the merge-delay monitor then
   alerts the platform admins. An entry is never hashed with an unresolved reference.

Locking: one PostgreSQL advisory transaction lock (``ADVISORY_KEY``) serializes sequencers;
then the chain head row (``chain.lock_head``, as ``verify_ledger``'s reconciliation expects).
On SQLite the database's single write lock suffices. Everything of a batch (the entries'
seq/prev_hash/hash/sequenced_at, the head, the ``ledger_sequenced`` receivers) is one
transaction: a sequencer killed mid-batch leaves nothing half-done and the next run redoes it.
"""

import logging
from collections import defaultdict
from types import SimpleNamespace

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Incident
from core import words
from donations import chain
from donations.models import EntrySource, Evidence, GoodsLine, LedgerEntry
from donations.signals import ledger_sequenced

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the sequencer ("同舟" ledger, issue 16): any constant bigint.
ADVISORY_KEY = 7_102_016
# Cache key set while a sequencing task is queued: one task in flight is enough.
QUEUED_KEY = "donations:sequence-queued"
QUEUED_SECONDS = 2
SEQUENCED_FIELDS = ["seq", "prev_hash", "hash", "sequenced_at"]
BATCH = 500


def mode() -> str:
    return getattr(settings, "TONGZHOU_LEDGER_SEQUENCING", "inline")


def inline() -> bool:
    return mode() == "inline"


def _advisory_lock(*, wait: bool) -> bool:
    """Take the sequencer's advisory transaction lock (PostgreSQL); True if taken.

    ``wait`` blocks (at most ``lock_timeout`` 10 s, then the database raises) instead of giving
    up at once; inside a business transaction (inline mode) it is held until its commit."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SET LOCAL lock_timeout = '10s'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_KEY])
        return bool(cursor.fetchone()[0])


def _pending(limit: int | None) -> list[SimpleNamespace]:
    fields = chain.ENTRY_FIELDS
    rows = LedgerEntry.objects.filter(seq__isnull=True).order_by("id").values_list(*fields)
    if limit is not None:
        rows = rows[:limit]
    return [SimpleNamespace(**dict(zip(fields, values, strict=True))) for values in rows]


# A source of a pending entry, by internal ids (resolved to seqs when the form is built).
SOURCE_FIELDS = {
    "entry_id": "entry_id",
    "quantity": "quantity",
    "chosen_by_service": "chosen_by_service",
    "acquired_by_id": "lot__acquired_by_id",
    "origin_id": "lot__origin_id",
    "item": "lot__item",
    "unit": "lot__unit",
}


def _parts(ids: list[int]) -> tuple[dict, dict, dict]:
    """Lines, sources (with their lots) and evidence hashes of ``ids``: three queries."""
    lines = chain._grouped(
        GoodsLine.objects.filter(entry_id__in=ids).order_by("entry_id", "position"),
        chain.LINE_FIELDS,
        chain.LINE_FIELDS,
    )
    sources: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for values in (
        EntrySource.objects.filter(entry_id__in=ids)
        .order_by("entry_id", "id")
        .values_list(*SOURCE_FIELDS.values())
    ):
        row = dict(zip(SOURCE_FIELDS, values, strict=True))
        lot = SimpleNamespace(
            acquired_by_id=row["acquired_by_id"],
            origin_id=row["origin_id"],
            item=row["item"],
            unit=row["unit"],
        )
        sources[row["entry_id"]].append(
            SimpleNamespace(
                lot=lot, quantity=row["quantity"], chosen_by_service=row["chosen_by_service"]
            )
        )
    evidence: dict[int, list[str]] = defaultdict(list)
    for entry_id, sha in Evidence.objects.filter(entry_id__in=ids).values_list(
        "entry_id", "sha256"
    ):
        evidence[entry_id].append(sha)
    return lines, sources, evidence


def _sequence_batch(head, limit: int | None) -> int:
    """Sequence up to ``limit`` committed unsequenced entries from ``head`` (locked by the
    caller): seven queries whatever the batch size (entries, lines, sources, evidence, the
    seqs referred to, one bulk UPDATE, the head), plus the signal's receivers."""
    batch = _pending(limit)
    if not batch:
        return 0
    ids = [entry.id for entry in batch]
    lines, sources, evidence = _parts(ids)
    in_batch = set(ids)
    refs = {entry.related_id for entry in batch if entry.related_id}
    for rows in sources.values():
        refs.update(i for s in rows for i in (s.lot.acquired_by_id, s.lot.origin_id) if i)
    seq_of = chain.seqs_of(refs - in_batch)
    now = timezone.now()
    seq, prev = head.seq, head.head_hash
    done: list[LedgerEntry] = []
    for entry in batch:
        wanted = chain.referenced_ids(entry, sources.get(entry.id, ()))
        missing = wanted - seq_of.keys()
        if missing:
            log.error(
                "ledger entry id %s refers to unsequenced entries %s: batch stops before it",
                entry.id,
                sorted(missing),
            )
            break
        seq += 1
        entry.seq = seq
        form = chain.public_form(
            entry,
            lines.get(entry.id, ()),
            sources.get(entry.id, ()),
            evidence.get(entry.id, ()),
            seq_of=seq_of,
        )
        digest = chain.chain_hash(prev, form)
        done.append(
            LedgerEntry(id=entry.id, seq=seq, prev_hash=prev, hash=digest, sequenced_at=now)
        )
        seq_of[entry.id] = seq
        prev = digest
    if not done:
        return 0
    LedgerEntry.objects.sequence_rows(done, SEQUENCED_FIELDS)
    first = head.seq + 1
    head.seq, head.head_hash = seq, prev
    head.save(update_fields=["seq", "head_hash"])
    ledger_sequenced.send(sender=LedgerEntry, first_seq=first, last_seq=seq)
    return len(done)


def sequence_pending(*, limit: int | None = BATCH, wait: bool = False) -> int:
    """Sequence up to ``limit`` committed unsequenced entries in id order; returns how many.

    One transaction: the advisory lock (``pg_try_advisory_xact_lock``, or waiting for it with
    ``wait``), the head row lock, the entries' seq/prev_hash/hash/sequenced_at written in one
    bulk UPDATE, the head moved, ``ledger_sequenced`` sent. Returns 0 at once when another
    sequencer holds the lock (it will see what is committed by the time it reads) or nothing is
    pending. Called by the task and the beat entries; safe to call anywhere, any time."""
    with transaction.atomic():
        if not _advisory_lock(wait=wait):
            return 0
        return _sequence_batch(chain.lock_head(), limit)


def sequence_all(*, wait: bool = True) -> int:
    """Sequence batches until nothing committed is left (the task; tests; the bench)."""
    total = 0
    while True:
        count = sequence_pending(wait=wait)
        total += count
        if count < BATCH:
            return total


def number_inline(entry: LedgerEntry, *, lines: list, sources: list, evidence: list[str]) -> None:
    """Inline mode: give ``entry`` (about to be inserted by ``chain.append``) the next seq, its
    prev_hash and hash, from the lines, sources and evidence hashes it is written with (its
    evidence rows are saved after it), and move the head; in the caller's transaction.
    Committed entries still unsequenced (written in after_commit mode before a switch) are
    sequenced first, so every reference still points to an earlier seq. The locks (advisory,
    then the head row) are held until the caller commits."""
    _advisory_lock(wait=True)
    head = chain.lock_head()
    _sequence_batch(head, None)
    seq_of = chain.seqs_of(chain.referenced_ids(entry, sources))
    entry.seq = head.seq + 1
    entry.prev_hash = head.head_hash
    entry.hash = chain.chain_hash(
        head.head_hash, chain.public_form(entry, lines, sources, evidence, seq_of=seq_of)
    )
    entry.sequenced_at = timezone.now()
    head.seq, head.head_hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "head_hash"])


def refuse_exercise(entry: LedgerEntry) -> None:
    if (
        entry.incident_id
        and Incident.objects.filter(pk=entry.incident_id, is_exercise=True).exists()
    ):
        raise ValidationError(
            {"incident": [_("This incident is an exercise: the ledger does not accept it.")]}
        )


def append(entry: LedgerEntry, *, lines: list, sources: list, evidence: list[str]) -> LedgerEntry:
    """Write ``entry`` (``chain.append``) and have it sequenced: at once in inline mode (then
    ``ledger_sequenced`` is sent for it, the row inserted), else after the commit.

    No entry may name an exercise incident (a drill's, ``Incident.is_exercise``): the public
    ledger holds only real money and goods (400 on ``incident``)."""
    refuse_exercise(entry)
    if inline():
        chain.append(entry, lines=lines, sources=sources, evidence=evidence, sequence=number_inline)
        ledger_sequenced.send(sender=LedgerEntry, first_seq=entry.seq, last_seq=entry.seq)
    else:
        chain.append(entry, lines=lines, sources=sources, evidence=evidence)
        schedule()
    return entry


@shared_task(name="donations.tasks.sequence_ledger", acks_late=False)
def sequence_ledger() -> int:
    """Give committed ledger entries their seq and hash (the Celery task; also re-exported by
    ``donations.tasks``, whose name it carries: defined here because the services, which
    publish it, import this module, and ``donations.tasks`` imports the services).

    Published on commit of every business write (at most one queued: ``QUEUED_KEY``, cleared
    here before reading, so a commit after this point queues the next run) and by the beat.
    Waits for the advisory lock rather than skipping, so entries committed while another run
    held it are not left for the beat. Not acked late: a lost run is redone by the beat."""
    cache.delete(QUEUED_KEY)
    return sequence_all(wait=True)


def _publish() -> None:
    """Publish one sequencing task unless one is already queued (``QUEUED_KEY``, cleared by
    the task when it starts, expiring after ``QUEUED_SECONDS`` in case it never does). A broker
    outage is logged, not raised: the business write is committed, the beat catches up."""
    try:
        if cache.add(QUEUED_KEY, 1, timeout=QUEUED_SECONDS):
            sequence_ledger.delay()
    except Exception:
        if sequence_ledger.app.conf.task_always_eager:
            raise  # the task itself failed (run in-process): not a broker outage
        log.exception("could not publish the ledger sequencing task; the beat will catch up")


def schedule() -> None:
    """After-commit mode: publish the sequencing task when the current transaction commits."""
    transaction.on_commit(_publish)


LATE_KEY = "donations:merge-delay-alerted"


def check_merge_delay() -> int:
    """Beat: run the sequencer, then alert the platform admins (superusers) once per incident
    of lateness if entries older than ``TONGZHOU_LEDGER_MAX_MERGE_DELAY`` seconds are still
    unsequenced; returns how many are late.

    An incident starts with the first late entry seen and ends when none is late: the alert is
    written once (a cache key, ``LATE_KEY``, set without expiry) and the key is cleared when
    the backlog is gone, so the next lateness alerts again. Lost cache state means at most one
    repeated alert. Age is measured from ``recorded_at`` (set when the entry is written, just
    before its transaction commits)."""
    from django.contrib.auth import get_user_model

    from core.notifications import notify

    sequence_pending()
    delay = settings.TONGZHOU_LEDGER_MAX_MERGE_DELAY
    cutoff = timezone.now() - timezone.timedelta(seconds=delay)
    late = LedgerEntry.objects.filter(seq__isnull=True, recorded_at__lt=cutoff)
    count = late.count()
    if not count:
        cache.delete(LATE_KEY)
        return 0
    if not cache.add(LATE_KEY, 1, timeout=None):
        return count
    oldest = late.order_by("id").values_list("recorded_at", flat=True).first()
    admins = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .values_list("pk", flat=True)
    )
    notify(
        title=lambda: _("Ledger entries are late joining the public ledger"),
        body=lambda: (
            _(
                "%(count)s ledger entries have waited more than %(seconds)s seconds for their"
                " place in the public chain (the oldest was recorded %(when)s). Check the Celery"
                " worker and beat that run the ledger sequencer."
            )
            % {"count": count, "seconds": delay, "when": words.datetime_text(oldest)}
        ),
        link="/ledger/head/",
        level="orange",
        audience={"users": admins, "verified_only": False},
    )
    log.error("%s ledger entries unsequenced for more than %s s", count, delay)
    return count
