"""Input serializers (shape only; services judge meaning) and the public output forms."""

import json
from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from coordination.models import Incident
from core import validators
from core.api import (
    ActingOrganizationField,
    DateTimeField,
    DecimalField,
    IntegerField,
    NameField,
    StrictModelSerializer,
    StrictSerializer,
)
from core.parsers import check_json_value
from donations.models import Campaign, Channel, DonorKind, LedgerEntry
from registry.models import Organization

MAX_ID = 2**63 - 1


# --- input -----------------------------------------------------------------------------------
class JSONListField(serializers.ListField):
    """A list that multipart forms may send as one JSON string (with evidence files)."""

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.get(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
                check_json_value(data)  # the JSON parser's depth and Unicode rules
            except (ValueError, RecursionError, ParseError) as exc:
                raise serializers.ValidationError(_("Not valid JSON.")) from exc
        return super().to_internal_value(data)


class ItemIn(StrictSerializer):
    name = serializers.CharField(max_length=120)
    unit = serializers.CharField(max_length=20)
    quantity = DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    unit_value = DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=0
    )
    spec = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    quality_certificate = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    expiry_date = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[validators.expiry]
    )


class SourceIn(StrictSerializer):
    entry = IntegerField(min_value=1, max_value=MAX_ID)
    item = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    amount = DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    quantity = DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0.001"), required=False
    )

    def validate(self, attrs):
        if ("amount" in attrs) == ("quantity" in attrs):
            raise serializers.ValidationError(_("Give amount (money) or quantity (goods)."))
        return attrs


def _amount_field():
    return DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )


class OutgoingIn(StrictSerializer):
    organization = ActingOrganizationField(
        help_text="Whose ledger is written; optional if you write for only one organization."
    )
    amount = _amount_field()
    items = JSONListField(child=ItemIn(), required=False, max_length=200)
    sources = JSONListField(child=SourceIn(), required=False, max_length=200)
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    purpose = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if (attrs.get("amount") is None) == (not attrs.get("items")):
            raise serializers.ValidationError({"amount": [_("Give either amount or items.")]})
        return attrs


class ReceiptIn(OutgoingIn):
    sources = None
    donor_name = NameField(max_length=200, required=False, default="", allow_blank=True)
    donor_kind = serializers.ChoiceField(choices=DonorKind.choices)
    anonymous = serializers.BooleanField(default=False)
    restricted = serializers.BooleanField(default=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = DateTimeField(required=False, validators=[validators.fact])
    receipt_number = serializers.CharField(
        max_length=64, required=False, default="", allow_blank=True
    )
    handler = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    donor_phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    donor_address = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True
    )
    donation_agreement = serializers.BooleanField(default=False)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        required=False,
        allow_null=True,
        help_text="A public fundraising campaign (公开募捐) of the organization: the receipt is "
        "then restricted to the campaign's incident and purpose.",
    )


class AllocationIn(OutgoingIn):
    to_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    occurred_at = DateTimeField(required=False, validators=[validators.fact])


class DisbursementIn(OutgoingIn):
    purpose = serializers.CharField(max_length=200)
    region_code = serializers.RegexField(r"^\d{6}$", required=False, default="")
    beneficiaries = IntegerField(min_value=0, required=False, default=0)
    occurred_at = DateTimeField(required=False, validators=[validators.fact])
    evidence = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)
    private_evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=10,
        help_text="Evidence files kept private: hashed into the chain, never served publicly.",
    )


class AcknowledgeIn(StrictSerializer):
    amount = _amount_field()
    items = JSONListField(child=ItemIn(), required=False, max_length=200)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs):
        if (attrs.get("amount") is None) == (not attrs.get("items")):
            raise serializers.ValidationError({"amount": [_("Give either amount or items.")]})
        return attrs


class ShortfallIn(StrictSerializer):
    """How (part of) a shortfall signed for was resolved; no amount/items: all that is missing."""

    outcome = serializers.ChoiceField(choices=["recovered", "written_off", "replaced"])
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    amount = _amount_field()
    items = JSONListField(child=ItemIn(), required=False, max_length=200)

    def validate(self, attrs):
        if attrs.get("amount") is not None and attrs.get("items"):
            raise serializers.ValidationError({"amount": [_("Give either amount or items.")]})
        return attrs


class ReverseIn(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class ChangeOfUseIn(StrictSerializer):
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    purpose = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    filing_reference = serializers.CharField(max_length=100)
    donor_consent = serializers.BooleanField(default=False)


# --- output ----------------------------------------------------------------------------------
class LineOut(StrictSerializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = DecimalField(max_digits=14, decimal_places=3)
    unit_value = DecimalField(max_digits=12, decimal_places=2)
    spec = serializers.CharField()
    quality_certificate = serializers.CharField()
    expiry_date = serializers.DateField(allow_null=True)


class SourceOut(StrictSerializer):
    entry = IntegerField(source="lot.acquired_by_id")
    receipt = IntegerField(source="lot.origin_id")
    item = serializers.CharField(source="lot.item")
    quantity = DecimalField(max_digits=14, decimal_places=3)
    chosen_by_service = serializers.BooleanField()


class EntryOut(StrictModelSerializer):
    """The public view of an entry (no private donor details).

    ``id`` addresses the entry (URLs, ``related``, sources); ``seq``, ``prev_hash`` and ``hash``
    are null and ``sequenced`` false until the sequencer gives it its place in the public chain
    (issue 16; within ``TONGZHOU_LEDGER_MAX_MERGE_DELAY`` seconds). Entries written before the
    split have ``id == seq``."""

    id = IntegerField(read_only=True)
    sequenced = serializers.BooleanField(read_only=True)
    seq = IntegerField(read_only=True, allow_null=True)
    organization = IntegerField(source="holder_id")
    organization_name = serializers.CharField(source="holder.name")
    to_organization = IntegerField(source="counterparty_id", allow_null=True)
    to_organization_name = serializers.CharField(
        source="counterparty.name", default=None, allow_null=True
    )
    incident_title = serializers.CharField(source="incident.title", default=None, allow_null=True)
    related = IntegerField(source="related_id", allow_null=True)
    lines = LineOut(many=True)
    sources = SourceOut(many=True)
    reversed = serializers.BooleanField(source="is_reversed", default=False)
    shortfall_signed = serializers.BooleanField(source="short_signed", default=False)
    goods_undistributed = serializers.BooleanField(source="goods_stuck", default=False)

    class Meta:
        model = LedgerEntry
        fields = [
            "id", "seq", "kind", "organization", "organization_name", "to_organization",
            "to_organization_name", "incident", "incident_title", "purpose", "restricted",
            "amount", "goods_value", "occurred_at", "recorded_at", "donor_display", "donor_kind",
            "channel", "receipt_number", "handler", "trace_code", "donation_agreement",
            "region_code", "beneficiaries", "related", "shortfall", "reason", "filing_reference",
            "donor_consent", "commitments", "chain_format", "lines", "sources", "reversed",
            "shortfall_signed", "goods_undistributed", "prev_hash", "hash", "sequenced",
        ]  # fmt: skip
        read_only_fields = fields


class Figures(StrictSerializer):
    received_money = DecimalField(max_digits=20, decimal_places=2)
    received_goods = DecimalField(max_digits=20, decimal_places=2)
    allocated_money = DecimalField(max_digits=20, decimal_places=2)
    allocated_goods = DecimalField(max_digits=20, decimal_places=2)
    disbursed_money = DecimalField(max_digits=20, decimal_places=2)
    disbursed_goods = DecimalField(max_digits=20, decimal_places=2)
    balance_money = DecimalField(max_digits=20, decimal_places=2)
    balance_goods = DecimalField(max_digits=20, decimal_places=2)
    # The books (donations.balances.Books): received - passed_on - used - written_off =
    # held + in_transit; allocated/disbursed/balance above are passed_on/used/held.
    passed_on_money = DecimalField(max_digits=20, decimal_places=2)
    passed_on_goods = DecimalField(max_digits=20, decimal_places=2)
    used_money = DecimalField(max_digits=20, decimal_places=2)
    used_goods = DecimalField(max_digits=20, decimal_places=2)
    written_off_money = DecimalField(max_digits=20, decimal_places=2)
    written_off_goods = DecimalField(max_digits=20, decimal_places=2)
    held_money = DecimalField(max_digits=20, decimal_places=2)
    held_goods = DecimalField(max_digits=20, decimal_places=2)
    in_transit_money = DecimalField(max_digits=20, decimal_places=2)
    in_transit_goods = DecimalField(max_digits=20, decimal_places=2)


class IncidentFigures(Figures):
    incident = IntegerField()
    title = serializers.CharField()


class OrganizationFigures(Figures):
    organization = IntegerField()
    name = serializers.CharField()


class ShortfallLineOut(StrictSerializer):
    item = serializers.CharField()
    unit = serializers.CharField()
    quantity = DecimalField(max_digits=14, decimal_places=3)
    value = DecimalField(max_digits=20, decimal_places=2)


class OpenShortfallOut(StrictSerializer):
    """A shortfall signed for on an allocation and not yet recovered, written off or replaced."""

    allocation = IntegerField(source="allocation.pk")
    organization = IntegerField(source="allocation.holder_id")
    to_organization = IntegerField(source="allocation.counterparty_id")
    incident = IntegerField(source="allocation.incident_id", allow_null=True)
    lines = ShortfallLineOut(many=True)
    value = DecimalField(max_digits=20, decimal_places=2)


class OverallFigures(Figures):
    open_shortfalls = OpenShortfallOut(many=True)


class TotalsOut(StrictSerializer):
    overall = OverallFigures()
    incidents = IncidentFigures(many=True)
    organizations = OrganizationFigures(many=True)


class TraceStep(StrictSerializer):
    id = IntegerField(source="pk")
    seq = IntegerField(allow_null=True)
    kind = serializers.CharField()
    organization = serializers.CharField(source="holder.name")
    to_organization = serializers.CharField(source="counterparty.name", default=None)
    incident = serializers.CharField(source="incident.title", default=None)
    purpose = serializers.CharField()
    region_code = serializers.CharField()
    beneficiaries = IntegerField()
    amount = DecimalField(max_digits=14, decimal_places=2)
    goods_value = DecimalField(max_digits=14, decimal_places=2)
    lines = LineOut(many=True)
    shortfall = serializers.BooleanField()
    reason = serializers.CharField()
    related = IntegerField(source="related_id", allow_null=True)
    occurred_at = DateTimeField()


class TraceHolding(StrictSerializer):
    organization = serializers.CharField(source="holder.name")
    item = serializers.CharField()
    unit = serializers.CharField()
    remaining = DecimalField(max_digits=14, decimal_places=3)


class TraceOut(StrictSerializer):
    receipt = TraceStep()
    trace_code = serializers.CharField(source="receipt.trace_code")
    donor_display = serializers.CharField(source="receipt.donor_display")
    steps = TraceStep(many=True)
    lots = TraceHolding(many=True)


class PrivateOut(StrictSerializer):
    entry = IntegerField()
    salt = serializers.CharField()
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))
    commitments = serializers.DictField(child=serializers.CharField())
    purged = serializers.BooleanField()


class HeadOut(StrictSerializer):
    count = IntegerField()
    head_hash = serializers.CharField()
