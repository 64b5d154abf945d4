"""API routes of the liaison app under /api/v1/ (docs/API.md, "Liaison")."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from liaison.api import views

router = SimpleRouter()
router.register("responsibilities", views.ResponsibilityViewSet, basename="liaison-responsibility")
router.register("notices", views.NoticeViewSet, basename="liaison-notice")
router.register("field-reports", views.FieldReportViewSet, basename="liaison-report")
router.register("check-ins", views.CheckInViewSet, basename="liaison-check-in")

urlpatterns = [
    path(
        "field-reports/photos/<int:pk>/",
        views.ReportPhotoView.as_view(),
        name="liaison-report-photo",
    ),
    path(
        "notices/attachments/<int:pk>/",
        views.NoticeAttachmentView.as_view(),
        name="liaison-notice-attachment",
    ),
    *router.urls,
]
