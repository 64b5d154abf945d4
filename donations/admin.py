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
