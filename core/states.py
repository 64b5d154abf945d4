"""State machines: one table of allowed transitions beside each model, consulted by services.

An illegal move raises ``InvalidTransition``; the API turns it into HTTP 409
``{"detail": ..., "code": "invalid_transition"}``.
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _


class InvalidTransition(Exception):
    """An action the object's current state forbids (HTTP 409)."""

    code = "invalid_transition"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Conflict(InvalidTransition):
    """Lost a race or broke a uniqueness rule that depends on the current state (HTTP 409)."""

    code = "conflict"


def check_transition(
    transitions: Mapping[str, Iterable[str]], current: str, target: str, *, label: str = ""
) -> None:
    """Raise InvalidTransition unless ``current -> target`` is in the table."""
    if target not in transitions.get(current, ()):
        raise InvalidTransition(
            _("%(what)scannot go from “%(current)s” to “%(target)s”.")
            % {"what": f"{label}: " if label else "", "current": current, "target": target}
        )
