"""API routes of this app under /api/v1/."""

from django.urls import path

from alerts import api, receipts

urlpatterns = [
    path("alerts/", api.AlertListCreate.as_view(), name="api-alert-list"),
    path("alerts/preview/", api.AlertPreview.as_view(), name="api-alert-preview"),
    path("alerts/<int:pk>/", api.AlertDetail.as_view(), name="api-alert-detail"),
    path("alerts/<int:pk>/deliveries/", api.AlertDeliveries.as_view(), name="api-alert-deliveries"),
    path("deliveries/<int:pk>/retry/", api.DeliveryRetry.as_view(), name="api-delivery-retry"),
    path("inbox/", api.InboxList.as_view(), name="api-inbox"),
    path("inbox/read-all/", api.InboxReadAll.as_view(), name="api-inbox-read-all"),
    path("inbox/<int:pk>/read/", api.InboxRead.as_view(), name="api-inbox-read"),
    path("alert-preferences/", api.Preferences.as_view(), name="api-alert-preferences"),
    path(
        "organizations/<int:pk>/webhooks/",
        api.OrganizationWebhooks.as_view(),
        name="api-organization-webhooks",
    ),
    path(
        "sms/receipts/<str:provider>/<str:token>/",
        receipts.receipt,
        name="api-sms-receipt",
    ),
]
