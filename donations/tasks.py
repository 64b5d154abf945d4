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


# Set while a sign_tree_head run is queued by the sequencer (cleared when it starts; expires in
# case it never does, e.g. a broker outage after the key was set).
SIGN_QUEUED_KEY = "donations:sign-head-queued"
SIGN_QUEUED_SECONDS = 30


@shared_task
def sign_tree_head() -> int:
    """Every 10 s: add newly sequenced entries to the Merkle tree and sign a head when it grew
    (donations.transparency.sign_head). Returns the signed tree size."""
    from django.core.cache import cache

    from donations.transparency import sign_head

    cache.delete(SIGN_QUEUED_KEY)  # a batch committed from here on queues the next run
    head = sign_head()
    return head.tree_size if head else 0


def on_ledger_sequenced(sender=None, first_seq: int = 0, last_seq: int = 0, **kwargs) -> None:
    """Receiver for ``donations.signals.ledger_sequenced`` (connected in
    ``DonationsConfig.ready``). The signal is sent inside the sequencer's transaction, so the
    tree extension and head signing are queued when it commits (never for a batch that rolls
    back), at once instead of waiting for the 10-second beat. A broker that is down only
    delays the head: the beat job does the same work."""
    import logging

    from django.core.cache import cache
    from django.db import transaction

    def queue() -> None:
        try:
            # One run queued is enough: it takes in every batch sequenced before it starts.
            if cache.add(SIGN_QUEUED_KEY, 1, timeout=SIGN_QUEUED_SECONDS):
                sign_tree_head.delay()
        except Exception:  # noqa: BLE001 - the beat job catches up; never fail the sequencer
            logging.getLogger(__name__).warning("could not queue sign_tree_head", exc_info=True)

    transaction.on_commit(queue)
