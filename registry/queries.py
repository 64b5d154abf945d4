"""Registry read paths reused by pages, the API and other apps."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core import permissions as perms
from core import regions
from core.models import Region
from registry.choices import OrganizationKind
from registry.models import Assessment, Capability, Organization, Person


def public_organizations() -> QuerySet[Organization]:
    """What the public sees: verified organizations, agencies excluded."""
    return Organization.objects.filter(status=Organization.Status.VERIFIED).exclude(
        kind=OrganizationKind.AGENCY
    )


def eligible_organizations(
    *, specialty: str | None = None, min_grade: int | None = None
) -> QuerySet[Organization]:
    """Verified non-agency organizations whose *current assessed* grade for ``specialty`` is
    ``min_grade`` or better (1 is the highest). No specialty: any verified organization;
    a specialty without min_grade: any current assessment for it."""
    qs = public_organizations()
    if specialty:
        caps = Capability.objects.current().filter(organization=OuterRef("pk"), specialty=specialty)
        if min_grade:
            caps = caps.filter(assessed_grade__lte=min_grade)
        qs = qs.filter(Exists(caps))
    elif min_grade:
        qs = qs.filter(
            Exists(
                Capability.objects.current().filter(
                    organization=OuterRef("pk"), assessed_grade__lte=min_grade
                )
            )
        )
    return qs


def is_eligible(
    organization: Organization, *, specialty: str | None, min_grade: int | None
) -> bool:
    return (
        eligible_organizations(specialty=specialty, min_grade=min_grade)
        .filter(pk=organization.pk)
        .exists()
    )


# --- registry pages and API -----------------------------------------------------------------


def visible_organizations(user) -> QuerySet[Organization]:
    """Public organizations, plus the user's own, plus (for officials) every organization whose
    region lies in their jurisdiction, whatever its status."""
    q = Q(status=Organization.Status.VERIFIED) & ~Q(kind=OrganizationKind.AGENCY)
    own = perms.organization_ids(user)
    if own:
        q |= Q(pk__in=own)
    for prefix in perms.jurisdiction_prefixes(user):
        q |= Q(region_code__startswith=prefix)
    return Organization.objects.filter(q)


def directory(
    user,
    *,
    kind: str = "",
    region: str = "",
    specialty: str = "",
    min_grade: int | None = None,
    status: str = "",
    search: str = "",
) -> QuerySet[Organization]:
    """The directory with its filters; ``status`` only widens the list for officials.

    ``region`` is a code or a code prefix; ``specialty`` alone matches any declaration for it;
    ``min_grade`` (with or without specialty) matches a current assessed grade that good or better.
    """
    if status and perms.is_official(user):
        prefixes = perms.jurisdiction_prefixes(user)
        scope = Q()
        for prefix in prefixes:
            scope |= Q(region_code__startswith=prefix)
        qs = Organization.objects.filter(scope, status=status)
    else:
        qs = public_organizations()
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(
            region_code__startswith=regions.prefix_of(region) if len(region) == 6 else region
        )
    if specialty and min_grade:
        qs = qs.filter(
            Exists(
                Capability.objects.current().filter(
                    organization=OuterRef("pk"), specialty=specialty, assessed_grade__lte=min_grade
                )
            )
        )
    elif specialty:
        qs = qs.filter(
            Exists(Capability.objects.filter(organization=OuterRef("pk"), specialty=specialty))
        )
    elif min_grade:
        qs = qs.filter(
            Exists(
                Capability.objects.current().filter(
                    organization=OuterRef("pk"), assessed_grade__lte=min_grade
                )
            )
        )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(name_en__icontains=search))
    return with_capabilities(qs)


def with_capabilities(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.prefetch_related(
        Prefetch("capabilities", queryset=Capability.objects.order_by("specialty"))
    )


def verification_queue(user) -> QuerySet[Organization]:
    """Pending registrations in the official's jurisdiction, oldest first."""
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return Organization.objects.none()
    scope = Q()
    for prefix in prefixes:
        scope |= Q(region_code__startswith=prefix)
    return (
        Organization.objects.filter(scope, status=Organization.Status.PENDING)
        .prefetch_related("documents")
        .order_by("created_at", "id")
    )


def organization_detail(user, pk: int) -> Organization:
    """One organization the user may see, with capabilities, their assessments and members."""
    return get_object_or_404(
        visible_organizations(user).prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.order_by("specialty").prefetch_related(
                    Prefetch(
                        "assessments", queryset=Assessment.objects.select_related("assessed_by")
                    )
                ),
            )
        ),
        pk=pk,
    )


def visible_people(user, *, skill: str = "", region: str = "", organization: int | None = None):
    """Talent pool: officials see the people in their jurisdiction, members their own org's."""
    scope = Q(organization_id__in=perms.organization_ids(user))
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(region_code__startswith=prefix) | Q(organization__region_code__startswith=prefix)
    qs = Person.objects.filter(scope).select_related("organization")
    if skill:
        qs = qs.filter(skills_index__icontains=f",{skill.strip().lower()},")
    if region:
        qs = qs.filter(
            region_code__startswith=regions.prefix_of(region) if len(region) == 6 else region
        )
    if organization:
        qs = qs.filter(organization_id=organization)
    return qs


def region_children(parent: str = ""):
    """Administrative divisions under ``parent`` (provinces when empty)."""
    if parent:
        return Region.objects.filter(parent_id=parent).order_by("code")
    return Region.objects.filter(parent__isnull=True).order_by("code")
