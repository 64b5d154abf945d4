"""Who may act on the incident board: officials by jurisdiction, organizations by membership."""

from typing import Any

from core import permissions as perms
from core import regions

# Membership roles that may act for an organization on the board (file, claim, report ...).
from core.roles import (
    ACTING_ROLES,  # noqa: E402
    Role,
)
from registry.models import Organization


def is_official_for(user: Any, region_code: str) -> bool:
    return perms.is_official_for(user, region_code)


def acts_for(user: Any, organization: Any) -> bool:
    return perms.is_member_of(user, organization, roles=ACTING_ROLES)


def acting_organization_ids(user: Any) -> list[int]:
    return perms.organization_ids(user, roles=ACTING_ROLES)


def official_agencies(user: Any, region_code: str) -> list[Organization]:
    """The user's agencies whose jurisdiction covers ``region_code``, highest level first."""
    agencies = [
        m.organization
        for m in perms.memberships(user)
        if m.role == Role.OFFICIAL
        and m.organization.kind == "agency"
        and m.organization.status == "verified"
        and regions.covers(m.organization.region_code, region_code)
    ]
    return sorted(agencies, key=lambda a: len(regions.prefix_of(a.region_code)))


def level_rank(region_code: str) -> int:
    """2 for a province, 4 for a prefecture, 6 for a county: smaller is higher."""
    return len(regions.prefix_of(region_code))


def sees_private(user: Any, *, region_code: str, organization_id: int | None) -> bool:
    """Officials with jurisdiction and members of the organization concerned see private
    details (leader phones, reports, beneficiaries, evidence)."""
    return is_official_for(user, region_code) or (
        organization_id is not None and perms.is_member_of(user, organization_id)
    )
