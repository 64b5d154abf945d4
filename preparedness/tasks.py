"""Thin Celery tasks of preparedness (the beat entries are in config/settings.py)."""

from celery import shared_task

from preparedness import services


@shared_task(name="preparedness.tasks.deliver_injects")
def deliver_injects() -> int:
    return services.deliver_due_injects()


@shared_task(name="preparedness.tasks.remind_followups")
def remind_followups() -> int:
    return services.remind_due_followups()
