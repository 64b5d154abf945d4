"""Permission helpers every app uses.

Memberships live in ``registry`` (``Membership`` with ``related_name="memberships"`` on the user);
core reads them through that relation only, so it imports no app. The user's memberships are
loaded once per user object and cached on it, so a page can ask many questions for one query.

Rules:
- An official is a user with an ``official`` membership in a verified organization of kind
  ``agency``. Their jurisdiction is the agency's region and everything under it (prefix rule).
- A member of an organization is any membership in it; an org admin has the ``admin`` role.
- Superusers are not officials by default: platform staff use /admin/.
"""

from collections.abc import Iterable
from typing import Any

from core import regions
from core.roles import Role

_CACHE_ATTR = "_tongzhou_memberships"


def memberships(user: Any) -> list:
    """The user's memberships with their organizations, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(user.memberships.select_related("organization").order_by("id"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the cache after changing the user's memberships."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def jurisdictions(user: Any) -> list[str]:
    """Region codes of the agencies where the user is an official."""
    return [
        m.organization.region_code
        for m in memberships(user)
        if m.role == Role.OFFICIAL
        and m.organization.kind == "agency"
        and m.organization.status == "verified"
    ]


def is_official(user: Any) -> bool:
    return bool(jurisdictions(user))


def is_official_for(user: Any, region_code: str) -> bool:
    """Whether ``region_code`` lies in one of the user's jurisdictions."""
    return any(regions.covers(j, region_code) for j in jurisdictions(user))


def jurisdiction_prefixes(user: Any) -> list[str]:
    """Code prefixes for ``region_code__startswith`` filters (empty list: no jurisdiction)."""
    return [regions.prefix_of(j) for j in jurisdictions(user)]


def is_member_of(user: Any, organization: Any, roles: Iterable[str] | None = None) -> bool:
    org_id = getattr(organization, "pk", organization)
    wanted = set(roles) if roles else None
    return any(
        m.organization_id == org_id and (wanted is None or m.role in wanted)
        for m in memberships(user)
    )


def is_org_admin(user: Any, organization: Any) -> bool:
    return is_member_of(user, organization, roles=[Role.ADMIN])


def organization_ids(user: Any, roles: Iterable[str] | None = None) -> list[int]:
    wanted = set(roles) if roles else None
    return [m.organization_id for m in memberships(user) if wanted is None or m.role in wanted]


def has_role(user: Any, role: str) -> bool:
    return any(m.role == role for m in memberships(user))


def is_expert(user: Any) -> bool:
    return has_role(user, Role.EXPERT)
