"""How apps to the left of ``alerts`` (i.e. registry) tell people something.

``registry`` may not import ``alerts`` (dependencies point one way: core <- registry <- alerts),
yet its decisions must reach the organization's admins. This one-line indirection resolves the
notifier named in ``settings.TONGZHOU_NOTIFIER`` (``alerts.services.notify``) at call time, so
the dependency is configuration, not an import. Apps right of alerts call
``alerts.services.notify`` directly; the signature is the same.
"""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def notify(**kwargs: Any) -> Any:
    return import_string(settings.TONGZHOU_NOTIFIER)(**kwargs)
