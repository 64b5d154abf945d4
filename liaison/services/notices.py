"""Notices and policies: an agency publishes to organizations of its area (by region and kind),
each receives a receipt row, reads it, and acknowledges it when asked by a date.

Decisions where the issue is silent: the audience is fixed when the notice is published (an
organization verified later does not get a receipt, though it may read the public library);
the audience regions must lie in the publishing agency's jurisdiction; an acknowledgement after
the date is still taken (and shown as late); the reminder goes once, when the date has passed, to
the organizations that have not acknowledged, and the agency sees them as overdue."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import notify
from core import audit, regions, uploads, validators
from core.roles import Role
from core.states import InvalidTransition
from liaison.models import Notice, NoticeAttachment, NoticeReceipt
from liaison.services.files import read_uploads
from registry.choices import OrganizationKind
from registry.models import Organization
from registry.queries import acting_organization


def audience_organizations(regions_: list[str], kinds: list[str]):
    """Verified organizations (agencies excluded) under one of ``regions_``, of ``kinds`` (all
    kinds when empty)."""
    scope = Q()
    for code in regions_:
        scope |= Q(region_code__startswith=regions.prefix_of(code))
    qs = Organization.objects.filter(scope, status=Organization.Status.VERIFIED).exclude(
        kind=OrganizationKind.AGENCY
    )
    return qs.filter(kind__in=kinds) if kinds else qs


def publish_notice(
    *,
    by: Any,
    title: str,
    body: str,
    kind: str = Notice.Kind.NOTICE,
    audience_regions: list[str] | None = None,
    audience_kinds: list[str] | None = None,
    public: bool = True,
    expires_at: dt.datetime | None = None,
    ack_due_at: dt.datetime | None = None,
    attachments: list | None = None,
    agency: Any = None,
) -> Notice:
    """An agency's official publishes a notice to the organizations of its area (default: the
    whole jurisdiction); ``ack_due_at`` asks each of them to acknowledge it by that date."""
    organization = acting_organization(
        by, agency, roles=(Role.OFFICIAL,), kinds=(OrganizationKind.AGENCY,), field="agency"
    )
    codes = list(dict.fromkeys(audience_regions or [organization.region_code]))
    outside = [c for c in codes if not regions.covers(organization.region_code, c)]
    if outside:
        raise ValidationError(
            {"audience_regions": [_("A notice goes only to regions of the agency's area.")]}
        )
    kinds = list(dict.fromkeys(audience_kinds or []))
    bad = [k for k in kinds if k not in OrganizationKind.values or k == OrganizationKind.AGENCY]
    if bad:
        raise ValidationError({"audience_kinds": [_("Unknown kind of organization.")]})
    if not (title or "").strip() or not (body or "").strip():
        raise ValidationError({"title": [_("A notice needs a title and a text.")]})
    if ack_due_at is not None:
        validators.check("ack_due_at", validators.deadline, ack_due_at)
    if expires_at is not None:
        validators.check("expires_at", validators.deadline, expires_at)
        if ack_due_at is not None and ack_due_at > expires_at:
            raise ValidationError(
                {"ack_due_at": [_("The acknowledgement date must come before the expiry.")]}
            )
    files = read_uploads(attachments, "attachments", uploads.DOCUMENT_TYPES)
    with transaction.atomic():
        notice = Notice.objects.create(
            agency=organization,
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            audience_regions=codes,
            audience_kinds=kinds,
            public=public,
            expires_at=expires_at,
            ack_due_at=ack_due_at,
            published_by=by,
        )
        for name, content, content_type, sha256 in files:
            attachment = NoticeAttachment(
                notice=notice,
                name=(name or _("Attachment"))[:200],
                content_type=content_type,
                size=len(content),
                sha256=sha256,
            )
            attachment.file.save("attachment", ContentFile(content), save=False)
            attachment.save()
        organization_ids = list(audience_organizations(codes, kinds).values_list("pk", flat=True))
        NoticeReceipt.objects.bulk_create(
            NoticeReceipt(notice=notice, organization_id=pk) for pk in organization_ids
        )
        audit.record_on(
            notice,
            actor=by,
            action="liaison.notice.published",
            data={"audience": len(organization_ids), "ack_due_at": str(ack_due_at or "")},
        )
        if organization_ids:
            notify(
                title=notice.title,
                body=notice.body[:500],
                link=reverse("liaison:notice_detail", args=[notice.pk]),
                audience={"organizations": organization_ids},
                region_code=organization.region_code,
                actor=by,
            )
    return notice


def _receipt(notice: Notice, by: Any, organization: Any) -> NoticeReceipt:
    org = acting_organization(by, organization, verified=False)
    receipt = (
        NoticeReceipt.objects.select_for_update().filter(notice=notice, organization=org).first()
    )
    if receipt is None:
        raise PermissionDenied(_("The notice was not addressed to this organization."))
    return receipt


def read_notice(*, notice: Notice, by: Any, organization: Any = None) -> NoticeReceipt:
    """A member of an addressed organization opened the notice (the first reading counts)."""
    with transaction.atomic():
        receipt = _receipt(notice, by, organization)
        if receipt.read_at is None:
            receipt.read_at = timezone.now()
            receipt.read_by = by
            receipt.save(update_fields=["read_at", "read_by"])
    return receipt


def acknowledge_notice(*, notice: Notice, by: Any, organization: Any = None) -> NoticeReceipt:
    """An addressed organization confirms it took note, once (it counts as read too)."""
    if notice.ack_due_at is None:
        raise InvalidTransition(_("This notice asks for no acknowledgement."))
    with transaction.atomic():
        receipt = _receipt(notice, by, organization)
        if receipt.acknowledged_at is not None:
            raise InvalidTransition(_("The organization has already acknowledged this notice."))
        now = timezone.now()
        receipt.acknowledged_at = now
        receipt.acknowledged_by = by
        if receipt.read_at is None:
            receipt.read_at, receipt.read_by = now, by
        receipt.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at", "read_by"])
        audit.record(
            actor=by,
            action="liaison.notice.acknowledged",
            target=notice,
            organization_id=receipt.organization_id,
            region_code=notice.agency.region_code,
            data={"late": now > notice.ack_due_at},
        )
    return receipt


def remind_overdue(*, now: dt.datetime | None = None) -> int:
    """Once per notice, when its date has passed: remind the organizations that have not
    acknowledged (the beat task ``liaison.tasks.notice_reminders``); returns notices reminded."""
    now = now or timezone.now()
    due = list(
        Notice.objects.filter(ack_due_at__lte=now, reminded_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            if not Notice.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            notice = Notice.objects.get(pk=pk)
            missing = list(
                notice.receipts.filter(acknowledged_at__isnull=True).values_list(
                    "organization_id", flat=True
                )
            )
            if missing:
                notify(
                    title=_("Please acknowledge: %(title)s") % {"title": notice.title},
                    link=reverse("liaison:notice_detail", args=[notice.pk]),
                    level="orange",
                    audience={"organizations": missing},
                    region_code=notice.agency.region_code,
                )
            done += 1
    return done
