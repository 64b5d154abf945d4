"""API routes of this app under /api/v1/."""

from django.urls import path

from donations import api

urlpatterns = [
    path("ledger/receipts/", api.ReceiptCreate.as_view(), name="ledger-receipts"),
    path("ledger/allocations/", api.AllocationCreate.as_view(), name="ledger-allocations"),
    path(
        "ledger/allocations/<int:pk>/acknowledge/",
        api.AcknowledgeView.as_view(),
        name="ledger-acknowledge",
    ),
    path("ledger/disbursements/", api.DisbursementCreate.as_view(), name="ledger-disbursements"),
    path("ledger/entries/", api.EntryList.as_view(), name="ledger-entries"),
    path("ledger/entries/<int:pk>/", api.EntryDetail.as_view(), name="ledger-entry"),
    path("ledger/entries/<int:pk>/reverse/", api.ReverseView.as_view(), name="ledger-reverse"),
    path(
        "ledger/entries/<int:pk>/change-of-use/",
        api.ChangeOfUseView.as_view(),
        name="ledger-change-of-use",
    ),
    path(
        "ledger/entries/<int:pk>/private/",
        api.RevealPrivateView.as_view(),
        name="ledger-entry-private",
    ),
    path("ledger/totals/", api.TotalsView.as_view(), name="ledger-totals"),
    path("ledger/totals.csv", api.totals_csv, name="ledger-totals-csv"),
    path("ledger/trace/<str:trace_code>/", api.TraceView.as_view(), name="ledger-trace"),
    path("ledger/export.jsonl", api.export_jsonl, name="ledger-export"),
    path("ledger/head/", api.HeadView.as_view(), name="ledger-head"),
    path(
        "ledger/allocations/<int:pk>/shortfall/",
        api.ShortfallView.as_view(),
        name="ledger-shortfall",
    ),
    path("ledger/trace/", api.TraceLookupView.as_view(), name="ledger-trace-lookup"),
]

# Supervision and end receivers (donations/api/supervise.py)
from donations.api import supervise  # noqa: E402

urlpatterns += [
    path(
        "ledger/entries/<int:pk>/questions/",
        supervise.EntryQuestions.as_view(),
        name="ledger-entry-questions",
    ),
    path(
        "ledger/questions/<int:pk>/answer/",
        supervise.AnswerQuestion.as_view(),
        name="ledger-question-answer",
    ),
    path("ledger/receivers/", supervise.ReceiverDeliveryCreate.as_view(), name="ledger-receivers"),
    path(
        "ledger/receivers/<int:pk>/reissue/",
        supervise.ReceiverLinkReissue.as_view(),
        name="ledger-receiver-reissue",
    ),
    path("ledger/receive/<str:token>/", supervise.ReceiverSign.as_view(), name="ledger-receive"),
]

# Telling the donor the trace code (donations/notify.py).
from donations.api.notices import TraceNoticeView  # noqa: E402 (appended: parallel edits above)

urlpatterns += [
    path(
        "ledger/entries/<int:pk>/send-trace-code/",
        TraceNoticeView.as_view(),
        name="ledger-send-trace-code",
    ),
]

# The transparency log: signed heads, proofs, witnesses (donations/api/transparency.py). Paths
# as the issue states them (no trailing slash on the proofs and the countersign action).
from donations.api import transparency as log  # noqa: E402 (appended: parallel edits above)

urlpatterns += [
    path(
        "ledger/proof/inclusion/<int:seq>",
        log.InclusionProofView.as_view(),
        name="ledger-proof-inclusion",
    ),
    path(
        "ledger/proof/consistency",
        log.ConsistencyProofView.as_view(),
        name="ledger-proof-consistency",
    ),
    path("ledger/key/", log.KeyView.as_view(), name="ledger-key"),
    path("ledger/heads/<int:size>/", log.HeadDetailView.as_view(), name="ledger-head-detail"),
    path(
        "ledger/heads/<int:size>/countersign",
        log.CountersignView.as_view(),
        name="ledger-head-countersign",
    ),
]
