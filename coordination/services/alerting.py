"""How the board tells people about a change: one place that builds audiences and links.

Every call goes through ``alerts.services.notify`` inside the caller's transaction.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse

from coordination.models import Incident
from core import regions
from core.notifications import Text, notify
from registry.choices import OrganizationKind, Specialty

GRADE_LEVEL = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}


def incident_link(incident: Incident) -> str:
    return reverse("coordination:incident_detail", args=[incident.pk])


def incident_ref(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "title": incident.title,
        "kind": incident.kind,
        "subtype": incident.subtype,
        "grade": incident.grade,
        "region_code": incident.region_code,
        "status": incident.status,
        "is_exercise": incident.is_exercise,
        "latitude": str(incident.latitude) if incident.latitude is not None else None,
        "longitude": str(incident.longitude) if incident.longitude is not None else None,
    }


def mobilization_regions(incident: Incident) -> list[str]:
    """Graded mobilization (DOMAIN.md): I province + neighbours, II province, III prefecture,
    IV county. An ungraded incident (social security) reaches its own region only."""
    chain = regions.ancestors(incident.region_code)
    province = chain[0]
    if incident.grade == 1:
        neighbours = settings.TONGZHOU_NEIGHBOURING_PROVINCES.get(province, [])
        return [province, *neighbours]
    if incident.grade == 2:
        return [province]
    if incident.grade == 3:
        return [chain[1] if len(chain) > 1 else province]
    return [incident.region_code]


def mobilization_audience(incident: Incident) -> dict[str, Any]:
    """Teams with a current capability and foundations (which fund and supply the response),
    registered in the mobilized regions (nobody has filed yet when an incident opens)."""
    return {
        "regions": mobilization_regions(incident),
        "specialties": [code for code, _label in Specialty.choices],
        "kinds": [OrganizationKind.FOUNDATION.value],
        "verified_only": True,
    }


def filed_organizations(region_codes: list[str], incident_id: int | None = None):
    """Ids (lazy ``values`` queryset) of organizations with an approved or arrived filing of an
    active incident whose area intersects one of ``region_codes`` (alerts' ``filings`` basis)."""
    from django.db.models import Q

    from coordination.models import Deployment

    area = Q()
    for code in region_codes:
        area |= Q(area_region_code__startswith=regions.prefix_of(code))
        area |= Q(area_region_code__in=regions.ancestors(code))
    qs = Deployment.objects.filter(area, status__in=Deployment.OCCUPYING).exclude(
        incident__status=Incident.Status.CLOSED
    )
    if incident_id:
        qs = qs.filter(incident_id=incident_id)
    return qs.values("organization_id")


def level_of(incident: Incident) -> str:
    return GRADE_LEVEL.get(incident.grade or 4, "blue")


def tell_organizations(
    *,
    incident: Incident,
    organization_ids: list[int],
    title: Text,
    body: Text = "",
    actor=None,
    kind: str = "",
) -> None:
    ids = sorted({i for i in organization_ids if i})
    if not ids:
        return
    notify(
        title=title,
        body=body,
        link=incident_link(incident),
        level=level_of(incident),
        audience={"organizations": ids},
        incident_ref=incident_ref(incident),
        actor=actor,
        kind=kind,
    )


def tell_officials(
    *,
    incident: Incident,
    title: Text,
    body: Text = "",
    region_code: str = "",
    actor=None,
    kind: str = "",
) -> None:
    notify(
        title=title,
        body=body,
        link=incident_link(incident),
        level=level_of(incident),
        audience={"officials_for": region_code or incident.region_code},
        incident_ref=incident_ref(incident),
        actor=actor,
        kind=kind,
    )


def mobilize(*, incident: Incident, title: Text, body: Text = "", actor=None) -> None:
    notify(
        title=title,
        body=body,
        link=incident_link(incident),
        level=level_of(incident),
        audience=mobilization_audience(incident),
        incident_ref=incident_ref(incident),
        actor=actor,
        kind="mobilization",
    )
