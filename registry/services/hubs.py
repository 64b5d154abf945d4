"""Hubs (枢纽型组织) and the grassroots teams they vouch for (docs/registry.md, "Hubs and
grassroots teams").

- An official whose jurisdiction covers a verified organization designates it a hub.
- A hub and a registered organization link by consent of both: one side's admin proposes, the
  other side's admin accepts or declines; the proposer may withdraw while it waits; either side
  may end an accepted link.
- A hub registers and vouches for a team that has no credit code: the team becomes an
  ``Organization`` with status ``vouched``, the hub's reference instead of a USCC, and its
  members in the talent pool (``Person``). The hub's admins and members then act for it
  (``registry.queries.vouched_teams``): they file deployments, take tasks and sign for
  allocations in its name.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions as perms
from core import regions, text
from core.states import Conflict, move
from registry.actions import ORGANIZATION
from registry.choices import OrganizationKind
from registry.models import HubLink, Organization, Person
from registry.queries import (
    acting_hub,
    acting_organization,
    forget_vouched_teams,
    vouched_team_ids,
)
from registry.services.common import (
    _audit,
    _check_region,
    _require_admin,
    _require_official_for,
    _tell_admins,
)
from registry.services.people import _skills_index

MAX_TEAM_MEMBERS = 200


def designate_hub(*, organization: Organization, by: Any, is_hub: bool = True) -> Organization:
    """An official whose jurisdiction covers a verified, non-agency organization designates it
    a hub (or withdraws the designation; the teams it vouched for stay, but nobody acts for them
    through it while it is not a hub)."""
    _require_official_for(by, organization)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if is_hub:
            ORGANIZATION.check("hub", by, organization)
        if organization.is_hub == is_hub:
            return organization
        organization.is_hub = is_hub
        organization.save(update_fields=["is_hub", "updated_at"])
        _audit(
            organization,
            actor=by,
            action="registry.hub_designated" if is_hub else "registry.hub_withdrawn",
        )
        _tell_admins(
            organization,
            title=lambda: (
                (
                    _("%(name)s is now a hub organization")
                    if is_hub
                    else _("%(name)s is no longer a hub organization")
                )
                % {"name": organization.name}
            ),
            actor=by,
        )
    return organization


def _require_hub(hub: Organization) -> None:
    if not hub.is_hub or hub.status != Organization.Status.VERIFIED:
        raise ValidationError({"hub": [_("This organization is not a verified hub.")]})


def propose_hub_link(
    *, hub: Organization, member: Organization, by: Any, from_hub: bool = True
) -> HubLink:
    """One side's admin proposes the link: the hub invites an organization (``from_hub``) or
    an organization asks to join the hub. Both must be verified, non-agency; a second open link
    between them is a 409."""
    _require_hub(hub)
    _require_admin(by, hub if from_hub else member)
    if member.pk == hub.pk:
        raise ValidationError({"member": [_("A hub cannot be its own member.")]})
    if member.kind == OrganizationKind.AGENCY or member.status != Organization.Status.VERIFIED:
        raise ValidationError(
            {"member": [_("Only verified social organizations join a hub this way.")]}
        )
    if HubLink.objects.filter(hub=hub, member=member, status__in=HubLink.OPEN).exists():
        raise Conflict(_("These organizations are already linked or a proposal is waiting."))
    try:
        with transaction.atomic():
            link = HubLink.objects.create(
                hub=hub, member=member, proposed_by_hub=from_hub, proposed_by=by
            )
            _audit(
                hub,
                actor=by,
                action="registry.hub_link_proposed",
                target=link,
                to_status=link.status,
                data={"member": member.pk, "from_hub": from_hub},
            )
            other = member if from_hub else hub
            _tell_admins(
                other,
                title=lambda: (
                    (
                        _("%(hub)s invites %(member)s to join as a member organization")
                        if from_hub
                        else _("%(member)s asks to join %(hub)s")
                    )
                    % {"hub": hub.name, "member": member.name}
                ),
                body=lambda: _("Accept or decline on the organization's hub page."),
                actor=by,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("These organizations are already linked or a proposal is waiting.")
        ) from exc
    return link


def _answering_side(link: HubLink) -> Organization:
    return link.member if link.proposed_by_hub else link.hub


def _proposing_side(link: HubLink) -> Organization:
    return link.hub if link.proposed_by_hub else link.member


def _decide(link: HubLink, target: str, *, by: Any) -> HubLink:
    link = move(
        link,
        target,
        by=by,
        action=f"registry.hub_link_{target}",
        data={"member": link.member_id},
        changes={"decided_at": timezone.now()},
        label=_("Hub membership"),
    )
    _tell_admins(
        _proposing_side(link) if target != HubLink.Status.ENDED else link.hub,
        title=lambda: (
            _("%(member)s and %(hub)s: %(status)s")
            % {
                "member": link.member.name,
                "hub": link.hub.name,
                "status": link.get_status_display(),
            }
        ),
        actor=by,
    )
    return link


def accept_hub_link(*, link: HubLink, by: Any) -> HubLink:
    """The other side's admin accepts: from now on the organization is the hub's member."""
    _require_admin(by, _answering_side(link))
    return _decide(link, HubLink.Status.ACCEPTED, by=by)


def decline_hub_link(*, link: HubLink, by: Any) -> HubLink:
    """The other side's admin declines."""
    _require_admin(by, _answering_side(link))
    return _decide(link, HubLink.Status.DECLINED, by=by)


def cancel_hub_link(*, link: HubLink, by: Any) -> HubLink:
    """The proposing side's admin withdraws the proposal while it waits."""
    _require_admin(by, _proposing_side(link))
    return _decide(link, HubLink.Status.CANCELLED, by=by)


def end_hub_link(*, link: HubLink, by: Any) -> HubLink:
    """Either side's admin ends an accepted membership."""
    if not (perms.is_org_admin(by, link.hub) or perms.is_org_admin(by, link.member)):
        raise PermissionDenied(_("Only an admin of the hub or of the member may do that."))
    return _decide(link, HubLink.Status.ENDED, by=by)


def _clean_members(members: list[dict] | None, region_code: str) -> list[dict]:
    cleaned = []
    for i, row in enumerate(members or []):
        if not isinstance(row, dict):
            raise ValidationError({"members": [_("Each member is an object with a name.")]})
        name = text.check_name(f"members[{i}].name", row.get("name", ""))
        skills = [str(s).strip() for s in row.get("skills") or [] if str(s).strip()]
        cleaned.append(
            {
                "name": name,
                "phone": str(row.get("phone") or "").strip()[:30],
                "skills": skills,
                "region_code": region_code,
            }
        )
    if len(cleaned) > MAX_TEAM_MEMBERS:
        raise ValidationError(
            {"members": [_("At most %(n)s members at once.") % {"n": MAX_TEAM_MEMBERS}]}
        )
    return cleaned


def next_reference(hub: Organization) -> str:
    """The hub's next reference for a vouched team: ``H<hub id>-<n>`` (n counts its teams)."""
    return f"H{hub.pk}-{hub.vouched_teams.count() + 1:04d}"


def vouch_team(
    *,
    by: Any,
    hub: int | str | Organization | None = None,
    name: str,
    leader_name: str,
    leader_phone: str,
    region_code: str,
    reference: str = "",
    description: str = "",
    members: list[dict] | None = None,
) -> Organization:
    """A member of a verified hub registers a grassroots team that has no credit code and
    vouches for it: the team is an organization with status ``vouched``, the hub's reference
    (given, or ``next_reference``) in place of a USCC, its leader as contact and its members
    (leader included) in the talent pool. The team's region must lie in the hub's service area:
    the hub's own region (a bureau there sees the team)."""
    hub = acting_hub(by, hub)
    _require_hub(hub)
    name = text.check_name("name", name)
    leader_name = text.check_name("leader_name", leader_name)
    leader_phone = (leader_phone or "").strip()
    if not leader_phone:
        raise ValidationError({"leader_phone": [_("The leader's phone is required.")]})
    _check_region(region_code)
    if not regions.covers(hub.region_code[:2] + "0000", region_code):
        raise ValidationError(
            {"region_code": [_("A hub vouches for teams in its own province only.")]}
        )
    rows = _clean_members(members, region_code)
    if not any(r["name"] == leader_name for r in rows):
        rows.insert(
            0,
            {"name": leader_name, "phone": leader_phone, "skills": [], "region_code": region_code},
        )
    reference = (reference or "").strip()[:40]
    try:
        with transaction.atomic():
            Organization.objects.select_for_update().get(pk=hub.pk)  # serializes references
            reference = reference or next_reference(hub)
            if Organization.objects.filter(vouched_by=hub, hub_reference=reference).exists():
                raise ValidationError(
                    {"reference": [_("The hub already used this reference for another team.")]}
                )
            team = Organization.objects.create(
                name=name,
                kind=OrganizationKind.VOLUNTEER_TEAM,
                region_code=region_code,
                contact_name=leader_name,
                contact_phone=leader_phone,
                description=description,
                status=Organization.Status.VOUCHED,
                vouched_by=hub,
                hub_reference=reference,
                registration_authority=hub.name,
            )
            Person.objects.bulk_create(
                [
                    Person(organization=team, skills_index=_skills_index(r["skills"]), **r)
                    for r in rows
                ]
            )
            _audit(
                team,
                actor=by,
                action="registry.team_vouched",
                to_status=team.status,
                data={"hub": hub.pk, "reference": reference, "members": len(rows)},
            )
            _tell_admins(
                hub,
                title=lambda: (
                    _("%(hub)s vouched for the team %(team)s")
                    % {"hub": hub.name, "team": team.name}
                ),
                actor=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"reference": [_("The hub already used this reference for another team.")]}
        ) from exc
    forget_vouched_teams(by)
    return team


def add_team_member(
    *, team: Organization, by: Any, name: str, phone: str = "", skills: list | None = None
) -> Person:
    """A member of the vouching hub adds a person to a vouched team's roster."""
    acting_organization(by, team, verified=False)
    if not team.is_vouched:
        raise ValidationError({"team": [_("Only a vouched team's roster is kept by its hub.")]})
    (row,) = _clean_members([{"name": name, "phone": phone, "skills": skills}], team.region_code)
    with transaction.atomic():
        person = Person.objects.create(
            organization=team, skills_index=_skills_index(row["skills"]), **row
        )
        _audit(team, actor=by, action="registry.add_person", target=person)
    return person


def team_roster_refusal(user: Any, team: Organization) -> str:
    """Why ``user`` may not add people to ``team``'s roster ("" when they may): the same rule as
    ``add_team_member`` (a member or admin of the vouching hub), read from the
    cached memberships, so the page shows the form only when adding will succeed."""
    if team.pk in vouched_team_ids(user):
        return ""
    return _(
        "Only the members of %(hub)s, the hub vouching for this team, add people to its roster."
    ) % {"hub": team.vouched_by.name}


__all__ = [
    "accept_hub_link",
    "add_team_member",
    "team_roster_refusal",
    "cancel_hub_link",
    "decline_hub_link",
    "designate_hub",
    "end_hub_link",
    "next_reference",
    "propose_hub_link",
    "vouch_team",
]
