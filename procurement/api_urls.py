"""API routes of this app under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from procurement.api import views

router = SimpleRouter()
router.register("procurements", views.ProjectViewSet, basename="procurement")
router.register("bids", views.BidViewSet, basename="procurement-bid")
router.register("challenges", views.ChallengeViewSet, basename="procurement-challenge")
router.register("milestones", views.MilestoneViewSet, basename="procurement-milestone")
router.register("clawbacks", views.ClawbackViewSet, basename="procurement-clawback")
router.register("debarments", views.DebarmentViewSet, basename="procurement-debarment")

urlpatterns = [
    path("procurements/releases/", views.ReleasesView.as_view(), name="procurement-releases"),
    path(
        "bid-documents/<int:pk>/", views.BidDocumentView.as_view(), name="procurement-bid-document"
    ),
    path(
        "recipient-confirmations/<str:token>/",
        views.ConfirmationView.as_view(),
        name="procurement-confirmation",
    ),
    *router.urls,
]
