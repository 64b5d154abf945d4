"""Deployment filings (报备): organizations file before entering an area; officials approve or
hold; organizations report arrival and withdraw. Area capacity holds filings automatically."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination import rosters
from coordination.actions import DEPLOYMENT, over_capacity
from coordination.models import Deployment, Incident
from coordination.services import alerting
from coordination.services.incidents import validate_region
from core import audit, geo, regions, text, validators, words
from core.states import Conflict, InvalidTransition, move
from registry.choices import Specialty
from registry.models import Organization
from registry.queries import acting_organization


def file_deployment(
    *,
    incident: Incident,
    by: Any,
    organization: int | str | Organization | None = None,
    headcount: int,
    area_region_code: str,
    arrival_at: datetime,
    leader_name: str,
    leader_phone: str = "",
    specialties: list[str] | None = None,
    vehicles: int = 0,
    self_sufficiency_days: int = 0,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    roster: list[dict] | None = None,
) -> Deployment:
    """A verified organization the user acts for (``acting_organization``: the one named, or
    the user's only one) files before entering the area. A filing that would exceed the area's
    capacity is held at once with the reason; the rest wait for an official. ``roster`` names
    people of its talent pool (``[{"person": id, "role": ...}]``, coordination.rosters)."""
    organization = acting_organization(by, organization)
    specialties = list(specialties or [])
    unknown = [s for s in specialties if s not in Specialty.values]
    if unknown:
        raise ValidationError({"specialties": [_("Unknown specialty: %s") % ", ".join(unknown)]})
    if headcount is None or headcount < 1:
        raise ValidationError({"headcount": [_("The headcount must be at least 1.")]})
    validate_region(area_region_code, "area_region_code")
    if not regions.covers(incident.region_code, area_region_code):
        raise ValidationError(
            {"area_region_code": [_("The area must lie in the incident's region.")]}
        )
    validators.check("arrival_at", validators.plan, arrival_at)
    geo.check_point(latitude, longitude)
    leader_name = text.check_name("leader_name", leader_name)
    named = rosters.clean_roster(organization, roster, headcount)
    with transaction.atomic():
        # The incident row lock serializes capacity decisions for its areas.
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == Incident.Status.CLOSED:
            raise InvalidTransition(_("The incident is closed."))
        if Deployment.objects.filter(
            incident=incident,
            organization=organization,
            area_region_code=area_region_code,
            status__in=Deployment.OPEN,
        ).exists():
            raise Conflict(_("Your organization already has an open filing for this area."))
        reason = over_capacity(incident, area_region_code, headcount)
        deployment = Deployment.objects.create(
            incident=incident,
            organization=organization,
            headcount=headcount,
            specialties=specialties,
            vehicles=vehicles,
            area_region_code=area_region_code,
            latitude=latitude,
            longitude=longitude,
            arrival_at=arrival_at,
            leader_name=leader_name,
            leader_phone=leader_phone,
            self_sufficiency_days=self_sufficiency_days,
            status=Deployment.Status.HELD if reason else Deployment.Status.FILED,
            status_reason=reason,
            filed_by=by,
        )
        rosters.save_roster(deployment, named)
        audit.record_on(
            deployment,
            actor=by,
            action="deployment.filed",
            to_status=deployment.status,
            reason=reason,
            data={
                "headcount": headcount,
                "area": area_region_code,
                "roster": [p.pk for p, _role in named],
            },
        )
        alerting.tell_officials(
            incident=incident,
            title=lambda: (
                _("%(org)s filed to deploy %(n)s people to %(area)s")
                % {
                    "org": organization.name,
                    "n": headcount,
                    "area": words.region_path(area_region_code),
                }
            ),
            body=reason,
            actor=by,
            kind="approval",
        )
        if reason:
            alerting.tell_organizations(
                incident=incident,
                organization_ids=[organization.pk],
                title=lambda: _("Your filing is held: the area is at capacity"),
                body=reason,
                actor=by,
                kind="approval",
            )
    return deployment


def roster_refusal(user: Any, deployment: Deployment) -> str:
    """Why ``user`` may not change the filing's roster ("" when they may): ``set_roster``'s own
    checks (who, then status), read without a query, so pages offer the form only when saving
    can succeed (the insurance rule needs the new roster and is reported on saving)."""
    try:
        DEPLOYMENT["withdraw"].who(user, deployment)
    except PermissionDenied:
        return _("Only the filing organization changes its roster.")
    if deployment.status == Deployment.Status.WITHDRAWN:
        return _("A withdrawn filing's roster stays as it was.")
    return ""


def set_roster(*, deployment: Deployment, by: Any, roster: list[dict] | None = None) -> Deployment:
    """The filing organization names again the people it sends (``[{"person": id, "role":
    ...}]``): the whole roster is replaced (an empty list clears it).

    Decisions: members and admins acting for the filing organization (``deployment_holder``, as
    for withdrawing), on a filing that is not withdrawn; people of the organization's talent
    pool, each once, no more than the headcount (``rosters.clean_roster``). On a high-risk
    filing an official already approved (or that arrived), the new roster may not name people
    without accident cover for its dates: the official approved the people insured, or gave a
    reason for those who were not; a change that adds uninsured people is refused (file again).
    """
    DEPLOYMENT["withdraw"].who(by, deployment)
    named = rosters.clean_roster(deployment.organization, roster, deployment.headcount)
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if deployment.status == Deployment.Status.WITHDRAWN:
            raise InvalidTransition(_("A withdrawn filing's roster stays as it was."))
        before = set(deployment.roster.values_list("person_id", flat=True))
        deployment.roster.all().delete()
        rosters.save_roster(deployment, named)
        if deployment.status in Deployment.OCCUPYING:
            added = {p.pk for p, _role in named} - before
            uninsured = [
                name
                for name in rosters.uninsured_names(deployment)
                if name in {p.name for p, _role in named if p.pk in added}
            ]
            if uninsured:
                raise ValidationError(
                    {
                        "roster": [
                            _(
                                "The filing is approved: people added to it must be insured "
                                "against accidents for its dates. Not insured: %(names)s."
                            )
                            % {"names": "、".join(uninsured)}
                        ]
                    }
                )
        audit.record_on(
            deployment,
            actor=by,
            action="deployment.roster",
            data={"roster": [p.pk for p, _role in named], "before": sorted(before)},
        )
    return deployment


def _move(
    *, deployment: Deployment, by: Any, name: str, target: str, reason: str = ""
) -> Deployment:
    """Action ``name`` of coordination.actions.DEPLOYMENT, checked on the locked rows."""
    official = name in ("approve", "hold")
    # Callers look the filing up among those visible to the user (404 otherwise).
    DEPLOYMENT[name].who(by, deployment)
    with transaction.atomic():
        # Lock the incident first (fixed order: incident, then filing) for capacity checks.
        incident = Incident.objects.select_for_update().get(pk=deployment.incident_id)
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        deployment.incident = incident
        DEPLOYMENT.check(name, by, deployment)
        data = rosters.require_reason_for_uninsured(deployment, reason) if name == "approve" else {}
        changes = {"status_reason": reason}
        if official:
            changes["decided_by"] = by
        move(
            deployment,
            target,
            by=by,
            action=f"deployment.{target}",
            reason=reason,
            changes=changes,
            data=data or None,
        )

        def title() -> str:
            return _("Filing for %(area)s: %(status)s") % {
                "area": words.region_path(deployment.area_region_code),
                "status": Deployment.Status(target).label,
            }

        if official:
            alerting.tell_organizations(
                incident=incident,
                organization_ids=[deployment.organization_id],
                title=title,
                body=reason,
                actor=by,
                kind="approval",
            )
        else:
            alerting.tell_officials(
                incident=incident, title=title, body=reason, actor=by, kind="approval"
            )
    return deployment


def approve_deployment(*, deployment: Deployment, by: Any, reason: str = "") -> Deployment:
    """An official with jurisdiction approves a filing, unless the area is at capacity. A
    high-risk filing naming people without accident cover for its dates needs ``reason``
    (coordination.rosters); the audit row keeps the reason and who was uninsured."""
    return _move(
        deployment=deployment,
        by=by,
        name="approve",
        target=Deployment.Status.APPROVED,
        reason=reason,
    )


def hold_deployment(*, deployment: Deployment, by: Any, reason: str) -> Deployment:
    """An official holds a filing (the team must not enter yet); the reason is required."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Holding a filing needs a reason.")]})
    return _move(
        deployment=deployment, by=by, name="hold", target=Deployment.Status.HELD, reason=reason
    )


def arrive_deployment(*, deployment: Deployment, by: Any) -> Deployment:
    """The organization reports it has arrived; only an approved filing may arrive."""
    return _move(deployment=deployment, by=by, name="arrive", target=Deployment.Status.ARRIVED)


def withdraw_deployment(*, deployment: Deployment, by: Any, reason: str = "") -> Deployment:
    """The organization withdraws its filing or leaves the area."""
    return _move(
        deployment=deployment,
        by=by,
        name="withdraw",
        target=Deployment.Status.WITHDRAWN,
        reason=reason,
    )
