"""Reads of volunteers and calls shared by pages and the API (fixed query counts)."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import permissions as perms
from registry.models import Organization
from volunteers.models import SignUp, Volunteer, VolunteerCall


def hub_ids(user: Any) -> list[int]:
    """Verified hubs in which ``user`` is an admin or member (the cached memberships)."""
    return [
        m.organization_id
        for m in perms.memberships(user)
        if m.role in ("admin", "member")
        and m.organization.is_hub
        and m.organization.status == Organization.Status.VERIFIED
    ]


def visible_volunteers(user: Any) -> QuerySet[Volunteer]:
    """A hub's members see its volunteers; officials those whose region lies in their
    jurisdiction. Never public (phones are private)."""
    scope = Q(hub_id__in=hub_ids(user))
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(region_code__startswith=prefix)
    return Volunteer.objects.filter(scope).select_related("hub")


def signed_up_count(incident_id: int, area_region_code: str) -> int:
    """Volunteers signed up for any open or closed call into this incident area."""
    return SignUp.objects.filter(
        call__incident_id=incident_id,
        call__area_region_code=area_region_code,
        status=SignUp.Status.SIGNED_UP,
    ).count()


def with_counts(qs: QuerySet[VolunteerCall]) -> QuerySet[VolunteerCall]:
    return qs.annotate(
        signed_up=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.SIGNED_UP))
    ).select_related("hub", "incident")


def public_calls() -> QuerySet[VolunteerCall]:
    """Calls anyone may read (without volunteers' names): open calls of active incidents."""
    from coordination.models import Incident

    return with_counts(
        VolunteerCall.objects.filter(
            status=VolunteerCall.Status.OPEN, incident__status__in=Incident.ACTIVE
        )
    )


def visible_calls(user: Any) -> QuerySet[VolunteerCall]:
    """Open calls for everyone; every call of the user's hubs and, for officials, every call in
    their jurisdiction."""
    from coordination.models import Incident

    scope = Q(status=VolunteerCall.Status.OPEN, incident__status__in=Incident.ACTIVE)
    scope |= Q(hub_id__in=hub_ids(user))
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(area_region_code__startswith=prefix)
    return with_counts(VolunteerCall.objects.filter(scope))


def sees_sign_ups(user: Any, call: VolunteerCall) -> bool:
    return call.hub_id in hub_ids(user) or perms.is_official_for(user, call.area_region_code)


def sign_ups_of(call: VolunteerCall) -> QuerySet[SignUp]:
    return call.sign_ups.filter(status=SignUp.Status.SIGNED_UP).select_related("volunteer")


def navigation_links(user: Any) -> list[dict]:
    """Hub members and officials: the volunteers page (no query beyond the memberships)."""
    if hub_ids(user) or perms.is_official(user):
        return [
            {
                "label": _("Volunteers"),
                "url": reverse("volunteers:volunteer_list"),
                "order": 45,
                "key": "volunteers",
                "group": "organizations",
            }
        ]
    return []


def work_queue(user: Any) -> list[dict]:
    """Hub members: volunteers whose phone code is still to be entered (they count only once
    it is), oldest first. One aggregate and one row query; nothing for people in no hub."""
    from django.db.models import Min

    hubs = hub_ids(user)
    if not hubs:
        return []
    waiting = Volunteer.objects.filter(hub_id__in=hubs, phone_verified_at__isnull=True)
    totals = waiting.aggregate(n=Count("pk"), oldest=Min("created_at"))
    oldest = waiting.order_by("created_at", "pk").first() if totals["n"] else None
    item = {
        "role": "organization",
        "key": "volunteers_to_verify",
        "label": str(_("Volunteers waiting for their phone code")),
        "count": totals["n"],
        "oldest": totals["oldest"],
        "url": (
            reverse("volunteers:volunteer_verify", args=[oldest.pk])
            if oldest
            else reverse("volunteers:volunteer_list")
        ),
    }
    if oldest is not None:
        item["hint"] = oldest.name
    return [item]
