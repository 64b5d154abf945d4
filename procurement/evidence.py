"""Storing a progress report's evidence file: the SHA-256 of what was uploaded (the same file in
another report is flagged), and for a photo the facts of ``procurement.photos`` (EXIF time, GPS,
dHash) with the flags they raise against the milestone's window and site. A photo's original
bytes (EXIF included) are kept privately in ``Evidence.original``; ``Evidence.file`` is the copy
without metadata (``core.images.strip_metadata``, shared with donations' public evidence)."""

import datetime as dt
import hashlib

from django.core.files.base import ContentFile

from core.images import FORMATS, strip_metadata
from procurement import photos
from procurement.models import Evidence, Milestone, ProgressReport


def site_of(milestone: Milestone) -> photos.Site:
    return photos.Site(
        latitude=milestone.site_latitude,
        longitude=milestone.site_longitude,
        radius_m=milestone.site_radius_m,
        starts_at=milestone.service_starts_at,
        ends_at=milestone.service_ends_at,
    )


def near_duplicate_of(digest: str, report: ProgressReport) -> Evidence | None:
    """The earliest photo of another report (any milestone, any supplier) whose dHash is within
    ``photos.NEAR_DUPLICATE_BITS``. The comparison runs in Python over the stored hashes (16
    characters a photo: a million photos are 16 MB read once per upload); an index by hash
    prefix would only find near pairs that share the prefix."""
    rows = Evidence.objects.exclude(report=report).exclude(dhash="").values_list("pk", "dhash")
    for pk, other in rows.order_by("id").iterator(chunk_size=2000):
        if photos.near_duplicate(digest, other):
            return Evidence.objects.get(pk=pk)
    return None


def store(
    *,
    report: ProgressReport,
    milestone: Milestone,
    upload,
    content: bytes,
    content_type: str,
    declared_at: dt.datetime | None,
) -> Evidence:
    """One evidence row for an uploaded file (already sniffed as ``content_type``)."""
    digest = hashlib.sha256(content).hexdigest()
    earlier = Evidence.objects.filter(sha256=digest).exclude(report=report).first()
    row = Evidence(
        report=report,
        content_type=content_type,
        sha256=digest,
        taken_at=declared_at,
        duplicate_of=earlier,
    )
    name = getattr(upload, "name", "") or "evidence"
    if content_type in FORMATS:
        facts = photos.read_facts(content)
        public = strip_metadata(upload, content_type)  # ValidationError when it is not an image
        row.original.save(name, ContentFile(content), save=False)
        row.file.save(name, public, save=False)
        if facts is not None:
            row.camera_taken_at = facts.taken_at
            row.latitude, row.longitude = facts.latitude, facts.longitude
            row.dhash = facts.dhash
            row.flags = photos.check(facts, site_of(milestone), declared_at)
            if earlier is None:
                row.near_duplicate_of = near_duplicate_of(facts.dhash, report)
    else:
        upload.seek(0)
        row.file.save(name, upload, save=False)
    row.save()
    return row
