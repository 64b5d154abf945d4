"""Periodic jobs of the ledger (thin: the work is in donations.disclosure)."""

from celery import shared_task


@shared_task
def check_disclosure_and_stuck_goods() -> int:
    from donations.disclosure import check_disclosure_and_stuck_goods as run

    return run()
