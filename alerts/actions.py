"""What a person may do with a delivery of their inbox: one declaration (core.states.Actions)
that alerts.services and the inbox page share."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from alerts.models import Channel, Delivery
from core.states import Action, Actions


def own_in_app(user: Any, delivery: Delivery, **context: Any) -> None:
    if delivery.user_id != getattr(user, "pk", None) or delivery.channel != Channel.IN_APP:
        raise PermissionDenied(_("Not your message."))


DELIVERY = Actions(
    Delivery, [Action("read", Delivery.Status.READ, who=own_in_app, sources=("sent",))]
)
