"""Tasks: created by officials, assigned or claimed (first claim wins), accepted, started,
reported with evidence, completed, and verified by a second person."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from coordination.models import (
    Deployment,
    Incident,
    Need,
    Priority,
    Task,
)
from coordination.services import alerting
from coordination.services.incidents import validate_region
from core import audit, regions, validators
from core.states import Conflict, InvalidTransition, check_transition
from registry import queries as registry_queries
from registry.choices import Specialty
from registry.models import Organization
from registry.queries import acting_organization


def _require_official(user: Any, task: Task) -> None:
    if not cperms.is_official_for(user, task.incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


def require_holder(user: Any, task: Task) -> Organization:
    """The holding organization, when ``user`` acts for it (``acting_organization`` with
    ``verified=False``: the holder took the task while verified and answers for it to the end)."""
    refusal = _("Only the organization holding this task may do this.")
    if task.organization_id is None:
        raise PermissionDenied(refusal)
    try:
        return acting_organization(user, task.organization_id, verified=False)
    except PermissionDenied:
        raise PermissionDenied(refusal) from None


def ineligibility(task: Task, organization: Organization) -> str:
    """Why ``organization`` may not take ``task`` ("" when it may): verified, assessed grade
    meeting min_grade for the specialty, and an approved filing for the incident."""
    if not registry_queries.is_eligible(
        organization, specialty=task.specialty or None, min_grade=task.min_grade
    ):
        if task.specialty:
            return _(
                "The organization is not verified with a current assessed grade for this "
                "specialty that meets the task's minimum grade."
            )
        return _("Only verified organizations may take tasks.")
    if not Deployment.objects.filter(
        incident_id=task.incident_id, organization=organization, status__in=Deployment.OCCUPYING
    ).exists():
        return _("The organization has no approved deployment filing for this incident.")
    return ""


def _audit(
    task: Task, by: Any, action: str, current: str, reason: str = "", data=None, org_id=None
) -> None:
    audit.record(
        actor=by,
        action=action,
        target=task,
        organization_id=org_id or task.organization_id,
        region_code=task.region_code,
        from_status=current,
        to_status=task.status,
        reason=reason,
        data=data,
    )


def _tell_holder(task: Task, by: Any, title: str, body: str = "") -> None:
    alerting.tell_organizations(
        incident=task.incident,
        organization_ids=[task.organization_id],
        title=title,
        body=body,
        actor=by,
    )


def tell_task_officials(task: Task, by: Any, title: str, body: str = "") -> None:
    alerting.tell_officials(
        incident=task.incident, title=title, body=body, region_code=task.region_code, actor=by
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
) -> Task:
    """An official with jurisdiction creates an open task in the incident's region, optionally
    toward a need of the same incident (committing a quantity to it)."""
    if not cperms.is_official_for(by, incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))
    if incident.status == Incident.Status.CLOSED:
        raise InvalidTransition(_("The incident is closed."))
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
            quantity_committed=quantity_committed or 0,
            created_by=by,
        )
        _audit(task, by, "task.created", "")
        deployed = list(
            incident.deployments.filter(status__in=Deployment.OCCUPYING).values_list(
                "organization_id", flat=True
            )
        )
        alerting.tell_organizations(
            incident=incident,
            organization_ids=deployed,
            title=_("New task: %(title)s") % {"title": title},
            body=description,
            actor=by,
        )
    return task


def assign_task(*, task: Task, organization: int | str | Organization, by: Any) -> Task:
    """An official assigns an open task to an eligible organization (see ``ineligibility``);
    ``organization`` is the one named (an Organization or its id), not one the official acts for."""
    _require_official(by, task)
    organization = _named_organization(organization)
    reason = ineligibility(task, organization)
    if reason:
        raise ValidationError({"organization": [reason]})
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
    reason = ineligibility(task, organization)
    if reason:
        raise PermissionDenied(reason)
    return _take(task=task, organization=organization, by=by, claimed=True)


def _take(*, task: Task, organization: Organization, by: Any, claimed: bool) -> Task:
    check_transition(Task.TRANSITIONS, task.status, Task.Status.ASSIGNED, label=_("Task"))
    now = timezone.now()
    with transaction.atomic():
        won = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
            status=Task.Status.ASSIGNED,
            organization=organization,
            assigned_at=now,
            claimed=claimed,
            status_reason="",
            updated_at=now,
        )
        if won != 1:
            raise Conflict(_("Another organization took this task first."))
        task = Task.objects.select_related("incident").get(pk=task.pk)
        _audit(
            task,
            by,
            "task.claimed" if claimed else "task.assigned",
            Task.Status.OPEN,
            data={"organization": organization.pk},
        )
        if claimed:
            tell_task_officials(
                task,
                by,
                _("%(org)s claimed %(title)s") % {"org": organization.name, "title": task.title},
            )
        else:
            _tell_holder(
                task,
                by,
                _("Task assigned to you: %(title)s") % {"title": task.title},
                _("Accept it within %(hours)s hours or it returns to the board.")
                % {"hours": settings.TONGZHOU_CLAIM_WINDOW_HOURS},
            )
    return task


# The holder's actions, each from one state (the table also allows completed -> in_progress,
# but only for an official's rejection).
HOLDER_SOURCES = {
    "task.accepted": Task.Status.ASSIGNED,
    "task.declined": Task.Status.ASSIGNED,
    "task.started": Task.Status.ACCEPTED,
    "task.completed": Task.Status.IN_PROGRESS,
}


def _holder_move(*, task: Task, by: Any, target: str, action: str, reason: str = "") -> Task:
    with transaction.atomic():
        task = locked_task(task)
        require_holder(by, task)  # checked on the locked row: it may have changed hands
        current, holder = task.status, task.organization_id
        check_transition(Task.TRANSITIONS, current, target, label=_("Task"))
        if current != HOLDER_SOURCES[action]:
            check_transition({}, current, target, label=_("Task"))
        if target == Task.Status.OPEN:
            task.organization = None
            task.assigned_at = None
            task.claimed = False
        if target == Task.Status.COMPLETED and not task.reports.exists():
            raise InvalidTransition(_("Report on the task before completing it."))
        task.status = target
        task.status_reason = reason
        task.save()
        _audit(task, by, action, current, reason, org_id=holder)
        tell_task_officials(
            task,
            by,
            _("Task %(title)s: %(status)s")
            % {"title": task.title, "status": task.get_status_display()},
            reason,
        )
    return task


def accept_task(*, task: Task, by: Any) -> Task:
    """The holding organization accepts an assigned task (within the claim window)."""
    return _holder_move(task=task, by=by, target=Task.Status.ACCEPTED, action="task.accepted")


def decline_task(*, task: Task, by: Any, reason: str) -> Task:
    """The holding organization declines an assigned task with a reason; it returns to open."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Declining needs a reason.")]})
    return _holder_move(
        task=task, by=by, target=Task.Status.OPEN, action="task.declined", reason=reason
    )


def start_task(*, task: Task, by: Any) -> Task:
    """The holding organization starts work on an accepted task."""
    return _holder_move(task=task, by=by, target=Task.Status.IN_PROGRESS, action="task.started")


def complete_task(*, task: Task, by: Any) -> Task:
    """The holding organization declares the work done; it needs at least one report."""
    return _holder_move(task=task, by=by, target=Task.Status.COMPLETED, action="task.completed")


def verify_task(*, task: Task, by: Any, accepted: bool, reason: str = "") -> Task:
    """Second-person rule: an official with jurisdiction who filed none of the task's reports
    (and is not a member of the holding organization) accepts the work (-> verified) or sends
    it back to in progress with a reason."""
    _require_official(by, task)
    if not accepted and not (reason or "").strip():
        raise ValidationError({"reason": [_("Sending work back needs a reason.")]})
    with transaction.atomic():
        task = locked_task(task)
        current = task.status
        target = Task.Status.VERIFIED if accepted else Task.Status.IN_PROGRESS
        if current != Task.Status.COMPLETED:
            raise InvalidTransition(
                _("Only a completed task can be verified (it is “%(status)s”).")
                % {"status": task.get_status_display()}
            )
        check_transition(Task.TRANSITIONS, current, target, label=_("Task"))
        reporters = set(task.reports.values_list("filed_by_id", flat=True))
        if by.pk in reporters or cperms.acts_for(by, task.organization_id):
            raise PermissionDenied(
                _("A report must be verified by someone other than the person who filed it.")
            )
        task.status = target
        task.status_reason = reason
        task.verified_by = by if accepted else None
        task.save()
        _audit(task, by, "task.verified" if accepted else "task.rejected", current, reason)
        _tell_holder(
            task,
            by,
            (_("Task verified: %(title)s") if accepted else _("Task sent back: %(title)s"))
            % {"title": task.title},
            reason,
        )
    return task


def cancel_task(*, task: Task, by: Any, reason: str) -> Task:
    """An official with jurisdiction cancels a task that is not yet verified, with a reason."""
    _require_official(by, task)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Cancelling needs a reason.")]})
    with transaction.atomic():
        task = locked_task(task)
        current = task.status
        check_transition(Task.TRANSITIONS, current, Task.Status.CANCELLED, label=_("Task"))
        task.status = Task.Status.CANCELLED
        task.status_reason = reason
        task.save()
        _audit(task, by, "task.cancelled", current, reason)
        if task.organization_id:
            _tell_holder(task, by, _("Task cancelled: %(title)s") % {"title": task.title}, reason)
    return task


def expire_claim(*, task: Task, now: datetime | None = None) -> bool:
    """An assigned task not accepted within the claim window returns to open (conditional
    UPDATE, so an accept racing the job wins or loses cleanly), audited and alerted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.TONGZHOU_CLAIM_WINDOW_HOURS)
    with transaction.atomic():
        previous = Task.objects.filter(pk=task.pk).values_list("organization_id", flat=True).first()
        expired = Task.objects.filter(
            pk=task.pk, status=Task.Status.ASSIGNED, assigned_at__lte=cutoff
        ).update(
            status=Task.Status.OPEN,
            organization=None,
            assigned_at=None,
            claimed=False,
            status_reason=_("Not accepted within the claim window."),
            updated_at=now,
        )
        if not expired:
            return False
        task = Task.objects.select_related("incident").get(pk=task.pk)
        audit.record(
            actor=None,
            action="task.claim_expired",
            target=task,
            organization_id=previous,
            region_code=task.region_code,
            from_status=Task.Status.ASSIGNED,
            to_status=Task.Status.OPEN,
            reason=task.status_reason,
        )
        title = _("Not accepted in time, back on the board: %(title)s") % {"title": task.title}
        alerting.tell_organizations(
            incident=task.incident, organization_ids=[previous], title=title
        )
        tell_task_officials(task, None, title)
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
