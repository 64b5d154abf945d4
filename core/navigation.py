"""The main navigation in groups (templates/base.html).

Officials collect some 24 places from the apps' ``navigation_links`` hooks and the public places,
which wrapped to four rows at 1280 px. The header shows them in a few menus a bureau official
expects, each a ``<details>`` dropdown (works without JavaScript and with the keyboard; on phones
the groups fold into the 菜单 menu and open in place):

- 应急协同 (``coordination``): incidents, my tasks, community needs, requisition compensation;
- 社会组织 (``organizations``): organizations, one's own, verification, hubs, volunteers;
- 政府购买服务 (``procurement``): projects, new project, tenders, evaluations;
- 捐赠公示 (``donations``): the ledger and the ledger workspaces;
- 演练与会商 (``preparedness``): drills, joint meetings, follow-up items;
- 联络 (``liaison``): alerts, notices, field reports, check-ins, whom to ask.

A link names its group with a ``group`` key in the hook's dict; a link without one (or with an
unknown one) goes to 更多 (``other``), so an app that does not know the groups still shows. Within a
group the person's own places (lower ``order`` first) come before the public ones. A group with
one link shows the link itself, not a menu of one.
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUPS: tuple[tuple[str, Any], ...] = (
    ("coordination", pgettext_lazy("navigation group", "Emergency coordination")),
    ("organizations", pgettext_lazy("navigation group", "Social organizations")),
    ("procurement", pgettext_lazy("navigation group", "Government-purchased services")),
    ("donations", pgettext_lazy("navigation group", "Donation disclosure")),
    ("preparedness", pgettext_lazy("navigation group", "Drills and meetings")),
    ("liaison", pgettext_lazy("navigation group", "Liaison")),
    ("other", pgettext_lazy("navigation group", "More")),
)
DEFAULT_GROUP = "other"
PUBLIC_ORDER = 90  # public places come after the person's own within a group


def public_links() -> list[dict]:
    """The places everyone sees (no query)."""
    return [
        {
            "key": "incidents",
            "label": _("Incidents"),
            "url": reverse("coordination:incident_list"),
            "group": "coordination",
        },
        {
            "key": "community",
            "label": _("Community needs"),
            "url": reverse("community:overview"),
            "group": "coordination",
        },
        {
            "key": "organizations",
            "label": pgettext_lazy("navigation", "Organization directory"),
            "url": reverse("registry:organization_list"),
            "group": "organizations",
        },
        {
            "key": "procurement",
            "label": pgettext_lazy("navigation", "Procurement projects"),
            "url": reverse("procurement:project_list"),
            "group": "procurement",
        },
        {
            "key": "ledger",
            "label": _("Donation ledger"),
            "url": reverse("donations:ledger"),
            "group": "donations",
        },
        {
            "key": "alerts",
            "label": _("Alerts"),
            "url": reverse("alerts:alert_list"),
            "group": "liaison",
        },
        {
            "key": "notices",
            "label": _("Notices"),
            "url": reverse("liaison:notice_list"),
            "group": "liaison",
        },
        {
            "key": "directory",
            "label": _("Whom to ask"),
            "url": reverse("liaison:directory"),
            "group": "liaison",
        },
    ]


@dataclass
class NavGroup:
    key: str
    label: Any
    links: list[dict] = field(default_factory=list)
    current: bool = False

    @property
    def single(self) -> dict | None:
        return self.links[0] if len(self.links) == 1 else None


def grouped(own: list[dict], path: str = "") -> list[NavGroup]:
    """The person's own places (``mine``: shown bold) and the public places in ``GROUPS`` order;
    empty groups are left out. ``current`` is set on the link whose url is ``path`` and on its
    group."""
    known = dict(GROUPS)
    groups = {key: NavGroup(key, label) for key, label in GROUPS}
    rows = [{**link, "mine": True} for link in own]
    rows += [{**link, "mine": False, "order": PUBLIC_ORDER} for link in public_links()]
    rows.sort(key=lambda link: (link.get("order", 50), not link["mine"]))
    for link in rows:
        key = link.get("group") if link.get("group") in known else DEFAULT_GROUP
        link["current"] = bool(path) and link["url"] == path
        groups[key].links.append(link)
    result = [g for g in groups.values() if g.links]
    for g in result:
        g.current = any(link["current"] for link in g.links)
    return result
