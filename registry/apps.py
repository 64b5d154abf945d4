from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Organization registry")

    def dashboard_cards(self, user):
        from django.urls import reverse

        from registry.queries import public_organizations

        return [
            {
                "label": _("Verified organizations"),
                "value": public_organizations().count(),
                "url": reverse("registry:organization_list"),
            }
        ]

    def navigation_badges(self, request) -> dict:
        """The number of invitations waiting for the user's answer (one query per page)."""
        from registry.queries import pending_invitations

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return {"invitations_pending": pending_invitations(user).count()}
