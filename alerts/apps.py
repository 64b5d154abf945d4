from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    # Public reads (core.public_cache): deliveries, preferences and webhooks are never shown on
    # a cached route (alert pages that show deliveries are for officials), so their heavy
    # writes (a fan-out saves thousands of deliveries) do not empty the public cache.
    public_cache_scope = "alerts"
    public_cache_unshown = ("Delivery", "Preference", "Webhook")

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

    def work_queue(self, user) -> list[dict]:
        """Officials: alerts of their jurisdiction (or their own) that some recipient has not
        received; members of organizations: their unread alerts.

        Decision: "not received" is a failed delivery, or one still pending or sending 15
        minutes after the alert (the sweep re-queues lost messages every minute, so by then
        it is stuck, not slow)."""
        from datetime import timedelta

        from django.db.models import Count, Exists, Min, OuterRef, Q
        from django.utils import timezone

        from alerts.models import Channel, Delivery
        from alerts.queries import visible_alerts
        from core import permissions as perms

        items = []
        if perms.is_official(user):
            stuck = Delivery.objects.filter(alert=OuterRef("pk")).filter(
                Q(status=Delivery.Status.FAILED)
                | Q(
                    status__in=(Delivery.Status.PENDING, Delivery.Status.SENDING),
                    created_at__lte=timezone.now() - timedelta(minutes=15),
                )
            )
            scope = Q(created_by=user)
            for prefix in perms.jurisdiction_prefixes(user):
                scope |= Q(region_code__startswith=prefix)
            undelivered = visible_alerts(user).filter(scope).filter(Exists(stuck))
            totals = undelivered.aggregate(n=Count("pk"), oldest=Min("created_at"))
            first = undelivered.order_by("created_at", "pk").first() if totals["n"] else None
            items.append(
                {
                    "role": "official",
                    "key": "undelivered",
                    "label": _("Alerts not delivered to every recipient"),
                    "count": totals["n"],
                    "oldest": totals["oldest"],
                    "url": reverse("alerts:alert_detail", args=[first.pk])
                    if first
                    else reverse("alerts:alert_list"),
                }
            )
        if perms.organization_ids(user, roles=("admin", "member")):
            unread = Delivery.objects.filter(
                user=user, channel=Channel.IN_APP, status=Delivery.Status.SENT
            ).aggregate(n=Count("pk"), oldest=Min("alert__created_at"))
            items.append(
                {
                    "role": "organization",
                    "key": "unread",
                    "label": _("Unread alerts"),
                    "count": unread["n"],
                    "oldest": unread["oldest"],
                    "url": reverse("alerts:inbox"),
                }
            )
        return items

    def navigation_links(self, user) -> list[dict]:
        from core import permissions as perms

        if not perms.is_official(user):
            return []
        return [
            {
                "label": _("Send an alert"),
                "url": reverse("alerts:alert_new"),
                "order": 40,
                "key": "alert_new",
                "group": "liaison",
            }
        ]

    def home_panels(self, user) -> list[dict]:
        """The latest public alerts, on everyone's home (one query)."""
        from alerts.queries import public_alerts

        return [
            {
                "key": "alerts",
                "order": 40,
                "title": _("Public alerts"),
                "template": "alerts/_home_alerts.html",
                "context": {"alerts": list(public_alerts().order_by("-created_at", "-pk")[:5])},
            }
        ]
