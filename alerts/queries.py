"""Reads of the alerts app, each a fixed number of queries whatever the number of rows."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from alerts.models import Alert, Channel, Delivery
from core import permissions as perms
from core.display import people


def visible_alerts(user: Any) -> QuerySet[Alert]:
    """Public alerts for everyone; officials also see the alerts of their jurisdiction and
    their own."""
    qs = Alert.objects.select_related("created_by")
    if not perms.is_official(user):
        return qs.filter(public=True)
    scope = Q(public=True) | Q(created_by=user)
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(region_code__startswith=prefix)
    return qs.filter(scope)


def public_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(public=True).select_related("references")


def inbox(user: Any) -> QuerySet[Delivery]:
    """The user's in-app alerts, newest first."""
    return (
        Delivery.objects.filter(user=user, channel=Channel.IN_APP)
        .exclude(status=Delivery.Status.FAILED)
        .select_related("alert")
        .order_by("-alert__created_at", "-pk")
    )


def unread_count(user: Any) -> int:
    return Delivery.objects.filter(
        user=user, channel=Channel.IN_APP, status=Delivery.Status.SENT
    ).count()


def deliveries_of(alert: Alert) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(alert=alert)
        .select_related("user", "organization")
        .prefetch_related(people("user"))
        .order_by("channel", "pk")
    )


def delivery_counts(alert: Alert) -> dict[str, int]:
    """{"total", "pending", "sending", "sent", "failed", "read"} for one alert."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in Delivery.objects.filter(alert=alert).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts
