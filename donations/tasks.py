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


@shared_task
def sign_tree_head() -> int:
    """Every 10 s: add newly sequenced entries to the Merkle tree and sign a head when it grew
    (donations.transparency.sign_head). Returns the signed tree size."""
    from donations.transparency import sign_head

    head = sign_head()
    return head.tree_size if head else 0
