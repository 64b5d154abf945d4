from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/trace/", views.trace, name="trace"),
    path("ledger/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("ledger/entries/<int:pk>/<str:action>/", views.entry_action, name="entry_action"),
    path("ledger/organizations/<int:org_id>/", views.workspace, name="workspace"),
    path("ledger/evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("ledger/shortfalls/<int:pk>/", views.shortfall_action, name="shortfall"),
]

# Supervision and end receivers (donations/views_supervise.py)
from donations import views_supervise  # noqa: E402

urlpatterns += [
    path("ledger/entries/<int:pk>/questions/new/", views_supervise.ask, name="question_ask"),
    path("ledger/questions/<int:pk>/answer/", views_supervise.answer, name="question_answer"),
    path(
        "ledger/organizations/<int:org_id>/receivers/",
        views_supervise.receiver_create,
        name="receiver_create",
    ),
    path(
        "ledger/receivers/<int:pk>/reissue/",
        views_supervise.receiver_reissue,
        name="receiver_reissue",
    ),
    path("ledger/receive/<str:token>/", views_supervise.receiver_sign, name="receiver_sign"),
    path(
        "ledger/evidence/<int:pk>/public/",
        views_supervise.public_evidence,
        name="evidence_public",
    ),
]

# The donor's side: the printable receipt and the chain head page.
from donations import views_donor  # noqa: E402 (appended so parallel edits above do not clash)

urlpatterns += [
    path("ledger/receipts/<str:trace_code>/", views_donor.receipt, name="receipt"),
    path("ledger/receipts/<str:trace_code>/send/", views_donor.send, name="receipt_send"),
    path("ledger/head/", views_donor.head, name="head"),
]

# The change of use of restricted gifts (two segments: ``entries/<pk>/<action>/`` takes one).
from donations import views_changes  # noqa: E402 (appended so parallel edits above do not clash)

urlpatterns += [
    path(
        "ledger/entries/<int:pk>/change-of-use/new/",
        views_changes.change_of_use,
        name="change_of_use",
    ),
]
