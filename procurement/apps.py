from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.versions import ALL_SCOPES


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Purchase of services")

    # Public reads (core.public_cache, docs/public-reads.md).
    public_cache_scope = "procurement"
    public_cache_routes = {
        "procurement-list": ("core", "registry", "alerts", "coordination", "procurement"),
        "procurement:project_list": ALL_SCOPES,
    }

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
        """The supplier's record under government contracts: completed, terminated, clawbacks
        still open and overdue, and whether it is debarred (why, since when), linking to its
        procurement record page. Three queries."""
        from django.urls import reverse
        from django.utils.translation import gettext

        from procurement.debarment import debarment
        from procurement.queries import track_record

        record = track_record(organization)
        barred = debarment(organization)
        url = reverse("procurement:supplier_record", args=[organization.pk])
        return [
            {"label": _("Contracts completed"), "value": record["completed"]},
            {"label": _("Contracts terminated"), "value": record["terminated"]},
            {"label": _("Open clawbacks"), "value": record["clawbacks"], "url": url},
            {"label": _("Overdue clawbacks"), "value": record["overdue"], "url": url},
            {
                "label": _("Debarment from government procurement"),
                "value": barred.public_reason if barred.debarred else gettext("Not debarred"),
                "url": url,
            },
        ]

    def work_queue(self, user) -> list[dict]:
        """The official's milestones awaiting inspection or acceptance and challenges to answer;
        the supplier's tenders it may bid on and milestones to report; the expert's panels to
        score (oldest: when the bids were opened). One query per item, whatever the counts."""
        from procurement.queries import work_queue

        return work_queue(user)

    def navigation_links(self, user) -> list[dict]:
        """我的评审 for experts, 新建采购项目 for officials, 可投标项目 for suppliers."""
        from django.urls import reverse

        from core import permissions as perms
        from procurement.queries import supplier_organization_ids

        if not getattr(user, "is_authenticated", False):
            return []
        links = []
        if perms.is_official(user):
            links.append(
                {
                    "key": "procurement_new",
                    "group": "procurement",
                    "label": _("New procurement project"),
                    "url": reverse("procurement:project_create"),
                    "order": 40,
                }
            )
        if supplier_organization_ids(user):
            links.append(
                {
                    "key": "procurement_tenders",
                    "group": "procurement",
                    "label": _("Tenders to bid on"),
                    "url": reverse("procurement:tenders"),
                    "order": 41,
                }
            )
        if perms.is_expert(user):
            links.append(
                {
                    "key": "procurement_panels",
                    "group": "procurement",
                    "label": _("My evaluations"),
                    "url": reverse("procurement:my_panels"),
                    "order": 42,
                }
            )
        return links
