"""The private side of receipts: revealed to the holder's members on request, purged on time.

The chain keeps only salted commitments of these fields (``donations.privacy``); revealing the
salt and the plain text lets a donor or auditor check a commitment, purging both leaves the
commitment in the chain proving nothing.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from core import audit
from donations.actions import ENTRY
from donations.models import DonorDetails, LedgerEntry
from donations.services.common import region_of

# DonorDetails column -> the key of its commitment in the chain.
COLUMNS = {
    "handler": "handler",
    "full_name": "donor_name",
    "phone": "donor_phone",
    "address": "donor_address",
}


def reveal_private(*, entry: LedgerEntry, by: Any) -> dict:
    """The salt and plain private fields of a receipt, for the holder's members (others: 404).

    Audited: the organization hands them to the donor or an auditor who asks to check the
    commitments. ``purged`` is true once the purge has blanked them.
    """
    try:
        ENTRY.check("reveal", by, entry)
    except PermissionDenied:
        raise Http404 from None
    details = DonorDetails.objects.filter(entry=entry).first()
    with transaction.atomic():
        audit.record(
            actor=by,
            action="donations.private_revealed",
            target=entry,
            organization_id=entry.holder_id,
            region_code=region_of(entry),
            data={"seq": entry.seq},
        )
    return {
        "entry": entry.pk,
        "salt": details.salt if details else "",
        "values": {key: getattr(details, col) if details else "" for col, key in COLUMNS.items()},
        "commitments": dict(entry.commitments or {}),
        "purged": bool(details and details.purged_at),
    }


def purge_private(*, entry: LedgerEntry, now: datetime | None = None) -> bool:
    """Blank a receipt's private fields and salt (the chain's commitments stay); audited."""
    now = now or timezone.now()
    with transaction.atomic():
        details = DonorDetails.objects.select_for_update().filter(entry=entry).first()
        if details is None or details.purged_at:
            return False
        for column in [*COLUMNS, "salt"]:
            setattr(details, column, "")
        details.purged_at = now
        details.save(update_fields=[*COLUMNS, "salt", "purged_at"])
        audit.record(
            actor=None,
            action="donations.private_purged",
            target=entry,
            organization_id=entry.holder_id,
            region_code=region_of(entry),
            data={"seq": entry.seq},
        )
    return True


def purge_due_private_data(*, now: datetime | None = None) -> int:
    """The beat job: receipts whose incident closed more than
    ``TONGZHOU_PERSONAL_DATA_RETENTION_DAYS`` ago, or, without an incident, recorded more than
    that long ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TONGZHOU_PERSONAL_DATA_RETENTION_DAYS)
    due = (
        LedgerEntry.objects.filter(donor_details__purged_at__isnull=True)
        .filter(
            Q(incident__isnull=True, recorded_at__lte=cutoff)
            | Q(incident__status="closed", incident__closed_at__lte=cutoff)
        )
        .select_related("holder", "incident")
        .order_by("id")
    )
    return sum(purge_private(entry=entry, now=now) for entry in due.iterator(chunk_size=500))
