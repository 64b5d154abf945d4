"""What the incident board asks of each person now: the ``work_queue`` and ``navigation_links``
hooks of coordination (core.hooks), and the public panels of the home page.

Each queue item costs one aggregate query (count and oldest together) plus one query for the
oldest row, whose page is where the person acts: the queue links to the oldest item first.
"""

from typing import Any

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.actions import TASK_NEXT
from coordination.models import Deployment, Incident, Need, Task
from coordination.queries import needs_with_progress
from core import permissions as perms
from registry.models import Capability
from registry.queries import acting_organizations


def _scope(user: Any, field: str) -> Q | None:
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return None
    cond = Q()
    for prefix in prefixes:
        cond |= Q(**{f"{field}__startswith": prefix})
    return cond


def _item(role: str, key: str, label: str, qs: QuerySet, date_field: str, url_of, hint_of=None):
    """One queue item: count and oldest in one query, the three oldest rows in another (the
    link goes to the oldest; ``hint_of(rows)`` may name them)."""
    totals = qs.aggregate(n=Count("pk"), oldest=Min(date_field))
    rows = list(qs.order_by(date_field, "pk")[:3]) if totals["n"] else []
    item = {
        "role": role,
        "key": key,
        "label": label,
        "count": totals["n"],
        "oldest": totals["oldest"],
        "url": url_of(rows[0] if rows else None),
    }
    if rows and hint_of is not None:
        item["hint"] = hint_of(rows)
    return item


def _incident_tab(tab: str):
    def url(row) -> str:
        if row is None:
            return reverse("coordination:incident_list")
        return reverse("coordination:incident_detail", args=[row.incident_id]) + f"?tab={tab}"

    return url


def _task_page(fallback: str):
    def url(row) -> str:
        if row is None:
            return reverse(fallback)
        return reverse("coordination:task_detail", args=[row.pk])

    return url


def official_queue(user: Any) -> list[dict]:
    """An official's jurisdiction: filings to decide, needs to confirm, work to verify."""
    scope = _scope(user, "incident__region_code")
    if scope is None:
        return []
    live = Q(incident__status__in=Incident.ACTIVE)
    filings = Deployment.objects.select_related("incident", "organization").filter(
        scope, live, status__in=(Deployment.Status.FILED, Deployment.Status.HELD)
    )
    needs = Need.objects.select_related("incident").filter(scope, live, confirmed_at__isnull=True)
    done = Task.objects.filter(scope, status=Task.Status.COMPLETED).select_related("incident")
    return [
        _item(
            "official",
            "filings",
            _("Deployment filings waiting for approval"),
            filings,
            "created_at",
            _incident_tab("deployments"),
            lambda rows: (
                _("Oldest: %(organization)s, %(incident)s")
                % {"organization": rows[0].organization.name, "incident": rows[0].incident.title}
            ),
        ),
        _item(
            "official",
            "needs",
            _("Needs to confirm"),
            needs,
            "created_at",
            _incident_tab("needs"),
            lambda rows: (
                _("Oldest: %(need)s, %(incident)s")
                % {"need": rows[0].get_category_display(), "incident": rows[0].incident.title}
            ),
        ),
        _item(
            "official",
            "verify",
            _("Completed tasks awaiting verification"),
            done,
            "updated_at",
            _task_page("coordination:incident_list"),
            lambda rows: _("Oldest: %(title)s") % {"title": rows[0].title},
        ),
    ]


def matching_open_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks of active incidents that one of the person's verified organizations could
    take on its capabilities: no requirement, or a *current assessed* capability in the task's
    specialty meeting its minimum grade (1 is the highest).

    Decision ("in its area"): a task lies in the area of an organization when it is in the
    organization's province, or in an incident where it already has an approved filing. The
    filing itself is not required here: the task page says when one is still missing."""
    orgs = acting_organizations(user)
    if not orgs:
        return Task.objects.none()
    current = Capability.objects.current().filter(organization__in=orgs)
    specialty_ok = Exists(
        current.filter(
            specialty=OuterRef("specialty"),
            assessed_grade__lte=Coalesce(
                OuterRef("min_grade"), Value(3), output_field=IntegerField()
            ),
        )
    )
    grade_ok = Exists(current.filter(assessed_grade__lte=OuterRef("min_grade")))
    capable = (
        Q(specialty="", min_grade__isnull=True) | Q(specialty_ok) | (Q(specialty="") & Q(grade_ok))
    )
    area = Q(
        incident__deployments__organization__in=orgs,
        incident__deployments__status__in=Deployment.OCCUPYING,
    )
    for prefix in {o.region_code[:2] for o in orgs if o.region_code}:
        area |= Q(region_code__startswith=prefix)
    return (
        Task.objects.filter(capable, area, status=Task.Status.OPEN)
        .filter(incident__status__in=Incident.ACTIVE)
        .distinct()
    )


def organization_queue(user: Any) -> list[dict]:
    """A team: open tasks it could take, its filings still with the bureau, tasks in hand."""
    holders = acting_organizations(user, verified=False)
    if not holders:
        return []
    mine = reverse("coordination:my_tasks")
    waiting = Deployment.objects.select_related("incident").filter(
        organization__in=holders, status__in=(Deployment.Status.FILED, Deployment.Status.HELD)
    )
    in_hand = Task.objects.filter(organization__in=holders, status__in=Task.ACTIVE)
    open_tasks = Task.objects.filter(pk__in=matching_open_tasks(user).values("pk"))
    return [
        _item(
            "organization",
            "open_tasks",
            _("Open tasks matching your capabilities"),
            open_tasks,
            "created_at",
            _task_page("coordination:my_tasks"),
            lambda rows: _("Oldest: %(title)s") % {"title": rows[0].title},
        ),
        _item(
            "organization",
            "filings",
            _("Your filings waiting for the bureau"),
            waiting,
            "created_at",
            _incident_tab("deployments"),
            lambda rows: (
                _("Oldest: %(status)s, %(incident)s")
                % {"status": rows[0].get_status_display(), "incident": rows[0].incident.title}
            ),
        ),
        _item(
            "organization",
            "in_hand",
            _("Tasks in hand"),
            in_hand,
            "assigned_at",
            lambda task: mine,
            lambda rows: " · ".join(
                _("Next for %(title)s: %(step)s")
                % {"title": task.title, "step": TASK_NEXT.get(task.status, "")}
                for task in rows
            ),
        ),
    ]


def work_queue(user: Any) -> list[dict]:
    return official_queue(user) + organization_queue(user)


def navigation_links(user: Any) -> list[dict]:
    if acting_organizations(user, verified=False):
        return [
            {
                "label": _("My tasks"),
                "url": reverse("coordination:my_tasks"),
                "order": 20,
                "key": "my_tasks",
                "group": "coordination",
            }
        ]
    return []


def public_panels(user: Any) -> list[dict]:
    """The home page's public picture of the board: active incidents, and confirmed needs of
    active incidents with a gap, most urgent first (two queries)."""
    incidents = list(
        Incident.objects.filter(status__in=Incident.ACTIVE, is_exercise=False)
        .select_related("lead_agency")
        .order_by("-started_at", "-id")[:6]
    )
    needs = [
        need
        for need in needs_with_progress(
            Need.objects.filter(
                confirmed_at__isnull=False,
                incident__status__in=Incident.ACTIVE,
                incident__is_exercise=False,
            ).select_related("incident")
        ).order_by("-created_at", "-id")[:30]
        if need.quantity > need.committed
    ]
    for need in needs:
        need.gap = need.quantity - need.committed
    rank = {"critical": 0, "high": 1, "normal": 2, "low": 3}
    needs.sort(key=lambda n: (rank.get(n.urgency, 9), -n.gap))
    return [
        {
            "key": "incidents",
            "order": 10,
            "title": _("Active incidents"),
            "template": "coordination/_home_incidents.html",
            "context": {"incidents": incidents},
        },
        {
            "key": "needs",
            "order": 20,
            "title": _("Open needs and their gaps"),
            "template": "coordination/_home_needs.html",
            "context": {"needs": needs[:8]},
        },
    ]
