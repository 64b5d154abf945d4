"""How pages call services: a refusal becomes a message, not an error page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.forms import REFUSED_TAG
from core.states import InvalidTransition
from registry.queries import acting_organizations

# The organizations a page offers in its "act for" choice (the services decide).
__all__ = ["acting_organizations", "error_text", "run_service"]


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
        refused = isinstance(error, PermissionDenied)
        messages.error(request, error_text(error), extra_tags=REFUSED_TAG if refused else "")
        return None
    messages.success(request, success)
    return result
