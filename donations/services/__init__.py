"""Every write to the ledger: one function per business action, each in one transaction.

Order of locks, always: the entry an action depends on, then lots (by id), then the chain head.
"""

from core.states import Conflict
from donations.actions import can_write
from donations.services.corrections import change_use, reverse
from donations.services.private import purge_due_private_data, purge_private, reveal_private
from donations.services.receipts import record_receipt
from donations.services.spending import disburse
from donations.services.transfers import acknowledge, allocate, resolve_shortfall

__all__ = [
    "Conflict",
    "acknowledge",
    "allocate",
    "can_write",
    "change_use",
    "disburse",
    "purge_due_private_data",
    "purge_private",
    "record_receipt",
    "resolve_shortfall",
    "reveal_private",
    "reverse",
]
