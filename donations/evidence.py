"""Evidence files: accepted by their magic bytes (no Pillow), hashed, stored under MEDIA_ROOT."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.uploads import sniff_content_type


def sniff(upload) -> tuple[str, str]:
    """(content type, sha256) of an upload, or ValidationError on the ``evidence`` field."""
    size = getattr(upload, "size", 0) or 0
    if size > getattr(settings, "FILE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024):
        raise ValidationError({"evidence": [_("The file is too large.")]})
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({"evidence": [_("Only PDF, PNG or JPEG files are accepted.")]})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()
