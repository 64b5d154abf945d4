from django.contrib import admin

from compensation.models import Claim


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Read-only: claims change through the services (pages and API)."""

    list_display = ("id", "organization", "incident", "kind", "status", "amount_claimed")
    list_filter = ("status", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
