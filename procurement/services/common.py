"""Small pieces every procurement service shares: permission checks, audit and alert wrappers."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import audit, states
from core import permissions as perms
from core.notifications import Text, notify
from procurement.models import Project


def require_official_for(user: Any, project: Project) -> None:
    if not perms.is_official_for(user, project.region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over this project may do this.")
        )


def link(project: Project) -> str:
    return f"/procurements/{project.pk}/"


def move(project: Project, target: str, *, by: Any, action: str, reason: str = "", data=None):
    """Change a project's status through ``core.states.move`` (audit action
    ``procurement.<action>``)."""
    return states.move(
        project,
        target,
        by=by,
        action=f"procurement.{action}",
        reason=reason,
        data=data,
        changes={"status_reason": reason} if reason else None,
        label=_("Procurement project"),
    )


def record(
    target: Any,
    *,
    by: Any,
    action: str,
    project: Project | None = None,
    organization_id: int | None = None,
    **fields,
) -> None:
    project = project or target
    audit.record(
        actor=by,
        action=f"procurement.{action}",
        target=target,
        organization_id=organization_id or project.buyer_id,
        region_code=project.region_code,
        **fields,
    )


def tell_officials(
    project: Project,
    *,
    title: Text,
    body: Text = "",
    by: Any = None,
    level: str = "blue",
    kind: str = "approval",
) -> None:
    notify(
        title=title,
        body=body,
        link=link(project),
        level=level,
        audience={"officials_for": project.region_code},
        actor=by,
        kind=kind,
    )


def tell_organizations(
    project: Project,
    org_ids,
    *,
    title: Text,
    body: Text = "",
    by: Any = None,
    level: str = "blue",
    kind: str = "approval",
) -> None:
    ids = sorted(set(org_ids))
    if ids:
        notify(
            title=title,
            body=body,
            link=link(project),
            level=level,
            audience={"organizations": ids},
            actor=by,
            kind=kind,
        )
