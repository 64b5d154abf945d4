from django.contrib import admin

from preparedness.models import Drill, FollowUp, Meeting


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ["title", "region_code", "starts_at", "status"]
    readonly_fields = ["status"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "region_code", "held_at", "status"]
    readonly_fields = ["status"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_on", "status"]
    readonly_fields = ["status"]
