from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    # Public reads (core.versions, core.public_cache, docs/public-reads.md): regions are shown
    # on public pages; the audit trail is written by every service and shown on no cached
    # route, so it does not bump (it would empty the public cache at every write anywhere).
    public_cache_scope = "core"
    public_cache_unshown = ("AuditEvent",)

    def ready(self):
        from core import versions

        versions.connect_signals()
