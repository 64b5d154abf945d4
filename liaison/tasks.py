"""Thin Celery tasks of the liaison app (the beat schedule is in config/settings.py)."""

from celery import shared_task


@shared_task(name="liaison.tasks.escalate_reports")
def escalate_reports() -> int:
    from liaison.services import escalate_overdue

    return escalate_overdue()


@shared_task(name="liaison.tasks.missed_check_ins")
def missed_check_ins() -> int:
    from liaison.services import sweep_missed_check_ins

    return sweep_missed_check_ins()


@shared_task(name="liaison.tasks.notice_reminders")
def notice_reminders() -> int:
    from liaison.services import remind_overdue

    return remind_overdue()
