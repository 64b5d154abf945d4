"""Celery tasks of the alerts app: thin wrappers around alerts.services, on the `alerts` queue
(CELERY_TASK_ROUTES). Results are ignored: the Delivery row is the record."""

from celery import shared_task

from alerts import services


@shared_task(name="alerts.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int) -> str:
    return services.deliver(delivery_id)


@shared_task(name="alerts.send_digests", ignore_result=True)
def send_digests_task() -> int:
    return services.send_digests()


@shared_task(name="alerts.requeue_stuck", ignore_result=True)
def requeue_stuck_task() -> int:
    return services.requeue_stuck()
