from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/new/", views.alert_new, name="alert_new"),
    path("alerts/feed.atom", views.alert_feed, name="feed"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/cap.xml", views.alert_cap, name="cap"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/preferences/", views.preferences, name="preferences"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox_read"),
]

urlpatterns += [
    path("alerts/deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
urlpatterns += [
    path("organizations/<int:pk>/webhooks/", views.webhooks, name="webhooks"),
]
