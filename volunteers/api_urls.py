"""Volunteers API routes under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from volunteers import api

router = SimpleRouter()
router.register("volunteers", api.VolunteerViewSet, basename="api-volunteer")
router.register("volunteer-calls", api.CallViewSet, basename="api-volunteer-call")
router.register("sign-ups", api.SignUpViewSet, basename="api-sign-up")

urlpatterns = [path("", include(router.urls))]
