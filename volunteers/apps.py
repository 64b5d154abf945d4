from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Individual volunteers registered by hubs, and hubs' calls for volunteers
    (docs/coordination.md, "Volunteers and calls")."""

    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from volunteers import sms  # noqa: F401  (registers the SMS template)

    def work_queue(self, user) -> list[dict]:
        from volunteers.queries import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        from volunteers.queries import navigation_links

        return navigation_links(user)

    def incident_people(self, incident_id: int, area_region_code: str) -> list[int]:
        """Volunteers signed up for calls into this area (coordination counts them against the
        area's capacity of people)."""
        from volunteers.queries import signed_up_count

        return [signed_up_count(incident_id, area_region_code)]
