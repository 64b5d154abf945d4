"""What people do with alerts: officials issue and preview manual alerts and re-send failed
deliveries, users read their inbox and choose their channels, organization admins register
webhooks."""

from datetime import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import audience as audiences
from alerts import preferences as prefs
from alerts import tasks
from alerts.actions import DELIVERY
from alerts.channels import check_public_url
from alerts.models import (
    URGENT_LEVELS,
    Alert,
    Channel,
    Delivery,
    Level,
    MsgType,
    Preference,
    Webhook,
)
from alerts.services.outbox import notify
from core import permissions as perms
from core.audit import record
from core.roles import Role
from core.states import move, move_rows
from registry.choices import OrganizationKind
from registry.models import Organization
from registry.queries import acting_organization

Status = Delivery.Status


def check_exercise(*, exercise: bool, public: bool, incident_ref: dict[str, Any] | None) -> None:
    """A real alert cannot name an exercise incident, and an exercise alert names one (so that
    a drill never reaches the real audience and a real alert is never mistaken for a drill); an
    exercise alert is never public."""
    about_exercise = bool(incident_ref and incident_ref.get("is_exercise"))
    if about_exercise and not exercise:
        raise ValidationError(
            {"incident": [_("This incident is an exercise: only an exercise alert may name it.")]}
        )
    if exercise and not about_exercise:
        raise ValidationError({"exercise": [_("An exercise alert names an exercise incident.")]})
    if exercise and public:
        raise ValidationError({"public": [_("An exercise alert is never public.")]})


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
    exercise: bool = False,
) -> Alert:
    """An official's manual alert: only officials, only to regions and organizations inside
    their jurisdiction. An audience that names no target means the whole jurisdiction and must
    say so with ``"everyone": true`` (see ``_manual_audience``).

    The alert keeps every region (``region_code`` first, then the audience's regions; the
    official's jurisdictions when the audience names none). Without ``basis`` the audience
    selects by filings when ``incident_ref`` is an incident whose response is under way, else
    by registration (``default_basis``)."""
    if not perms.is_official(by):
        raise PermissionDenied(_("Only officials issue alerts."))
    check_exercise(exercise=exercise, public=public, incident_ref=incident_ref)
    audience = with_default_basis(audience, incident_ref)
    audience, cleaned = _manual_audience(by, audience)
    jurisdictions = perms.jurisdictions(by)
    if region_code and not perms.is_official_for(by, region_code):
        raise ValidationError({"region_code": [_("Outside your jurisdiction.")]})
    regions = list(dict.fromkeys([*([region_code] if region_code else []), *audience["regions"]]))
    regions = regions or list(jurisdictions)
    region_code = regions[0]
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
            regions=regions,
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
                "regions": alert.regions,
                "basis": cleaned["basis"],
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


def _manual_audience(by: Any, audience: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a manual alert's audience (shape, unknown keys, jurisdiction) and return it as it is
    to be resolved, with its cleaned form.

    An audience naming no target (regions, organizations, officials_for, specialties, users)
    reaches the official's whole jurisdiction, so it needs ``"everyone": true``; a mistyped key
    is refused by ``audiences.clean`` instead of silently meaning everyone. ``everyone`` with a
    target is contradictory and refused too. Specialties without regions are looked for inside
    the jurisdiction."""
    cleaned = audiences.clean(audience)
    _require_audience_in_jurisdiction(by, cleaned)
    targeted = audiences.has_target(cleaned)
    if cleaned["everyone"] and targeted:
        raise ValidationError(
            {
                "everyone": [
                    _("“Everyone” cannot be combined with a region, organization or specialty.")
                ]
            }
        )
    if not targeted and not cleaned["everyone"]:
        raise ValidationError(
            {
                "everyone": [
                    _(
                        "No region, organization, officials or specialty chosen: this alert would "
                        "reach your whole jurisdiction. Confirm with “everyone”."
                    )
                ]
            }
        )
    if not cleaned["regions"] and (cleaned["specialties"] or cleaned["kinds"] or not targeted):
        audience = {**audience, "regions": list(perms.jurisdictions(by))}
    else:
        audience = {**audience, "regions": cleaned["regions"]}
    return audience, cleaned


# Incident statuses in which a response is under way: a manual alert tied to such an incident
# selects by filings unless it says otherwise.
RESPONSE_UNDER_WAY = ("responding", "resettlement", "recovery")


def default_basis(incident_ref: dict[str, Any] | None) -> str:
    """``filings`` when the alert names an incident whose response is under way (the teams are
    where their approved filings put them, not where they are registered), else
    ``registered``."""
    if incident_ref and incident_ref.get("status") in RESPONSE_UNDER_WAY:
        return audiences.BASIS_FILINGS
    return audiences.BASIS_REGISTERED


def with_default_basis(audience: Any, incident_ref: dict[str, Any] | None) -> Any:
    """The audience with its ``basis`` (and the incident whose filings count) filled in."""
    if not isinstance(audience, dict):
        return audience
    audience = dict(audience)
    if not audience.get("basis"):
        audience["basis"] = default_basis(incident_ref)
    if incident_ref and incident_ref.get("id") and audience.get("incident") is None:
        audience["incident"] = incident_ref["id"]
    return audience


def preview(
    *,
    by: Any,
    audience: dict[str, Any],
    incident_ref: dict[str, Any] | None = None,
    channels: list[str] | None = None,
) -> dict[str, Any]:
    """Who a manual alert would reach (officials only, for an audience inside their
    jurisdiction, as for issuing): counts, and per channel the people and organizations reached
    and those who cannot be (``alerts.audience.reach_report``). A fixed number of queries."""
    if not perms.is_official(by):
        raise PermissionDenied(_("Only officials issue alerts."))
    audience = with_default_basis(audience, incident_ref)
    audience, cleaned = _manual_audience(by, audience)
    found = audiences.resolve(audience)
    found.everyone = cleaned["everyone"]
    report = audiences.reach_report(found, channels)
    report["basis"] = cleaned["basis"]
    report["regions"] = audience["regions"]
    return report


def can_see_deliveries(user: Any, alert: Alert) -> bool:
    """Officials see the delivery status of alerts in their jurisdiction, and their own."""
    if not perms.is_official(user):
        return False
    if alert.created_by_id == user.pk:
        return True
    return any(perms.is_official_for(user, code) for code in alert.all_regions)


def mark_read(*, delivery: Delivery, by: Any) -> Delivery:
    """A user marks an in-app alert of their own as read; reading twice changes nothing."""
    DELIVERY["read"].who(by, delivery)
    if delivery.status == Status.READ:
        return delivery
    DELIVERY.check("read", by, delivery)
    now = timezone.now()
    move_rows(
        Delivery.objects.filter(pk=delivery.pk), Status.READ, expect=delivery.status, read_at=now
    )
    delivery.status, delivery.read_at = Status.READ, now
    return delivery


def mark_all_read(*, by: Any) -> int:
    """Mark every unread in-app alert of the user as read."""
    return move_rows(
        Delivery.objects.filter(user=by, channel=Channel.IN_APP),
        Status.READ,
        expect=Status.SENT,
        read_at=timezone.now(),
    )


def retry_delivery(*, delivery: Delivery, by: Any) -> Delivery:
    """An official re-sends a failed delivery of an alert they may see (attempts start over)."""
    if not can_see_deliveries(by, delivery.alert):
        raise PermissionDenied(_("Not in your jurisdiction."))
    with transaction.atomic():
        locked = Delivery.objects.select_related("alert").get(pk=delivery.pk)
        DELIVERY.check("retry", by, locked)
        move(
            locked,
            Status.PENDING,
            by=by,
            action="alert.delivery_retry",
            changes={"attempts": 0, "claim_token": None, "next_attempt_at": timezone.now()},
            region_code=delivery.alert.region_code,
        )
        if not locked.digest:
            transaction.on_commit(lambda: tasks.enqueue([locked.pk]), robust=True)
    return locked


def set_preferences(
    *,
    user: Any,
    email: bool,
    sms: bool,
    phone: str = "",
    digest_levels: list[str] | None = None,
    channels_by_type: dict[str, list[str]] | None = None,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
) -> Preference:
    """A user's channels and digest; red and orange can never be held for the digest.

    ``channels_by_type`` chooses the channels of each automatic alert type (missing types keep
    what they had, in-app is always on; ``alerts.preferences.clean_channels_by_type``);
    ``None`` keeps the current choice. Quiet hours need both ends (or neither) and two
    different times; a window may cross midnight. ``sms`` / ``email`` stay master switches:
    with SMS off, the SMS ticks per type are kept but wait until SMS is turned on again (the
    page says so)."""
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
    if (quiet_start is None) != (quiet_end is None) or (
        quiet_start is not None and quiet_start == quiet_end
    ):
        raise ValidationError(
            {"quiet_end": [_("Quiet hours need a start and a different end, or neither.")]}
        )
    current = preferences_of(user)
    matrix = (
        prefs.clean_channels_by_type(channels_by_type)
        if channels_by_type is not None
        else prefs.clean_channels_by_type(current.channels_by_type or {})
    )
    with transaction.atomic():
        pref, _created = Preference.objects.update_or_create(
            user=user,
            defaults={
                "email": email,
                "sms": sms,
                "phone": phone,
                "digest_levels": digest_levels,
                "channels_by_type": matrix,
                "quiet_start": quiet_start,
                "quiet_end": quiet_end,
            },
        )
    return pref


def preferences_of(user: Any) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user, sms=False)


def register_webhook(*, organization: Organization, url: str, secret: str, by: Any) -> Webhook:
    """An organization admin registers the endpoint for signed deliveries; it replaces the
    previous one. The URL must pass the SSRF guard. Any organization, whatever its kind or
    status, may receive its alerts: ``acting_organization`` with the admin role only."""
    try:
        acting_organization(
            by, organization, roles=[Role.ADMIN], verified=False, kinds=OrganizationKind.values
        )
    except PermissionDenied:
        raise PermissionDenied(_("Only the organization's admins register webhooks.")) from None
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
