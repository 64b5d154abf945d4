"""Progress reports on tasks, with evidence photos checked by their magic bytes."""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.actions import TASK
from coordination.models import EvidencePhoto, Task, TaskReport
from coordination.services.tasks import locked_task, start_task, tell_task_officials
from core import audit, validators
from core.uploads import PHOTO_TYPES, sniff_content_type


def sniff_image(head: bytes) -> str | None:
    """The content type of a photo from its first bytes (no Pillow): JPEG or PNG, else None."""
    return sniff_content_type(head, PHOTO_TYPES)


def report_task(
    *,
    task: Task,
    by: Any,
    summary: str,
    people_served: int = 0,
    quantity_delivered: int = 0,
    beneficiaries: str = "",
    photos: list[tuple[Any, datetime]] | None = None,
) -> TaskReport:
    """The holding organization reports progress on a task in progress; numbers add up across
    reports. Each evidence photo must really be a JPEG or PNG and carry the time it was taken."""
    if not (summary or "").strip():
        raise ValidationError({"summary": [_("Summarize what was done.")]})
    sniffed = [_read_photo(upload, taken_at) for upload, taken_at in photos or []]
    with transaction.atomic():
        task = locked_task(task)
        TASK.check("report", by, task)
        report = TaskReport.objects.create(
            task=task,
            summary=summary,
            people_served=people_served or 0,
            quantity_delivered=quantity_delivered or 0,
            beneficiaries=beneficiaries,
            filed_by=by,
        )
        for content, content_type, digest, taken_at in sniffed:
            photo = EvidencePhoto(
                report=report,
                content_type=content_type,
                size=len(content),
                sha256=digest,
                taken_at=taken_at,
            )
            photo.file.save("evidence", ContentFile(content), save=False)
            photo.save()
        audit.record_on(
            task,
            actor=by,
            action="task.reported",
            data={
                "report": report.pk,
                "people_served": report.people_served,
                "quantity_delivered": report.quantity_delivered,
                "photos": len(sniffed),
            },
        )
        tell_task_officials(
            task, by, lambda: _("Progress report on %(title)s") % {"title": task.title}, summary
        )
    return report


def start_task_with_report(
    *,
    task: Task,
    by: Any,
    summary: str,
    people_served: int = 0,
    quantity_delivered: int = 0,
    beneficiaries: str = "",
    photos: list[tuple[Any, datetime]] | None = None,
) -> TaskReport:
    """The page's 开始工作: a team starts work when it is on site, and says so with its first
    report (who is there, what they found). One transaction, two audit rows (``task.started``,
    ``task.reported``); a report refused (no summary, a photo that is not an image) leaves the
    task accepted, not started."""
    with transaction.atomic():
        task = start_task(task=task, by=by)
        return report_task(
            task=task,
            by=by,
            summary=summary,
            people_served=people_served,
            quantity_delivered=quantity_delivered,
            beneficiaries=beneficiaries,
            photos=photos,
        )


def _read_photo(upload: Any, taken_at: datetime | None) -> tuple[bytes, str, str, datetime]:
    if taken_at is None:
        raise ValidationError({"evidence_taken_at": [_("Give the time each photo was taken.")]})
    validators.check("evidence_taken_at", validators.fact, taken_at)
    if taken_at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"evidence_taken_at": [_("A photo cannot be taken in the future.")]})
    size = getattr(upload, "size", None)
    if size is not None and size > settings.FILE_UPLOAD_MAX_BYTES:
        raise ValidationError({"evidence": [_("A photo is larger than the upload limit.")]})
    content = upload.read() if hasattr(upload, "read") else bytes(upload)
    if len(content) > settings.FILE_UPLOAD_MAX_BYTES:
        raise ValidationError({"evidence": [_("A photo is larger than the upload limit.")]})
    content_type = sniff_image(content[:8])
    if content_type is None:
        raise ValidationError({"evidence": [_("Evidence photos must be JPEG or PNG images.")]})
    return content, content_type, hashlib.sha256(content).hexdigest(), taken_at
