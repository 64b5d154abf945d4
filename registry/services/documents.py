"""Documents an organization uploads (certificates, insurance ...) and who may read them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions as perms
from registry.models import Document, Organization
from registry.services.common import (
    _audit,
    _require_admin,
    _store_document,
)


def upload_document(
    *, organization: Organization, by, upload, kind: str = "other", title: str = "", capability=None
) -> Document:
    """An org admin uploads a PDF/JPEG/PNG (sniffed, size-limited); it stays private."""
    _require_admin(by, organization)
    if capability is not None and capability.organization_id != organization.pk:
        raise ValidationError({"capability": [_("Not a capability of this organization.")]})
    with transaction.atomic():
        doc = _store_document(
            organization=organization,
            upload=upload,
            kind=kind,
            title=title,
            by=by,
            capability=capability,
        )
        _audit(
            organization,
            actor=by,
            action="registry.upload_document",
            target=doc,
            data={"kind": kind},
        )
    return doc


def can_read_private(user, organization: Organization) -> bool:
    """Members of the organization and officials whose jurisdiction covers it."""
    return perms.is_member_of(user, organization) or perms.is_official_for(
        user, organization.region_code
    )
