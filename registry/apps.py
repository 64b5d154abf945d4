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
