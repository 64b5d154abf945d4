"""Signals of the ledger.

``ledger_sequenced(sender=LedgerEntry, first_seq, last_seq)`` is sent by ``donations.sequencer``
after each batch that gave entries their seqs, inside the sequencing transaction, after the
chain head moved: a receiver (the Merkle tree of the transparency log) sees the new entries and
writes in the same transaction, so a failing receiver rolls the batch back and nothing is
half-done (the batch is retried by the next run).
"""

from django.dispatch import Signal

ledger_sequenced = Signal()
