from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "liaison"
    verbose_name = _("Liaison with agencies")

    # Public reads (core.public_cache, docs/public-reads.md): the notice library and the public
    # rows of the directory.
    public_cache_scope = "liaison"
    public_cache_routes = {
        "liaison:notice_list": ("core", "registry", "liaison"),
        "liaison-notice-list": ("core", "registry", "liaison"),
    }

    def work_queue(self, user) -> list[dict]:
        """Officials: reports to acknowledge, overdue acknowledgements, missed check-ins;
        organizations: notices to acknowledge (liaison.work_queue)."""
        from liaison.work_queue import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        from liaison.work_queue import navigation_links

        return navigation_links(user)

    def incident_panels(self, incident) -> list[dict]:
        """A link from the incident page to send a field report or request about it (no query;
        the map shows the confirmed ones)."""
        return [
            {
                "title": _("Field reports and requests"),
                "template": "liaison/_incident_panel.html",
                "context": {"incident": incident},
            }
        ]

    def incident_map_layers(self, user, incident) -> list[dict]:
        """Confirmed field reports on the incident map (coordination.maps, core.hooks)."""
        from liaison.maps import report_layer

        return [report_layer(user, incident)]
