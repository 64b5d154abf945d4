"""The one entry point every app uses to tell people something (``notify``), the manual alerts
of officials, preferences, webhooks, and the delivery engine the Celery tasks call.

Delivery is a transactional outbox: ``notify`` writes the Alert and its Delivery rows in the
caller's transaction and only schedules sending with ``transaction.on_commit``. A worker claims
a row with a conditional UPDATE (only a row count of 1 proceeds), sends outside any transaction,
and records the outcome; ``requeue_stuck`` (a beat job) re-queues what a broker or a worker lost.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import audience as audiences
from alerts.channels import CHANNELS, DeliveryError, check_public_url
from alerts.models import (
    DIGESTIBLE_LEVELS,
    URGENT_LEVELS,
    Alert,
    Channel,
    Delivery,
    Level,
    MsgType,
    Preference,
    Webhook,
)
from core import permissions as perms
from core import regions as region_rules
from core.audit import record
from core.states import check_transition
from registry.models import Organization

logger = logging.getLogger("tongzhou.alerts")
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
) -> Alert:
    """Record an alert for an audience, inside the caller's transaction.

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
    """
    if level not in Level.values:
        raise ValidationError({"level": [_("Unknown level: %(value)s.") % {"value": level}]})
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValidationError(
            {"channels": [_("Unknown channel: %(value)s.") % {"value": unknown[0]}]}
        )
    recipients = audiences.resolve(audience)
    incident_ref = incident_ref or None
    if not region_code and incident_ref:
        region_code = str(incident_ref.get("region_code") or "")
    with transaction.atomic():
        alert = Alert.objects.create(
            title=title[:200],
            body=body,
            link=link,
            level=level,
            audience=audience,
            channels=list(dict.fromkeys(channels)),
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
            transaction.on_commit(lambda: enqueue(due), robust=True)
    return alert


def next_digest_time(now=None):
    """The top of the next hour: when the hourly digest goes out."""
    now = now or timezone.now()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


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
                            channel=channel,
                            status=Status.SENT,
                            sent_at=now,
                            next_attempt_at=now,
                        )
                    )
                    continue
                address = user.email if channel == Channel.EMAIL else pref.phone
                if not pref.wants(channel) or not address:
                    continue
                digest = alert.level in DIGESTIBLE_LEVELS and alert.level in pref.digest_levels
                rows.append(
                    Delivery(
                        alert=alert,
                        user=user,
                        channel=channel,
                        address=address,
                        digest=digest,
                        next_attempt_at=next_digest_time(now) if digest else now,
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


# --- Sending ------------------------------------------------------------------------------------


def enqueue(delivery_ids: list[int], countdown: float | None = None) -> int:
    """Hand deliveries to the broker over one connection; when the broker is down, give up
    at once (the rows stay pending and the sweep re-queues them). Returns how many were queued."""
    from alerts.tasks import send_delivery

    if not delivery_ids:
        return 0
    celery_app = send_delivery.app
    if celery_app.conf.task_always_eager:
        for pk in delivery_ids:
            send_delivery.apply_async(args=[pk], countdown=countdown)
        return len(delivery_ids)
    queued = 0
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0.2, timeout=2)
            for pk in delivery_ids:
                send_delivery.apply_async(
                    args=[pk], countdown=countdown, retry=False, connection=conn
                )
                queued += 1
    except Exception:  # broker down or lost mid-way: the sweep picks the rest up
        logger.warning(
            "broker unavailable: %d deliveries left for the sweep",
            len(delivery_ids) - queued,
            exc_info=True,
        )
    return queued


def claim(queryset) -> uuid.UUID | None:
    """Atomically move due pending rows of ``queryset`` to ``sending`` under a fresh token.
    Returns the token when at least one row was claimed (two workers never claim the same row:
    the UPDATE's WHERE status='pending' lets exactly one of them change it)."""
    token = uuid.uuid4()
    now = timezone.now()
    count = queryset.filter(status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
    )
    return token if count else None


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: base x 2^(attempts-1), capped at one hour."""
    return min(settings.TONGZHOU_ALERTS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)


def deliver(delivery_id: int) -> str:
    """Claim one delivery, send it outside any transaction, record sent / retry / failed.
    Returns what happened ("skipped" when another worker has it or it is not due)."""
    token = claim(Delivery.objects.filter(pk=delivery_id, digest=False))
    if token is None:
        return "skipped"
    delivery = Delivery.objects.select_related("alert", "user", "organization", "webhook").get(
        pk=delivery_id
    )
    try:
        CHANNELS[delivery.channel].send(delivery)
    except DeliveryError as exc:
        return _record_failure([delivery], token, exc)
    except Exception as exc:  # a bug in a channel must not leave the row in `sending`
        logger.exception("delivery %s crashed", delivery_id)
        return _record_failure([delivery], token, DeliveryError(repr(exc)))
    _record_sent([delivery_id], token)
    return "sent"


def _record_sent(ids: list[int], token: uuid.UUID) -> None:
    Delivery.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _record_failure(deliveries: list[Delivery], token: uuid.UUID, exc: DeliveryError) -> str:
    ids = [d.pk for d in deliveries]
    attempts = max(d.attempts for d in deliveries)
    mine = Delivery.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING)
    if exc.permanent or attempts >= settings.TONGZHOU_ALERTS_MAX_ATTEMPTS:
        mine.update(status=Status.FAILED, last_error=str(exc)[:1000])
        return "failed"
    delay = backoff(attempts)
    changed = mine.update(
        status=Status.PENDING,
        claim_token=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=str(exc)[:1000],
    )
    if changed and not deliveries[0].digest:
        enqueue(ids, countdown=delay)
    return "retry"


def send_digests(now=None) -> int:
    """Send every due hourly digest: one message per user and channel, all its rows at once.
    Returns the number of digests sent."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(digest=True, status=Status.PENDING, next_attempt_at__lte=now)
        .values_list("user_id", "channel")
        .distinct()
    )
    sent = 0
    for user_id, channel in list(due):
        token = claim(Delivery.objects.filter(digest=True, user_id=user_id, channel=channel))
        if token is None:
            continue
        rows = list(
            Delivery.objects.filter(claim_token=token, status=Status.SENDING)
            .select_related("alert")
            .order_by("alert__created_at", "pk")
        )
        if not rows:
            continue
        try:
            CHANNELS[channel].send_digest(rows)
        except DeliveryError as exc:
            _record_failure(rows, token, exc)
            continue
        _record_sent([d.pk for d in rows], token)
        sent += 1
    return sent


def requeue_stuck(
    *,
    visibility_timeout: float | None = None,
    pending_after: float | None = None,
    limit: int = 5000,
) -> int:
    """The sweep: rows left in ``sending`` past the visibility timeout (their worker died) go
    back to ``pending`` (or ``failed`` once out of attempts); due ``pending`` rows older than
    ``pending_after`` seconds (their broker message was lost) are queued again. Sending stays
    idempotent because every send starts with a claim. Returns how many were queued."""
    now = timezone.now()
    visibility = (
        settings.TONGZHOU_ALERTS_VISIBILITY_TIMEOUT
        if visibility_timeout is None
        else visibility_timeout
    )
    pending_after = (
        settings.TONGZHOU_ALERTS_REQUEUE_AFTER if pending_after is None else pending_after
    )
    cutoff = now - timedelta(seconds=visibility)
    stuck = Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    stuck_ids = list(stuck.order_by("pk").values_list("pk", flat=True)[:limit])
    stuck = stuck.filter(pk__in=stuck_ids)
    stuck.filter(attempts__gte=settings.TONGZHOU_ALERTS_MAX_ATTEMPTS).update(
        status=Status.FAILED, last_error="worker lost the delivery too many times"
    )
    revived = list(stuck.values_list("pk", flat=True))
    stuck.update(status=Status.PENDING, claim_token=None, next_attempt_at=now)
    due = revived + list(
        Delivery.objects.filter(
            status=Status.PENDING,
            digest=False,
            next_attempt_at__lte=now - timedelta(seconds=pending_after),
        )
        .exclude(pk__in=revived)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    digests_due = Delivery.objects.filter(
        status=Status.PENDING,
        digest=True,
        next_attempt_at__lte=now - timedelta(seconds=pending_after),
    ).exists()
    if digests_due:
        from alerts.tasks import send_digests_task

        try:
            send_digests_task.apply_async(retry=False)
        except Exception:
            logger.warning("broker unavailable: digests wait for the next sweep", exc_info=True)
    return enqueue(due)


# --- Actions of people ---------------------------------------------------------------------------


def issue_alert(
    *,
    by: Any,
    title: str,
    body: str,
    level: str,
    audience: dict[str, Any],
    channels: list[str],
    public: bool = False,
    incident_ref: dict[str, Any] | None = None,
    title_en: str = "",
    body_en: str = "",
    region_code: str = "",
    msg_type: str = MsgType.ALERT,
    references: Alert | None = None,
) -> Alert:
    """An official's manual alert: only officials, only to regions and organizations inside
    their jurisdiction (an audience without regions means the whole jurisdiction)."""
    if not perms.is_official(by):
        raise PermissionDenied(_("Only officials issue alerts."))
    cleaned = audiences.clean(audience)
    jurisdictions = perms.jurisdictions(by)
    _require_audience_in_jurisdiction(by, cleaned)
    if not cleaned["regions"] and (cleaned["specialties"] or not _has_target(cleaned)):
        audience = {**audience, "regions": jurisdictions}
    if region_code and not perms.is_official_for(by, region_code):
        raise ValidationError({"region_code": [_("Outside your jurisdiction.")]})
    region_code = region_code or (cleaned["regions"] or jurisdictions)[0]
    if references is not None:
        if msg_type == MsgType.ALERT:
            msg_type = MsgType.UPDATE
        if not can_see_deliveries(by, references):
            raise ValidationError({"references": [_("No such alert.")]})
    elif msg_type != MsgType.ALERT:
        raise ValidationError({"references": [_("An update or cancellation names its alert.")]})
    with transaction.atomic():
        alert = notify(
            title=title,
            body=body,
            link="",
            level=level,
            audience=audience,
            channels=channels,
            public=public,
            incident_ref=incident_ref,
            actor=by,
            title_en=title_en,
            body_en=body_en,
            region_code=region_code,
            msg_type=msg_type,
            references=references,
        )
        alert.link = f"/alerts/{alert.pk}/"
        alert.save(update_fields=["link"])
        record(
            actor=by,
            action="alert.issue",
            target=alert,
            region_code=alert.region_code,
            data={
                "level": level,
                "public": public,
                "msg_type": msg_type,
                "people": alert.recipient_count,
                "organizations": alert.organization_count,
            },
        )
    return alert


def _require_audience_in_jurisdiction(by: Any, cleaned: dict) -> None:
    """Regions, organizations and officials named in an audience must lie in the official's
    jurisdiction (for issuing and for previewing alike: a count is information too)."""
    outside = [r for r in cleaned["regions"] if not perms.is_official_for(by, r)]
    if outside:
        raise ValidationError(
            {
                "audience": [
                    _("Region %(code)s is outside your jurisdiction.") % {"code": outside[0]}
                ]
            }
        )
    if cleaned["organizations"]:
        foreign = Organization.objects.filter(pk__in=cleaned["organizations"]).values_list(
            "pk", "region_code"
        )
        found = dict(foreign)
        bad = [
            pk
            for pk in cleaned["organizations"]
            if pk not in found or not perms.is_official_for(by, found[pk])
        ]
        if bad:
            raise ValidationError(
                {
                    "audience": [
                        _("Organization %(id)s is outside your jurisdiction.") % {"id": bad[0]}
                    ]
                }
            )
    if cleaned["officials_for"] and not perms.is_official_for(by, cleaned["officials_for"]):
        raise ValidationError({"audience": [_("That region is outside your jurisdiction.")]})


def _has_target(cleaned: dict) -> bool:
    return bool(cleaned["users"] or cleaned["organizations"] or cleaned["officials_for"])


def preview(*, by: Any, audience: dict[str, Any]) -> audiences.Recipients:
    """How many people and organizations a manual alert would reach (officials only, for an
    audience inside their jurisdiction, as for issuing)."""
    if not perms.is_official(by):
        raise PermissionDenied(_("Only officials issue alerts."))
    cleaned = audiences.clean(audience)
    _require_audience_in_jurisdiction(by, cleaned)
    if not cleaned["regions"] and (cleaned["specialties"] or not _has_target(cleaned)):
        audience = {**audience, "regions": perms.jurisdictions(by)}
    return audiences.resolve(audience)


def can_see_deliveries(user: Any, alert: Alert) -> bool:
    """Officials see the delivery status of alerts in their jurisdiction, and their own."""
    if not perms.is_official(user):
        return False
    if alert.created_by_id == user.pk:
        return True
    return bool(alert.region_code) and perms.is_official_for(user, alert.region_code)


def mark_read(*, delivery: Delivery, by: Any) -> Delivery:
    """A user marks an in-app alert of their own as read; reading twice changes nothing."""
    if delivery.user_id != getattr(by, "pk", None) or delivery.channel != Channel.IN_APP:
        raise PermissionDenied(_("Not your message."))
    if delivery.status == Status.READ:
        return delivery
    check_transition(Delivery.TRANSITIONS, delivery.status, Status.READ, label=_("Delivery"))
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
        status=Status.READ, read_at=now
    )
    delivery.status, delivery.read_at = Status.READ, now
    return delivery


def mark_all_read(*, by: Any) -> int:
    """Mark every unread in-app alert of the user as read."""
    return Delivery.objects.filter(user=by, channel=Channel.IN_APP, status=Status.SENT).update(
        status=Status.READ, read_at=timezone.now()
    )


def retry_delivery(*, delivery: Delivery, by: Any) -> Delivery:
    """An official re-sends a failed delivery of an alert they may see (attempts start over)."""
    if not can_see_deliveries(by, delivery.alert):
        raise PermissionDenied(_("Not in your jurisdiction."))
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        check_transition(Delivery.TRANSITIONS, locked.status, Status.PENDING, label=_("Delivery"))
        locked.status, locked.attempts, locked.claim_token = Status.PENDING, 0, None
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "claim_token", "next_attempt_at"])
        record(
            actor=by,
            action="alert.delivery_retry",
            target=locked,
            region_code=delivery.alert.region_code,
            from_status=Status.FAILED,
            to_status=Status.PENDING,
        )
        if not locked.digest:
            transaction.on_commit(lambda: enqueue([locked.pk]), robust=True)
    return locked


def set_preferences(
    *,
    user: Any,
    email: bool,
    sms: bool,
    phone: str = "",
    digest_levels: list[str] | None = None,
) -> Preference:
    """A user's channels and digest; red and orange can never be held for the digest."""
    digest_levels = list(dict.fromkeys(digest_levels or []))
    urgent = [lvl for lvl in digest_levels if lvl in URGENT_LEVELS]
    if urgent or any(lvl not in Level.values for lvl in digest_levels):
        raise ValidationError(
            {"digest_levels": [_("Only yellow and blue alerts can wait for the hourly digest.")]}
        )
    phone = phone.strip().replace(" ", "").replace("-", "")
    if phone and not (phone.lstrip("+").isdigit() and 6 <= len(phone) <= 20):
        raise ValidationError({"phone": [_("Enter a mobile phone number.")]})
    if sms and not phone:
        raise ValidationError({"phone": [_("SMS needs a mobile phone number.")]})
    with transaction.atomic():
        pref, _created = Preference.objects.update_or_create(
            user=user,
            defaults={"email": email, "sms": sms, "phone": phone, "digest_levels": digest_levels},
        )
    return pref


def preferences_of(user: Any) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user, sms=False)


def register_webhook(*, organization: Organization, url: str, secret: str, by: Any) -> Webhook:
    """An organization admin registers the endpoint for signed deliveries; it replaces the
    previous one. The URL must pass the SSRF guard."""
    if not perms.is_org_admin(by, organization):
        raise PermissionDenied(_("Only the organization's admins register webhooks."))
    try:
        check_public_url(url)
    except ValueError as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    if len(secret) < 16:
        raise ValidationError({"secret": [_("Use a secret of at least 16 characters.")]})
    with transaction.atomic():
        Webhook.objects.filter(organization=organization, active=True).update(active=False)
        webhook = Webhook.objects.create(
            organization=organization, url=url, secret=secret, created_by=by
        )
        record(
            actor=by,
            action="alert.webhook_register",
            target=webhook,
            organization_id=organization.pk,
            region_code=organization.region_code,
            data={"url": url},
        )
    return webhook
