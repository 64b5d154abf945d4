"""Field reports and requests: sent from the field, routed to the responsible agency by function
and region, acknowledged within a time limit by urgency or escalated up the region tree.

Routing (decided here; the issue leaves it open): along the report's region chain, nearest first
(county, city, province), the first agency with a directory row for the report's function
takes it, with that row's unit; when no agency on the chain lists the function, the nearest
verified agency on the chain takes it (its officials answer for everything in their area). An
escalation routes the same way among the levels strictly above the current agency; at the
province there is no level above, and the report stays with it without a further deadline.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import notify
from coordination.models import Incident
from coordination.services.incidents import validate_region
from core import audit, geo, regions, uploads
from core.roles import Role
from core.states import move
from liaison.actions import REPORT
from liaison.models import CATEGORY_FUNCTION, Category, FieldReport, FieldReportPhoto, Urgency
from liaison.services.files import read_uploads
from registry.choices import OrganizationKind
from registry.models import Organization
from registry.queries import acting_organization


def ack_limit(urgency: str) -> dt.timedelta:
    return dt.timedelta(minutes=settings.TONGZHOU_REPORT_ACK_MINUTES[urgency])


def route(function: str, region_code: str, *, above: str = "") -> tuple[Organization | None, str]:
    """(agency, unit) responsible for ``function`` at ``region_code``: the nearest level of the
    chain with a directory row, else the nearest verified agency; only levels strictly above
    the region ``above`` when given (an escalation). Two queries at most."""
    chain = list(reversed(regions.ancestors(region_code)))  # county, city, province
    if above:
        chain = [code for code in chain if code != above and regions.covers(code, above)]
    if not chain:
        return None, ""
    agencies = list(
        Organization.objects.filter(
            kind=OrganizationKind.AGENCY,
            status=Organization.Status.VERIFIED,
            region_code__in=chain,
        )
        .prefetch_related("responsibilities")
        .order_by("id")
    )
    by_level = sorted(agencies, key=lambda a: chain.index(a.region_code))
    for agency in by_level:
        for row in agency.responsibilities.all():
            if row.function == function:
                return agency, row.unit
    return (by_level[0], "") if by_level else (None, "")


def _tell_agency(report: FieldReport, *, title: str, by: Any) -> None:
    if report.routed_to_id is None:
        audience = {"officials_for": report.region_code}
    else:
        audience = {"organizations": [report.routed_to_id], "roles": [Role.OFFICIAL]}
    notify(
        title=title,
        body=report.description[:500],
        link=reverse("liaison:report_detail", args=[report.pk]),
        level="red" if report.urgency == Urgency.CRITICAL else "orange",
        audience=audience,
        region_code=report.region_code,
        actor=by,
    )


def send_field_report(
    *,
    by: Any,
    incident: Incident,
    category: str,
    description: str,
    region_code: str,
    urgency: str = Urgency.NORMAL,
    people_count: int | None = None,
    latitude: Any = None,
    longitude: Any = None,
    photos: list | None = None,
    organization: int | str | Organization | None = None,
) -> FieldReport:
    """A verified organization reports from an incident's area (a situation report) or asks for
    help (a request); it goes to the responsible agency, which must acknowledge it within the
    urgency's limit (``TONGZHOU_REPORT_ACK_MINUTES``)."""
    org = acting_organization(by, organization)
    if incident.status == Incident.Status.CLOSED:
        raise ValidationError({"incident": [_("The incident is closed.")]})
    Category(category)
    Urgency(urgency)
    if not (description or "").strip():
        raise ValidationError({"description": [_("Say what you see or need.")]})
    validate_region(region_code, "region_code")
    geo.check_point(latitude, longitude)
    files = read_uploads(photos, "photos", uploads.PHOTO_TYPES)
    function = CATEGORY_FUNCTION[Category(category)]
    agency, unit = route(function, region_code)
    now = timezone.now()
    with transaction.atomic():
        report = FieldReport.objects.create(
            incident=incident,
            organization=org,
            category=category,
            function=function,
            urgency=urgency,
            description=description.strip(),
            people_count=people_count,
            region_code=region_code,
            latitude=latitude,
            longitude=longitude,
            routed_to=agency,
            unit=unit,
            ack_due_at=now + ack_limit(urgency),
            filed_by=by,
        )
        for _name, content, content_type, sha256 in files:
            photo = FieldReportPhoto(
                report=report, content_type=content_type, size=len(content), sha256=sha256
            )
            photo.file.save("photo", ContentFile(content), save=False)
            photo.save()
        audit.record_on(
            report,
            actor=by,
            action="liaison.report.sent",
            to_status=report.status,
            data={
                "category": category,
                "urgency": urgency,
                "routed_to": agency.pk if agency else None,
                "photos": len(files),
            },
        )
        _tell_agency(
            report,
            title=_("%(category)s from %(organization)s")
            % {"category": report.get_category_display(), "organization": org.name},
            by=by,
        )
    return report


def acknowledge_report(*, report: FieldReport, by: Any) -> FieldReport:
    """The routed agency's official (or one above it) says "received, we are on it"."""
    with transaction.atomic():
        locked = FieldReport.objects.select_for_update().get(pk=report.pk)
        REPORT.check("acknowledge", by, locked)
        move(
            locked,
            FieldReport.Status.ACKNOWLEDGED,
            by=by,
            action="liaison.report.acknowledged",
            changes={"acknowledged_by": by, "acknowledged_at": timezone.now(), "ack_due_at": None},
        )
        notify(
            title=_("Your report was acknowledged: %(category)s")
            % {"category": locked.get_category_display()},
            link=reverse("liaison:report_detail", args=[locked.pk]),
            audience={"organizations": [locked.organization_id]},
            actor=by,
        )
    return locked


def confirm_report(*, report: FieldReport, by: Any) -> FieldReport:
    """The agency confirms what the report says: it then shows on the incident map."""
    with transaction.atomic():
        locked = FieldReport.objects.select_for_update().get(pk=report.pk)
        REPORT.check("confirm", by, locked)
        return move(locked, FieldReport.Status.CONFIRMED, by=by, action="liaison.report.confirmed")


def dismiss_report(*, report: FieldReport, by: Any, reason: str = "") -> FieldReport:
    """The agency closes a report it will not act on (a duplicate, already handled), saying why."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    with transaction.atomic():
        locked = FieldReport.objects.select_for_update().get(pk=report.pk)
        REPORT.check("dismiss", by, locked)
        move(
            locked,
            FieldReport.Status.DISMISSED,
            by=by,
            action="liaison.report.dismissed",
            reason=reason.strip(),
            changes={"status_reason": reason.strip(), "ack_due_at": None},
        )
        notify(
            title=_("Your report was closed: %(category)s")
            % {"category": locked.get_category_display()},
            body=reason.strip(),
            link=reverse("liaison:report_detail", args=[locked.pk]),
            audience={"organizations": [locked.organization_id]},
            actor=by,
        )
    return locked


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Move every report not acknowledged in time one level up the region tree (the beat task
    ``liaison.tasks.escalate_reports``); returns how many moved. Each report is taken with a
    conditional update on its deadline, so two sweeps never escalate it twice."""
    now = now or timezone.now()
    overdue = list(
        FieldReport.objects.filter(
            status__in=FieldReport.WAITING, ack_due_at__lte=now
        ).select_related("routed_to")
    )
    moved = 0
    for report in overdue:
        above = report.routed_to.region_code if report.routed_to else ""
        if above and regions.level_of(above) == "province":
            agency, unit = None, ""
        else:
            agency, unit = route(report.function, report.region_code, above=above)
        with transaction.atomic():
            changes: dict[str, Any] = {"ack_due_at": None}
            if agency is not None:
                changes = {
                    "routed_to": agency,
                    "unit": unit,
                    "escalations": report.escalations + 1,
                    "ack_due_at": now + ack_limit(report.urgency),
                }
            taken = FieldReport.objects.filter(
                pk=report.pk, status__in=FieldReport.WAITING, ack_due_at=report.ack_due_at
            ).update(updated_at=now, **changes)
            if not taken:
                continue
            for field, value in changes.items():
                setattr(report, field, value)
            if agency is None:
                audit.record_on(
                    report, actor=None, action="liaison.report.unanswered", data={"at": str(now)}
                )
                continue
            audit.record_on(
                report,
                actor=None,
                action="liaison.report.escalated",
                data={"routed_to": agency.pk, "from": above, "escalations": report.escalations},
            )
            _tell_agency(
                report,
                title=_("Escalated, not acknowledged in time: %(category)s")
                % {"category": report.get_category_display()},
                by=None,
            )
            moved += 1
    return moved
