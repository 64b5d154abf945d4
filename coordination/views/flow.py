"""How pages call services: a refusal becomes a message, not an error page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from core.states import InvalidTransition
from registry.models import Organization


def error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, InvalidTransition):
        return error.message
    return str(error) or _("You may not do this.")


def run_service(request, action, *, success: str, **kwargs):
    """Call a service; show its refusal as a message instead of an error page."""
    try:
        result = action(by=request.user, **kwargs)
    except (ValidationError, InvalidTransition, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return None
    messages.success(request, success)
    return result


def acting_organizations(user) -> list[Organization]:
    ids = cperms.acting_organization_ids(user)
    return list(
        Organization.objects.filter(pk__in=ids, status=Organization.Status.VERIFIED)
        .exclude(kind="agency")
        .order_by("name")
    )
