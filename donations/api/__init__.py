"""The ledger API: writes through services, public reads with cursor pagination, downloads."""

from donations.api.downloads import export_jsonl, totals_csv
from donations.api.reads import (
    EntryDetail,
    EntryList,
    HeadView,
    TotalsView,
    TraceLookupView,
    TraceView,
)
from donations.api.writes import (
    AcknowledgeView,
    AllocationCreate,
    ChangeOfUseView,
    DisbursementCreate,
    ReceiptCreate,
    RevealPrivateView,
    ReverseView,
    ShortfallView,
)

__all__ = [
    "AcknowledgeView",
    "AllocationCreate",
    "ChangeOfUseView",
    "DisbursementCreate",
    "EntryDetail",
    "EntryList",
    "HeadView",
    "ReceiptCreate",
    "RevealPrivateView",
    "ReverseView",
    "ShortfallView",
    "TotalsView",
    "TraceLookupView",
    "TraceView",
    "export_jsonl",
    "totals_csv",
]
