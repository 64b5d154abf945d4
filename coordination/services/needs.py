"""Needs (the social-needs database): posted by officials or verified organizations;
officials confirm what organizations post."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Required, TypedDict, Unpack

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


class NeedInput(TypedDict, total=False):
    """What a person gives when posting a need, incident or routine (``need_fields``): the
    keyword arguments both apps' ``post_need`` take besides who posts (and the incident)."""

    category: Required[str]
    description: Required[str]
    quantity: Required[int]
    unit: Required[str]
    region_code: Required[str]
    urgency: str  # Priority.NORMAL when not given
    organization: int | str | Organization | None  # who posts; None: the official, or the only one
    latitude: Decimal | None
    longitude: Decimal | None


def need_fields(
    *,
    by: Any,
    official_region: str,
    within_region: str | None = None,
    organization_kinds: Iterable[str] | None = None,
    **need: Unpack[NeedInput],
) -> tuple[dict[str, Any], bool]:
    """The one posting rule of a need (``NeedBase``): an incident need here, a routine need in
    ``community.services.post_need``. Checks the input in this order, raising a
    ``ValidationError`` on the field: category, urgency, quantity (at least 1), area (a known
    region; inside ``within_region`` when given), point. Then who posts: an official whose
    jurisdiction covers ``official_region`` and who names no organization posts as the official
    (the need is confirmed at once); anyone else posts for ``acting_organization``'s answer
    (limited to ``organization_kinds`` when given), unconfirmed.

    Returns the model fields to create the need with (``NeedBase``'s, without the subclass's own)
    and whether an official posted it. Writes nothing: the caller adds its own checks, creates
    the row and records its audit row (their actions and data differ per app)."""
    category, quantity, region_code = need["category"], need["quantity"], need["region_code"]
    urgency = need.get("urgency", Priority.NORMAL)
    organization = need.get("organization")
    latitude, longitude = need.get("latitude"), need.get("longitude")
    if category not in NeedCategory.values:
        raise ValidationError({"category": [_("Unknown need category.")]})
    if urgency not in Priority.values:
        raise ValidationError({"urgency": [_("Unknown urgency.")]})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})
    validate_region(region_code)
    if within_region is not None and not regions.covers(within_region, region_code):
        raise ValidationError({"region_code": [_("The area must lie in the incident's region.")]})
    geo.check_point(latitude, longitude)
    official = organization in (None, "") and cperms.is_official_for(by, official_region)
    if not official:
        organization = acting_organization(by, organization, kinds=organization_kinds)
    now = timezone.now()
    fields = {
        "category": category,
        "description": need["description"],
        "quantity": quantity,
        "unit": need["unit"],
        "region_code": region_code,
        "latitude": latitude,
        "longitude": longitude,
        "urgency": urgency,
        "posted_by": by,
        "posted_by_organization": None if official else organization,
        "confirmed_at": now if official else None,
        "confirmed_by": by if official else None,
    }
    return fields, official


def post_need(*, incident: Incident, by: Any, **need: Unpack[NeedInput]) -> Need:
    """An official's need counts at once; a verified organization's need waits for an official
    to confirm it. The area must lie in the incident's region. An official with jurisdiction who
    names no organization posts as the official; anyone else posts for ``acting_organization``'s
    answer (the organization named, or the user's only verified one). The rule is
    ``need_fields``'s; the incident must be open."""
    fields, official = need_fields(
        by=by, official_region=incident.region_code, within_region=incident.region_code, **need
    )
    _require_open_incident(incident)
    with transaction.atomic():
        posted = Need.objects.create(incident=incident, **fields)
        audit.record_on(
            posted,
            actor=by,
            action="need.posted",
            data={"category": posted.category, "quantity": posted.quantity, "unit": posted.unit},
        )
        if not official:
            alerting.tell_officials(
                incident=incident,
                title=lambda: _("A need waits for confirmation: %(need)s") % {"need": posted},
                body=posted.description,
                actor=by,
                kind="approval",
            )
    return posted


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
