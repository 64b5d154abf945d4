"""Evidence images are published, so their metadata is removed before anything else happens.

The stripping itself is shared with procurement's public evidence copies: it lives in
``core.images`` (decision, formats and limits are documented there)."""

from core.images import FORMATS, MAX_PIXELS, strip_metadata

__all__ = ["FORMATS", "MAX_PIXELS", "strip_metadata"]
