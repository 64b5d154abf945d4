"""API routes of the community app under /api/v1/ (docs/API.md, "Community needs and projects")."""

from rest_framework.routers import SimpleRouter

from community.api import views

router = SimpleRouter()
router.register("community-needs", views.RoutineNeedViewSet, basename="community-need")
router.register("community-projects", views.CommunityProjectViewSet, basename="community-project")

urlpatterns = router.urls
