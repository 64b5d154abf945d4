from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community needs and projects")

    # Public reads (core.public_cache, docs/public-reads.md): the routine needs and projects
    # by region, and their API list twins.
    public_cache_scope = "community"
    public_cache_routes = {
        "community:overview": ("core", "registry", "community"),
        "community-need-list": ("core", "registry", "community"),
        "community-project-list": ("core", "registry", "community"),
    }

    def work_queue(self, user) -> list[dict]:
        """Officials: routine needs to confirm; organizations: confirmed routine needs their
        verified capabilities cover (community.work_queue)."""
        from community.work_queue import work_queue

        return work_queue(user)
