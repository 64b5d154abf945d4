"""Loss compensation routes under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from compensation import api

router = SimpleRouter()
router.register("compensation-claims", api.ClaimViewSet, basename="compensation-claim")

urlpatterns = [
    path("compensation-stats/", api.StatsView.as_view(), name="compensation-stats"),
    path("", include(router.urls)),
]
