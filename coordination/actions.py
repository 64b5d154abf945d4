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
from django.utils.translation import gettext_lazy

from coordination import permissions as cperms
from coordination.models import Deployment, Incident, Need, Task
from core import hooks, words
from core.states import Action, Actions, Conflict, InvalidTransition
from registry import queries as registry_queries
from registry.choices import OrganizationKind, Specialty
from registry.models import Capability, Organization, Phase
from registry.queries import phase_covered

# --- rules shared by guards and services ---------------------------------------------------


def ineligibility(task: Task, organization: Organization) -> str:
    """Why ``organization`` may not take ``task`` ("" when it may), in the words a team needs to
    act on it: verified, not an agency, a *current assessed* capability (测评) in the task's
    specialty meeting its minimum grade, and an approved filing (报备) for the incident.

    The same rule as ``registry.queries.eligible_organizations``, asked one step at a time so
    the page can say which step is missing; two queries, as before."""
    if organization.kind == OrganizationKind.AGENCY:
        return _("Government agencies assign tasks; they do not take them.")
    if organization.status not in Organization.IN_GOOD_STANDING:
        return _("The organization must be verified before it takes tasks.")
    if task.specialty or task.min_grade:
        current = Capability.objects.current().filter(organization=organization)
        if task.specialty:
            current = current.filter(specialty=task.specialty)
        rows = list(current.values_list("assessed_grade", "phases"))
        specialty = Specialty(task.specialty).label if task.specialty else ""
        phase = Incident.PHASES.get(task.incident.status, "") if rows else ""
        if phase:
            serving = [(g, p) for g, p in rows if phase_covered(p, phase)]
            if not serving:
                return _(
                    "The incident is in the %(phase)s phase; the organization's capability "
                    "does not serve it."
                ) % {"phase": Phase(phase).label}
            rows = serving
        grades = [g for g, _p in rows if g is not None]
        if not grades:
            if specialty:
                return _("Needs an assessed capability in %(specialty)s.") % {
                    "specialty": specialty
                }
            return _("Needs an assessed capability.")
        if task.min_grade and min(grades) > task.min_grade:
            if specialty:
                return _(
                    "Needs %(specialty)s assessed at grade %(grade)s or better; the "
                    "organization's assessment is grade %(current)s."
                ) % {"specialty": specialty, "grade": task.min_grade, "current": min(grades)}
            return _(
                "Needs a capability assessed at grade %(grade)s or better; the organization's "
                "best is grade %(current)s."
            ) % {"grade": task.min_grade, "current": min(grades)}
    if not Deployment.objects.filter(
        incident_id=task.incident_id, organization=organization, status__in=Deployment.OCCUPYING
    ).exists():
        return _("Needs an approved deployment filing (报备) for this incident.")
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
    if max_people is not None:
        # Volunteers signed up to hubs' calls into the area count too (volunteers app).
        people += sum(hooks.collect("incident_people", incident.pk, area))
    if max_teams is not None and teams + 1 > max_teams:
        return _("Area %(area)s is at capacity: %(teams)s of %(max)s teams already approved.") % {
            "area": words.region_path(area),
            "teams": teams,
            "max": max_teams,
        }
    if max_people is not None and people + headcount > max_people:
        return _(
            "Area %(area)s is at capacity: %(people)s of %(max)s people already approved; "
            "this filing brings %(headcount)s more."
        ) % {
            "area": words.region_path(area),
            "people": people,
            "max": max_people,
            "headcount": headcount,
        }
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
        if registry_queries.acting_organizations(user, verified=False):
            raise PermissionDenied(_("The organization must be verified before it takes tasks."))
        raise PermissionDenied(_("Only members of an organization may do this."))
    reasons = [_cached_ineligibility(user, task, org) for org in candidates]
    if all(reasons):
        raise PermissionDenied(reasons[0])


def _has_report(user: Any, task: Task, **context: Any) -> None:
    # A list page annotates ``has_reports`` (one query for all rows); services ask the row.
    known = getattr(task, "has_reports", None)
    if not (task.reports.exists() if known is None else known):
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


# --- where an object is and what comes next (steppers, homes) --------------------------------

TASK_PATH = [S.OPEN, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.VERIFIED]
TASK_NEXT = {
    S.OPEN: gettext_lazy("An eligible team claims it, or an official assigns it"),
    S.ASSIGNED: gettext_lazy("The team accepts or declines"),
    S.ACCEPTED: gettext_lazy("Start work on site with a first report"),
    S.IN_PROGRESS: gettext_lazy("Report progress; complete when done"),
    S.COMPLETED: gettext_lazy("An official verifies the work"),
}


def task_steps(task: Task) -> list[dict]:
    """The task's stepper (core.words.steps): its path, the current step carrying what comes
    next; a cancelled task shows where it stopped."""
    hints = {task.status: TASK_NEXT[task.status]} if task.status in TASK_NEXT else {}
    if task.status == S.CANCELLED and task.status_reason:
        hints[S.CANCELLED] = task.status_reason
    return words.steps(TASK_PATH, task.status, dict(S.choices), stopped={S.CANCELLED}, hints=hints)


DEPLOYMENT_PATH = [D.FILED, D.APPROVED, D.ARRIVED]
DEPLOYMENT_NEXT = {
    D.FILED: gettext_lazy("The bureau approves or holds it"),
    D.HELD: gettext_lazy("Held by the bureau: it may still approve it"),
    D.APPROVED: gettext_lazy("The team reports its arrival"),
}


def deployment_steps(deployment: Deployment) -> list[dict]:
    """A filing's stepper: filed, approved, arrived; held and withdrawn are shown where the
    filing stopped, with the bureau's reason."""
    status = deployment.status
    hints = {status: DEPLOYMENT_NEXT[status]} if status in DEPLOYMENT_NEXT else {}
    if status in (D.HELD, D.WITHDRAWN) and deployment.status_reason:
        hints[status] = deployment.status_reason
    return words.steps(
        DEPLOYMENT_PATH,
        status,
        dict(D.choices),
        stopped={D.HELD, D.WITHDRAWN},
        hints=hints,
    )
