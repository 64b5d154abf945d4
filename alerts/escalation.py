"""Escalation of unread mobilizations and assignments (the beat task ``alerts.escalate``).

A team in the field with the app closed never sees an in-app alert. So, for alerts of the
escalating types (``ESCALATING_TYPES``: mobilization, assignment):

1. an in-app delivery still unread ``TONGZHOU_ESCALATE_SMS_AFTER_MINUTES`` after it was sent,
   whose person has no SMS delivery of that alert yet, gets an SMS delivery row
   (``reason=escalation_sms``, ``escalated_from`` = the unread row). The escalation overrides
   the person's per-type choice (they may have left SMS off for the type) but not the master
   switch: SMS turned off or no phone number gives a ``failed`` row saying so, so the official
   sees on the alert page that this person could not be escalated to. Quiet hours hold it like
   any SMS, except red/orange mobilizations (``alerts.preferences``);
2. ``TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES`` after it was sent, when nobody of that
   organization has read the alert, the organization's other active members who have no
   delivery of the alert get one in-app row and, with a phone number and SMS on, one SMS row
   (``reason=escalation_org``).

Exactly once, also under concurrent beat runs: the unread rows are locked with
``SELECT ... FOR UPDATE SKIP LOCKED`` and moved to the next ``escalation_step`` in the same
transaction as the rows they cause (a second run skips or no longer matches them); the unique
constraints of ``Delivery`` (one row per alert, person and channel) and ``ignore_conflicts``
are the second guard. New SMS rows are queued after commit like any other delivery (the
caller passes ``enqueue``: imports point one way, tasks -> escalation).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alerts import preferences
from alerts.models import ESCALATING_TYPES, Alert, Channel, Delivery, Preference
from registry.models import Membership

Status = Delivery.Status
Reason = Delivery.Reason

Enqueue = Callable[[list[int]], object] | None

# At most this many unread rows per step and run; the next run takes the rest.
BATCH = 1000


def _unread(step: int, before: datetime):
    return Delivery.objects.filter(
        channel=Channel.IN_APP,
        status=Status.SENT,
        escalation_step__lt=step,
        sent_at__lte=before,
        alert__alert_type__in=ESCALATING_TYPES,
    )


def _preferences(user_ids: set[int]) -> dict[int, tuple[Preference, object]]:
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return {
        user.pk: (getattr(user, "alert_preference", None) or Preference(user=user), user)
        for user in users.select_related("alert_preference")
    }


def _sms_row(
    alert: Alert, user_id: int, pref: Preference, org_id, source: Delivery, reason, now
) -> Delivery:
    row = Delivery(
        alert=alert,
        user_id=user_id,
        organization_id=org_id,
        channel=Channel.SMS,
        address=pref.phone,
        reason=reason,
        escalated_from=source,
        next_attempt_at=now,
    )
    if not pref.phone or not pref.sms:
        row.status = Status.FAILED
        row.last_error = "no mobile phone number" if not pref.phone else "SMS turned off"
        return row
    # never held for the hourly digest; held for quiet hours like any SMS
    if not preferences.breaks_quiet_hours(alert):
        row.next_attempt_at = preferences.in_quiet_hours(pref, now) or now
    return row


def escalate_to_sms(now: datetime, enqueue: Enqueue = None) -> list[int]:
    """Step 1; returns the ids of the SMS rows to queue."""
    before = now - timedelta(minutes=settings.TONGZHOU_ESCALATE_SMS_AFTER_MINUTES)
    with transaction.atomic():
        sources = list(
            _unread(1, before)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:BATCH]
        )
        if not sources:
            return []
        alerts = Alert.objects.in_bulk({d.alert_id for d in sources})
        has_sms = set(
            Delivery.objects.filter(
                alert_id__in=alerts, channel=Channel.SMS, user_id__in={d.user_id for d in sources}
            ).values_list("alert_id", "user_id")
        )
        prefs = _preferences({d.user_id for d in sources})
        rows = [
            _sms_row(
                alerts[d.alert_id],
                d.user_id,
                prefs[d.user_id][0],
                d.organization_id,
                d,
                Reason.ESCALATION_SMS,
                now,
            )
            for d in sources
            if (d.alert_id, d.user_id) not in has_sms and d.user_id in prefs
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        Delivery.objects.filter(pk__in=[d.pk for d in sources]).update(escalation_step=1)
        return _queued(sources, Reason.ESCALATION_SMS, now, enqueue)


def escalate_to_members(now: datetime, enqueue: Enqueue = None) -> list[int]:
    """Step 2; returns the ids of the SMS rows to queue."""
    before = now - timedelta(minutes=settings.TONGZHOU_ESCALATE_MEMBERS_AFTER_MINUTES)
    with transaction.atomic():
        sources = list(
            _unread(2, before)
            .filter(organization__isnull=False)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:BATCH]
        )
        if not sources:
            return []
        alert_ids = {d.alert_id for d in sources}
        org_ids = {d.organization_id for d in sources}
        read = set(
            Delivery.objects.filter(
                alert_id__in=alert_ids,
                organization_id__in=org_ids,
                channel=Channel.IN_APP,
                status=Status.READ,
            ).values_list("alert_id", "organization_id")
        )
        reached = set(
            Delivery.objects.filter(alert_id__in=alert_ids, user__isnull=False).values_list(
                "alert_id", "user_id"
            )
        )
        members: dict[int, list[int]] = {}
        for user_id, org_id in Membership.objects.filter(
            organization_id__in=org_ids, user__is_active=True
        ).values_list("user_id", "organization_id"):
            members.setdefault(org_id, []).append(user_id)
        prefs = _preferences({u for ids in members.values() for u in ids})
        alerts = Alert.objects.in_bulk(alert_ids)
        rows: list[Delivery] = []
        done: set[tuple[int, int]] = set()
        for source in sources:
            key = (source.alert_id, source.organization_id)
            if key in read or key in done:
                continue
            done.add(key)
            alert = alerts[source.alert_id]
            for user_id in members.get(source.organization_id, []):
                if (alert.pk, user_id) in reached or user_id not in prefs:
                    continue
                reached.add((alert.pk, user_id))
                pref = prefs[user_id][0]
                rows.append(
                    Delivery(
                        alert=alert,
                        user_id=user_id,
                        organization_id=source.organization_id,
                        channel=Channel.IN_APP,
                        status=Status.SENT,
                        sent_at=now,
                        next_attempt_at=now,
                        reason=Reason.ESCALATION_MEMBERS,
                        escalated_from=source,
                        # the escalation's own rows do not escalate again
                        escalation_step=2,
                    )
                )
                if pref.phone and pref.sms:
                    rows.append(
                        _sms_row(
                            alert,
                            user_id,
                            pref,
                            source.organization_id,
                            source,
                            Reason.ESCALATION_MEMBERS,
                            now,
                        )
                    )
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        Delivery.objects.filter(pk__in=[d.pk for d in sources]).update(escalation_step=2)
        return _queued(sources, Reason.ESCALATION_MEMBERS, now, enqueue)


def _queued(sources: list[Delivery], reason: str, now: datetime, enqueue: Enqueue) -> list[int]:
    ids = list(
        Delivery.objects.filter(
            escalated_from__in=[d.pk for d in sources],
            reason=reason,
            channel=Channel.SMS,
            status=Status.PENDING,
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)
    )
    if ids and enqueue is not None:
        transaction.on_commit(lambda: enqueue(ids), robust=True)
    return ids


def escalate(now: datetime | None = None, enqueue: Enqueue = None) -> dict[str, int]:
    """Both steps; returns how many SMS rows each made due now (what the beat task logs).
    ``enqueue(ids)`` (``alerts.tasks.enqueue``, passed by the task: this module does not know
    Celery) is called after commit with the SMS rows to send; rows held for quiet hours, and
    any the broker loses, are sent by the sweep."""
    now = now or timezone.now()
    return {
        "sms": len(escalate_to_sms(now, enqueue)),
        "members": len(escalate_to_members(now, enqueue)),
    }
