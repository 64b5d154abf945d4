"""Needs (the social-needs database): posted by officials or verified organizations;
officials confirm what organizations post."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from coordination.actions import NEED
from coordination.models import Incident, Need, NeedCategory, Priority
from coordination.services import alerting
from coordination.services.incidents import validate_region
from core import audit, geo, regions
from core.states import InvalidTransition
from registry.models import Organization
from registry.queries import acting_organization


def _require_open_incident(incident: Incident) -> None:
    if incident.status == Incident.Status.CLOSED:
        raise InvalidTransition(_("The incident is closed."))


def post_need(
    *,
    incident: Incident,
    by: Any,
    category: str,
    description: str,
    quantity: int,
    unit: str,
    region_code: str,
    urgency: str = Priority.NORMAL,
    organization: int | str | Organization | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Need:
    """An official's need counts at once; a verified organization's need waits for an official
    to confirm it. The area must lie in the incident's region. An official with jurisdiction who
    names no organization posts as the official; anyone else posts for ``acting_organization``'s
    answer (the organization named, or the user's only verified one)."""
    if category not in NeedCategory.values:
        raise ValidationError({"category": [_("Unknown need category.")]})
    if urgency not in Priority.values:
        raise ValidationError({"urgency": [_("Unknown urgency.")]})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})
    validate_region(region_code)
    if not regions.covers(incident.region_code, region_code):
        raise ValidationError({"region_code": [_("The area must lie in the incident's region.")]})
    geo.check_point(latitude, longitude)
    official = organization in (None, "") and cperms.is_official_for(by, incident.region_code)
    if not official:
        organization = acting_organization(by, organization)
    _require_open_incident(incident)
    now = timezone.now()
    with transaction.atomic():
        need = Need.objects.create(
            incident=incident,
            category=category,
            description=description,
            quantity=quantity,
            unit=unit,
            region_code=region_code,
            latitude=latitude,
            longitude=longitude,
            urgency=urgency,
            posted_by=by,
            posted_by_organization=None if official else organization,
            confirmed_at=now if official else None,
            confirmed_by=by if official else None,
        )
        audit.record_on(
            need,
            actor=by,
            action="need.posted",
            data={"category": category, "quantity": quantity, "unit": unit},
        )
        if not official:
            alerting.tell_officials(
                incident=incident,
                title=lambda: _("A need waits for confirmation: %(need)s") % {"need": need},
                body=description,
                actor=by,
                kind="approval",
            )
    return need


def confirm_need(*, need: Need, by: Any) -> Need:
    """An official with jurisdiction confirms a need an organization posted."""
    NEED["confirm"].who(by, need)
    with transaction.atomic():
        need = (
            Need.objects.select_for_update(of=("self",)).select_related("incident").get(pk=need.pk)
        )
        NEED.check("confirm", by, need)
        need.confirmed_at = timezone.now()
        need.confirmed_by = by
        need.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record_on(need, actor=by, action="need.confirmed")
        alerting.tell_organizations(
            incident=need.incident,
            organization_ids=[need.posted_by_organization_id],
            title=lambda: _("Your need was confirmed: %(need)s") % {"need": need},
            actor=by,
            kind="approval",
        )
    return need
