"""Periodic jobs of the ledger (thin: the work is in donations.disclosure)."""

from celery import shared_task


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


@shared_task(name="donations.tasks.sequence_ledger", acks_late=False)
def sequence_ledger() -> int:
    """Give committed ledger entries their seq and hash (``donations.sequencer``).

    Published on commit of every business write (at most one queued: ``QUEUED_KEY``, cleared
    here before reading, so a commit after this point queues the next run) and by the beat.
    Waits for the advisory lock rather than skipping, so entries committed while another run
    held it are not left for the beat. Not acked late: a lost run is redone by the beat."""
    from django.core.cache import cache

    from donations import sequencer

    cache.delete(sequencer.QUEUED_KEY)
    return sequencer.sequence_all(wait=True)


@shared_task(name="donations.tasks.check_merge_delay")
def check_merge_delay() -> int:
    """Every few seconds: sequence what is pending, alert the platform admins once when
    entries wait longer than TONGZHOU_LEDGER_MAX_MERGE_DELAY."""
    from donations.sequencer import check_merge_delay as run

    return run()
