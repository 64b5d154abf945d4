"""What a person may do with a field report (core.states: one declaration per model)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import permissions as perms
from core.states import Action, Actions
from liaison.models import FieldReport


def responsible_official(user: Any, report: FieldReport, **context: Any) -> None:
    """Officials of the agency the report is routed to, or of an agency above it (its
    jurisdiction covers the routed agency's region); with no agency, officials of the area."""
    area = report.routed_to.region_code if report.routed_to_id else report.region_code
    if not perms.is_official_for(user, area):
        raise PermissionDenied(_("Only the responsible agency's officials may do this."))


REPORT = Actions(
    FieldReport,
    [
        Action("acknowledge", FieldReport.Status.ACKNOWLEDGED, who=responsible_official),
        Action("confirm", FieldReport.Status.CONFIRMED, who=responsible_official),
        Action("dismiss", FieldReport.Status.DISMISSED, who=responsible_official),
    ],
)
