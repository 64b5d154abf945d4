"""What a person may do with a task or a deployment filing: one declaration per model.

The services call ``TASK.check(name, by, task, **arguments)`` before moving through
``core.states.move``; pages and the API show ``core.states.allowed_actions(user, obj)``. Both
read these guards, so a button shown is an action the service accepts (docs/CONVENTIONS.md,
"State changes and allowed actions").
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from coordination import permissions as cperms
from coordination.models import Deployment, Incident, Need, Task
from core.states import Action, Actions, Conflict, InvalidTransition
from registry import queries as registry_queries
from registry.models import Organization

# --- rules shared by guards and services ---------------------------------------------------


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


_ELIGIBILITY_CACHE = "_tongzhou_task_eligibility"


def _cached_ineligibility(user: Any, task: Task, organization: Organization) -> str:
    """``ineligibility`` memoized on the user object for one page (a board or "my tasks" asks
    for many tasks of the same incident and specialty). Services never use it."""
    cache = getattr(user, _ELIGIBILITY_CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _ELIGIBILITY_CACHE, cache)
    key = (organization.pk, task.incident_id, task.specialty, task.min_grade)
    if key not in cache:
        cache[key] = ineligibility(task, organization)
    return cache[key]


def over_capacity(incident: Incident, area: str, headcount: int, exclude_pk=None) -> str:
    """The reason this filing would exceed the area's capacity, or "" if it fits."""
    limits = incident.capacity_for(area)
    if not limits:
        return ""
    occupying = Deployment.objects.filter(
        incident=incident, area_region_code=area, status__in=Deployment.OCCUPYING
    )
    if exclude_pk:
        occupying = occupying.exclude(pk=exclude_pk)
    totals = occupying.aggregate(teams=Count("id"), people=Sum("headcount"))
    teams, people = totals["teams"] or 0, totals["people"] or 0
    max_teams, max_people = limits.get("max_teams"), limits.get("max_people")
    if max_teams is not None and teams + 1 > max_teams:
        return _("Area %(area)s is at capacity: %(teams)s of %(max)s teams already approved.") % {
            "area": area,
            "teams": teams,
            "max": max_teams,
        }
    if max_people is not None and people + headcount > max_people:
        return _(
            "Area %(area)s is at capacity: %(people)s of %(max)s people already approved; "
            "this filing brings %(headcount)s more."
        ) % {"area": area, "people": people, "max": max_people, "headcount": headcount}
    return ""


# --- task guards -----------------------------------------------------------------------------


def task_official(user: Any, task: Task, **context: Any) -> None:
    if not cperms.is_official_for(user, task.incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


def task_holder(user: Any, task: Task, **context: Any) -> None:
    if task.organization_id is None or not cperms.acts_for(user, task.organization_id):
        raise PermissionDenied(_("Only the organization holding this task may do this."))


def _assignable(user: Any, task: Task, organization: Organization | None = None) -> None:
    if organization is not None:
        reason = ineligibility(task, organization)
        if reason:
            raise ValidationError({"organization": [reason]})


def _claimant(user: Any, task: Task, organization: Organization | None = None) -> None:
    """The organization claiming (or, asked without one, some organization the user acts for)
    must be eligible for the task."""
    if organization is not None:
        if not cperms.acts_for(user, organization):
            raise PermissionDenied(_("Only members of the organization may claim for it."))
        reason = ineligibility(task, organization)
        if reason:
            raise PermissionDenied(reason)
        return
    candidates = registry_queries.acting_organizations(user)
    if not candidates:
        raise PermissionDenied(_("Only members of an organization may do this."))
    reasons = [_cached_ineligibility(user, task, org) for org in candidates]
    if all(reasons):
        raise PermissionDenied(reasons[0])


def _has_report(user: Any, task: Task, **context: Any) -> None:
    if not task.reports.exists():
        raise InvalidTransition(_("Report on the task before completing it."))


def _second_person(user: Any, task: Task, **context: Any) -> None:
    """Who filed a report (or acts for the holder) does not verify the work."""
    reporters = set(task.reports.values_list("filed_by_id", flat=True))
    if user.pk in reporters or cperms.acts_for(user, task.organization_id):
        raise PermissionDenied(
            _("A report must be verified by someone other than the person who filed it.")
        )


S = Task.Status
TASK = Actions(
    Task,
    [
        Action("claim", S.ASSIGNED, who=_claimant),
        Action("assign", S.ASSIGNED, who=task_official, when=_assignable),
        Action("accept", S.ACCEPTED, who=task_holder, sources=(S.ASSIGNED,)),
        Action("decline", S.OPEN, who=task_holder, sources=(S.ASSIGNED,)),
        Action("start", S.IN_PROGRESS, who=task_holder, sources=(S.ACCEPTED,)),
        Action("report", None, who=task_holder, sources=(S.IN_PROGRESS,)),
        Action("complete", S.COMPLETED, who=task_holder, when=_has_report),
        Action(
            "verify", S.VERIFIED, who=task_official, when=_second_person, sources=(S.COMPLETED,)
        ),
        Action("cancel", S.CANCELLED, who=task_official),
    ],
)


# --- deployment guards -----------------------------------------------------------------------


def deployment_official(user: Any, deployment: Deployment, **context: Any) -> None:
    if not cperms.is_official_for(user, deployment.incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction may do this."))


def deployment_holder(user: Any, deployment: Deployment, **context: Any) -> None:
    if not cperms.acts_for(user, deployment.organization_id):
        raise PermissionDenied(_("Only the filing organization may do this."))


def _fits(user: Any, deployment: Deployment, **context: Any) -> None:
    over = over_capacity(
        deployment.incident, deployment.area_region_code, deployment.headcount, deployment.pk
    )
    if over:
        raise Conflict(over)


D = Deployment.Status
DEPLOYMENT = Actions(
    Deployment,
    [
        Action("approve", D.APPROVED, who=deployment_official, when=_fits),
        Action("hold", D.HELD, who=deployment_official),
        Action("arrive", D.ARRIVED, who=deployment_holder),
        Action("withdraw", D.WITHDRAWN, who=deployment_holder),
    ],
)


# --- incident and need guards ----------------------------------------------------------------


def incident_official(user: Any, incident: Incident, **context: Any) -> None:
    if not cperms.is_official_for(user, incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


def _higher_level(user: Any, incident: Incident, **context: Any) -> None:
    """Escalation goes up: the user's highest agency covering the incident must be of a higher
    level than the lead agency."""
    agency = cperms.official_agencies(user, incident.region_code)[0]
    lead = incident.lead_agency
    if lead is not None and cperms.level_rank(agency.region_code) >= cperms.level_rank(
        lead.region_code
    ):
        raise PermissionDenied(
            _("Only an official of a higher-level agency than the lead agency may take over.")
        )


def _acting_organization(user: Any, incident: Incident, **context: Any) -> None:
    if not registry_queries.acting_organizations(user):
        raise PermissionDenied(_("Only members of an organization may do this."))


def _official_or_organization(user: Any, incident: Incident, **context: Any) -> None:
    if not cperms.is_official_for(user, incident.region_code):
        _acting_organization(user, incident)


INCIDENT = Actions(
    Incident,
    [
        # Every state has onward moves; the service checks the one asked for in the table.
        Action("status", None, who=incident_official),
        Action("capacity", None, who=incident_official),
        Action("take_over", None, who=incident_official, when=_higher_level),
        Action("create_task", None, who=incident_official, sources=Incident.ACTIVE),
        Action("file_deployment", None, who=_acting_organization, sources=Incident.ACTIVE),
        Action("post_need", None, who=_official_or_organization, sources=Incident.ACTIVE),
    ],
)


def _unconfirmed(user: Any, need: Need, **context: Any) -> None:
    if need.confirmed_at:
        raise InvalidTransition(_("This need is already confirmed."))


def need_official(user: Any, need: Need, **context: Any) -> None:
    if not cperms.is_official_for(user, need.incident.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))


NEED = Actions(Need, [Action("confirm", None, who=need_official, when=_unconfirmed)])
