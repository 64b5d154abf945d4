"""Celery tasks of the alerts app, on the `alerts` queue (CELERY_TASK_ROUTES), and ``enqueue``:
the one place that hands deliveries to the broker. Results are ignored: the Delivery row is the
record. The engine they run is ``alerts.delivery`` (which knows nothing of Celery)."""

import logging

from celery import shared_task
from django.conf import settings

from alerts import delivery

logger = logging.getLogger("tongzhou.alerts")


def batches(delivery_ids: list[int], size: int | None = None) -> list[list[int]]:
    size = max(1, size or settings.TONGZHOU_ALERTS_BATCH_SIZE)
    return [delivery_ids[i : i + size] for i in range(0, len(delivery_ids), size)]


def enqueue(delivery_ids: list[int], countdown: float | None = None) -> int:
    """Hand deliveries to the broker: one ``alerts.send_batch`` message per
    ``TONGZHOU_ALERTS_BATCH_SIZE`` ids, all published over one connection (5,000 webhooks are
    50 messages, not 5,000). When the broker is down, give up at once (the rows stay pending
    and the sweep re-queues them). Returns how many deliveries were queued."""
    if not delivery_ids:
        return 0
    chunks = batches(list(delivery_ids))
    celery_app = send_batch.app
    if celery_app.conf.task_always_eager:
        for chunk in chunks:
            send_batch.apply_async(args=[chunk], countdown=countdown)
        return len(delivery_ids)
    queued = 0
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0.2, timeout=2)
            for chunk in chunks:
                send_batch.apply_async(
                    args=[chunk], countdown=countdown, retry=False, connection=conn
                )
                queued += len(chunk)
    except Exception:  # broker down or lost mid-way: the sweep picks the rest up
        logger.warning(
            "broker unavailable: %d deliveries left for the sweep",
            len(delivery_ids) - queued,
            exc_info=True,
        )
    return queued


def _retry_later(ids: list[int], delay: float) -> None:
    enqueue(ids, countdown=delay)


@shared_task(name="alerts.send_batch", ignore_result=True)
def send_batch(delivery_ids: list[int]) -> dict[str, int]:
    """Claim and send a batch (``alerts.delivery.deliver_batch``)."""
    return delivery.deliver_batch(delivery_ids, on_retry=_retry_later)


@shared_task(name="alerts.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    """One delivery: kept for messages queued before batches existed."""
    return delivery.deliver(delivery_id, on_retry=_retry_later)


@shared_task(name="alerts.send_digests", ignore_result=True)
def send_digests_task() -> int:
    return delivery.send_digests()


def requeue_stuck(**options) -> int:
    """The sweep (``alerts.delivery.sweep``), then queue what it found: overdue digests and the
    rows a broker or a worker lost. Returns how many deliveries were queued."""
    due, digests_due = delivery.sweep(**options)
    if digests_due:
        try:
            send_digests_task.apply_async(retry=False)
        except Exception:
            logger.warning("broker unavailable: digests wait for the next sweep", exc_info=True)
    return enqueue(due)


@shared_task(name="alerts.requeue_stuck", ignore_result=True)
def requeue_stuck_task() -> int:
    return requeue_stuck()


@shared_task(name="alerts.escalate", ignore_result=True)
def escalate_task() -> dict:
    """Escalate unread mobilizations and assignments (``alerts.escalation``), every minute."""
    from alerts.escalation import escalate

    return escalate(enqueue=enqueue)
