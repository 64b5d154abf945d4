from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def notify(self, **kwargs):
        """The ``notify`` hook (core.hooks): how registry reaches the outbox writer."""
        from alerts.services import notify

        return notify(**kwargs)

    def navigation_badges(self, request) -> dict:
        """The unread count of the user's inbox (one query per page)."""
        from alerts.queries import unread_count

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return {"inbox_unread": unread_count(user)}

    def dashboard_cards(self, user) -> list[dict]:
        from alerts.models import Alert

        return [
            {
                "label": _("Public alerts"),
                "value": Alert.objects.filter(public=True).count(),
                "url": reverse("alerts:alert_list"),
            }
        ]
