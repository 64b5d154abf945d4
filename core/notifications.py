"""How apps to the left of ``alerts`` (i.e. registry) tell people something.

``registry`` may not import ``alerts`` (dependencies point one way: core <- registry <- alerts),
yet its decisions must reach the organization's admins. ``notify`` calls the ``notify`` hook that
``alerts.apps.AlertsConfig`` provides (``core.hooks.provided``), which is
``alerts.services.notify``. Apps right of alerts import ``alerts.services.notify`` directly; the
signature is the same.
"""

from typing import Any

from core import hooks


def notify(**kwargs: Any) -> Any:
    return hooks.provided("notify", **kwargs)
