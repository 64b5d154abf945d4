"""The one helper that service functions call to write the audit trail."""

from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import AuditEvent

# Set by core.middleware.RequestContextMiddleware for the duration of a request.
current_ip: ContextVar[str | None] = ContextVar("tongzhou_current_ip", default=None)


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    organization_id: int | None = None,
    region_code: str = "",
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        organization_id=organization_id,
        region_code=region_code or "",
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        from_status=from_status or "",
        to_status=to_status or "",
        reason=reason or "",
        data=data or {},
        ip=current_ip.get(),
    )
