from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.versions import ALL_SCOPES


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Incidents and tasks")

    # Public reads (core.public_cache, docs/public-reads.md).
    public_cache_scope = "coordination"
    public_cache_routes = {
        "coordination-incident-list": ("core", "registry", "alerts", "coordination"),
        "coordination-incident-three-w": ("core", "registry", "alerts", "coordination"),
        "coordination:incident_list": ALL_SCOPES,
        "coordination:incident_detail": ALL_SCOPES,
    }

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from registry.choices import Specialty

        unknown = set(settings.TONGZHOU_HIGH_RISK_SPECIALTIES) - set(Specialty.values)
        if unknown:
            raise ImproperlyConfigured(
                f"TONGZHOU_HIGH_RISK_SPECIALTIES: unknown specialties {sorted(unknown)}"
            )

    def dashboard_cards(self, user) -> list[dict]:
        from coordination.queries import dashboard_counts

        counts = dashboard_counts()
        url = reverse("coordination:incident_list")
        return [
            {"label": _("Active incidents"), "value": counts["active_incidents"], "url": url},
            {"label": _("Open tasks"), "value": counts["open_tasks"], "url": url},
        ]

    def work_queue(self, user) -> list[dict]:
        """Officials: filings, needs, verifications; teams: tasks to take, filings, tasks in hand
        (coordination.work_queue)."""
        from coordination.work_queue import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        from coordination.work_queue import navigation_links

        return navigation_links(user)

    def home_panels(self, user) -> list[dict]:
        """Active incidents and open needs with their gaps, on everyone's home."""
        from coordination.work_queue import public_panels

        return public_panels(user)

    def organization_track_record(self, organization) -> list[dict]:
        from coordination.queries import track_record

        record = track_record(organization.pk)
        return [
            {"label": _("Tasks completed"), "value": record["completed"]},
            {"label": _("Tasks verified"), "value": record["verified"]},
        ]

    def alert_incident_ref(self, incident_id) -> dict | None:
        """What a manual alert naming this incident needs for CAP (alerts imports no domain app)."""
        from coordination.models import Incident
        from coordination.services.alerting import incident_ref

        incident = Incident.objects.filter(pk=incident_id).first()
        return incident_ref(incident) if incident else None

    def filed_organizations(self, regions, incident_id=None):
        """Alerts' audience ``basis: filings`` (core.hooks): a lazy queryset of the ids of
        organizations with an approved (or arrived) filing of an active incident whose area
        intersects one of ``regions`` (the area under a region, or a region under the area)."""
        from coordination.services.alerting import filed_organizations

        return filed_organizations(regions, incident_id)
