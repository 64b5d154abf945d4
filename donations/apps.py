from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donation ledger")

    def dashboard_cards(self, user) -> list[dict]:
        """Ledger totals on the dashboard: received and still held (money + goods value)."""
        from django.urls import reverse

        from donations.queries import overall_figures

        figures = overall_figures()
        url = reverse("donations:ledger")
        return [
            {"label": _("Donations received (CNY)"), "value": figures["received"], "url": url},
            {"label": _("Donations disbursed (CNY)"), "value": figures["disbursed"], "url": url},
        ]

    def incident_panels(self, incident) -> list[dict]:
        """Donations received for the incident, on its page."""
        from donations.queries import totals

        figures = totals(incident_id=incident.pk)
        return [
            {
                "title": _("Donations"),
                "template": "donations/_incident_panel.html",
                "context": {
                    "figures": figures["overall"],
                    "incident": incident,
                    "organizations": figures["organizations"],
                },
            }
        ]

    def organization_track_record(self, organization) -> list[dict]:
        """Public ledger record: received, disbursed and shortfalls signed for by others."""
        from django.urls import reverse

        from donations.queries import track_record

        record = track_record(organization)
        if not record["entries"]:
            return []
        url = reverse("donations:ledger") + f"?organization={organization.pk}"
        return [
            {"label": _("Donations received (CNY)"), "value": record["received"], "url": url},
            {"label": _("Donations disbursed (CNY)"), "value": record["disbursed"], "url": url},
            {
                "label": _("Shortfalls on its allocations"),
                "value": record["shortfalls"],
                "url": url,
            },
        ]
