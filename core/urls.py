from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_trail, name="audit"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz/", views.healthz, name="healthz"),
    path("healthz/live/", views.live, name="live"),
]
