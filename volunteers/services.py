"""Every write about volunteers: a hub registers a volunteer (phone proved by an SMS code),
posts calls for volunteers into an incident area, and volunteers sign up, counted against the
call's slots and the area's capacity of people (docs/coordination.md, "Volunteers and calls").

Decisions where the issue is silent:
- A volunteer belongs to one hub (the hub vouches for the person); the same phone may be
  registered with several hubs, once each.
- The phone is proved by a 6-digit code sent through alerts' SMS templates
  (``volunteer_phone_code``), kept as a keyed hash, valid ``TONGZHOU_VOLUNTEER_CODE_MINUTES``,
  at most ``CODE_ATTEMPTS`` tries, one code per ``CODE_COOLDOWN`` per volunteer.
- A volunteer signs up either through a hub member (who takes the request by phone) or alone on
  the call's page with the phone and a fresh code; only volunteers of the call's hub with a
  proved phone sign up, and the public answer never tells whether a phone is registered.
- Sign-ups count against the call's slots and, with the approved filings' headcount, against the
  area's ``max_people`` (coordination's area capacity; the incident row is locked as for
  filings). Refused when full, with the reason (409).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Channel
from alerts.services import notify_contact
from coordination.models import Deployment, Incident
from core import audit, regions, text, words
from core.models import Region
from core.states import Conflict, InvalidTransition, move
from registry.models import Organization
from registry.queries import acting_hub
from volunteers.models import PhoneCode, SignUp, Volunteer, VolunteerCall
from volunteers.sms import PHONE_CODE

CODE_ATTEMPTS = 5
CODE_COOLDOWN = timedelta(seconds=60)
PHONE_DIGITS = 11


def _hub(by: Any, hub: Any) -> Organization:
    return acting_hub(by, hub)


def _require_hub_member(by: Any, hub: Organization) -> None:
    acting_hub(by, hub)


def clean_phone(phone: str, field: str = "phone") -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces, dashes and +86 removed)."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == PHONE_DIGITS + 2:
        digits = digits[2:]
    if len(digits) != PHONE_DIGITS or not digits.startswith("1"):
        raise ValidationError({field: [_("Enter a mobile number of 11 digits.")]})
    return digits


def _hash(volunteer_id: int, purpose: str, code: str) -> str:
    message = f"{volunteer_id}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _send_code(volunteer: Volunteer, purpose: str, *, call: VolunteerCall | None, by: Any) -> None:
    """Write a fresh code and queue its SMS (after commit, through the alerts outbox)."""
    now = timezone.now()
    last = volunteer.codes.filter(purpose=purpose).order_by("-created_at").first()
    if last is not None and now - last.created_at < CODE_COOLDOWN:
        raise ValidationError(
            {"phone": [_("A code was just sent; wait a minute before asking again.")]}
        )
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.TONGZHOU_VOLUNTEER_CODE_MINUTES
    PhoneCode.objects.create(
        volunteer=volunteer,
        purpose=purpose,
        call=call,
        code_hash=_hash(volunteer.pk, purpose, code),
        expires_at=now + timedelta(minutes=minutes),
    )
    notify_contact(
        title=_("Volunteer phone code"),
        template=PHONE_CODE.code,
        params={"code": code, "minutes": str(minutes)},
        channel=Channel.SMS,
        address=volunteer.phone,
        organization_id=volunteer.hub_id,
        actor=by,
    )


def _check_code(volunteer: Volunteer, purpose: str, code: str, *, call=None) -> PhoneCode:
    """The volunteer's newest live code for ``purpose`` if ``code`` matches; a wrong code
    counts an attempt (written even though the caller's transaction is refused)."""
    row = (
        volunteer.codes.filter(
            purpose=purpose, call=call, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= CODE_ATTEMPTS:
        raise ValidationError({"code": [_("The code has expired: ask for a new one.")]})
    if not hmac.compare_digest(row.code_hash, _hash(volunteer.pk, purpose, str(code).strip())):
        # Outside the caller's atomic block when there is none (pages and API run in autocommit).
        PhoneCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        raise ValidationError({"code": [_("The code is not correct.")]})
    return row


def register_volunteer(
    *,
    by: Any,
    hub: int | str | Organization | None = None,
    name: str,
    phone: str,
    region_code: str,
    skills: list[str] | None = None,
) -> Volunteer:
    """A member of a hub registers a volunteer by real name and phone; an SMS code goes to the
    phone, and the volunteer counts only once the code is entered (``verify_phone``)."""
    hub = _hub(by, hub)
    name = text.check_name("name", name)
    phone = clean_phone(phone)
    if (
        not regions.is_valid_code(region_code or "")
        or not Region.objects.filter(code=region_code).exists()
    ):
        raise ValidationError({"region_code": [_("Unknown administrative region code.")]})
    skills = [str(s).strip()[:40] for s in skills or [] if str(s).strip()][:20]
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                hub=hub,
                name=name,
                phone=phone,
                skills=skills,
                region_code=region_code,
                registered_by=by,
            )
            audit.record(
                actor=by,
                action="volunteers.registered",
                target=volunteer,
                organization_id=hub.pk,
                region_code=region_code,
            )
            _send_code(volunteer, PhoneCode.Purpose.VERIFY_PHONE, call=None, by=by)
    except IntegrityError as exc:
        raise ValidationError(
            {"phone": [_("This phone is already registered with the hub.")]}
        ) from exc
    return volunteer


def resend_phone_code(*, volunteer: Volunteer, by: Any) -> Volunteer:
    """A hub member sends a new code to a volunteer whose phone is not proved yet."""
    _require_hub_member(by, volunteer.hub)
    if volunteer.is_verified:
        raise InvalidTransition(_("The phone is already verified."))
    with transaction.atomic():
        _send_code(volunteer, PhoneCode.Purpose.VERIFY_PHONE, call=None, by=by)
    return volunteer


def verify_phone(*, volunteer: Volunteer, by: Any, code: str) -> Volunteer:
    """A hub member enters the code the volunteer received: the phone is proved."""
    _require_hub_member(by, volunteer.hub)
    if volunteer.is_verified:
        raise InvalidTransition(_("The phone is already verified."))
    row = _check_code(volunteer, PhoneCode.Purpose.VERIFY_PHONE, code)
    with transaction.atomic():
        now = timezone.now()
        PhoneCode.objects.filter(pk=row.pk).update(used_at=now)
        volunteer.phone_verified_at = now
        volunteer.save(update_fields=["phone_verified_at"])
        audit.record(
            actor=by,
            action="volunteers.phone_verified",
            target=volunteer,
            organization_id=volunteer.hub_id,
            region_code=volunteer.region_code,
        )
    return volunteer


def post_call(
    *,
    by: Any,
    hub: int | str | Organization | None = None,
    incident: Incident,
    area_region_code: str,
    title: str,
    slots: int,
    description: str = "",
    skills: list[str] | None = None,
) -> VolunteerCall:
    """A hub posts a call for volunteers into an area of an active incident."""
    hub = _hub(by, hub)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the call a title.")]})
    if slots is None or slots < 1:
        raise ValidationError({"slots": [_("At least one volunteer.")]})
    if not regions.is_valid_code(area_region_code or "") or not regions.covers(
        incident.region_code, area_region_code
    ):
        raise ValidationError(
            {"area_region_code": [_("The area must lie in the incident's region.")]}
        )
    if incident.status not in Incident.ACTIVE:
        raise InvalidTransition(_("The incident is closed."))
    with transaction.atomic():
        call = VolunteerCall.objects.create(
            hub=hub,
            incident=incident,
            area_region_code=area_region_code,
            title=title[:200],
            description=description,
            skills=[str(s).strip()[:40] for s in skills or [] if str(s).strip()][:20],
            slots=slots,
            created_by=by,
        )
        audit.record_on(call, actor=by, action="volunteers.call_posted", data={"slots": slots})
    return call


def close_call(*, call: VolunteerCall, by: Any, reopen: bool = False) -> VolunteerCall:
    """The hub closes its call (no more sign-ups) or reopens it."""
    _require_hub_member(by, call.hub)
    target = VolunteerCall.Status.OPEN if reopen else VolunteerCall.Status.CLOSED
    return move(
        call,
        target,
        by=by,
        action="volunteers.call_reopened" if reopen else "volunteers.call_closed",
        label=_("Call for volunteers"),
    )


def area_people(incident: Incident, area: str) -> int:
    """People in the area: approved and arrived filings' headcount plus volunteers signed up."""
    filed = Deployment.objects.filter(
        incident=incident, area_region_code=area, status__in=Deployment.OCCUPYING
    ).aggregate(n=Sum("headcount"))["n"]
    signed = SignUp.objects.filter(
        call__incident=incident, call__area_region_code=area, status=SignUp.Status.SIGNED_UP
    ).count()
    return (filed or 0) + signed


def full_reason(call: VolunteerCall) -> str:
    """Why ``call`` takes nobody more ("" while it does): closed, its slots filled, or the area
    at its capacity of people."""
    if call.status != VolunteerCall.Status.OPEN or call.incident.status not in Incident.ACTIVE:
        return _("This call is closed.")
    taken = call.sign_ups.filter(status=SignUp.Status.SIGNED_UP).count()
    if taken >= call.slots:
        return _("The call is full: %(taken)s of %(slots)s volunteers signed up.") % {
            "taken": taken,
            "slots": call.slots,
        }
    max_people = call.incident.capacity_for(call.area_region_code).get("max_people")
    if max_people is not None:
        people = area_people(call.incident, call.area_region_code)
        if people + 1 > max_people:
            return _(
                "%(area)s is at capacity: %(people)s of %(max)s people already there or on "
                "the way. Please do not travel there now."
            ) % {
                "area": words.region_path(call.area_region_code),
                "people": people,
                "max": max_people,
            }
    return ""


def _add_sign_up(call: VolunteerCall, volunteer: Volunteer, *, by: Any) -> SignUp:
    if volunteer.hub_id != call.hub_id:
        raise ValidationError({"volunteer": [_("Only the hub's own volunteers sign up here.")]})
    if not volunteer.is_verified:
        raise ValidationError({"volunteer": [_("The volunteer's phone is not verified yet.")]})
    actor = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        # The incident row lock serializes capacity decisions with filings (coordination).
        Incident.objects.select_for_update().get(pk=call.incident_id)
        call = VolunteerCall.objects.select_for_update().select_related("incident").get(pk=call.pk)
        if SignUp.objects.filter(
            call=call, volunteer=volunteer, status=SignUp.Status.SIGNED_UP
        ).exists():
            raise Conflict(_("This volunteer is already signed up."))
        reason = full_reason(call)
        if reason:
            raise Conflict(reason)
        sign_up = SignUp.objects.create(call=call, volunteer=volunteer, entered_by=actor)
        audit.record_on(
            sign_up,
            actor=actor,
            action="volunteers.signed_up",
            to_status=sign_up.status,
            data={"volunteer": volunteer.pk},
        )
    return sign_up


def sign_up(*, call: VolunteerCall, by: Any, volunteer: Volunteer) -> SignUp:
    """A hub member signs up one of the hub's verified volunteers (asked by phone)."""
    _require_hub_member(by, call.hub)
    return _add_sign_up(call, volunteer, by=by)


def request_sign_up_code(*, call: VolunteerCall, phone: str) -> None:
    """Anyone asks to sign up to an open call with a phone: when the phone belongs to a verified
    volunteer of the call's hub, a code goes to it. The answer is the same either way, so the
    page tells nobody whether a phone is registered."""
    phone = clean_phone(phone)
    reason = full_reason(call)
    if reason:
        raise Conflict(reason)
    volunteer = Volunteer.objects.filter(
        hub_id=call.hub_id, phone=phone, phone_verified_at__isnull=False
    ).first()
    if volunteer is None:
        return
    with transaction.atomic():
        _send_code(volunteer, PhoneCode.Purpose.SIGN_UP, call=call, by=None)


def confirm_sign_up(*, call: VolunteerCall, phone: str, code: str) -> SignUp:
    """The volunteer enters the code they received: they are signed up (unless the call or the
    area filled up meanwhile)."""
    phone = clean_phone(phone)
    volunteer = Volunteer.objects.filter(
        hub_id=call.hub_id, phone=phone, phone_verified_at__isnull=False
    ).first()
    if volunteer is None:
        raise ValidationError({"code": [_("The code has expired: ask for a new one.")]})
    row = _check_code(volunteer, PhoneCode.Purpose.SIGN_UP, code, call=call)
    PhoneCode.objects.filter(pk=row.pk).update(used_at=timezone.now())
    return _add_sign_up(call, volunteer, by=None)


def cancel_sign_up(*, sign_up: SignUp, by: Any, reason: str = "") -> SignUp:
    """A hub member cancels a sign-up (the volunteer cannot go): the place is free again."""
    _require_hub_member(by, sign_up.call.hub)
    return move(
        sign_up,
        SignUp.Status.CANCELLED,
        by=by,
        action="volunteers.sign_up_cancelled",
        reason=reason,
        label=_("Sign-up"),
    )
