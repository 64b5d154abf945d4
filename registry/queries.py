"""Registry read paths reused by pages, the API and other apps."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from core import permissions as perms
from core import regions
from core.models import Region
from core.roles import ACTING_ROLES, Role
from registry.choices import OrganizationKind
from registry.models import (
    Assessment,
    Capability,
    InsurancePolicy,
    Invitation,
    Organization,
    Person,
)


def public_organizations() -> QuerySet[Organization]:
    """What the public sees: verified organizations, agencies excluded."""
    return Organization.objects.filter(status=Organization.Status.VERIFIED).exclude(
        kind=OrganizationKind.AGENCY
    )


def eligible_organizations(
    *, specialty: str | None = None, min_grade: int | None = None, include_vouched: bool = False
) -> QuerySet[Organization]:
    """Verified non-agency organizations whose *current assessed* grade for ``specialty`` is
    ``min_grade`` or better (1 is the highest). No specialty: any verified organization;
    a specialty without min_grade: any current assessment for it. ``include_vouched``: teams a
    hub vouches for count too (task matching; tenders stay for registered suppliers)."""
    qs = public_organizations()
    if include_vouched:
        qs = Organization.objects.filter(status__in=Organization.IN_GOOD_STANDING).exclude(
            kind=OrganizationKind.AGENCY
        )
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


def phase_covered(phases: list | None, phase: str) -> bool:
    """Whether a capability's declared ``phases`` (registry.models.Phase values) serve
    ``phase``. A capability that declares no phase (declared before phases were used, or serving
    all of them) covers every phase."""
    return not phases or phase in phases


def is_eligible(
    organization: Organization, *, specialty: str | None, min_grade: int | None
) -> bool:
    return (
        eligible_organizations(specialty=specialty, min_grade=min_grade)
        .filter(pk=organization.pk)
        .exists()
    )


# --- registry pages and API -----------------------------------------------------------------


def sees_agencies(user) -> bool:
    """Agencies are not public, but members of a (non-agency) organization see the verified
    ones: they are whom an organization asks (liaison's directory of responsibilities).
    Officials already see the agencies of their jurisdiction and their own."""
    return any(m.organization.kind != OrganizationKind.AGENCY for m in perms.memberships(user))


def visible_organizations(user) -> QuerySet[Organization]:
    """Public organizations, plus the user's own (and the teams their hub vouches for), plus (for
    officials) every organization whose region lies in their jurisdiction, whatever its status;
    verified agencies for members of an organization and officials (``sees_agencies``)."""
    q = Q(status=Organization.Status.VERIFIED) & ~Q(kind=OrganizationKind.AGENCY)
    if sees_agencies(user):
        q |= Q(status=Organization.Status.VERIFIED, kind=OrganizationKind.AGENCY)
    own = perms.organization_ids(user) + vouched_team_ids(user, roles=(Role.ADMIN, Role.MEMBER))
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
    elif sees_agencies(user):
        qs = Organization.objects.filter(status=Organization.Status.VERIFIED)
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


def acting_organization(
    user: Any,
    requested: Any = None,
    *,
    roles: Iterable[str] = ACTING_ROLES,
    verified: bool = True,
    kinds: Iterable[str] | None = None,
    field: str = "organization",
) -> Organization:
    """The organization ``user`` acts for in an action: the one rule every service, page and API
    view follows (docs/CONVENTIONS.md, "Acting organization").

    ``requested`` is what the person named (an Organization, its id, a numeric string, or None).
    The action needs a membership with one of ``roles``, and, when ``verified``, a verified
    organization, and, when ``kinds`` is given, one of those kinds (agencies never act for
    social organizations: an agency acts through its officials' jurisdiction).

    - Named and allowed: that organization.
    - Named but the user does not act for it, or it does not meet the needs: ``PermissionDenied``
      (HTTP 403) saying why.
    - Not named: the user's only organization that meets the needs; none: ``PermissionDenied``;
      several: ``ValidationError`` on ``field`` (HTTP 400), the person must say which.
    """
    wanted_roles = {str(r) for r in roles}
    wanted_kinds = {str(k) for k in kinds} if kinds is not None else None
    mine = [m.organization for m in perms.memberships(user) if m.role in wanted_roles]
    mine += [team for team, role in vouched_teams(user) if role in wanted_roles]

    def why_not(org: Organization) -> str:
        if wanted_kinds is not None and org.kind not in wanted_kinds:
            return _("“%(name)s” is not the kind of organization that may do this.") % {
                "name": org.name
            }
        if wanted_kinds is None and org.kind == OrganizationKind.AGENCY:
            return _("An agency does not do this for itself; its officials act by jurisdiction.")
        if verified and org.status not in Organization.IN_GOOD_STANDING:
            return _("“%(name)s” is not verified yet: only verified organizations may do this.") % {
                "name": org.name
            }
        return ""

    if requested not in (None, ""):
        requested_id = getattr(requested, "pk", requested)
        try:
            requested_id = int(requested_id)
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Choose one of your organizations.")]}) from None
        org = next((o for o in mine if o.pk == requested_id), None)
        if org is None:
            raise PermissionDenied(_("You do not act for that organization."))
        reason = why_not(org)
        if reason:
            raise PermissionDenied(reason)
        return org
    if not mine:
        raise PermissionDenied(_("Only members of an organization may do this."))
    able = [o for o in mine if not why_not(o)]
    if not able:
        raise PermissionDenied(why_not(mine[0]))
    if len(able) > 1:
        raise ValidationError(
            {field: [_("You act for several organizations: say which one does this.")]}
        )
    return able[0]


_VOUCHED_CACHE = "_tongzhou_vouched_teams"


def vouched_teams(user: Any) -> list[tuple[Organization, str]]:
    """(team, role) for every grassroots team a hub vouches for (``Organization.vouched_by``)
    where ``user`` has a role in that hub: a hub's admins and members act for its vouched teams
    with their role in the hub (the one extension of the acting rule, docs/registry.md "Hubs and
    grassroots teams"). The hub must itself be verified. Cached on the user object like the
    memberships; no query at all for a user who belongs to no hub."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _VOUCHED_CACHE, None)
    if cached is not None:
        return cached
    roles = {
        m.organization_id: m.role
        for m in perms.memberships(user)
        if m.organization.is_hub and m.organization.status == Organization.Status.VERIFIED
    }
    cached = []
    if roles:
        for team in Organization.objects.filter(vouched_by_id__in=roles).order_by("name", "id"):
            cached.append((team, roles[team.vouched_by_id]))
    setattr(user, _VOUCHED_CACHE, cached)
    return cached


def forget_vouched_teams(user: Any) -> None:
    """Drop the cache after a hub vouches for a new team."""
    if hasattr(user, _VOUCHED_CACHE):
        delattr(user, _VOUCHED_CACHE)


def vouched_team_ids(user: Any, roles: Iterable[str] = ACTING_ROLES) -> list[int]:
    """Ids of the teams ``user`` acts for through a hub (visibility of their filings, tasks)."""
    wanted = {str(r) for r in roles}
    return [team.pk for team, role in vouched_teams(user) if role in wanted]


def acting_hub(user: Any, requested: Any = None, *, field: str = "hub") -> Organization:
    """The verified hub ``user`` acts for (``acting_organization`` among hubs only: a hub
    member also acts for the hub's vouched teams, which must not make "my only hub" ambiguous).
    403 when the named organization is not a hub the user acts for."""
    if requested not in (None, ""):
        org = acting_organization(user, requested, field=field)
        if not org.is_hub:
            raise PermissionDenied(_("Only a hub organization may do this."))
        return org
    hubs = [o for o in acting_organizations(user) if o.is_hub]
    if not hubs:
        raise PermissionDenied(_("Only a hub organization may do this."))
    if len(hubs) > 1:
        raise ValidationError({field: [_("You act for several hubs: say which one does this.")]})
    return hubs[0]


def may_act_for(user: Any, organization: Any, **needs: Any) -> bool:
    """Whether ``acting_organization(user, organization, **needs)`` would accept it: for a page
    that shows a form or a button only to those the service will let through (the service still
    decides when the form is sent)."""
    if organization is None:
        return False
    try:
        acting_organization(user, organization, **needs)
    except (PermissionDenied, ValidationError):
        return False
    return True


def acting_organizations(
    user: Any,
    *,
    roles: Iterable[str] = ACTING_ROLES,
    verified: bool = True,
    kinds: Iterable[str] | None = None,
) -> list[Organization]:
    """Every organization ``acting_organization`` would accept for ``user`` (for a page's
    "act for" choice), by name."""
    able = []
    reachable = [m.organization for m in perms.memberships(user)]
    reachable += [team for team, _role in vouched_teams(user)]
    for candidate in reachable:
        try:
            org = acting_organization(user, candidate, roles=roles, verified=verified, kinds=kinds)
        except (PermissionDenied, ValidationError):
            continue
        if org not in able:
            able.append(org)
    return sorted(able, key=lambda o: o.name)


def pending_invitations(user: Any):
    """The open invitations addressed to ``user``, newest first (their invitations page)."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return Invitation.objects.filter(user=user, status=Invitation.Status.INVITED).select_related(
        "organization", "invited_by"
    )


def invitations_of(organization: Organization):
    """An organization's invitations still waiting for an answer (its members page)."""
    return organization.invitations.filter(status=Invitation.Status.INVITED).select_related(
        "user", "invited_by"
    )


def visible_invitations(user: Any):
    """Invitations ``user`` may act on: addressed to them, or of an organization they administer
    (to cancel). Everything else is a 404."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    admin_of = perms.organization_ids(user, roles=[Role.ADMIN])
    return Invitation.objects.filter(Q(user=user) | Q(organization_id__in=admin_of)).select_related(
        "organization", "user", "invited_by"
    )


def visible_policies(user, *, person: int | None = None, organization: int | None = None):
    """Insurance policies of the people ``user`` sees in the talent pool (``visible_people``)."""
    qs = InsurancePolicy.objects.filter(
        person__in=visible_people(user, organization=organization).values("pk")
    ).select_related("person__organization", "document")
    if person:
        qs = qs.filter(person_id=person)
    return qs


def accident_insured(person_ids, start: date, end: date) -> set[int]:
    """Of ``person_ids``, those with accident cover valid on every day from ``start`` to
    ``end`` (one policy covering the whole period; two policies back to back do not count, a
    decision the issue leaves open: a gap-free chain is rare and hard to check by eye)."""
    return set(
        InsurancePolicy.objects.filter(
            person_id__in=list(person_ids),
            accident_amount__gt=0,
            valid_from__lte=start,
            valid_until__gte=end,
        ).values_list("person_id", flat=True)
    )
