"""Disbursements: money spent or goods handed out, with evidence."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from donations import balances, chain, privacy
from donations.actions import require_writer
from donations.evidence import sniff
from donations.models import Evidence, LedgerEntry
from donations.services.common import (
    Kind,
    audit_entry,
    common_incident,
    named_sources,
    summarize,
    use_time,
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
    occurred_at: datetime | None = None,
) -> LedgerEntry:
    """Money spent or goods handed out for a purpose, drawn from the holder's lots; restricted
    lots serve only their own incident and purpose."""
    organization = require_writer(by, organization)
    if not purpose:
        raise ValidationError({"purpose": [_("Say what the money or goods were used for.")]})
    privacy.screen(purpose=purpose)
    privacy.screen_items(items)
    wants = wants_from(amount, items)
    files = [(f, *sniff(f)) for f in (evidence or [])]
    with transaction.atomic():
        drawn = balances.draw(
            holder_id=organization.pk,
            wants=wants,
            named=named_sources(sources),
            incident_id=incident.pk if incident else None,
            purpose=purpose,
        )
        money, goods_value, lines = summarize(drawn)
        entry = LedgerEntry(
            kind=Kind.DISBURSEMENT,
            holder=organization,
            incident_id=incident.pk if incident else common_incident(drawn),
            purpose=purpose,
            restricted=any(s.lot.restricted for s in drawn),
            amount=money,
            goods_value=goods_value,
            occurred_at=use_time(occurred_at, drawn),
            region_code=region_code,
            beneficiaries=beneficiaries or 0,
            created_by=by,
        )
        chain.append(entry, lines=lines, sources=drawn, evidence=[h for _f, _ct, h in files])
        for upload, content_type, digest in files:
            Evidence.objects.create(
                entry=entry,
                file=upload,
                content_type=content_type,
                sha256=digest,
                original_name=getattr(upload, "name", "")[:200],
            )
        audit_entry(entry, by, beneficiaries=entry.beneficiaries)
    return entry
