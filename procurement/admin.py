"""Admin: read-mostly views; bid contents stay sealed until the deadline, even here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from procurement.models import Bid, Clawback, Contract, Milestone, Project, Release


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "buyer", "method", "status", "tender_end", "region_code"]
    list_filter = ["status", "method", "category"]
    search_fields = ["title"]
    raw_id_fields = ["buyer", "incident", "previous_round", "created_by"]
    filter_horizontal = ["invitees"]


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ["project", "organization", "status", "shown_price", "created_at"]
    list_select_related = ["project", "organization"]
    fields = [
        "project",
        "organization",
        "status",
        "shown_price",
        "shown_proposal",
        "shown_team_size",
    ]
    readonly_fields = fields

    @admin.display(description=_("price"))
    def shown_price(self, obj):
        return _("sealed") if obj.project.is_sealed else obj.price

    @admin.display(description=_("proposal"))
    def shown_proposal(self, obj):
        return _("sealed") if obj.project.is_sealed else obj.proposal

    @admin.display(description=_("team size"))
    def shown_team_size(self, obj):
        return _("sealed") if obj.project.is_sealed else obj.team_size

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["project", "supplier", "value", "paid_amount", "status"]
    readonly_fields = ["paid_amount"]


admin.site.register(Milestone)
admin.site.register(Clawback)
admin.site.register(Release)
