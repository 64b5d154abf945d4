from django.urls import path

from core import api_views

urlpatterns = [
    path("auth/token/", api_views.ObtainTokenView.as_view(), name="api-token"),
    path("audit/", api_views.AuditEventList.as_view(), name="api-audit"),
]
