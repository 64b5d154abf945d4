"""Read paths of the incident board, shared by pages and the API (fixed query counts)."""

from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from coordination import permissions as cperms
from coordination.models import Deployment, Incident, Need, Task, TaskReport
from core import hooks, regions, statements
from core import permissions as perms
from core.display import people
from core.http import is_id
from core.models import Region
from registry import queries as registry_queries
from registry.models import Capability
from registry.queries import phase_covered


def incidents_active_first() -> QuerySet[Incident]:
    """Every incident (they are public), active ones first, newest first within each group."""
    return (
        Incident.objects.select_related("lead_agency")
        .annotate(
            closed_last=Case(
                When(status=Incident.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed_last", "-started_at", "-id")
    )


def exercise_visibility(user: Any, field: str = "") -> Q:
    """Which incidents (or rows of ``field``'s incident) the user may see: every real one;
    exercises (drills' incidents) only for officials with jurisdiction and members of an
    organization taking part in the drill (the provided hook ``exercise_incidents``, a lazy
    subquery of incident ids, from preparedness). Anonymous readers never see an exercise."""
    prefix = f"{field}__" if field else ""
    cond = Q(**{f"{prefix}is_exercise": False})
    if not getattr(user, "is_authenticated", False):
        return cond
    cond |= _region_filter(user, f"{prefix}region_code")
    org_ids = perms.organization_ids(user)
    if org_ids:
        try:
            ids = hooks.provided("exercise_incidents", org_ids)
        except LookupError:  # no drills app installed
            ids = None
        if ids is not None:
            cond |= Q(**{f"{prefix}pk__in": ids})
    return cond


def visible_incidents(user: Any) -> QuerySet[Incident]:
    """``incidents_active_first`` without the exercises the user may not see."""
    return incidents_active_first().filter(exercise_visibility(user))


def visible_incident_id(user: Any, pk: str | int) -> int | None:
    """``pk`` as an int when the user may see that incident (``visible_incidents``' rule),
    else None. For the 3W, which needs nothing of the incident but its id: an anonymous
    reader's lookup is a statement compiled once (``core.statements.rows_in``) over the same
    rule, where building ``visible_incidents`` and ``get()`` cost ~1.5 ms of CPU per request."""
    text = str(pk)
    if not is_id(text):
        return None
    if getattr(user, "is_authenticated", False):
        found = list(visible_incidents(user).filter(pk=int(text)).values_list("pk", flat=True))
    else:
        found = [row["pk"] for row in statements.rows_in(_PUBLIC, "pk", ["pk"], [int(text)])]
    return found[0] if found else None


def _region_filter(user: Any, field: str) -> Q:
    cond = Q(pk__in=[])
    for prefix in perms.jurisdiction_prefixes(user):
        cond |= Q(**{f"{field}__startswith": prefix})
    return cond


def _sum_subquery(qs: QuerySet, field: str) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by()
            .annotate(_one=Value(1))
            .values("_one")
            .annotate(total=Sum(field))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def needs_with_progress(qs: QuerySet[Need]) -> QuerySet[Need]:
    """Needs annotated with ``committed`` (quantity committed by live tasks) and ``reached``
    (quantity delivered on verified tasks); ``gap`` = quantity - committed, never below 0."""
    live_tasks = Task.objects.filter(need=OuterRef("pk")).exclude(status=Task.Status.CANCELLED)
    verified_reports = TaskReport.objects.filter(
        task__need=OuterRef("pk"), task__status=Task.Status.VERIFIED
    )
    return qs.annotate(
        committed=_sum_subquery(live_tasks, "quantity_committed"),
        reached=_sum_subquery(verified_reports, "quantity_delivered"),
    ).select_related("posted_by_organization")


def visible_needs(user: Any, incident: Incident) -> QuerySet[Need]:
    """Confirmed needs for everyone; unconfirmed ones for officials with jurisdiction and the
    organization that posted them."""
    qs = Need.objects.filter(incident=incident)
    if not cperms.is_official_for(user, incident.region_code):
        qs = qs.filter(
            Q(confirmed_at__isnull=False)
            | Q(posted_by_organization_id__in=cperms.acting_organization_ids(user))
        )
    return needs_with_progress(qs).order_by("confirmed_at", "-created_at", "-id")


def visible_deployments(user: Any) -> QuerySet[Deployment]:
    """Officials: filings for incidents in their jurisdiction. Members: their own filings."""
    cond = _region_filter(user, "incident__region_code")
    org_ids = perms.organization_ids(user) + registry_queries.vouched_team_ids(user)
    if org_ids:
        cond |= Q(organization_id__in=org_ids)
    return Deployment.objects.filter(cond).select_related("incident", "organization")


def people_on_site(incident: Incident) -> list[dict]:
    """Approved and arrived teams and people per area, with the area's capacity."""
    rows = (
        Deployment.objects.filter(incident=incident, status__in=Deployment.OCCUPYING)
        .values("area_region_code")
        .annotate(
            teams=Count("id"),
            people=Sum("headcount"),
            arrived=Sum(
                Case(
                    When(status=Deployment.Status.ARRIVED, then=F("headcount")),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by("area_region_code")
    )
    result = []
    for row in rows:
        row["capacity"] = incident.capacity_for(row["area_region_code"])
        result.append(row)
    for area, limits in sorted((incident.area_capacity or {}).items()):
        if area not in {r["area_region_code"] for r in result}:
            result.append(
                {
                    "area_region_code": area,
                    "teams": 0,
                    "people": 0,
                    "arrived": 0,
                    "capacity": limits,
                }
            )
    names = region_names([r["area_region_code"] for r in result])
    for row in result:
        row["area_name"] = names.get(row["area_region_code"], "")
    return result


PRIORITY_ORDER = ("critical", "high", "normal", "low")


def tasks_with_relations() -> QuerySet[Task]:
    return Task.objects.select_related("incident", "organization", "need")


def board(incident: Incident) -> list[tuple[str, str, list[Task]]]:
    """The kanban: (status, label, tasks) columns in life-cycle order (one query)."""
    columns: dict[str, list[Task]] = defaultdict(list)
    urgent_first = Case(
        *(When(priority=p, then=Value(rank)) for rank, p in enumerate(PRIORITY_ORDER)),
        default=Value(9),
        output_field=IntegerField(),
    )
    for task in tasks_with_relations().filter(incident=incident).order_by(urgent_first, "id"):
        columns[task.status].append(task)
    return [(s, Task.Status(s).label, columns.get(s, [])) for s in Task.BOARD_ORDER]


_REGIONS = Region.objects.order_by()  # a constant: core.statements compiles its lookups once


def region_names(codes: list[str]) -> dict[str, str]:
    """Names of these regions and of their ancestors (one query, compiled once per count)."""
    wanted = set()
    for code in codes:
        if regions.is_valid_code(code):
            wanted.update(regions.ancestors(code))
    rows = statements.rows_in(_REGIONS, "code", ["code", "name"], sorted(wanted))
    return {row["code"]: row["name"] for row in rows}


# People reached by one task: the sum of its reports (a scalar subquery of three_w; SUM as a
# plain function, so the subquery has no GROUP BY).
_REACHED = (
    TaskReport.objects.filter(task=OuterRef("pk"))
    .order_by()
    .values(total=Func(F("people_served"), function="SUM", output_field=IntegerField()))
)


def three_w(incident: Incident) -> list[dict]:
    """Who does what where: one row per task an organization holds (organization, sector,
    province / prefecture / county, activity, people reached, status), already of
    ``ThreeWRowSerializer``'s types: the API sends them as they are, the page and the CSV read
    them. The task query is compiled once per incident (``core.statements.reused_rows``: its
    SQL depends on the incident alone), the region names once per number of codes."""
    tasks = statements.reused_rows(
        ("three_w", incident.pk),
        lambda: (
            Task.objects.filter(incident_id=incident.pk, organization__isnull=False)
            .exclude(status=Task.Status.CANCELLED)
            .annotate(
                # subqueries, not joins and a GROUP BY: cheaper to plan (statements docs)
                organization_name=statements.scalar_relation(Task, "organization__name"),
                need_category=statements.scalar_relation(Task, "need__category"),
                reached=Coalesce(Subquery(_REACHED), Value(0)),
            )
            .order_by("organization_name", "specialty", "region_code", "id")
            .values(
                "id",
                "organization_id",
                "organization_name",
                "specialty",
                "need_category",
                "region_code",
                "title",
                "status",
                "reached",
            )
        ),
    )
    names = region_names([t["region_code"] for t in tasks])
    rows = []
    for task in tasks:
        adm = dict.fromkeys(("adm1", "adm2", "adm3"), "")
        for level, code in zip(
            ("adm1", "adm2", "adm3"), regions.ancestors(task["region_code"]), strict=False
        ):
            adm[level] = code
        rows.append(
            {
                "organization": task["organization_name"],
                "organization_id": task["organization_id"],
                "sector": task["specialty"] or task["need_category"] or "",
                "adm1_code": adm["adm1"],
                "adm1_name": names.get(adm["adm1"], ""),
                "adm2_code": adm["adm2"],
                "adm2_name": names.get(adm["adm2"], ""),
                "adm3_code": adm["adm3"],
                "adm3_name": names.get(adm["adm3"], ""),
                "activity": task["title"],
                "reached": task["reached"],
                "status": task["status"],
                "task_id": task["id"],
            }
        )
    return rows


def three_w_bars(rows: list[dict]) -> list[dict]:
    """People reached per organization, with a bar width class (bar w0 ... w100)."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["organization"]] += row["reached"]
    top = max(totals.values(), default=0)
    bars = []
    for name, value in sorted(totals.items(), key=lambda item: -item[1]):
        width = round(value * 20 / top) * 5 if top else 0
        bars.append({"label": name, "value": value, "width": width})
    return bars


def suggestions(task: Task) -> list[dict]:
    """Organizations that may take ``task`` (eligible with an approved filing), best first:
    by assessed grade, distance from the task's area (region hierarchy: from the area they
    filed for, then from their home region), current load (tasks in hand), then track record
    (tasks verified)."""
    grade = Capability.objects.current().filter(organization=OuterRef("pk"))
    if task.specialty:
        grade = grade.filter(specialty=task.specialty)
    grade = grade.order_by("assessed_grade").values("assessed_grade")[:1]
    deployed = Deployment.objects.filter(
        incident_id=task.incident_id, status__in=Deployment.OCCUPYING
    )
    candidates = (
        registry_queries.eligible_organizations(
            specialty=task.specialty or None, min_grade=task.min_grade, include_vouched=True
        )
        .filter(deployments__in=deployed)
        .distinct()
        .annotate(
            best_grade=Subquery(grade, output_field=IntegerField()),
            load=Count("tasks", filter=Q(tasks__status__in=Task.ACTIVE), distinct=True),
            verified_tasks=Count(
                "tasks", filter=Q(tasks__status=Task.Status.VERIFIED), distinct=True
            ),
        )
        .prefetch_related(Prefetch("deployments", queryset=deployed, to_attr="open_filings"))
    )
    phase = Incident.PHASES.get(task.incident.status, "")
    if task.specialty and phase:
        # The capabilities' declared phases must serve the incident's phase (phase_covered).
        serving = Capability.objects.current().filter(specialty=task.specialty)
        candidates = candidates.prefetch_related(
            Prefetch("capabilities", queryset=serving, to_attr="serving_capabilities")
        )
    ranked = []
    for org in candidates:
        if (
            task.specialty
            and phase
            and not any(phase_covered(c.phases, phase) for c in org.serving_capabilities)
        ):
            continue
        distance = min(
            region_distance(d.area_region_code, task.region_code) for d in org.open_filings
        )
        ranked.append(
            {
                "organization": org,
                "grade": org.best_grade,
                "distance": distance,
                "home_distance": region_distance(org.region_code, task.region_code),
                "load": org.load,
                "verified_tasks": org.verified_tasks,
            }
        )
    ranked.sort(
        key=lambda r: (
            r["grade"] or 9,
            r["distance"],
            r["home_distance"],
            r["load"],
            -r["verified_tasks"],
            r["organization"].pk,
        )
    )
    return ranked


def region_distance(a: str, b: str) -> int:
    """0 same county, 1 same prefecture, 2 same province, 3 elsewhere (region hierarchy)."""
    if a == b:
        return 0
    if a[:4] == b[:4]:
        return 1
    if a[:2] == b[:2]:
        return 2
    return 3


def dashboard_counts() -> dict[str, int]:
    return {
        "active_incidents": Incident.objects.exclude(status=Incident.Status.CLOSED)
        .filter(is_exercise=False)
        .count(),
        "open_tasks": Task.objects.filter(
            status=Task.Status.OPEN,
            incident__status__in=Incident.ACTIVE,
            incident__is_exercise=False,
        ).count(),
    }


def track_record(organization_id: int) -> dict[str, int]:
    return Task.objects.filter(
        organization_id=organization_id, incident__is_exercise=False
    ).aggregate(
        completed=Count("id", filter=Q(status__in=[Task.Status.COMPLETED, Task.Status.VERIFIED])),
        verified=Count("id", filter=Q(status=Task.Status.VERIFIED)),
    )


def visible_needs_anywhere(user: Any) -> QuerySet[Need]:
    """Needs the user may look up by id: confirmed ones, their organization's, and every need in
    their jurisdiction."""
    cond = Q(confirmed_at__isnull=False) | _region_filter(user, "incident__region_code")
    org_ids = cperms.acting_organization_ids(user)
    if org_ids:
        cond |= Q(posted_by_organization_id__in=org_ids)
    return needs_with_progress(
        Need.objects.filter(cond).filter(exercise_visibility(user, "incident"))
    ).select_related("incident")


def reports_of(task: Task) -> QuerySet[TaskReport]:
    return task.reports.select_related("filed_by").prefetch_related("photos", people("filed_by"))


def task_counts(incident: Incident) -> QuerySet:
    return (
        Task.objects.filter(incident=incident)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )


def filings_with_roster(filings: QuerySet[Deployment]) -> list[Deployment]:
    """``filings`` with their organization, their roster and who on it lacks accident cover
    (``rosters.annotate``): three queries whatever the rows (filings, roster, policies)."""
    from coordination import rosters

    return rosters.annotate(
        list(filings.select_related("organization").prefetch_related(rosters.roster_prefetch()))
    )


def own_open_filings(incident: Incident, organization_ids: list[int]) -> list[Deployment]:
    """The open filings of ``organization_ids`` (those a person acts for) in ``incident``,
    newest first, with their rosters: the incident overview's "your filing" card. None without
    organizations."""
    if not organization_ids:
        return []
    filings = filings_with_roster(
        Deployment.objects.filter(
            incident=incident, organization_id__in=organization_ids, status__in=Deployment.OPEN
        ).order_by("-created_at", "-id")
    )
    for filing in filings:
        filing.incident = incident
    return filings


def filing_with_roster(pk: int) -> Deployment:
    """One filing with its incident, organization, roster and uninsured people (the roster
    page)."""
    (filing,) = filings_with_roster(Deployment.objects.filter(pk=pk).select_related("incident"))
    return filing


# What an anonymous reader may see (``exercise_visibility``'s rule, no user): a constant
# queryset for ``visible_incident_id``'s compiled lookup.
_PUBLIC = Incident.objects.filter(exercise_visibility(AnonymousUser())).order_by()
