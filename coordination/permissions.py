"""Who may act on the incident board: officials by jurisdiction, organizations by membership."""

from typing import Any

from core import permissions as perms
from core import regions
from core.roles import ACTING_ROLES, Role
from registry.models import Organization
from registry.queries import may_act_for, vouched_team_ids


def is_official_for(user: Any, region_code: str) -> bool:
    return perms.is_official_for(user, region_code)


def acts_for(user: Any, organization: Any) -> bool:
    """Whether ``user`` acts for ``organization`` as the holder of a task or a filing: the rule
    of ``registry.queries.acting_organization`` with ``verified=False`` (what the holder's services
    check; a later suspension is the officials' to handle, not a lock on the holder)."""
    return may_act_for(user, organization, verified=False)


def acting_organization_ids(user: Any) -> list[int]:
    """Organizations whose private board rows the user sees as a member (visibility, not a
    decision to act: that is ``registry.queries.acting_organization``)."""
    return perms.organization_ids(user, roles=ACTING_ROLES) + vouched_team_ids(user)


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
