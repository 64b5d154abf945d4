"""Goods handed to end receivers without an account (a hospital, a village committee, a school,
a resettlement site), and their sign-for (签收) through a one-time link.

Decisions where the issue was silent (docs/DOMAIN.md, "Supervision and end receivers"):

- **In the chain**: handing goods to an end receiver is a ``disbursement`` (the goods leave the
  ledger's balances; ``region_code`` is the receiver's region). The receiver's sign-for is a new
  entry kind, ``receiver_signed``, on the allocating organization's ledger, ``related`` to the
  disbursement: its lines are the quantities signed for (lines signed as zero are left out),
  ``shortfall`` is true when less was signed than sent, ``reason`` holds the specification
  mismatch notes (``"N95口罩: 收到的是KN95"``, one a line, ``""`` when none) and ``evidence`` the
  SHA-256 of the photo (stripped of metadata). It draws on no lot (``sources: []``), so
  balances and the verifier are unchanged. The signer's name is a natural person's: it is kept
  on ``ReceiverDelivery`` for the allocating organization, never in the chain or on public
  pages; the role and the receiver's name are public on the pages, not in the chain.
- **The link**: 32 random bytes (URL-safe base64), of which only the SHA-256 is stored. It
  expires after ``TONGZHOU_RECEIVER_LINK_DAYS`` (7) and is used once: the sign-for claims the
  delivery with a conditional ``pending -> signed`` update, so two people opening the same link
  cannot both sign. The allocating organization sees the link once, when it is made; a lost or
  expired link is replaced by a new one (``reissue_link``), which voids the old.
- **Receivers**: a named receiver of a kind in ``ReceiverKind``; a registered 事业单位 (registry
  kind ``public_institution``, usually without members) may be linked as
  ``receiver_organization``. No evidence threshold at handing over: the sign-for is the evidence.
- **Reversal**: the disbursement may still be reversed by the ledger's general rule; a signed
  sign-for stays in the chain as the receiver's word.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, regions, text
from core.notifications import notify
from core.states import Conflict, InvalidTransition, move
from core.uploads import PHOTO_TYPES
from core.versions import bump
from donations import chain, evidence_rules, privacy, sequencer
from donations.actions import require_writer
from donations.models import Evidence, GoodsLine, LedgerEntry, ReceiverDelivery, ReceiverKind
from donations.services.common import CENT, Kind, audit_entry, outgoing_entry, wants_from
from registry.models import Organization

END_RECEIVER_ORGANIZATION_KINDS = ("public_institution",)


class LinkInvalid(Exception):
    """The link names no delivery (a typo or a replaced link): a clear 404 page."""


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.TONGZHOU_RECEIVER_LINK_DAYS)
    return token, token_hash(token), expires


def link_state(delivery: ReceiverDelivery, now: datetime | None = None) -> str:
    """``open``, ``used`` or ``expired``."""
    if delivery.status == ReceiverDelivery.Status.SIGNED:
        return "used"
    if delivery.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def delivery_for_token(token: str) -> ReceiverDelivery:
    found = (
        ReceiverDelivery.objects.select_related("entry__holder", "entry__incident")
        .prefetch_related("entry__lines")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if found is None:
        raise LinkInvalid
    return found


def allocate_to_receiver(
    *,
    by: Any,
    organization: Any = None,
    receiver_name: str,
    receiver_kind: str,
    region_code: str,
    items: list[dict],
    purpose: str,
    receiver_organization: Organization | None = None,
    incident: Any = None,
    sources: list[dict] | None = None,
    occurred_at: datetime | None = None,
) -> tuple[ReceiverDelivery, str]:
    """Hand goods to an end receiver without an account: a disbursement drawn from the holder's
    lots, and a one-time sign-for link. Returns the delivery and the link's token (shown once).
    """
    organization = require_writer(by, organization)
    receiver_name = text.check_name("receiver_name", receiver_name)
    if receiver_kind not in ReceiverKind.values:
        raise ValidationError({"receiver_kind": [_("Choose the kind of receiver.")]})
    if not regions.is_valid_code(region_code or ""):
        raise ValidationError({"region_code": [_("Give the receiver's region code.")]})
    if receiver_organization is not None and (
        receiver_organization.kind not in END_RECEIVER_ORGANIZATION_KINDS
    ):
        raise ValidationError(
            {"receiver_organization": [_("Only a public institution (事业单位) can be linked.")]}
        )
    if not (purpose or "").strip():
        raise ValidationError({"purpose": [_("Say what the goods are for.")]})
    if not items:
        raise ValidationError({"items": [_("List the goods handed over.")]})
    privacy.screen(purpose=purpose, receiver_name=receiver_name)
    privacy.screen_items(items)
    wants = wants_from(None, items)
    token, digest, expires = _new_token()
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
            region_code=region_code,
            beneficiaries=0,
        )
        delivery = ReceiverDelivery.objects.create(
            entry=entry,
            receiver_name=receiver_name,
            receiver_kind=receiver_kind,
            receiver_organization=receiver_organization,
            region_code=region_code,
            token_hash=digest,
            expires_at=expires,
            created_by=by,
        )
        audit_entry(entry, by, receiver=receiver_name, receiver_kind=receiver_kind)
    return delivery, token


def reissue_link(*, delivery: ReceiverDelivery, by: Any) -> str:
    """A new link for a delivery not yet signed for (the old one stops working)."""
    require_writer(by, delivery.entry.holder_id)
    token, digest, expires = _new_token()
    with transaction.atomic():
        won = ReceiverDelivery.objects.filter(
            pk=delivery.pk, status=ReceiverDelivery.Status.PENDING
        ).update(token_hash=digest, expires_at=expires)
        if won != 1:
            raise InvalidTransition(_("This delivery was already signed for."))
        audit.record_on(
            delivery,
            actor=by,
            action="donations.receiver_link_reissued",
            data={"seq": delivery.entry_id},
        )
    return token


def sign_for(
    *,
    token: str,
    lines: list[dict],
    signer_name: str,
    signer_role: str,
    photos: list | None = None,
) -> LedgerEntry:
    """The receiver's person signs for what arrived, per line (quantity, mismatch note), with
    photos; appended to the chain as ``receiver_signed``. The link then stops working.

    ``lines`` follow the disbursement's lines in order: ``{"quantity": Decimal, "note": str}``.
    """
    delivery = delivery_for_token(token)
    state = link_state(delivery)
    if state != "open":
        raise InvalidTransition(
            _("This link was already used.") if state == "used" else _("This link has expired.")
        )
    sent = list(delivery.entry.lines.all())
    if len(lines) != len(sent):
        raise ValidationError({"lines": [_("Sign for every line that was sent.")]})
    signer_name = text.check_name("signer_name", signer_name)
    signer_role = (signer_role or "").strip()
    if not signer_role:
        raise ValidationError({"signer_role": [_("Give your role (for example 药剂科主任).")]})
    signed_lines = []
    for number, (line, given) in enumerate(zip(sent, lines, strict=True), start=1):
        quantity = Decimal(given.get("quantity") if given.get("quantity") is not None else -1)
        if quantity < 0 or quantity.as_tuple().exponent < -3:
            raise ValidationError(
                {"lines": [_("Line %(n)s: give the quantity that arrived.") % {"n": number}]}
            )
        if quantity > line.quantity:
            raise ValidationError({"lines": [_("Line %(n)s: more than was sent.") % {"n": number}]})
        note = " ".join((given.get("note") or "").split())[:200]  # one line each in ``reason``
        privacy.screen(note=note)
        signed_lines.append(
            {
                "name": line.name,
                "unit": line.unit,
                "sent": chain.quantity(line.quantity),
                "signed": chain.quantity(quantity),
                "note": note,
                "unit_value": line.unit_value,
                "quantity": quantity,
            }
        )
    if not any(s["quantity"] > 0 for s in signed_lines):
        raise ValidationError({"lines": [_("Nothing arrived? Say so to the sender instead.")]})
    files = evidence_rules.prepare(photos, field="photos")
    if any(f.content_type not in PHOTO_TYPES for f in files):
        raise ValidationError({"photos": [_("The photo must be a JPEG or PNG image.")]})
    shortfall = any(
        s["quantity"] < line.quantity for s, line in zip(signed_lines, sent, strict=True)
    )
    notes = "\n".join(f"{s['name']}: {s['note']}" for s in signed_lines if s["note"])
    now = timezone.now()
    disbursement = delivery.entry
    with transaction.atomic():
        move(
            delivery,
            ReceiverDelivery.Status.SIGNED,
            by=None,
            action="donations.receiver_signed",
            expect=ReceiverDelivery.Status.PENDING,
            where={"expires_at__gt": now, "token_hash": delivery.token_hash},
            conflict=_("This link was already used or has expired."),
            changes={
                "signed_at": now,
                "signer_name": signer_name,
                "signer_role": signer_role[:100],
                "signed_lines": [
                    {k: s[k] for k in ("name", "unit", "sent", "signed", "note")}
                    for s in signed_lines
                ],
            },
            data={"seq": disbursement.seq, "shortfall": shortfall, "mismatch": bool(notes)},
        )
        entry = LedgerEntry(
            kind=Kind.RECEIVER_SIGNED,
            holder=disbursement.holder,
            counterparty=delivery.receiver_organization,
            incident=disbursement.incident,
            purpose=disbursement.purpose,
            restricted=disbursement.restricted,
            amount=Decimal(0),
            goods_value=sum(
                (s["quantity"] * s["unit_value"] for s in signed_lines), Decimal(0)
            ).quantize(CENT),
            occurred_at=now,
            region_code=delivery.region_code,
            related=disbursement,
            shortfall=shortfall,
            reason=notes,
        )
        goods = [
            GoodsLine(
                name=s["name"], unit=s["unit"], quantity=s["quantity"], unit_value=s["unit_value"]
            )
            for s in signed_lines
            if s["quantity"] > 0
        ]
        sequencer.append(entry, lines=goods, sources=[], evidence=[f.sha256 for f in files])
        for f in files:
            Evidence.objects.create(
                entry=entry,
                file=f.upload,
                content_type=f.content_type,
                sha256=f.sha256,
                original_name=f.name,
            )
        ReceiverDelivery.objects.filter(pk=delivery.pk).update(signed_entry=entry)
        bump("donations")  # QuerySet.update() sends no signal
        delivery.signed_entry = entry
        audit_entry(
            entry, None, delivery=disbursement.seq, shortfall=shortfall, mismatch=bool(notes)
        )
        flagged = shortfall or bool(notes)
        notify(
            title=lambda: (
                _("%(receiver)s signed for entry #%(seq)s")
                % {"receiver": delivery.receiver_name, "seq": disbursement.seq}
            ),
            body=lambda: (
                _("Less arrived than was sent, or not what was sent.")
                if flagged
                else _("Everything sent arrived.")
            ),
            link=f"/ledger/entries/{entry.pk}/",
            level="yellow" if flagged else "blue",
            audience={"organizations": [disbursement.holder_id], "verified_only": False}
            | ({"officials_for": delivery.region_code} if flagged else {}),
            kind="approval",
        )
    return entry


__all__ = [
    "Conflict",
    "LinkInvalid",
    "allocate_to_receiver",
    "delivery_for_token",
    "link_state",
    "reissue_link",
    "sign_for",
    "token_hash",
]
