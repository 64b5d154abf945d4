"""Which of a person's channels an alert takes, and when: alert types and quiet hours.

Decisions (docs/alerts.md, "Preferences"):
- In-app is always on: the inbox is the record of every alert, and escalation is keyed on it.
- The switches ``Preference.email`` / ``Preference.sms`` (with a phone number) are master
  switches: off means never on that channel, whatever the type.
- A manual alert (no ``alert_type``) goes on the channels the official ticked, subject to the
  master switches (as before).
- An automatic alert with a type goes on the channels the person chose for that type
  (``Preference.channels_by_type``, defaults in ``alerts.models.default_channels_by_type``),
  subject to the master switches; the caller's ``channels`` do not widen or narrow that (except
  ``webhook``, which is the organization's, not the person's).
- Quiet hours (local time, ``TIME_ZONE`` = Asia/Shanghai; a window may cross midnight, e.g.
  22:00-07:00): SMS and e-mail are written ``pending`` with ``next_attempt_at`` at the end of
  the window, except red/orange mobilizations and red/orange manual alerts (an official's red
  warning is exactly what must wake people). Held rows are sent by the sweep once due.
"""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from alerts.models import (
    DIGESTIBLE_LEVELS,
    PERSON_CHANNELS,
    URGENT_LEVELS,
    Alert,
    AlertType,
    Channel,
    Preference,
    default_channels_by_type,
)


def alert_channels(alert_type: str, channels: list[str] | tuple[str, ...]) -> list[str]:
    """The channels recorded on an alert: a typed alert may use every person channel (each
    person's preferences choose), plus ``webhook`` when the caller asked for it."""
    channels = list(dict.fromkeys(channels))
    if not alert_type:
        return channels
    extra = [c for c in channels if c == Channel.WEBHOOK]
    return [*PERSON_CHANNELS, *extra]


def chosen_channels(pref: Preference, alert_type: str) -> list[str]:
    """The channels a person chose for ``alert_type`` (in-app always included)."""
    matrix = pref.channels_by_type or {}
    chosen = matrix.get(alert_type)
    if chosen is None:
        chosen = default_channels_by_type().get(alert_type, [Channel.IN_APP.value])
    return [Channel.IN_APP.value, *[c for c in chosen if c != Channel.IN_APP]]


def wants(pref: Preference, alert: Alert, channel: str) -> bool:
    """Whether this person takes ``alert`` on ``channel`` (master switch, then the type)."""
    if channel == Channel.IN_APP:
        return True
    if not pref.wants(channel):
        return False
    if alert.alert_type:
        return channel in chosen_channels(pref, alert.alert_type)
    return True


def in_quiet_hours(pref: Preference, now: datetime) -> datetime | None:
    """The end of the quiet window ``now`` falls in (aware datetime), or None."""
    start, end = pref.quiet_start, pref.quiet_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # crosses midnight
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    naive = datetime.combine(end_day, end)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def next_digest_time(now: datetime | None = None) -> datetime:
    """The top of the next hour: when the hourly digest goes out."""
    now = now or timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def breaks_quiet_hours(alert: Alert) -> bool:
    """Red and orange mobilizations and manual alerts go out even in quiet hours."""
    return alert.level in URGENT_LEVELS and alert.alert_type in ("", AlertType.MOBILIZATION)


def schedule(pref: Preference, alert: Alert, channel: str, now: datetime) -> dict[str, Any]:
    """``digest`` and ``next_attempt_at`` of a pending SMS / e-mail row for this person."""
    digest = alert.level in DIGESTIBLE_LEVELS and alert.level in (pref.digest_levels or [])
    when = next_digest_time(now) if digest else now
    if not breaks_quiet_hours(alert):
        quiet_end = in_quiet_hours(pref, now)
        if quiet_end is not None and quiet_end > when:
            when = quiet_end
    return {"digest": digest, "next_attempt_at": when}


def clean_channels_by_type(value: Any) -> dict[str, list[str]]:
    """Validate a per-type channel matrix; unknown types or channels are field errors.
    Missing types keep their defaults; in-app is always added."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not isinstance(value, dict):
        raise ValidationError({"channels_by_type": [_("An object is expected.")]})
    unknown = sorted(set(value) - set(AlertType.values))
    if unknown:
        raise ValidationError(
            {"channels_by_type": [_("Unknown alert type: %(value)s.") % {"value": unknown[0]}]}
        )
    matrix = default_channels_by_type()
    for key, channels in value.items():
        if not isinstance(channels, list | tuple) or any(
            c not in PERSON_CHANNELS for c in channels
        ):
            raise ValidationError(
                {
                    "channels_by_type": [
                        _("%(type)s: channels are in_app, sms and email.") % {"type": key}
                    ]
                }
            )
        matrix[key] = [Channel.IN_APP.value, *[c for c in PERSON_CHANNELS[1:] if c in channels]]
    return matrix
