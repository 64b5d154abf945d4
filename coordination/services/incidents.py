"""Incident services: create, change status (start a response, close, reopen), take over,
set per-area capacity, purge personal data after close."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from coordination.actions import INCIDENT
from coordination.models import (
    Deployment,
    Incident,
    IncidentKind,
    NaturalDisasterSubtype,
    TaskReport,
    suggest_accident_grade,
)
from coordination.services import alerting
from core import audit, geo, regions, validators
from core.models import Region
from core.states import InvalidTransition, check_transition, move
from core.versions import bump

UNGRADED_KINDS = (IncidentKind.SOCIAL_SECURITY,)


def validate_region(code: str, field: str = "region_code") -> None:
    if not regions.is_valid_code(code) or not Region.objects.filter(code=code).exists():
        raise ValidationError({field: [_("Unknown administrative region code.")]})


def _require_official(user: Any, region_code: str) -> None:
    if not cperms.is_official_for(user, region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


def create_incident(
    *,
    by: Any,
    title: str,
    kind: str,
    region_code: str,
    started_at: datetime,
    subtype: str = "",
    grade: int | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    description: str = "",
    deaths: int | None = None,
    serious_injuries: int | None = None,
    direct_loss: Decimal | None = None,
    is_exercise: bool = False,
) -> Incident:
    """An official opens an incident in their jurisdiction; its grade decides who the opening
    alert mobilizes. Accidents without a grade take the grade suggested by their casualties.
    An exercise (a drill's incident, ``is_exercise``) mobilizes nobody: its alerts are the
    drill's injects, sent to its participants only."""
    validate_region(region_code)
    _require_official(by, region_code)
    validators.check("started_at", validators.fact, started_at)
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": [_("Unknown incident kind.")]})
    if kind == IncidentKind.NATURAL_DISASTER and subtype not in NaturalDisasterSubtype.values:
        raise ValidationError({"subtype": [_("Choose the kind of natural disaster.")]})
    if kind == IncidentKind.ACCIDENT and grade is None:
        grade = suggest_accident_grade(
            deaths=deaths, serious_injuries=serious_injuries, direct_loss=direct_loss
        )
    if grade is None and kind not in UNGRADED_KINDS:
        raise ValidationError({"grade": [_("A grade (I-IV) is required for this kind.")]})
    if grade is not None and grade not in (1, 2, 3, 4):
        raise ValidationError({"grade": [_("The grade is 1 (I) to 4 (IV).")]})
    geo.check_point(latitude, longitude)
    agencies = cperms.official_agencies(by, region_code)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            kind=kind,
            subtype=subtype,
            grade=grade,
            region_code=region_code,
            latitude=latitude,
            longitude=longitude,
            started_at=started_at,
            description=description,
            deaths=deaths,
            serious_injuries=serious_injuries,
            direct_loss=direct_loss,
            lead_agency=agencies[-1],
            created_by=by,
            is_exercise=is_exercise,
        )
        audit.record_on(
            incident,
            actor=by,
            action="incident.created",
            to_status=incident.status,
            data={
                "grade": grade,
                "kind": kind,
                "subtype": subtype,
                **({"exercise": True} if is_exercise else {}),
            },
        )
        if not is_exercise:
            alerting.mobilize(
                incident=incident,
                title=lambda: _("New incident: %(title)s") % {"title": title},
                body=description,
                actor=by,
            )
    return incident


def change_status(
    *,
    incident: Incident,
    by: Any,
    status: str,
    reason: str = "",
    response_level: int | None = None,
    expected_duration_hours: int | None = None,
    measures: str = "",
) -> Incident:
    """Moves an incident along monitoring -> responding -> recovery -> closed. Starting a
    response records its level, expected duration and measures; reopening needs a reason."""
    INCIDENT.check("status", by, incident)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        current = incident.status
        check_transition(Incident.TRANSITIONS, current, status, label=_("Incident"))
        if current == Incident.Status.CLOSED and not reason.strip():
            raise ValidationError({"reason": [_("Reopening an incident needs a reason.")]})
        now = timezone.now()
        changes: dict[str, Any] = {"closed_at": now if status == Incident.Status.CLOSED else None}
        if status == Incident.Status.RESPONDING:
            errors = {}
            if response_level not in (1, 2, 3, 4):
                errors["response_level"] = [_("Give the response level (1 to 4).")]
            if not expected_duration_hours or expected_duration_hours < 1:
                errors["expected_duration_hours"] = [_("Give the expected duration in hours.")]
            if not measures.strip():
                errors["measures"] = [_("Describe the response measures.")]
            if errors:
                raise ValidationError(errors)
            changes.update(
                response_level=response_level,
                expected_duration_hours=expected_duration_hours,
                response_measures=measures,
                response_started_at=now,
            )
        move(
            incident,
            status,
            by=by,
            action="incident.status",
            reason=reason,
            changes=changes,
            data={"response_level": response_level} if response_level else {},
        )
        label = Incident.Status(status).label
        if status == Incident.Status.RESPONDING:
            alerting.mobilize(
                incident=incident,
                title=lambda: (
                    _("Response level %(level)s started: %(title)s")
                    % {"level": response_level, "title": incident.title}
                ),
                body=measures,
                actor=by,
            )
        else:
            deployed = list(
                incident.deployments.filter(status__in=Deployment.OPEN).values_list(
                    "organization_id", flat=True
                )
            )
            alerting.tell_organizations(
                incident=incident,
                organization_ids=deployed,
                title=lambda: (
                    _("%(title)s is now: %(status)s") % {"title": incident.title, "status": label}
                ),
                body=reason,
                actor=by,
                kind="approval",
            )
    return incident


def take_over(*, incident: Incident, by: Any, reason: str = "") -> Incident:
    """Escalation: an official of a higher-level agency covering the incident becomes its lead
    (市 -> 省). Officials of the same or a lower level may not take over."""
    _require_official(by, incident.region_code)
    agency = cperms.official_agencies(by, incident.region_code)[0]
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("lead_agency")
            .get(pk=incident.pk)
        )
        previous = incident.lead_agency
        INCIDENT.check("take_over", by, incident)
        incident.lead_agency = agency
        incident.save(update_fields=["lead_agency", "updated_at"])
        audit.record_on(
            incident,
            actor=by,
            action="incident.taken_over",
            reason=reason,
            data={"from_agency": getattr(previous, "pk", None), "to_agency": agency.pk},
        )
        alerting.tell_officials(
            incident=incident,
            title=lambda: (
                _("%(agency)s took over %(title)s")
                % {"agency": agency.name, "title": incident.title}
            ),
            body=reason,
            actor=by,
            kind="approval",
        )
    return incident


def set_area_capacity(
    *,
    incident: Incident,
    by: Any,
    area_region_code: str,
    max_teams: int | None = None,
    max_people: int | None = None,
) -> Incident:
    """Officials cap how many teams or people may be approved into an area, so the roads stay
    free; filings over the cap are held automatically."""
    validate_region(area_region_code, "area_region_code")
    INCIDENT.check("capacity", by, incident)
    if not regions.covers(incident.region_code, area_region_code):
        raise ValidationError(
            {"area_region_code": [_("The area must lie in the incident's region.")]}
        )
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        capacity = dict(incident.area_capacity or {})
        limits = {
            key: value
            for key, value in (("max_teams", max_teams), ("max_people", max_people))
            if value is not None
        }
        if limits:
            capacity[area_region_code] = limits
        else:
            capacity.pop(area_region_code, None)
        incident.area_capacity = capacity
        incident.save(update_fields=["area_capacity", "updated_at"])
        audit.record_on(
            incident,
            actor=by,
            action="incident.capacity",
            data={"area": area_region_code, **limits},
        )
    return incident


def purge_personal_data(*, incident: Incident, now: datetime | None = None) -> dict:
    """Personal data collected for a response is used only for it (突发事件应对法 Arts. 84-85):
    leader phones and names in filings, beneficiary details in reports are erased, audited."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.personal_data_purged_at or incident.status != Incident.Status.CLOSED:
            return {}
        filings = Deployment.objects.filter(incident=incident)
        counts = {"deployments": 0, "reports": 0}
        for deployment in filings.only("pk", "leader_name"):
            Deployment.objects.filter(pk=deployment.pk).update(
                leader_phone="", leader_name=anonymized_name(deployment.leader_name)
            )
            counts["deployments"] += 1
        counts["reports"] = (
            TaskReport.objects.filter(task__incident=incident)
            .exclude(beneficiaries="")
            .update(beneficiaries="")
        )
        bump("coordination")  # rows changed by QuerySet.update() send no signal
        incident.personal_data_purged_at = now
        incident.save(update_fields=["personal_data_purged_at", "updated_at"])
        audit.record_on(
            incident,
            actor=None,
            action="incident.personal_data_purged",
            data=counts,
        )
    return counts


def anonymized_name(name: str) -> str:
    """张三 -> 张*: enough to read an old filing, not enough to find the person."""
    return f"{name[:1]}*" if name else ""


def purge_due_personal_data(*, now: datetime | None = None) -> int:
    """The beat job: every incident closed longer than the retention period, not yet purged."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TONGZHOU_PERSONAL_DATA_RETENTION_DAYS)
    due = Incident.objects.filter(
        status=Incident.Status.CLOSED, closed_at__lte=cutoff, personal_data_purged_at__isnull=True
    ).values_list("pk", flat=True)
    purged = 0
    for pk in list(due):
        if purge_personal_data(incident=Incident(pk=pk), now=now):
            purged += 1
    return purged


__all__ = [
    "InvalidTransition",
    "change_status",
    "create_incident",
    "purge_due_personal_data",
    "purge_personal_data",
    "set_area_capacity",
    "take_over",
]
