"""Disclosure duties (慈善法 emergency chapter) and goods left sitting in warehouses."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, words
from core.notifications import Text, notify
from donations.models import EntrySource, Flag, LedgerEntry, Lot

Kind = LedgerEntry.Kind


def disclosure_days(receipt: LedgerEntry) -> int:
    """At least every 5 days during a response; every 3 months for ordinary fundraising."""
    responding = receipt.incident_id and receipt.incident.status == "responding"
    if responding:
        return getattr(settings, "TONGZHOU_RESPONSE_DISCLOSURE_DAYS", 5)
    return getattr(settings, "TONGZHOU_ORDINARY_DISCLOSURE_DAYS", 90)


def _flag(kind: str, receipt: LedgerEntry, holder, title: Text, body: Text) -> bool:
    flag, created = Flag.objects.get_or_create(kind=kind, receipt=receipt, holder=holder)
    if not created:
        return False
    region = receipt.incident.region_code if receipt.incident_id else holder.region_code
    audit.record(
        actor=None,
        action=f"donations.{kind}",
        target=receipt,
        organization_id=holder.pk,
        region_code=region,
        data={"seq": receipt.seq},
    )
    notify(
        title=title,
        body=body,
        link=f"/ledger/?organization={holder.pk}",
        level="yellow",
        audience={"organizations": [holder.pk], "officials_for": region},
        kind="deadline",
    )
    return True


def check_disclosure_and_stuck_goods() -> int:
    """Alert holders (and the region's officials) once per receipt that is past its disclosure
    deadline without any disbursement, or whose goods sit undistributed too long."""
    now = timezone.now()
    alerted = 0
    drawn_by_disbursement = EntrySource.objects.filter(
        lot__origin=OuterRef("pk"), entry__kind=Kind.DISBURSEMENT
    )
    receipts = (
        LedgerEntry.objects.filter(kind=Kind.RECEIPT, occurred_at__lt=now - timedelta(days=5))
        .exclude(followers__kind=Kind.REVERSAL)
        .filter(~Exists(drawn_by_disbursement))
        .exclude(flags__kind=Flag.Kind.DISCLOSURE_OVERDUE)
        .select_related("incident", "holder")
    )
    with transaction.atomic():
        for receipt in receipts.iterator(chunk_size=500):
            if receipt.occurred_at + timedelta(days=disclosure_days(receipt)) > now:
                continue
            alerted += _flag(
                Flag.Kind.DISCLOSURE_OVERDUE,
                receipt,
                receipt.holder,
                lambda seq=receipt.number: (
                    _("Donation receipt #%(seq)s has no disbursement past its disclosure deadline")
                    % {"seq": seq}
                ),
                lambda: _("Disclose how the donation was used, or record its disbursement."),
            )
        days = getattr(settings, "TONGZHOU_STUCK_GOODS_DAYS", 7)
        stuck = (
            Lot.objects.filter(remaining__gt=0, acquired_at__lt=now - timedelta(days=days))
            .exclude(item="")
            .select_related("origin__incident", "holder")
            .order_by("id")
        )
        for lot in stuck.iterator(chunk_size=500):
            alerted += _flag(
                Flag.Kind.STUCK_GOODS,
                lot.origin,
                lot.holder,
                lambda lot=lot: (
                    _("Goods undistributed for more than %(days)s days: %(item)s")
                    % {"days": days, "item": lot.item}
                ),
                lambda lot=lot: (
                    _("%(qty)s %(unit)s of %(item)s from receipt #%(seq)s are still in stock.")
                    % {
                        "qty": words.number(lot.remaining),
                        "unit": lot.unit,
                        "item": lot.item,
                        "seq": lot.origin.number,
                    }
                ),
            )
    return alerted
