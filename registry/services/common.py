"""What the registry's services share: editable field lists, permission and input checks,
the audit wrapper and the message to an organization's admins."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from core import permissions as perms
from core import regions
from core.audit import record
from core.models import Region
from core.notifications import Text, notify
from core.roles import Role
from core.uploads import sniff_content_type
from registry import uscc
from registry.models import Document, Organization

User = get_user_model()

PERSON_FIELDS = (
    "name",
    "skills",
    "social_worker_level",
    "certifications",
    "phone",
    "region_code",
    "availability",
)


def _audit(org: Organization, *, actor, action: str, target=None, **kwargs) -> None:
    record(
        actor=actor,
        action=action,
        target=target or org,
        organization_id=org.pk,
        region_code=org.region_code,
        **kwargs,
    )


def _tell_admins(org: Organization, *, title: Text, body: Text = "", actor=None) -> None:
    notify(
        title=title,
        body=body,
        link=reverse("registry:organization_detail", args=[org.pk]),
        audience={"organizations": [org.pk], "roles": [Role.ADMIN], "verified_only": False},
        actor=actor,
        kind="approval",
    )


def _require_admin(user, org: Organization) -> None:
    if not perms.is_org_admin(user, org):
        raise PermissionDenied(_("Only an admin of this organization may do that."))


def _require_official_for(user, org: Organization) -> None:
    if not perms.is_official_for(user, org.region_code):
        raise PermissionDenied(_("Only an official whose jurisdiction covers it may do that."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("A reason is required.")]})
    return reason


def _check_region(code: str, field: str = "region_code") -> None:
    if not regions.is_valid_code(code or "") or not Region.objects.filter(code=code).exists():
        raise ValidationError({field: [_("Unknown region code “%(code)s”.") % {"code": code}]})


def _check_regions(codes: list, field: str = "service_regions") -> list[str]:
    codes = [str(c) for c in (codes or [])]
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {field: [_("Unknown region code “%(code)s”.") % {"code": unknown[0]}]}
        )
    return codes


def validate_uscc_for(code: str, kind: str, *, exclude_pk: int | None = None) -> str:
    """Check a code (GB 32100 / GB 11714 / kind prefix) and that no other record holds it."""
    try:
        code = uscc.validate(code, kind)
    except uscc.USCCError as error:
        # The API names the failed check; pages show params["message"] alone (the check's name
        # is a code, and codes are not for people: registry.views.page_messages).
        message = ValidationError(
            _("%(message)s (failed check: %(check)s)"),
            code=error.check,
            params={"message": error.message, "check": error.check},
        )
        raise ValidationError({"uscc": [message]}) from None
    existing = Organization.objects.filter(uscc=code).exclude(pk=exclude_pk).first()
    if existing:
        raise ValidationError(
            {
                "uscc": [
                    _(
                        "This code is already registered to “%(name)s” (record #%(id)s, %(url)s, "
                        "status: %(status)s). Ask its admin to add you as a member instead."
                    )
                    % {
                        "name": existing.name,
                        "id": existing.pk,
                        "url": reverse("registry:organization_detail", args=[existing.pk]),
                        "status": existing.get_status_display(),
                    }
                ]
            }
        )
    return code


def _check_upload(upload, field: str = "file") -> str:
    if upload is None:
        raise ValidationError({field: [_("Choose a file.")]})
    if upload.size > settings.FILE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    _("The file is larger than %(limit)s bytes.")
                    % {"limit": settings.FILE_UPLOAD_MAX_BYTES}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({field: [_("Only PDF, JPEG and PNG files are accepted.")]})
    return content_type


def _store_document(
    *, organization: Organization, upload, kind: str, title: str, by, capability=None
) -> Document:
    content_type = _check_upload(upload)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": [_("Unknown document kind.")]})
    doc = Document(
        organization=organization,
        capability=capability,
        kind=kind,
        title=(title or "")[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    doc.file.save("upload", upload, save=False)
    doc.save()
    return doc
