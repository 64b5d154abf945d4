"""Images that are shown to others lose their metadata before anything else happens (donations'
public evidence, procurement's public copy of a progress photo).

Decision: **strip on upload, before hashing**. A JPEG or PNG is decoded and written again with
Pillow, turned upright first (the EXIF orientation is applied to the pixels), and without any
metadata: no EXIF (hence no GPS position, camera serial or time), no XMP, no text chunks, no
ICC profile. The stored file is exactly the file served, and the SHA-256 chained in the ledger
is of those bytes, so anyone can check a downloaded photo against the chain. Donations never
store the original bytes; procurement keeps a progress photo's original privately for the buyer
and the inspector (its EXIF time and GPS are the check, ``procurement/photos.py``). PDFs are
stored as uploaded (they are not rewritten): an uploader who does not want a PDF's content
public marks it private.
"""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; larger is refused rather than decoded


def strip_metadata(upload, content_type: str, *, field: str = "evidence"):
    """The upload re-encoded without metadata (a ``ContentFile`` with the upload's name), or
    the upload itself when it is not an image (PDF). ``ValidationError`` on ``field`` when the
    image cannot be decoded."""
    fmt = FORMATS.get(content_type)
    if fmt is None:
        return upload
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({field: [_("The image is too large.")]})
            image.load()
            clean = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError({field: [_("The image could not be read.")]}) from None
    clean.info = {}
    out = io.BytesIO()
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=getattr(upload, "name", "") or "photo")
