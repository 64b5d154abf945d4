"""Safety check-ins of deployed teams (approved or arrived filings of an open incident).

The clock of a filing starts at its arrival time and restarts at each check-in; when
``TONGZHOU_SAFETY_CHECK_IN_HOURS`` pass without one, the sweep alerts the officials of the area
and the team's admins, once for that gap (``MissedCheckIn``, unique per filing and gap); the next
check-in resolves it. A check-in that says "not safe" alerts the officials at once."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import notify
from coordination.models import Deployment
from core import audit, geo
from core.roles import Role
from liaison.models import MissedCheckIn, SafetyCheckIn
from liaison.queries import deployed
from registry.queries import acting_organization


def interval() -> dt.timedelta:
    return dt.timedelta(hours=settings.TONGZHOU_SAFETY_CHECK_IN_HOURS)


def check_in(
    *,
    deployment: Deployment,
    by: Any,
    safe: bool = True,
    note: str = "",
    latitude: Any = None,
    longitude: Any = None,
) -> SafetyCheckIn:
    """A member of the filing organization checks the team in (from the phone, with its
    position when the browser gives it)."""
    acting_organization(by, deployment.organization, verified=False)
    if not deployed().filter(pk=deployment.pk).exists():
        raise ValidationError(
            {
                "deployment": [
                    _("Only a team with an approved filing of an open incident checks in.")
                ]
            }
        )
    if not safe and not (note or "").strip():
        raise ValidationError({"note": [_("Say what help the team needs.")]})
    geo.check_point(latitude, longitude)
    now = timezone.now()
    with transaction.atomic():
        row = SafetyCheckIn.objects.create(
            deployment=deployment,
            safe=safe,
            note=(note or "").strip(),
            latitude=latitude,
            longitude=longitude,
            checked_in_by=by,
        )
        MissedCheckIn.objects.filter(deployment=deployment, resolved_at__isnull=True).update(
            resolved_at=now
        )
        audit.record(
            actor=by,
            action="liaison.check_in",
            target=deployment,
            organization_id=deployment.organization_id,
            region_code=deployment.area_region_code,
            data={"safe": safe},
        )
        if not safe:
            notify(
                title=_("%(team)s needs help") % {"team": deployment.organization.name},
                body=row.note,
                link=reverse("liaison:check_ins"),
                level="red",
                audience={"officials_for": deployment.area_region_code},
                region_code=deployment.area_region_code,
                actor=by,
            )
    return row


def sweep_missed_check_ins(*, now: dt.datetime | None = None) -> int:
    """Alert the bureau once for every deployed team silent for longer than the interval (the
    beat task ``liaison.tasks.missed_check_ins``); returns how many were alerted."""
    now = now or timezone.now()
    silent = (
        deployed()
        .annotate(since=Coalesce(Max("safety_check_ins__created_at"), "arrival_at"))
        .filter(since__lte=now - interval())
        .select_related("organization")
        .order_by("id")
    )
    alerted = 0
    for deployment in silent:
        try:
            with transaction.atomic():
                MissedCheckIn.objects.create(
                    deployment=deployment, since=deployment.since, alerted_at=now
                )
                audit.record(
                    actor=None,
                    action="liaison.check_in_missed",
                    target=deployment,
                    organization_id=deployment.organization_id,
                    region_code=deployment.area_region_code,
                    data={"since": deployment.since.isoformat()},
                )
                title = _("Missed safety check-in: %(team)s") % {
                    "team": deployment.organization.name
                }
                link = reverse("liaison:check_ins")
                notify(
                    title=title,
                    link=link,
                    level="red",
                    audience={"officials_for": deployment.area_region_code},
                    region_code=deployment.area_region_code,
                )
                notify(
                    title=title,
                    link=link,
                    level="red",
                    audience={
                        "organizations": [deployment.organization_id],
                        "roles": [Role.ADMIN],
                        "verified_only": False,
                    },
                )
        except IntegrityError:
            continue  # another sweep alerted for this gap already
        alerted += 1
    return alerted
