from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Purchase of services")

    def dashboard_cards(self, user) -> list[dict]:
        """Open tenders, for everyone on the dashboard."""
        from django.urls import reverse

        from procurement.models import Project

        count = Project.objects.filter(status=Project.Status.TENDERING).count()
        return [
            {
                "label": _("Open tenders"),
                "value": count,
                "url": reverse("procurement:project_list") + "?status=tendering",
            }
        ]

    def membership_joined(self, membership) -> list:
        """registry's hook: an expert who joins a bidder after publication at someone else's
        invitation is flagged to the buyer (procurement.services.evaluation)."""
        from procurement.services import flag_expert_joining

        flag_expert_joining(membership)
        return []

    def organization_track_record(self, organization) -> list[dict]:
        """The supplier's record under government contracts: completed, terminated, and
        clawbacks still open."""
        from procurement.queries import track_record

        record = track_record(organization)
        return [
            {"label": _("Contracts completed"), "value": record["completed"]},
            {"label": _("Contracts terminated"), "value": record["terminated"]},
            {"label": _("Open clawbacks"), "value": record["clawbacks"]},
        ]
