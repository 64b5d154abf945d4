from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core import versions


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community needs and projects")

    # Public reads (core.public_cache, docs/public-reads.md): the routine needs and projects
    # by region, and their API list twins (which show core, registry and community rows).
    public_cache_scope = "community"
    # The page shows the layout too, so it depends on every scope (docs/public-reads.md).
    public_cache_routes = {
        "community:overview": versions.ALL_SCOPES,
        "community-need-list": ("core", "registry", "community"),
        "community-project-list": ("core", "registry", "community"),
    }

    def work_queue(self, user) -> list[dict]:
        """Officials: routine needs to confirm; organizations: confirmed routine needs their
        verified capabilities cover (community.work_queue)."""
        from community.work_queue import work_queue

        return work_queue(user)
