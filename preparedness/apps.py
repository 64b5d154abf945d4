from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreparednessConfig(AppConfig):
    name = "preparedness"
    verbose_name = _("Preparedness")

    # Public reads (core.public_cache): the yearly summary is an anonymous page.
    public_cache_scope = "preparedness"
    public_cache_routes = {"preparedness:summary": ("preparedness",)}

    def exercise_participants(self, incident_id) -> list[int]:
        """The provided hook alerts asks (core.hooks): the organizations (agencies included)
        taking part in the drill whose exercise incident is ``incident_id``."""
        from preparedness.queries import exercise_participants

        return exercise_participants(incident_id)

    def exercise_incidents(self, organization_ids):
        """The provided hook coordination asks: a lazy queryset of the ids of the exercise
        incidents of drills in which one of ``organization_ids`` takes part."""
        from preparedness.queries import exercise_incidents

        return exercise_incidents(organization_ids)

    def work_queue(self, user) -> list[dict]:
        """Organizations: their open follow-up items; officials: open items of their
        jurisdiction's drills and meetings (preparedness.queries.work_queue)."""
        from preparedness.queries import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        from preparedness.queries import navigation_links

        return navigation_links(user)
