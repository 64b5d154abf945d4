"""What a person may do with a delivery of their inbox: one declaration (core.states.Actions)
that alerts.services and the inbox page share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from alerts.models import Channel, Delivery
from core import permissions as perms
from core.states import Action, Actions


def own_in_app(user: Any, delivery: Delivery, **context: Any) -> None:
    if delivery.user_id != getattr(user, "pk", None) or delivery.channel != Channel.IN_APP:
        raise PermissionDenied(_("Not your message."))


def official_of_alert(user: Any, delivery: Delivery, **context: Any) -> None:
    """Officials who see an alert's delivery status (its author, or an official whose
    jurisdiction covers its region: alerts.services.can_see_deliveries) may re-send it."""
    alert = delivery.alert
    if perms.is_official(user) and (
        alert.created_by_id == user.pk
        or (bool(alert.region_code) and perms.is_official_for(user, alert.region_code))
    ):
        return
    raise PermissionDenied(_("Not in your jurisdiction."))


DELIVERY = Actions(
    Delivery,
    [
        Action("read", Delivery.Status.READ, who=own_in_app, sources=("sent",)),
        # A failed delivery goes back to pending with its attempts reset (retry_delivery).
        Action("retry", Delivery.Status.PENDING, who=official_of_alert, sources=("failed",)),
    ],
)
