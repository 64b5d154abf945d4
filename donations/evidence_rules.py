"""Evidence rules of outgoing entries: files prepared once (type sniffed, image metadata
stripped, hashed), and the threshold above which a disbursement needs evidence.

- ``TONGZHOU_EVIDENCE_THRESHOLD`` (CNY, default 10,000): a disbursement whose money plus goods
  value is above it needs at least one evidence file. Goods are valued only once the lots are
  drawn, so the rule runs inside the disbursement's transaction, after the draw and before the
  evidence rows: a refusal rolls the whole entry back (nothing half-written) and is a 400 on
  ``evidence``. Private files count: the evidence exists and its hash is in the chain.
- Private files (marked by the uploader) are never served publicly; their hash is chained like
  any other's, and the holder's members and the officials of its region can still open them.
- A delivery to an end receiver (``donations.receivers``) is evidenced by the receiver's own
  sign-for (signature, quantities, photo) and is not held to the threshold when it is written.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import words
from donations.evidence import sniff
from donations.images import strip_metadata
from donations.models import LedgerEntry


@dataclass(frozen=True)
class EvidenceFile:
    upload: Any
    content_type: str
    sha256: str
    private: bool
    name: str


def prepare(
    uploads: list | None, *, private: list | None = None, field: str = "evidence"
) -> list[EvidenceFile]:
    """Public ``uploads`` then ``private`` ones: sniffed (PDF, PNG, JPEG), images stripped of
    metadata, hashed over the bytes that will be stored and served."""
    files = []
    for upload, is_private in [(u, False) for u in uploads or []] + [
        (u, True) for u in private or []
    ]:
        try:
            content_type, _digest = sniff(upload)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None
        clean = strip_metadata(upload, content_type, field=field)
        digest = hashlib.sha256()
        clean.seek(0)
        for chunk in clean.chunks():
            digest.update(chunk)
        clean.seek(0)
        name = (getattr(upload, "name", "") or "")[:200]
        files.append(EvidenceFile(clean, content_type, digest.hexdigest(), is_private, name))
    return files


def threshold() -> Decimal:
    return Decimal(settings.TONGZHOU_EVIDENCE_THRESHOLD)


def require_evidence(entry: LedgerEntry, files: list[EvidenceFile]) -> None:
    """Refuse (400 on ``evidence``) a disbursement above the threshold without evidence."""
    if files or entry.amount + entry.goods_value <= threshold():
        return
    raise ValidationError(
        {
            "evidence": [
                _("Disbursements above %(limit)s need evidence (an invoice, receipt or photo).")
                % {"limit": words.money(threshold())}
            ]
        }
    )
