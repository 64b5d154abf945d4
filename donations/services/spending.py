"""Disbursements: money spent or goods handed out, with evidence."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from donations import evidence_rules, privacy
from donations.actions import require_writer
from donations.models import Evidence, LedgerEntry
from donations.services.common import (
    Kind,
    audit_entry,
    outgoing_entry,
    wants_from,
)


def disburse(
    *,
    by: Any,
    organization: Any = None,
    purpose: str,
    region_code: str = "",
    beneficiaries: int = 0,
    incident: Any = None,
    amount: Decimal | None = None,
    items: list[dict] | None = None,
    sources: list[dict] | None = None,
    evidence: list | None = None,
    private_evidence: list | None = None,
    occurred_at: datetime | None = None,
) -> LedgerEntry:
    """Money spent or goods handed out for a purpose, drawn from the holder's lots; restricted
    lots serve only their own incident and purpose. Above ``TONGZHOU_EVIDENCE_THRESHOLD`` it
    needs evidence (``donations.evidence_rules``); ``private_evidence`` is chained, not served."""
    organization = require_writer(by, organization)
    if not purpose:
        raise ValidationError({"purpose": [_("Say what the money or goods were used for.")]})
    privacy.screen(purpose=purpose)
    privacy.screen_items(items)
    wants = wants_from(amount, items)
    files = evidence_rules.prepare(evidence, private=private_evidence)
    with transaction.atomic():
        entry, _drawn = outgoing_entry(
            kind=Kind.DISBURSEMENT,
            organization=organization,
            by=by,
            wants=wants,
            sources=sources,
            incident=incident,
            purpose=purpose,
            occurred_at=occurred_at,
            evidence=[f.sha256 for f in files],
            region_code=region_code,
            beneficiaries=beneficiaries or 0,
        )
        evidence_rules.require_evidence(entry, files)
        for f in files:
            Evidence.objects.create(
                entry=entry,
                file=f.upload,
                content_type=f.content_type,
                sha256=f.sha256,
                original_name=f.name,
                private=f.private,
            )
        audit_entry(entry, by, beneficiaries=entry.beneficiaries)
    return entry
