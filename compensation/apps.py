from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "compensation"
    verbose_name = _("Loss compensation")

    # Public figures per incident (counts and amounts, no personal data) show on the incident
    # page, whose cached copy depends on every scope (core.versions.ALL_SCOPES).
    public_cache_scope = "compensation"
    public_cache_routes = {"compensation-stats": ("coordination", "compensation")}

    def work_queue(self, user) -> list[dict]:
        """Officials: claims to review; organizations: their claims in progress."""
        from compensation.work_queue import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        from compensation.work_queue import navigation_links

        return navigation_links(user)

    def incident_panels(self, incident) -> list[dict]:
        """Compensation figures of the incident, for everyone: counts and amounts by kind."""
        from compensation.queries import public_stats

        rows = public_stats(incident.pk)
        if not rows:
            return []
        return [
            {
                "title": _("Loss compensation"),
                "template": "compensation/_stats.html",
                "context": {"stats": rows},
            }
        ]
