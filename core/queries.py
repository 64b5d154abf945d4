"""Read paths of core: the audit trail visible to a user, the history of one object."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from core import permissions as perms
from core.display import people
from core.models import AuditEvent


def visible_audit_events(user) -> QuerySet[AuditEvent]:
    """Officials: events in their jurisdiction. Org members: their organizations' events.
    Superusers: everything. Others: nothing."""
    qs = AuditEvent.objects.select_related("actor", "target_type").prefetch_related(people("actor"))
    if getattr(user, "is_superuser", False):
        return qs
    cond = Q(pk__in=[])
    for prefix in perms.jurisdiction_prefixes(user):
        cond |= Q(region_code__startswith=prefix)
    org_ids = perms.organization_ids(user)
    if org_ids:
        cond |= Q(organization_id__in=org_ids)
    return qs.filter(cond)


def history_for(obj: Model) -> QuerySet[AuditEvent]:
    """The audit trail of one object, newest first."""
    return (
        AuditEvent.objects.select_related("actor")
        .prefetch_related(people("actor"))
        .filter(
            target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            target_id=str(obj.pk),
        )
    )
