"""Periodic jobs of the incident board (thin: they call the services)."""

from celery import shared_task

from coordination import services


@shared_task(name="coordination.tasks.expire_claims")
def expire_claims() -> int:
    """Assigned tasks not accepted within TONGZHOU_CLAIM_WINDOW_HOURS return to open."""
    return services.expire_claims()


@shared_task(name="coordination.tasks.purge_personal_data")
def purge_personal_data() -> int:
    """Personal data of incidents closed longer than the retention period is erased."""
    return services.purge_due_personal_data()
