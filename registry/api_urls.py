"""Registry API routes under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from registry import api
from registry.api import hubs, views
from registry.api.insurance import InsurancePolicyViewSet

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="api-organization")
router.register("capabilities", views.CapabilityViewSet, basename="api-capability")
router.register("memberships", views.MembershipViewSet, basename="api-membership")
router.register("people", views.PersonViewSet, basename="api-person")
router.register("insurance-policies", InsurancePolicyViewSet, basename="api-insurance-policy")
router.register("invitations", views.InvitationViewSet, basename="api-invitation")
router.register("hub-links", hubs.HubLinkViewSet, basename="api-hub-link")
router.register("vouched-teams", hubs.VouchedTeamViewSet, basename="api-vouched-team")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/invitations/", views.MyInvitations.as_view(), name="api-my-invitations"),
    path("register/", views.RegisterView.as_view(), name="api-register"),
    path("regions/", views.RegionList.as_view(), name="api-regions"),
    path("organizations/<int:pk>/hub/", hubs.DesignateHubView.as_view(), name="api-hub"),
    path(
        "documents/<int:pk>/download/",
        views.DocumentDownloadView.as_view(),
        name="api-document-download",
    ),
    path("", include(router.urls)),
]
