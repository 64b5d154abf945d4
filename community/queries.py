"""Reads of routine needs and projects: who sees what, coverage and funding, and the matching
organizations. Every list costs a fixed number of queries."""

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Project, ProjectNeed, RoutineNeed
from coordination.maps import gap_bars
from coordination.models import NeedCategory
from core import permissions as perms
from core import regions
from registry.models import Capability, Organization
from registry.queries import directory

# Which capability specialties serve a need category (matching organizations to a need).
CATEGORY_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "search_rescue": ("building_collapse", "mountain_rescue", "water_rescue", "diving_rescue"),
    "medical": ("emergency_medical",),
    "shelter": ("shelter_management",),
    "food_water": ("logistics",),
    "supplies": ("logistics",),
    "psychological": ("psychological_support", "social_work"),
    "logistics": ("logistics", "communications"),
    "sanitation": ("hazmat", "shelter_management"),
    "other": ("social_work", "volunteer_coordination"),
}
assert set(CATEGORY_SPECIALTIES) == set(NeedCategory.values)


def _region_q(field: str, region: str) -> Q:
    if not region:
        return Q()
    prefix = regions.prefix_of(region) if len(region) == 6 else region
    return Q(**{f"{field}__startswith": prefix})


def visible_needs(user: Any, region: str = "") -> QuerySet[RoutineNeed]:
    """Confirmed needs for everyone; unconfirmed ones for the posting organization and the
    officials whose jurisdiction covers them. With ``covered`` (quantity addressed by
    projects)."""
    q = Q(confirmed_at__isnull=False)
    own = perms.organization_ids(user)
    if own:
        q |= Q(posted_by_organization__in=own)
    for prefix in perms.jurisdiction_prefixes(user):
        q |= Q(region_code__startswith=prefix)
    return (
        RoutineNeed.objects.filter(q)
        .filter(_region_q("region_code", region))
        .select_related("posted_by_organization")
        .annotate(covered=Coalesce(Sum("links__quantity"), Value(0)))
        .order_by("-created_at", "-id")
    )


def visible_projects(region: str = "") -> QuerySet[Project]:
    """Every project is public (an organization posts it to be found and funded), with its
    pledged total."""
    pledged = (
        Project.objects.filter(pk=OuterRef("pk"))
        .annotate(total=Sum("pledges__amount"))
        .values("total")
    )
    return (
        Project.objects.filter(_region_q("region_code", region))
        .select_related("organization")
        .annotate(pledged=Coalesce(Subquery(pledged), Value(Decimal("0"))))
        .order_by("-created_at", "-id")
    )


def gap_chart(needs: list[RoutineNeed]) -> dict | None:
    """The incident page's ECharts gap chart, by category and unit: asked vs covered by
    projects vs gap (``coordination.maps.gap_bars``, with "covered" for "committed")."""

    def amounts(need: RoutineNeed) -> tuple[int, ...]:
        covered = min(need.covered or 0, need.quantity)
        return (need.quantity, covered, need.quantity - covered)

    return gap_bars(
        needs,
        amounts,
        [
            (_("Requested"), "#5470c6"),
            (_("Covered by projects"), "#91cc75"),
            (_("Gap"), "#ee6666"),
        ],
    )


def _current(capability: Capability, today) -> bool:
    return (
        capability.assessed_grade is not None
        and capability.revoked_at is None
        and capability.valid_until is not None
        and capability.valid_until >= today
    )


def _covers(capability: Capability, org: Organization, region_code: str) -> bool:
    """The capability's service regions (or, when it names none, the organization's, or its own
    region) cover ``region_code``."""
    served = capability.service_regions or org.service_regions or [org.region_code]
    return any(regions.covers(code, region_code) for code in served if code)


def _serves(org: Organization, specialties: tuple[str, ...], region_code: str) -> bool:
    """A current (assessed) capability of ``org`` (prefetched) in one of ``specialties`` whose
    service regions cover ``region_code``."""
    today = timezone.localdate()
    return any(
        c.specialty in specialties and _current(c, today) and _covers(c, org, region_code)
        for c in org.capabilities.all()
    )


def matching_organizations(user: Any, need: RoutineNeed) -> list[Organization]:
    """The organizations of the directory (registry.queries.directory, what ``user`` may see)
    with a current capability for the need's category whose service regions cover its area."""
    specialties = CATEGORY_SPECIALTIES.get(need.category, ())
    qs = directory(user).filter(
        Exists(
            Capability.objects.current().filter(
                organization=OuterRef("pk"), specialty__in=specialties
            )
        )
    )
    return [org for org in qs if _serves(org, specialties, need.region_code)]


def needs_served(
    organizations: dict[int, Organization], capabilities: list[Capability], limit: int = 200
) -> list[RoutineNeed]:
    """Of the newest ``limit`` confirmed needs, those one of the (current) ``capabilities`` of
    ``organizations`` (id -> organization) serves: its specialty fits the category and its
    service regions cover the area. One query."""
    needs = list(
        RoutineNeed.objects.filter(confirmed_at__isnull=False)
        .annotate(covered=Coalesce(Sum("links__quantity"), Value(0)))
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        n
        for n in needs
        if any(
            c.specialty in CATEGORY_SPECIALTIES.get(n.category, ())
            and _covers(c, organizations[c.organization_id], n.region_code)
            for c in capabilities
        )
    ]


def project_links(project: Project) -> list[ProjectNeed]:
    return list(project.links.select_related("need").order_by("id"))
