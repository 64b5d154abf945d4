"""Periodic job of loss compensation (thin: it calls the service)."""

from celery import shared_task

from compensation import services


@shared_task(name="compensation.tasks.remind_overdue")
def remind_overdue() -> int:
    """Remind the bureau once of each claim whose decision is overdue."""
    return services.remind_overdue()
