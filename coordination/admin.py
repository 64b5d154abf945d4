"""Read-mostly admin for platform staff; business changes go through the services and pages."""

from django.contrib import admin

from coordination.models import Deployment, Incident, Need, Task, TaskReport


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "grade", "region_code", "status", "started_at"]
    list_filter = ["status", "kind", "grade"]
    search_fields = ["title", "region_code"]
    readonly_fields = ["status", "closed_at", "personal_data_purged_at", "lead_agency"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["incident", "category", "quantity", "unit", "region_code", "confirmed_at"]
    list_filter = ["category", "urgency"]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["incident", "organization", "area_region_code", "headcount", "status"]
    list_filter = ["status"]
    readonly_fields = ["status", "status_reason"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "incident", "organization", "status", "priority"]
    list_filter = ["status", "priority"]
    readonly_fields = ["status", "organization", "assigned_at", "verified_by"]


@admin.register(TaskReport)
class TaskReportAdmin(admin.ModelAdmin):
    list_display = ["task", "people_served", "quantity_delivered", "created_at"]
