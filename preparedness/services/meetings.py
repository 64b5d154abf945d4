"""Joint meetings (联席会议): convene with members and an agenda, record minutes and
attendance, attach files, record decisions that open follow-up items and tasks."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alerts.services import notify
from coordination import permissions as cperms
from coordination import services as coordination_services
from coordination.models import Incident
from core import audit, permissions, uploads, validators
from core.states import move
from preparedness.actions import MEETING
from preparedness.models import Decision, Meeting, MeetingAttachment, MeetingMember
from preparedness.services.followups import clean_items, open_items, verified_organizations


def member_ids(meeting: Meeting) -> set[int]:
    return set(meeting.members.values_list("organization_id", flat=True)) | {meeting.convener_id}


def convene_meeting(
    *,
    by: Any,
    title: str,
    region_code: str,
    held_at: datetime,
    agenda: str,
    members: list[int],
) -> Meeting:
    """An official's agency (the most specific one covering the region) convenes a joint
    meeting of agencies and organizations; the convener is always a member."""
    if not permissions.is_official_for(by, region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))
    validators.check("held_at", validators.plan, held_at)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the meeting a title.")]
    if not agenda.strip():
        errors["agenda"] = [_("Write the agenda.")]
    if errors:
        raise ValidationError(errors)
    organizations = verified_organizations(members, "members")
    convener = cperms.official_agencies(by, region_code)[-1]
    with transaction.atomic():
        meeting = Meeting.objects.create(
            title=title.strip(),
            convener=convener,
            region_code=region_code,
            held_at=held_at,
            agenda=agenda,
            created_by=by,
        )
        ids = sorted({o.pk for o in organizations} | {convener.pk})
        MeetingMember.objects.bulk_create(
            [MeetingMember(meeting=meeting, organization_id=i) for i in ids]
        )
        audit.record_on(
            meeting,
            actor=by,
            action="meeting.convened",
            to_status=meeting.status,
            data={"members": ids},
        )
        notify(
            title=_("Joint meeting: %(title)s") % {"title": meeting.title},
            body=agenda,
            link=reverse("preparedness:meeting_detail", args=[meeting.pk]),
            level="blue",
            audience={"organizations": ids, "verified_only": False},
            actor=by,
            region_code=region_code,
        )
    return meeting


def record_minutes(*, meeting: Meeting, by: Any, minutes: str, attended: list[int]) -> Meeting:
    """The convener records the minutes and who attended (members only)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        MEETING.check("minutes", by, meeting)
        if not (minutes or "").strip():
            raise ValidationError({"minutes": [_("Write the minutes.")]})
        present = {int(i) for i in attended or []}
        members = member_ids(meeting)
        if not present <= members:
            raise ValidationError({"attended": [_("Only members of the meeting attend it.")]})
        meeting.members.filter(organization_id__in=present).update(attended=True)
        meeting.members.exclude(organization_id__in=present).update(attended=False)
        move(
            meeting,
            Meeting.Status.MINUTED,
            by=by,
            action="meeting.minuted",
            changes={"minutes": minutes.strip()},
            data={"attended": sorted(present)},
        )
    return meeting


def add_attachment(*, meeting: Meeting, by: Any, upload: Any, name: str = "") -> MeetingAttachment:
    """A file of the meeting (PDF, JPEG or PNG by its first bytes), private to those who may
    see the meeting."""
    meeting = Meeting.objects.get(pk=meeting.pk)  # the current state, not the caller's copy
    MEETING.check("attach", by, meeting)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    uploads.check_size(upload, "file")
    head = upload.read(16)
    upload.seek(0)
    content_type = uploads.sniff_content_type(head)
    if content_type is None:
        raise ValidationError({"file": [_("Only PDF, JPEG or PNG files are accepted.")]})
    with transaction.atomic():
        attachment = MeetingAttachment.objects.create(
            meeting=meeting,
            name=(name or getattr(upload, "name", "") or _("Attachment"))[:200],
            file=upload,
            content_type=content_type,
            uploaded_by=by,
        )
        audit.record_on(
            meeting, actor=by, action="meeting.attachment", data={"attachment": attachment.pk}
        )
    return attachment


def record_decision(
    *,
    meeting: Meeting,
    by: Any,
    text: str,
    followups: list[dict] | None = None,
    incident: int | Incident | None = None,
    task_title: str = "",
    task_region_code: str = "",
) -> Decision:
    """A decision of a minuted meeting. Each follow-up item names an owner among the members
    and a due date; with ``incident`` and ``task_title`` the decision also opens a task on that
    incident through coordination's task service (its rules: the official's jurisdiction, the
    area inside the incident's region; the area defaults to the incident's)."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    MEETING.check("decide", by, meeting)
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write the decision.")]})
    items = clean_items(followups, member_ids(meeting), "followups")
    target = None
    if incident is not None or task_title:
        if incident is None or not task_title.strip():
            raise ValidationError({"task_title": [_("A task needs both an incident and a title.")]})
        incident_id = getattr(incident, "pk", incident)
        target = Incident.objects.filter(pk=incident_id).first()
        if target is None:
            raise ValidationError({"incident": [_("No such incident.")]})
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, text=text.strip(), created_by=by)
        if target is not None:
            decision.task = coordination_services.create_task(
                incident=target,
                by=by,
                title=task_title.strip()[:200],
                region_code=task_region_code or target.region_code,
                description=text.strip(),
            )
            decision.save(update_fields=["task"])
        audit.record_on(
            decision,
            actor=by,
            action="meeting.decision",
            data={"followups": len(items), "task": decision.task_id},
        )
        open_items(items=items, by=by, region_code=meeting.region_code, decision=decision)
    return decision
