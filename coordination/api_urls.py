"""API routes of the incident board under /api/v1/ (API.md, Coordination)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="coordination-incident")
router.register("needs", views.NeedViewSet, basename="coordination-need")
router.register("deployments", views.DeploymentViewSet, basename="coordination-deployment")
router.register("tasks", views.TaskViewSet, basename="coordination-task")

urlpatterns = [
    path("evidence/<int:pk>/", views.EvidencePhotoView.as_view(), name="coordination-evidence"),
    *router.urls,
]
