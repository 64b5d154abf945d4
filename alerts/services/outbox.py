"""The outbox writer: ``notify``, the one entry point every app uses to tell people something.

``notify`` writes the Alert and its Delivery rows in the caller's transaction (one bulk INSERT;
in-app rows are written ``sent``: the row is the message, no task) and only schedules sending of
the external ones with ``transaction.on_commit`` (``alerts.tasks.enqueue``: one task per batch
of ids); nothing is sent when the caller's transaction rolls back. The worker side is
``alerts.delivery``.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import audience as audiences
from alerts import exercises, preferences, sms, tasks
from alerts.models import (
    Alert,
    AlertType,
    Channel,
    Delivery,
    Level,
    MsgType,
    Preference,
    Webhook,
)
from core import regions as region_rules

Status = Delivery.Status


def notify(
    *,
    title: str,
    body: str = "",
    link: str = "",
    level: str = "blue",
    audience: dict[str, Any],
    channels: tuple[str, ...] | list[str] = ("in_app",),
    public: bool = False,
    incident_ref: dict[str, Any] | None = None,
    actor: Any = None,
    title_en: str = "",
    body_en: str = "",
    region_code: str = "",
    msg_type: str = MsgType.ALERT,
    references: Alert | None = None,
    kind: str = "",
    regions: list[str] | None = None,
) -> Alert:
    """Record an alert for an audience, inside the caller's transaction.

    ``kind`` (``AlertType``: mobilization, assignment, approval, deadline, digest) makes it an
    automatic alert: each person gets it on the channels they chose for that type
    (``alerts.preferences``), and unread mobilizations and assignments escalate
    (``alerts.escalation``). ``regions``: every region the alert is about (default: the
    audience's regions; ``region_code`` or the incident's region comes first and is kept).

    ``audience`` holds plain values (alerts imports no domain app):
      users: [user ids]                     explicit people
      organizations: [organization ids]     their members (restricted by ``roles`` if given)
      roles: ["admin", "member", ...]      which membership roles inside the selected orgs
      regions: ["510000", ...]              organizations whose region lies under these codes
      specialties: ["water_rescue", ...]    organizations with a current capability in one of them
      officials_for: "511826"               officials whose jurisdiction covers this region code
      verified_only: true (default)         only verified organizations
    ``incident_ref`` (for CAP): {"id", "title", "kind", "subtype", "grade", "region_code",
      "latitude", "longitude"}.

    Writes one Alert and one Delivery per recipient x channel (webhooks: per selected
    organization with an active webhook) and sends them after commit; nothing is sent if the
    caller's transaction rolls back.

    An alert about an exercise incident (``incident_ref["is_exercise"]``) is an exercise alert
    whoever sends it: titled 【演练】, never public, and only the members of the drill's
    participating organizations among the audience receive it (``alerts.exercises``).
    """
    if level not in Level.values:
        raise ValidationError({"level": [_("Unknown level: %(value)s.") % {"value": level}]})
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValidationError(
            {"channels": [_("Unknown channel: %(value)s.") % {"value": unknown[0]}]}
        )
    if kind and kind not in AlertType.values:
        raise ValidationError({"kind": [_("Unknown alert type: %(value)s.") % {"value": kind}]})
    recipients = audiences.resolve(audience)
    incident_ref = incident_ref or None
    is_exercise = exercises.is_exercise(incident_ref)
    if is_exercise:
        title, title_en = exercises.titled(title), exercises.titled_en(title_en)
        public = False
        recipients = exercises.only_participants(recipients, incident_ref)
    if not region_code and incident_ref:
        region_code = str(incident_ref.get("region_code") or "")
    regions = alert_regions(regions, audience, region_code)
    region_code = region_code or (regions[0] if regions else "")
    with transaction.atomic():
        alert = Alert.objects.create(
            title=title[:200],
            body=body,
            link=link,
            level=level,
            audience=audience,
            channels=preferences.alert_channels(kind, channels),
            alert_type=kind,
            is_exercise=is_exercise,
            regions=regions,
            public=public,
            incident_ref=incident_ref,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            title_en=title_en[:200],
            body_en=body_en,
            region_code=region_code if region_rules.is_valid_code(region_code) else "",
            msg_type=msg_type,
            references=references,
            recipient_count=recipients.people,
            organization_count=recipients.organizations,
        )
        deliveries = _build_deliveries(alert, recipients)
        Delivery.objects.bulk_create(deliveries, batch_size=500)
        due = [d.pk for d in deliveries if d.status == Status.PENDING and not d.digest]
        if due and any(pk is None for pk in due):  # a backend that returns no ids
            due = list(
                alert.deliveries.filter(status=Status.PENDING, digest=False).values_list(
                    "pk", flat=True
                )
            )
        if due:
            transaction.on_commit(lambda: tasks.enqueue(due), robust=True)
    return alert


def notify_contact(
    *,
    title: str,
    template: str,
    params: dict[str, str],
    channel: str,
    address: str,
    organization_id: int,
    link: str = "",
    actor: Any = None,
) -> Alert:
    """Tell someone who has no account (a donor) at one address, inside the caller's
    transaction: one Alert whose body is the SMS template filled in (an ``SmsTemplate`` row or
    one registered in ``alerts.sms``) and one Delivery to ``address``, sent after commit like
    every other delivery (claim, retries, sweep).

    The delivery is written on behalf of ``organization_id`` (the organization that asked for
    it: a delivery always names a user or an organization); the address lives only on the
    delivery row. The caller checks consent; this function only sends.
    """
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise ValidationError({"channel": [_("Unknown channel: %(value)s.") % {"value": channel}]})
    registered = sms.find(template)
    if registered is None:
        raise ValidationError({"template": [_("Unknown SMS template.")]})
    missing = [name for name in registered.variables if name not in params]
    if missing:
        raise ValidationError(
            {"params": [_("Missing template parameter: %(name)s.") % {"name": missing[0]}]}
        )
    with transaction.atomic():
        alert = Alert.objects.create(
            title=title[:200],
            body=registered.render(params),
            link=link,
            level=Level.BLUE,
            audience={},
            channels=[channel],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            template=registered.code,
            template_params=params,
            recipient_count=1,
        )
        delivery = Delivery.objects.create(
            alert=alert,
            organization_id=organization_id,
            channel=channel,
            address=address,
            next_attempt_at=timezone.now(),
        )
        transaction.on_commit(lambda: tasks.enqueue([delivery.pk]), robust=True)
    return alert


def alert_regions(regions: list[str] | None, audience: dict, region_code: str) -> list[str]:
    """Every valid region of an alert without repeats: ``region_code`` first when given (the
    caller's or the incident's), then ``regions``, else the audience's regions."""
    given = list(regions or (audience.get("regions") if isinstance(audience, dict) else []) or [])
    if region_code:
        given = [region_code, *given]
    return [code for code in dict.fromkeys(given) if region_rules.is_valid_code(str(code))]


def _build_deliveries(alert: Alert, recipients: audiences.Recipients) -> list[Delivery]:
    now = timezone.now()
    channels = alert.channels
    rows: list[Delivery] = []
    person_channels = [c for c in channels if c != Channel.WEBHOOK]
    if recipients.user_ids and person_channels:
        users = (
            get_user_model()
            .objects.filter(pk__in=recipients.user_ids)
            .select_related("alert_preference")
        )
        for user in users:
            pref = getattr(user, "alert_preference", None) or Preference(user=user)
            for channel in person_channels:
                if channel == Channel.IN_APP:
                    rows.append(
                        Delivery(
                            alert=alert,
                            user=user,
                            organization_id=recipients.user_orgs.get(user.pk),
                            channel=channel,
                            status=Status.SENT,
                            sent_at=now,
                            next_attempt_at=now,
                        )
                    )
                    continue
                address = user.email if channel == Channel.EMAIL else pref.phone
                if not preferences.wants(pref, alert, channel) or not address:
                    continue
                rows.append(
                    Delivery(
                        alert=alert,
                        user=user,
                        organization_id=recipients.user_orgs.get(user.pk),
                        channel=channel,
                        address=address,
                        **preferences.schedule(pref, alert, channel, now),
                    )
                )
    if Channel.WEBHOOK in channels and recipients.organization_ids:
        for webhook in Webhook.objects.filter(
            organization_id__in=recipients.organization_ids, active=True
        ):
            rows.append(
                Delivery(
                    alert=alert,
                    organization_id=webhook.organization_id,
                    webhook=webhook,
                    channel=Channel.WEBHOOK,
                    address=webhook.url,
                    next_attempt_at=now,
                )
            )
    return rows
