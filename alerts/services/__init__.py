"""What other apps and the pages call in alerts: ``notify`` (the outbox writer) and the actions
of people (issue, preview, read, preferences, webhooks).

The module map of the app:
- ``alerts.services.outbox``: ``notify`` writes the Alert and its Delivery rows in the caller's
  transaction (a transactional outbox) and schedules sending with ``transaction.on_commit``.
- ``alerts.services.actions``: what people do (officials issue and preview alerts, users read
  them and set their channels, organization admins register webhooks).
- ``alerts.delivery``: the delivery engine the worker runs (claim, send, record, digests, the
  sweep). It knows nothing of Celery.
- ``alerts.tasks``: the Celery tasks and the one place that hands deliveries to the broker
  (``enqueue``). Imports point one way: services -> tasks -> delivery.
"""

from alerts.preferences import next_digest_time
from alerts.services.actions import (
    can_see_deliveries,
    issue_alert,
    mark_all_read,
    mark_read,
    preferences_of,
    preview,
    register_webhook,
    retry_delivery,
    set_preferences,
)
from alerts.services.outbox import notify, notify_contact

__all__ = [
    "can_see_deliveries",
    "issue_alert",
    "mark_all_read",
    "mark_read",
    "next_digest_time",
    "notify",
    "notify_contact",
    "preferences_of",
    "preview",
    "register_webhook",
    "retry_delivery",
    "set_preferences",
]
