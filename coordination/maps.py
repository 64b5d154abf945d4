"""What the incident maps and the needs chart show (static/js/tz-map.js, tz-charts.js).

The map of one incident shows its point, the needs, the approved and arrived filings (each
team's base, and the people per area), the tasks that are not cancelled, and a choropleth of
the needs still open per area. The map of the incident list shows every active incident and
the same choropleth over all of them. Both cost a fixed number of queries whatever the rows.

**Who sees exact points.** An incident's point is public. A need's, a filing's or a task's is
exact for officials whose jurisdiction covers the object's area and for members of the
organization involved (the need's poster, the filing organization, the task's holder); everyone
else gets ``core.geo.blur``'s stand-in, 0.5-2 km away, the same for the same object every time.
The API serializers apply the same rule (``point_for``).

A filing's point shows its organization's name only to those who see it exactly; the others
see "a team on site" with its headcount, as the public per-area counts already tell.

**The choropleth** counts needs with a gap (quantity not yet committed by a live task) per area
code, whatever its level: needs of different kinds and units cannot be added, but "how many
needs are still open here" can. The tooltip lists the gaps with their units, and the people on
site (approved and arrived filings) in the area.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination import queries
from coordination.models import Deployment, Incident, Need, NeedCategory, Task
from core import geo, hooks, words
from core import permissions as perms

# Lower bound of each class of the choropleth (needs with a gap in an area), and its colour.
LEGEND_CLASSES = [(1, "#fdd49e"), (2, "#fc8d59"), (4, "#e34a33"), (7, "#b30000")]


def involved_organization_id(obj: Need | Deployment | Task) -> int | None:
    """The organization whose members see the object's exact point."""
    if isinstance(obj, Need):
        return obj.posted_by_organization_id
    return obj.organization_id


def area_of(obj: Need | Deployment | Task) -> str:
    return obj.area_region_code if isinstance(obj, Deployment) else obj.region_code


def sees_exact(user: Any, obj: Need | Deployment | Task) -> bool:
    """Officials covering the object's area and members of the organization involved (no query
    once the user's memberships are loaded)."""
    if perms.is_official_for(user, area_of(obj)):
        return True
    organization_id = involved_organization_id(obj)
    return organization_id is not None and organization_id in perms.organization_ids(user)


def point_for(user: Any, obj: Need | Deployment | Task) -> tuple[str | None, str | None, bool]:
    """(latitude, longitude, exact) as text for ``user``: None, None when the object has no
    point; the blurred stand-in unless ``sees_exact``."""
    if obj.latitude is None or obj.longitude is None:
        return None, None, False
    if sees_exact(user, obj):
        return str(obj.latitude), str(obj.longitude), True
    latitude, longitude = geo.blur(obj.latitude, obj.longitude, key=geo.blur_key(obj))
    return str(latitude), str(longitude), False


def _point(user: Any, obj) -> dict | None:
    latitude, longitude, exact = point_for(user, obj)
    if latitude is None:
        return None
    return {"lat": float(latitude), "lon": float(longitude), "exact": exact}


def _incident_feature(incident: Incident) -> dict | None:
    if incident.latitude is None or incident.longitude is None:
        return None
    return {
        "lat": float(incident.latitude),
        "lon": float(incident.longitude),
        "exact": True,
        "title": incident.title,
        "detail": f"{incident.get_kind_display()} · {incident.get_status_display()}",
        "url": reverse("coordination:incident_detail", args=[incident.pk]),
    }


def _areas(needs: list[Need], on_site: list[dict]) -> dict[str, dict]:
    areas: dict[str, dict] = {}

    def area(code: str) -> dict:
        if code not in areas:
            areas[code] = {"name": words.region_path(code), "open": 0, "gaps": [], "people": 0}
        return areas[code]

    gaps: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for need in needs:
        gap = max(need.quantity - (need.committed or 0), 0)
        if gap:
            area(need.region_code)["open"] += 1
            gaps[need.region_code][(need.get_category_display(), need.unit)] += gap
    for code, per_kind in gaps.items():
        areas[code]["gaps"] = [
            f"{label} {words.quantity(amount, unit)}"
            for (label, unit), amount in sorted(per_kind.items())
        ]
    for row in on_site:
        if row.get("people"):
            area(row["area_region_code"])["people"] = row["people"]
    return areas


def _legend() -> dict:
    classes = []
    for index, (low, colour) in enumerate(LEGEND_CLASSES):
        high = LEGEND_CLASSES[index + 1][0] - 1 if index + 1 < len(LEGEND_CLASSES) else None
        if high is None:
            label = _("%(n)s or more") % {"n": low}
        elif high == low:
            label = str(low)
        else:
            label = f"{low}–{high}"
        classes.append({"min": low, "colour": colour, "label": label})
    return {"title": _("Needs with a gap, by area"), "classes": classes}


def _labels() -> dict:
    return {
        "needs": _("Needs"),
        "filings": _("Teams on site"),
        "tasks": _("Tasks"),
        "incidents": _("Incidents"),
        "blurred": _("Approximate location (within about 2 km)"),
        "exact": _("Exact location"),
        "open": _("Needs with a gap"),
        "people": _("People on site"),
        "peopleShort": _("%(n)s on site"),
        "none": _("No open needs"),
        "boundaries": _("Administrative boundaries"),
    }


def _provinces(codes: list[str]) -> list[str]:
    return sorted({code[:2] for code in codes if code and len(code) == 6})


def incident_map(user: Any, incident: Incident, needs: list[Need] | None = None) -> dict:
    """The map of one incident for ``user``: three queries (needs unless given, filings,
    tasks) once the user's memberships are loaded."""
    if needs is None:
        needs = list(queries.visible_needs(user, incident))
    filings = list(
        Deployment.objects.filter(incident=incident, status__in=Deployment.OCCUPYING)
        .select_related("organization")
        .order_by("id")
    )
    tasks = list(
        Task.objects.filter(incident=incident).exclude(status=Task.Status.CANCELLED).order_by("id")
    )
    on_site = _people_per_area(filings)
    need_features = []
    for need in needs:
        point = _point(user, need)
        if point:
            gap = max(need.quantity - (need.committed or 0), 0)
            point.update(
                title=f"{need.get_category_display()}: {need.description[:80]}",
                detail=_("Needed %(needed)s, gap %(gap)s")
                % {
                    "needed": words.quantity(need.quantity, need.unit),
                    "gap": words.quantity(gap, need.unit),
                },
            )
            need_features.append(point)
    filing_features = []
    for filing in filings:
        point = _point(user, filing)
        if point:
            # A filing is private to the area's officials and its organization (docs/
            # coordination.md): the others learn that a team of n is based near there, not whose.
            point.update(
                title=filing.organization.name if point["exact"] else _("A team on site"),
                detail=_("%(n)s people, %(status)s")
                % {"n": words.number(filing.headcount), "status": filing.get_status_display()},
            )
            filing_features.append(point)
    task_features = []
    for task in tasks:
        point = _point(user, task)
        if point:
            point.update(
                title=task.title,
                detail=f"{task.get_status_display()} · {task.get_priority_display()}",
                url=reverse("coordination:task_detail", args=[task.pk]),
            )
            task_features.append(point)
    incident_point = _incident_feature(incident)
    areas = _areas(needs, on_site)
    # Layers of apps right of coordination (core.hooks ``incident_map_layers``: liaison's
    # confirmed field reports), each {"key", "label", "points"}.
    layers = hooks.collect("incident_map_layers", user, incident)
    extra = [p for layer in layers for p in layer["points"]]
    points = [
        (p["lat"], p["lon"])
        for p in [incident_point, *need_features, *filing_features, *task_features, *extra]
        if p
    ]
    labels = _labels()
    labels.update({layer["key"]: layer["label"] for layer in layers})
    return {
        **{layer["key"]: layer["points"] for layer in layers},
        "layers": [layer["key"] for layer in layers],
        "config": geo.map_settings(),
        "focus": incident.region_code,
        "provinces": _provinces([incident.region_code, *areas]),
        "bounds": geo.bounds(points) if len(points) > 1 else None,
        "incidents": [incident_point] if incident_point else [],
        "needs": need_features,
        "filings": filing_features,
        "tasks": task_features,
        "areas": areas,
        "legend": _legend(),
        "labels": labels,
    }


def _people_per_area(filings: list[Deployment]) -> list[dict]:
    people: dict[str, int] = defaultdict(int)
    for filing in filings:
        people[filing.area_region_code] += filing.headcount
    return [{"area_region_code": code, "people": n} for code, n in sorted(people.items())]


def active_needs() -> list[Need]:
    """The confirmed needs of every active incident, with their progress (one query)."""
    return list(
        queries.needs_with_progress(
            Need.objects.filter(
                incident__status__in=Incident.ACTIVE,
                incident__is_exercise=False,
                confirmed_at__isnull=False,
            )
        )
    )


def incidents_map(
    user: Any, incidents: QuerySet[Incident] | None = None, needs: list[Need] | None = None
) -> dict:
    """The map of the active incidents (or of ``incidents``) and the choropleth of ``needs``
    (default: ``active_needs()``): two queries."""
    if incidents is None:
        incidents = Incident.objects.filter(status__in=Incident.ACTIVE, is_exercise=False)
    incidents = list(incidents.order_by("-started_at", "-id"))
    if needs is None:
        needs = active_needs()
    incident_features = [f for f in map(_incident_feature, incidents) if f]
    areas = _areas(needs, [])
    return {
        "config": geo.map_settings(),
        "focus": "",
        "provinces": _provinces([i.region_code for i in incidents] + list(areas)),
        "bounds": geo.bounds((f["lat"], f["lon"]) for f in incident_features)
        if len(incident_features) > 1
        else None,
        "incidents": incident_features,
        "needs": [],
        "filings": [],
        "tasks": [],
        "areas": areas,
        "legend": _legend(),
        "labels": _labels(),
    }


def needs_chart(needs: list[Need]) -> dict | None:
    """ECharts option: per need type and unit, requested vs committed (pledged) vs reached
    (met, verified) vs gap. Types are paired with their unit because 200 boxes and 50 people
    cannot share a bar; None when there are no needs."""

    def amounts(need: Need) -> tuple[int, ...]:
        committed = need.committed or 0
        return (need.quantity, committed, need.reached or 0, max(need.quantity - committed, 0))

    return gap_bars(
        needs,
        amounts,
        [
            (_("Requested"), "#5470c6"),
            (_("Committed"), "#91cc75"),
            (_("Reached"), "#3ba272"),
            (_("Gap"), "#ee6666"),
        ],
    )


def gap_bars(needs, amounts, series: list[tuple[str, str]]) -> dict | None:
    """The ECharts horizontal bars shared by the incident and community gap charts: one bar
    group per (need type, unit), in the categories' order, summing ``amounts(need)`` (one
    figure per ``series`` entry: its name and colour); None when there are no needs."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(series))
    order = {value: index for index, value in enumerate(NeedCategory.values)}
    for need in sorted(needs, key=lambda n: (order.get(n.category, 99), n.unit)):
        row = rows[(need.get_category_display(), need.unit)]
        for index, value in enumerate(amounts(need)):
            row[index] += value
    if not rows:
        return None
    names = [_("%(type)s (%(unit)s)") % {"type": label, "unit": unit} for label, unit in rows]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 32, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "name": name,
                "type": "bar",
                "itemStyle": {"color": colour},
                "data": [values[index] for values in rows.values()],
            }
            for index, (name, colour) in enumerate(series)
        ],
        "aria": {"enabled": True},
    }
