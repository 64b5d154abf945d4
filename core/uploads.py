"""Uploaded files: the type is read from the file's first bytes, never from the client.

Every app that accepts files (registration certificates, task evidence photos, milestone
evidence, ledger receipts) sniffs with ``sniff_content_type`` and stores under MEDIA_ROOT, which
is never served directly: views check permission and stream the file.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
DOCUMENT_TYPES = PHOTO_TYPES | {"application/pdf"}


def sniff_content_type(head: bytes, allowed: frozenset[str] = DOCUMENT_TYPES) -> str | None:
    """The content type the first bytes prove, if it is one of ``allowed``; else None."""
    for magic, content_type in SIGNATURES:
        if head.startswith(magic) and content_type in allowed:
            return content_type
    return None


def check_size(upload, field: str) -> None:
    """Refuse a file over settings.FILE_UPLOAD_MAX_BYTES with a field-level message."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.FILE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                field: [
                    _("The file is larger than the upload limit (%(mb)s MB).")
                    % {"mb": settings.FILE_UPLOAD_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
