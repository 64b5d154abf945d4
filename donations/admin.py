"""The ledger in the admin: read-only (no add, change or delete); corrections are reversals."""

from django.contrib import admin

from donations.models import (
    Campaign,
    ChainHead,
    DonorDetails,
    Evidence,
    GoodsLine,
    LedgerEntry,
    Lot,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GoodsLineInline(admin.TabularInline):
    model = GoodsLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "kind", "holder", "counterparty", "amount", "goods_value", "occurred_at"]
    list_filter = ["kind"]
    search_fields = ["trace_code", "receipt_number"]
    list_select_related = ["holder", "counterparty"]
    inlines = [GoodsLineInline]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["id", "holder", "origin", "item", "quantity", "remaining", "purpose"]
    list_select_related = ["holder", "origin"]


admin.site.register(ChainHead, ReadOnlyAdmin)
admin.site.register(DonorDetails, ReadOnlyAdmin)
admin.site.register(Evidence, ReadOnlyAdmin)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Public fundraising campaigns (公开募捐): receipts for one are bound to its purpose."""

    list_display = ["title", "record_number", "organization", "incident", "created_at"]
    list_select_related = ["organization", "incident"]
    search_fields = ["title", "record_number"]
    raw_id_fields = ["organization", "incident"]


# --- Transparency log (donations/transparency.py) ---------------------------------------------
import base64  # noqa: E402
import binascii  # noqa: E402

from django import forms  # noqa: E402
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402

from donations.models import Countersignature, SignedHead, Witness  # noqa: E402


class WitnessForm(forms.ModelForm):
    class Meta:
        model = Witness
        fields = ["name", "public_key", "active"]

    def clean_public_key(self) -> str:
        text = self.cleaned_data["public_key"].strip()
        try:
            raw = base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            raw = b""
        if len(raw) != 32:
            raise forms.ValidationError(_lazy("Give the raw 32-byte Ed25519 public key in base64."))
        return text


@admin.register(Witness)
class WitnessAdmin(admin.ModelAdmin):
    """Platform admins register the parties that may countersign heads: a name and the raw
    32-byte Ed25519 public key in base64 (checked by the form). A witness is retired with
    ``active``; once it has countersigned, its row is protected from deletion."""

    form = WitnessForm
    list_display = ["name", "public_key", "active", "added_at"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(SignedHead)
class SignedHeadAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "root_hash", "timestamp", "key_id"]


@admin.register(Countersignature)
class CountersignatureAdmin(ReadOnlyAdmin):
    list_display = ["head", "witness", "signed_at"]
    list_select_related = ["head", "witness"]
