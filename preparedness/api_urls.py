"""API routes of preparedness under /api/v1/ (docs/preparedness.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from preparedness.api import drills, followups, meetings

router = SimpleRouter()
router.register("drills", drills.DrillViewSet, basename="preparedness-drill")
router.register("followups", followups.FollowUpViewSet, basename="preparedness-followup")
router.register("meetings", meetings.MeetingViewSet, basename="preparedness-meeting")

urlpatterns = [
    path("preparedness/summary/", meetings.SummaryView.as_view(), name="preparedness-summary"),
    *router.urls,
]
