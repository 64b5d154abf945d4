"""Community items on the home (core.hooks ``work_queue``) and the navigation link.

Officials: routine needs in their jurisdiction waiting for confirmation (two queries).
Organizations: confirmed routine needs that one of their organizations' assessed capabilities
serves in its service regions (two queries: the current capabilities, then the newest 200
confirmed needs, matched in Python because service regions are lists; one without capabilities)."""

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from community import queries
from community.models import RoutineNeed
from core import permissions as perms
from registry.choices import OrganizationKind
from registry.models import Capability
from registry.queries import acting_organizations


def official_queue(user: Any) -> list[dict]:
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return []
    scope = Q()
    for prefix in prefixes:
        scope |= Q(region_code__startswith=prefix)
    waiting = RoutineNeed.objects.filter(scope, confirmed_at__isnull=True)
    totals = waiting.aggregate(n=Count("pk"), oldest=Min("created_at"))
    row = waiting.order_by("created_at", "pk").first() if totals["n"] else None
    return [
        {
            "role": "official",
            "key": "community_needs_to_confirm",
            "label": _("Community needs to confirm"),
            "count": totals["n"],
            "oldest": totals["oldest"],
            "url": reverse("community:need_detail", args=[row.pk])
            if row
            else reverse("community:overview"),
        }
    ]


def organization_queue(user: Any) -> list[dict]:
    organizations = [o for o in acting_organizations(user) if o.kind != OrganizationKind.AGENCY]
    if not organizations:
        return []
    by_id = {o.pk: o for o in organizations}
    capabilities = list(Capability.objects.current().filter(organization_id__in=list(by_id)))
    matched = queries.needs_served(by_id, capabilities) if capabilities else []
    oldest = min((n.created_at for n in matched), default=None)
    return [
        {
            "role": "organization",
            "key": "community_needs_matching",
            "label": _("Community needs your capabilities serve"),
            "count": len(matched),
            "oldest": oldest,
            "url": reverse("community:need_detail", args=[matched[-1].pk])
            if matched
            else reverse("community:overview"),
        }
    ]


def work_queue(user: Any) -> list[dict]:
    return official_queue(user) + organization_queue(user)
