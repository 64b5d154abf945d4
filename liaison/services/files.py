"""Reading uploaded files for liaison (the type from the first bytes: core.uploads)."""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import uploads

MAX_FILES = 6


def read_upload(upload: Any, field: str, allowed: frozenset[str]) -> tuple[bytes, str, str]:
    """(content, content type, sha256) of an upload whose first bytes prove an allowed type."""
    uploads.check_size(upload, field)
    content = upload.read()
    content_type = uploads.sniff_content_type(content[:16], allowed)
    if content_type is None:
        if allowed == uploads.PHOTO_TYPES:
            raise ValidationError({field: [_("Photos must be JPEG or PNG images.")]})
        raise ValidationError({field: [_("Attachments must be PDF, JPEG or PNG files.")]})
    return content, content_type, hashlib.sha256(content).hexdigest()


def read_uploads(files: list | None, field: str, allowed: frozenset[str]) -> list:
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({field: [_("At most %(n)s files.") % {"n": MAX_FILES}]})
    return [(getattr(f, "name", "") or "", *read_upload(f, field, allowed)) for f in files]
