from django.contrib import admin

from registry.models import (
    Assessment,
    Capability,
    Document,
    Invitation,
    Membership,
    Organization,
    Person,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "invited_by"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["kind", "title", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0
    fields = [
        "grade",
        "score",
        "assessed_on",
        "valid_until",
        "assessed_by",
        "revoked_at",
        "revoke_reason",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Platform staff create government agencies here (registration refuses kind=agency).
    Verification decisions go through the official pages so they are audited and alerted."""

    list_display = ["name", "kind", "uscc", "region_code", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "name_en", "uscc"]
    inlines = [MembershipInline, DocumentInline]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["organization", "specialty", "declared_grade", "assessed_grade", "valid_until"]
    list_filter = ["specialty", "assessed_grade"]
    raw_id_fields = ["organization", "assessed_by"]
    inlines = [AssessmentInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["capability", "grade", "score", "assessed_on", "valid_until", "revoked_at"]
    list_filter = ["grade"]
    raw_id_fields = ["capability", "assessed_by", "revoked_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "invited_by", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organization", "invited_by"]
    search_fields = ["user__username", "organization__name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations change only through registry.services (audited)."""

    list_display = ["user", "organization", "role", "status", "invited_by", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__username", "organization__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "title", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    raw_id_fields = ["organization", "capability", "uploaded_by"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "social_worker_level", "region_code", "availability"]
    list_filter = ["social_worker_level", "availability"]
    search_fields = ["name", "skills_index"]
    raw_id_fields = ["organization"]
    exclude = ["skills_index"]
