"""The delivery engine the worker runs: claim a batch of due rows, send them outside any
transaction, record sent / retry / failed; hourly digests; the sweep that finds rows a broker or
a worker lost.

A worker claims rows with one conditional UPDATE (``claim_batch``: only rows it moved from
``pending`` are its own), so sending stays idempotent however often a row is queued. This
module knows nothing of Celery: whoever calls it (``alerts.tasks``) decides how a retry or a
swept row is queued again.
"""

import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from alerts.channels import CHANNELS, DeliveryError
from alerts.models import Delivery
from core.states import check_transition, move_rows

logger = logging.getLogger("tongzhou.alerts")
Status = Delivery.Status
Requeue = Callable[[list[int], float], object]


def claim(queryset) -> uuid.UUID | None:
    """Atomically move due pending rows of ``queryset`` to ``sending`` under a fresh token.
    Returns the token when at least one row was claimed (two workers never claim the same row:
    the UPDATE's WHERE status='pending' lets exactly one of them change it)."""
    token = uuid.uuid4()
    now = timezone.now()
    count = move_rows(
        queryset.filter(next_attempt_at__lte=now),
        Status.SENDING,
        expect=Status.PENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    return token if count else None


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: base x 2^(attempts-1), capped at one hour."""
    return min(settings.TONGZHOU_ALERTS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def claim_batch(ids: list[int], limit: int | None = None) -> tuple[uuid.UUID, list[int]]:
    """Claim up to ``limit`` due, pending, non-digest rows among ``ids`` in one statement and
    return the token and the ids claimed (possibly none).

    PostgreSQL: ``UPDATE ... WHERE id IN (SELECT id ... FOR UPDATE SKIP LOCKED LIMIT n)
    RETURNING id``: rows another worker is claiming at this instant are skipped, not waited
    for, and a row is claimed by one worker only (the subquery's row lock and the re-checked
    ``status='pending'``). Elsewhere (SQLite, tests) the portable fallback: one conditional
    UPDATE through ``move_rows`` and a read of the rows holding the token."""
    check_transition(Delivery.TRANSITIONS, Status.PENDING, Status.SENDING, label="delivery")
    token = uuid.uuid4()
    now = timezone.now()
    ids = list(ids)
    limit = limit or len(ids)
    if not ids:
        return token, []
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Delivery._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table}
                SET status = %s, claim_token = %s::uuid, claimed_at = %s, attempts = attempts + 1
                WHERE status = %s AND id IN (
                    SELECT id FROM {table}
                    WHERE id = ANY(%s) AND status = %s AND NOT digest AND next_attempt_at <= %s
                    ORDER BY id
                    LIMIT %s
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING id
                """,  # noqa: S608 (the table name is the model's, every value a parameter)
                [
                    Status.SENDING,
                    str(token),
                    now,
                    Status.PENDING,
                    ids,
                    Status.PENDING,
                    now,
                    limit,
                ],
            )
            claimed = sorted(row[0] for row in cursor.fetchall())
        return token, claimed
    batch = Delivery.objects.filter(pk__in=ids[:limit], digest=False, next_attempt_at__lte=now)
    move_rows(
        batch,
        Status.SENDING,
        expect=Status.PENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    claimed = list(
        Delivery.objects.filter(claim_token=token).order_by("pk").values_list("pk", flat=True)
    )
    return token, claimed


def deliver(delivery_id: int, *, on_retry: Requeue | None = None) -> str:
    """Claim one delivery, send it outside any transaction, record sent / retry / failed.
    Returns what happened ("skipped" when another worker has it or it is not due). On a retry,
    ``on_retry(ids, delay)`` is called to queue the row again after ``delay`` seconds."""
    token, claimed = claim_batch([delivery_id])
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("alert", "user", "organization", "webhook").get(
        pk=delivery_id
    )
    return _send_one(delivery, token, on_retry)


def deliver_batch(delivery_ids: list[int], *, on_retry: Requeue | None = None) -> dict[str, int]:
    """Claim a batch in one statement (``claim_batch``), read it in one query, send each row
    over the worker's pooled connections and record each outcome as soon as it is known.

    Rows are sent one after the other and each ``sent`` is written right after its answer, so
    a worker killed mid-batch can have sent at most one row whose status it did not record:
    the rows it claimed but had not sent go back to ``pending`` through the sweep and are sent
    once. Retries of the batch are queued together, one call of ``on_retry`` per delay.
    Returns the count of each outcome."""
    token, claimed = claim_batch(delivery_ids)
    outcomes: Counter = Counter(skipped=len(delivery_ids) - len(claimed))
    if not claimed:
        return dict(outcomes)
    rows = list(
        Delivery.objects.filter(pk__in=claimed, claim_token=token)
        .select_related("alert", "user", "organization", "webhook")
        .order_by("pk")
    )
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row)
    for channel, group in by_channel.items():
        prepare = getattr(CHANNELS[channel], "prepare", None)
        if prepare is not None:
            prepare(group)
    retries: dict[float, list[int]] = defaultdict(list)

    def later(ids: list[int], delay: float) -> None:
        retries[delay].extend(ids)

    for row in rows:
        outcomes[_send_one(row, token, later)] += 1
    if on_retry is not None:
        for delay, ids in retries.items():
            on_retry(ids, delay)
    return dict(outcomes)


def _send_one(delivery: Delivery, token: uuid.UUID, on_retry: Requeue | None) -> str:
    try:
        provider_ref = CHANNELS[delivery.channel].send(delivery)
    except DeliveryError as exc:
        return _record_failure([delivery], token, exc, on_retry)
    except Exception as exc:  # a bug in a channel must not leave the row in `sending`
        logger.exception("delivery %s crashed", delivery.pk)
        return _record_failure([delivery], token, DeliveryError(repr(exc)), on_retry)
    _record_sent([delivery.pk], token, provider_ref=provider_ref or "")
    return "sent"


def _record_sent(ids: list[int], token: uuid.UUID, provider_ref: str = "") -> None:
    changes = {"provider_ref": provider_ref[:64]} if provider_ref else {}
    move_rows(
        Delivery.objects.filter(pk__in=ids, claim_token=token),
        Status.SENT,
        expect=Status.SENDING,
        sent_at=timezone.now(),
        last_error="",
        **changes,
    )


def _record_failure(
    deliveries: list[Delivery],
    token: uuid.UUID,
    exc: DeliveryError,
    on_retry: Requeue | None = None,
) -> str:
    ids = [d.pk for d in deliveries]
    attempts = max(d.attempts for d in deliveries)
    mine = Delivery.objects.filter(pk__in=ids, claim_token=token)
    if exc.permanent or attempts >= settings.TONGZHOU_ALERTS_MAX_ATTEMPTS:
        move_rows(mine, Status.FAILED, expect=Status.SENDING, last_error=str(exc)[:1000])
        return "failed"
    delay = backoff(attempts)
    changed = move_rows(
        mine,
        Status.PENDING,
        expect=Status.SENDING,
        claim_token=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=str(exc)[:1000],
    )
    if changed and not deliveries[0].digest and on_retry is not None:
        on_retry(ids, delay)
    return "retry"


def send_digests(now=None) -> int:
    """Send every due hourly digest: one message per user and channel, all its rows at once.
    Returns the number of digests sent."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(digest=True, status=Status.PENDING, next_attempt_at__lte=now)
        .values_list("user_id", "channel")
        .distinct()
    )
    sent = 0
    for user_id, channel in list(due):
        token = claim(Delivery.objects.filter(digest=True, user_id=user_id, channel=channel))
        if token is None:
            continue
        rows = list(
            Delivery.objects.filter(claim_token=token, status=Status.SENDING)
            .select_related("alert")
            .order_by("alert__created_at", "pk")
        )
        if not rows:
            continue
        try:
            provider_ref = CHANNELS[channel].send_digest(rows)
        except DeliveryError as exc:
            _record_failure(rows, token, exc)
            continue
        _record_sent([d.pk for d in rows], token, provider_ref=provider_ref or "")
        sent += 1
    return sent


def sweep(
    *,
    visibility_timeout: float | None = None,
    pending_after: float | None = None,
    limit: int = 5000,
) -> tuple[list[int], bool]:
    """The sweep: rows left in ``sending`` past the visibility timeout (their worker died) go
    back to ``pending`` (or ``failed`` once out of attempts); due ``pending`` rows older than
    ``pending_after`` seconds (their broker message was lost) are due again. Sending stays
    idempotent because every send starts with a claim. Returns the ids to queue again and
    whether hourly digests are overdue (``alerts.tasks.requeue_stuck`` queues both)."""
    now = timezone.now()
    visibility = (
        settings.TONGZHOU_ALERTS_VISIBILITY_TIMEOUT
        if visibility_timeout is None
        else visibility_timeout
    )
    pending_after = (
        settings.TONGZHOU_ALERTS_REQUEUE_AFTER if pending_after is None else pending_after
    )
    cutoff = now - timedelta(seconds=visibility)
    stuck = Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    stuck_ids = list(stuck.order_by("pk").values_list("pk", flat=True)[:limit])
    stuck = stuck.filter(pk__in=stuck_ids)
    move_rows(
        stuck.filter(attempts__gte=settings.TONGZHOU_ALERTS_MAX_ATTEMPTS),
        Status.FAILED,
        expect=Status.SENDING,
        last_error="worker lost the delivery too many times",
    )
    revived = list(stuck.values_list("pk", flat=True))
    move_rows(stuck, Status.PENDING, expect=Status.SENDING, claim_token=None, next_attempt_at=now)
    due = revived + list(
        Delivery.objects.filter(
            status=Status.PENDING,
            digest=False,
            next_attempt_at__lte=now - timedelta(seconds=pending_after),
        )
        .exclude(pk__in=revived)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    digests_due = Delivery.objects.filter(
        status=Status.PENDING,
        digest=True,
        next_attempt_at__lte=now - timedelta(seconds=pending_after),
    ).exists()
    return due, digests_due
