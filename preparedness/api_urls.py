"""API routes of preparedness under /api/v1/ (docs/preparedness.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from preparedness import api

router = SimpleRouter()
router.register("drills", api.DrillViewSet, basename="preparedness-drill")
router.register("followups", api.FollowUpViewSet, basename="preparedness-followup")
router.register("meetings", api.MeetingViewSet, basename="preparedness-meeting")

urlpatterns = [
    path("preparedness/summary/", api.SummaryView.as_view(), name="preparedness-summary"),
    *router.urls,
]
