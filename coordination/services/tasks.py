"""Tasks: created by officials, assigned or claimed (first claim wins), accepted, started,
reported with evidence, completed, and verified by a second person."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import actions
from coordination.actions import INCIDENT, TASK
from coordination.models import (
    Deployment,
    Incident,
    Need,
    Priority,
    Task,
)
from coordination.services import alerting
from coordination.services.incidents import validate_region
from core import audit, geo, regions, validators
from core.notifications import Text
from core.states import Conflict, move
from registry.choices import Specialty
from registry.models import Capability, Organization
from registry.queries import acting_organization, phase_covered


def ineligibility(task: Task, organization: Organization) -> str:
    """Why ``organization`` may not take ``task`` ("" when it may); see coordination.actions."""
    return actions.ineligibility(task, organization)


def _tell_holder(
    task: Task, by: Any, title: Text, body: Text = "", kind: str = "assignment"
) -> None:
    alerting.tell_organizations(
        incident=task.incident,
        organization_ids=[task.organization_id],
        title=title,
        body=body,
        actor=by,
        kind=kind,
    )


def tell_task_officials(
    task: Task, by: Any, title: Text, body: Text = "", kind: str = "approval"
) -> None:
    alerting.tell_officials(
        incident=task.incident,
        title=title,
        body=body,
        region_code=task.region_code,
        actor=by,
        kind=kind,
    )


def locked_task(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("incident").get(pk=task.pk)


def create_task(
    *,
    incident: Incident,
    by: Any,
    title: str,
    region_code: str,
    description: str = "",
    specialty: str = "",
    min_grade: int | None = None,
    priority: str = Priority.NORMAL,
    due_at: datetime | None = None,
    need: Need | None = None,
    quantity_committed: int = 0,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Task:
    """An official with jurisdiction creates an open task in the incident's region, optionally
    toward a need of the same incident (committing a quantity to it)."""
    INCIDENT.check("create_task", by, incident)
    validate_region(region_code)
    if not regions.covers(incident.region_code, region_code):
        raise ValidationError({"region_code": [_("The area must lie in the incident's region.")]})
    if specialty and specialty not in Specialty.values:
        raise ValidationError({"specialty": [_("Unknown specialty.")]})
    if min_grade is not None and min_grade not in (1, 2, 3):
        raise ValidationError({"min_grade": [_("The minimum grade is 1, 2 or 3.")]})
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("Unknown priority.")]})
    if due_at is not None:
        validators.check("due_at", validators.deadline, due_at)
    if need is not None and need.incident_id != incident.pk:
        raise ValidationError({"need": [_("The need belongs to another incident.")]})
    geo.check_point(latitude, longitude)
    with transaction.atomic():
        task = Task.objects.create(
            incident=incident,
            need=need,
            title=title,
            description=description,
            specialty=specialty,
            min_grade=min_grade,
            region_code=region_code,
            priority=priority,
            due_at=due_at,
            latitude=latitude,
            longitude=longitude,
            quantity_committed=quantity_committed or 0,
            created_by=by,
        )
        audit.record_on(task, actor=by, action="task.created", to_status=task.status)
        deployed = list(
            incident.deployments.filter(status__in=Deployment.OCCUPYING).values_list(
                "organization_id", flat=True
            )
        )
        alerting.tell_organizations(
            incident=incident,
            organization_ids=offered_to(task, deployed),
            title=lambda: _("New task: %(title)s") % {"title": title},
            body=description,
            actor=by,
            kind="assignment",
        )
    return task


def offered_to(task: Task, organization_ids: list[int]) -> list[int]:
    """Of the deployed organizations, those a new task is offered to: for a task with a
    specialty, the ones whose capability in it serves the incident's phase
    (``registry.queries.phase_covered``); everyone deployed otherwise."""
    phase = task.incident.phase
    if not task.specialty or not phase or not organization_ids:
        return organization_ids
    rows = Capability.objects.filter(
        organization_id__in=organization_ids, specialty=task.specialty
    ).values_list("organization_id", "phases")
    return sorted({org for org, phases in rows if phase_covered(phases, phase)})


def assign_task(*, task: Task, organization: int | str | Organization, by: Any) -> Task:
    """An official assigns an open task to an eligible organization (see ``ineligibility``);
    ``organization`` is the one named (an Organization or its id), not one the official acts for.
    The official's permission and the task's state are checked before the name is looked up."""
    TASK.check("assign", by, task)
    organization = _named_organization(organization)
    TASK.check("assign", by, task, organization=organization)
    return _take(task=task, organization=organization, by=by, claimed=False)


def _named_organization(value: int | str | Organization | None) -> Organization:
    if isinstance(value, Organization):
        return value
    try:
        found = Organization.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"organization": [_("Choose an organization.")]})
    return found


def claim_task(
    *, task: Task, by: Any, organization: int | str | Organization | None = None
) -> Task:
    """An eligible organization claims an open task; which one is ``acting_organization``'s
    answer for the organization named (or none). The first claim wins: the claim is a
    conditional UPDATE ``WHERE status = 'open'``, so of two simultaneous claims exactly one
    changes the row and the other gets 409."""
    organization = acting_organization(by, organization)
    TASK.check("claim", by, task, organization=organization)
    return _take(task=task, organization=organization, by=by, claimed=True)


def claim_and_accept_task(
    *, task: Task, by: Any, organization: int | str | Organization | None = None
) -> Task:
    """The page's 认领: a team that claims a task has already decided to do it, so the claim
    and its acceptance are one step for the person, in one transaction (both refused, or both
    done). Each keeps its own audit row (``task.claimed``, then ``task.accepted``) and its own
    check: the claim's eligibility and first-claim-wins race, then the holder's accept.

    Decision: the API keeps ``claim`` and ``accept`` apart (integrators drive each step, and an
    assignment by an official still waits for the team's acceptance within the claim window)."""
    with transaction.atomic():
        task = claim_task(task=task, by=by, organization=organization)
        return accept_task(task=task, by=by)


def _take(*, task: Task, organization: Organization, by: Any, claimed: bool) -> Task:
    with transaction.atomic():
        move(
            task,
            Task.Status.ASSIGNED,
            by=by,
            action="task.claimed" if claimed else "task.assigned",
            expect=Task.Status.OPEN,
            changes={
                "organization": organization,
                "assigned_at": timezone.now(),
                "claimed": claimed,
                "status_reason": "",
            },
            conflict=_("Another organization took this task first."),
            data={"organization": organization.pk},
        )
        if claimed:
            tell_task_officials(
                task,
                by,
                lambda: (
                    _("%(org)s claimed %(title)s") % {"org": organization.name, "title": task.title}
                ),
            )
        else:
            _tell_holder(
                task,
                by,
                lambda: _("Task assigned to you: %(title)s") % {"title": task.title},
                lambda: (
                    _("Accept it within %(hours)s hours or it returns to the board.")
                    % {"hours": settings.TONGZHOU_CLAIM_WINDOW_HOURS}
                ),
            )
    return task


def _holder_move(
    *, task: Task, by: Any, name: str, target: str, action: str, reason: str = "", changes=None
) -> Task:
    """One of the holder's actions (``name`` in coordination.actions.TASK), checked on the
    locked row: the task may have changed hands."""
    with transaction.atomic():
        task = locked_task(task)
        TASK.check(name, by, task)
        if name == "decline" and not (reason or "").strip():
            raise ValidationError({"reason": [_("Declining needs a reason.")]})
        move(
            task,
            target,
            by=by,
            action=action,
            reason=reason,
            changes={"status_reason": reason, **(changes or {})},
            organization_id=task.organization_id,
        )
        tell_task_officials(
            task,
            by,
            lambda: (
                _("Task %(title)s: %(status)s")
                % {"title": task.title, "status": task.get_status_display()}
            ),
            reason,
        )
    return task


def accept_task(*, task: Task, by: Any) -> Task:
    """The holding organization accepts an assigned task (within the claim window)."""
    return _holder_move(
        task=task, by=by, name="accept", target=Task.Status.ACCEPTED, action="task.accepted"
    )


def decline_task(*, task: Task, by: Any, reason: str) -> Task:
    """The holding organization declines an assigned task with a reason; it returns to open."""
    return _holder_move(
        task=task,
        by=by,
        name="decline",
        target=Task.Status.OPEN,
        action="task.declined",
        reason=reason,
        changes={"organization": None, "assigned_at": None, "claimed": False},
    )


def start_task(*, task: Task, by: Any) -> Task:
    """The holding organization starts work on an accepted task."""
    return _holder_move(
        task=task, by=by, name="start", target=Task.Status.IN_PROGRESS, action="task.started"
    )


def complete_task(*, task: Task, by: Any) -> Task:
    """The holding organization declares the work done; it needs at least one report."""
    return _holder_move(
        task=task, by=by, name="complete", target=Task.Status.COMPLETED, action="task.completed"
    )


def verify_task(*, task: Task, by: Any, accepted: bool, reason: str = "") -> Task:
    """Second-person rule: an official with jurisdiction who filed none of the task's reports
    (and is not a member of the holding organization) accepts the work (-> verified) or sends
    it back to in progress with a reason."""
    with transaction.atomic():
        task = locked_task(task)
        TASK.check("verify", by, task)
        if not accepted and not (reason or "").strip():
            raise ValidationError({"reason": [_("Sending work back needs a reason.")]})
        move(
            task,
            Task.Status.VERIFIED if accepted else Task.Status.IN_PROGRESS,
            by=by,
            action="task.verified" if accepted else "task.rejected",
            reason=reason,
            changes={"status_reason": reason, "verified_by": by if accepted else None},
        )
        _tell_holder(
            task,
            by,
            lambda: (
                (_("Task verified: %(title)s") if accepted else _("Task sent back: %(title)s"))
                % {"title": task.title}
            ),
            reason,
            kind="approval",
        )
    return task


def cancel_task(*, task: Task, by: Any, reason: str) -> Task:
    """An official with jurisdiction cancels a task that is not yet verified, with a reason."""
    with transaction.atomic():
        task = locked_task(task)
        TASK.check("cancel", by, task)
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Cancelling needs a reason.")]})
        move(
            task,
            Task.Status.CANCELLED,
            by=by,
            action="task.cancelled",
            reason=reason,
            changes={"status_reason": reason},
        )
        if task.organization_id:
            _tell_holder(
                task, by, lambda: _("Task cancelled: %(title)s") % {"title": task.title}, reason
            )
    return task


def expire_claim(*, task: Task, now: datetime | None = None) -> bool:
    """An assigned task not accepted within the claim window returns to open (conditional
    UPDATE, so an accept racing the job wins or loses cleanly), audited and alerted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.TONGZHOU_CLAIM_WINDOW_HOURS)
    with transaction.atomic():
        previous = Task.objects.filter(pk=task.pk).values_list("organization_id", flat=True).first()
        reason = _("Not accepted within the claim window.")
        try:
            move(
                task,
                Task.Status.OPEN,
                by=None,
                action="task.claim_expired",
                reason=reason,
                expect=Task.Status.ASSIGNED,
                where={"assigned_at__lte": cutoff},
                changes={
                    "organization": None,
                    "assigned_at": None,
                    "claimed": False,
                    "status_reason": reason,
                    "updated_at": now,
                },
                organization_id=previous,
            )
        except Conflict:
            return False
        task = Task.objects.select_related("incident").get(pk=task.pk)

        def title() -> str:
            return _("Not accepted in time, back on the board: %(title)s") % {"title": task.title}

        alerting.tell_organizations(
            incident=task.incident, organization_ids=[previous], title=title, kind="deadline"
        )
        tell_task_officials(task, None, title, kind="deadline")
    return True


def expire_claims(*, now: datetime | None = None) -> int:
    """The beat job: every assigned task past the claim window goes back to open."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.TONGZHOU_CLAIM_WINDOW_HOURS)
    due = list(
        Task.objects.filter(status=Task.Status.ASSIGNED, assigned_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in due if expire_claim(task=Task(pk=pk), now=now))
