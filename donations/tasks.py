"""Periodic jobs of the ledger (thin: the work is in donations.disclosure)."""

from celery import shared_task

from donations.sequencer import sequence_ledger  # noqa: F401 (registered under this module)


@shared_task
def check_disclosure_and_stuck_goods() -> int:
    from donations.disclosure import check_disclosure_and_stuck_goods as run

    return run()


@shared_task
def purge_private_data() -> int:
    from donations.services import purge_due_private_data

    return purge_due_private_data()


@shared_task
def alert_overdue_questions() -> int:
    """Hourly: alert the supervising bureau once per question unanswered past its deadline."""
    from donations.questions import alert_overdue_questions as run

    return run()


@shared_task(name="donations.tasks.check_merge_delay")
def check_merge_delay() -> int:
    """Every few seconds: sequence what is pending, alert the platform admins once when
    entries wait longer than TONGZHOU_LEDGER_MAX_MERGE_DELAY."""
    from donations.sequencer import check_merge_delay as run

    return run()
