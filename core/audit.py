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


def scope_of(target: models.Model) -> tuple[int | None, str]:
    """(organization_id, region_code) of an object's audit rows, from its model's
    ``audit_scope()`` method ((None, "") for a model without one)."""
    hook = getattr(target, "audit_scope", None)
    return hook() if hook else (None, "")


def record_on(target: models.Model, *, actor: Any, action: str, **fields: Any) -> AuditEvent:
    """``record`` with the organization and region the target's ``audit_scope()`` gives (the same
    scope ``core.states.move`` writes), so a service does not restate them."""
    organization_id, region_code = scope_of(target)
    fields.setdefault("organization_id", organization_id)
    fields.setdefault("region_code", region_code)
    return record(actor=actor, action=action, target=target, **fields)
