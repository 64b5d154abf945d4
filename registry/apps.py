from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.versions import ALL_SCOPES


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Organization registry")

    # Public reads (core.public_cache, docs/public-reads.md): writes to this app's models bump
    # the "registry" data version; these routes are cached for anonymous visitors under the
    # versions of the scopes they show (an API shows its app and the apps it may import;
    # a page shows the layout's hooks from every app, so it depends on every scope).
    public_cache_scope = "registry"
    public_cache_routes = {
        "api-organization-list": ("core", "registry"),
        "registry:organization_list": ALL_SCOPES,
    }

    def dashboard_cards(self, user):
        from django.urls import reverse

        from registry.queries import public_organizations

        return [
            {
                "label": _("Verified organizations"),
                "value": public_organizations().count(),
                "url": reverse("registry:organization_list"),
            }
        ]

    def navigation_badges(self, request) -> dict:
        """The number of invitations waiting for the user's answer (one query per page)."""
        from registry.queries import pending_invitations

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
        return {"invitations_pending": pending_invitations(user).count()}

    def work_queue(self, user) -> list[dict]:
        """Officials: registrations in their jurisdiction waiting for verification, oldest
        first (one query)."""
        from django.db.models import Count, Min
        from django.urls import reverse

        from core import permissions as perms
        from registry.queries import verification_queue

        if not perms.is_official(user):
            return []
        totals = verification_queue(user).aggregate(n=Count("pk"), oldest=Min("created_at"))
        return [
            {
                "role": "official",
                "key": "verification",
                "label": _("Organizations waiting for verification"),
                "count": totals["n"],
                "oldest": totals["oldest"],
                "url": reverse("registry:verification_queue"),
            }
        ]

    def navigation_links(self, user) -> list[dict]:
        """Officials: the verification queue; members: their organizations' pages."""
        from django.urls import reverse

        from core import permissions as perms
        from core.roles import Role

        links = []
        if perms.is_official(user):
            links.append(
                {
                    "label": _("Organizations to verify"),
                    "url": reverse("registry:verification_queue"),
                    "order": 10,
                    "key": "verification",
                    "group": "organizations",
                }
            )
        own = [
            m.organization
            for m in perms.memberships(user)
            if m.role in (Role.ADMIN, Role.MEMBER) and m.organization.kind != "agency"
        ]
        for org in own[:2]:
            links.append(
                {
                    "label": org.name if len(own) > 1 else _("My organization"),
                    "url": reverse("registry:organization_detail", args=[org.pk]),
                    "order": 5,
                    "key": f"organization-{org.pk}",
                    "group": "organizations",
                }
            )
        if perms.is_official(user):
            links.append(
                {
                    "label": _("Hubs and grassroots teams"),
                    "url": reverse("registry:hubs"),
                    "order": 12,
                    "key": "hubs",
                    "group": "organizations",
                }
            )
        elif any(o.is_hub for o in own):
            links.append(
                {
                    "label": _("Hub: teams and members"),
                    "url": reverse("registry:hubs"),
                    "order": 6,
                    "key": "hubs",
                    "group": "organizations",
                }
            )
        return links
