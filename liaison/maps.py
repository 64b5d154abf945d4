"""Confirmed field reports as a layer of the incident map (core.hooks ``incident_map_layers``).

A confirmed report's point is exact for officials covering its area and for the sending
organization's members; everyone else gets ``core.geo.blur``'s stand-in, as for needs and
filings (docs/maps.md). The sender is named only to those who see the point exactly."""

from typing import Any

from django.utils.translation import gettext as _

from core import geo
from core import permissions as perms
from liaison.models import FieldReport
from liaison.queries import confirmed_reports


def sees_exact(user: Any, report: FieldReport) -> bool:
    return perms.is_official_for(user, report.region_code) or (
        report.organization_id in perms.organization_ids(user)
    )


def report_layer(user: Any, incident: Any) -> dict:
    """``{"key", "label", "points"}``: one query."""
    points = []
    for report in confirmed_reports(incident.pk):
        exact = sees_exact(user, report)
        if exact:
            lat, lon = report.latitude, report.longitude
        else:
            lat, lon = geo.blur(
                report.latitude, report.longitude, key=f"liaison.report:{report.pk}"
            )
        detail = report.description[:80]
        if exact:
            detail = f"{report.organization.name} · {detail}"
        points.append(
            {
                "lat": float(lat),
                "lon": float(lon),
                "exact": exact,
                "title": report.get_category_display(),
                "detail": detail,
            }
        )
    return {"key": "reports", "label": _("Confirmed field reports"), "points": points}
