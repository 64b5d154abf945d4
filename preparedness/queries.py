"""Read paths of preparedness, shared by pages and the API (fixed query counts)."""

from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _

from core import permissions as perms
from core.roles import ACTING_ROLES
from preparedness.models import Drill, FollowUp, Meeting


def _jurisdiction(user: Any, field: str = "region_code") -> Q:
    cond = Q(pk__in=[])
    for prefix in perms.jurisdiction_prefixes(user):
        cond |= Q(**{f"{field}__startswith": prefix})
    return cond


def exercise_participants(incident_id: int) -> list[int]:
    drill = Drill.objects.filter(incident_id=incident_id).values("pk", "organizer_id").first()
    if drill is None:
        return []
    ids = set(
        Drill.participants.through.objects.filter(drill_id=drill["pk"]).values_list(
            "organization_id", flat=True
        )
    )
    return sorted(ids | {drill["organizer_id"]})


def exercise_incidents(organization_ids: list[int]) -> QuerySet:
    return Drill.objects.filter(
        Q(participants__in=organization_ids) | Q(organizer_id__in=organization_ids)
    ).values("incident_id")


def visible_drills(user: Any) -> QuerySet[Drill]:
    """Officials: drills of their jurisdiction; members: drills their organizations take part
    in. Nobody else (a drill is not public; its yearly figures are)."""
    cond = _jurisdiction(user)
    org_ids = perms.organization_ids(user)
    if org_ids:
        cond |= Q(pk__in=Drill.objects.filter(participants__in=org_ids).values("pk"))
    return Drill.objects.filter(cond).select_related("organizer", "incident")


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    cond = _jurisdiction(user)
    org_ids = perms.organization_ids(user)
    if org_ids:
        cond |= Q(pk__in=Meeting.objects.filter(members__organization_id__in=org_ids).values("pk"))
    return Meeting.objects.filter(cond).select_related("convener")


def visible_followups(user: Any) -> QuerySet[FollowUp]:
    """Officials: items of their jurisdiction; members: their organizations' items."""
    cond = _jurisdiction(user)
    org_ids = perms.organization_ids(user)
    if org_ids:
        cond |= Q(owner_id__in=org_ids)
    return FollowUp.objects.filter(cond).select_related(
        "owner", "drill", "decision__meeting", "objective"
    )


def member_record(meeting: Meeting) -> list[dict]:
    """Per member of the meeting: follow-up items its decisions gave it, open (owed), done
    (met), carried over, and overdue (one query each for members and counts)."""
    from django.utils import timezone

    today = timezone.localdate()
    counts = {
        row["owner_id"]: row
        for row in FollowUp.objects.filter(decision__meeting=meeting)
        .values("owner_id")
        .annotate(
            owed=Count("pk", filter=Q(status=FollowUp.Status.OPEN)),
            met=Count("pk", filter=Q(status=FollowUp.Status.DONE)),
            carried=Count("pk", filter=Q(status=FollowUp.Status.CARRIED_OVER)),
            overdue=Count("pk", filter=Q(status=FollowUp.Status.OPEN, due_on__lt=today)),
        )
        .order_by()
    }
    rows = []
    for member in meeting.members.select_related("organization"):
        row = counts.get(member.organization_id, {})
        rows.append(
            {
                "organization": member.organization,
                "attended": member.attended,
                "owed": row.get("owed", 0),
                "met": row.get("met", 0),
                "carried": row.get("carried", 0),
                "overdue": row.get("overdue", 0),
            }
        )
    return rows


def yearly_summary() -> list[dict]:
    """Per year: drills held (run at least to their review), closed drills, follow-up items
    opened and closed (done or carried over) — the public answer to "劳民伤财". Two queries."""
    drills = (
        Drill.objects.exclude(status=Drill.Status.PLANNED)
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(held=Count("pk"), closed=Count("pk", filter=Q(status=Drill.Status.CLOSED)))
        .order_by()
    )
    items = (
        FollowUp.objects.filter(drill__isnull=False)
        .annotate(year=ExtractYear("created_at"))
        .values("year")
        .annotate(
            opened=Count("pk"),
            done=Count("pk", filter=Q(status=FollowUp.Status.DONE)),
            carried=Count("pk", filter=Q(status=FollowUp.Status.CARRIED_OVER)),
        )
        .order_by()
    )
    years: dict[int, dict] = {}
    for row in drills:
        years.setdefault(row["year"], {}).update(held=row["held"], closed=row["closed"])
    for row in items:
        years.setdefault(row["year"], {}).update(
            opened=row["opened"], done=row["done"], carried=row["carried"]
        )
    keys = ("held", "closed", "opened", "done", "carried")
    return [{"year": year, **{k: years[year].get(k, 0) for k in keys}} for year in sorted(years)]


def work_queue(user: Any) -> list[dict]:
    """Two queries per role: count and oldest due date in one aggregate, the oldest row in one
    more. ``oldest`` is the creation time of the item due first."""
    items = []
    org_ids = perms.organization_ids(user, roles=ACTING_ROLES)
    if org_ids:
        items.append(
            _queue_item(
                FollowUp.objects.filter(owner_id__in=org_ids, status=FollowUp.Status.OPEN),
                role="organization",
                key="followups",
                label=_("Follow-up items to close (drills and joint meetings)"),
            )
        )
    if perms.is_official(user):
        items.append(
            _queue_item(
                FollowUp.objects.filter(_jurisdiction(user), status=FollowUp.Status.OPEN),
                role="official",
                key="followups_open",
                label=_("Open follow-up items of drills and joint meetings"),
            )
        )
    return items


def _queue_item(qs: QuerySet[FollowUp], *, role: str, key: str, label: str) -> dict:
    totals = qs.aggregate(n=Count("pk"), oldest=Min("created_at"))
    first = qs.order_by("due_on", "pk").first() if totals["n"] else None
    item = {
        "role": role,
        "key": key,
        "label": label,
        "count": totals["n"],
        "oldest": totals["oldest"],
        "url": reverse("preparedness:followup_detail", args=[first.pk])
        if first
        else reverse("preparedness:followup_list"),
    }
    if first:
        item["hint"] = _("%(title)s, due %(date)s") % {
            "title": first.title,
            "date": first.due_on.isoformat(),
        }
    return item


def navigation_links(user: Any) -> list[dict]:
    links = []
    if perms.is_official(user):
        links += [
            {
                "label": _("Drills"),
                "url": reverse("preparedness:drill_list"),
                "order": 60,
                "key": "drills",
                "group": "preparedness",
            },
            {
                "label": _("Joint meetings"),
                "url": reverse("preparedness:meeting_list"),
                "order": 61,
                "key": "meetings",
                "group": "preparedness",
            },
        ]
    elif perms.organization_ids(user, roles=ACTING_ROLES):
        links.append(
            {
                "label": _("Follow-up items"),
                "url": reverse("preparedness:followup_list"),
                "order": 60,
                "key": "followups",
                "group": "preparedness",
            }
        )
    return links
