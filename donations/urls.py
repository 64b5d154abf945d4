from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/trace/", views.trace, name="trace"),
    path("ledger/entries/<int:seq>/", views.entry_detail, name="entry"),
    path("ledger/entries/<int:seq>/<str:action>/", views.entry_action, name="entry_action"),
    path("ledger/organizations/<int:org_id>/", views.workspace, name="workspace"),
    path("ledger/evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("ledger/shortfalls/<int:seq>/", views.shortfall_action, name="shortfall"),
]
