"""Read paths shared by the pages and the API, each a fixed number of queries."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from core import permissions as perms
from procurement.models import (
    Award,
    Bid,
    Clawback,
    Contract,
    Milestone,
    PanelMember,
    Project,
    Release,
)


def _with_details(qs: QuerySet[Project]) -> QuerySet[Project]:
    return (
        qs.select_related("buyer", "incident")
        .annotate(
            bid_count=Count("bids", filter=Q(bids__status=Bid.Status.SUBMITTED), distinct=True)
        )
        .prefetch_related(
            "service_standards",
            "criteria",
            "invitees",
            Prefetch(
                "awards",
                queryset=Award.objects.filter(status=Award.Status.ACTIVE).select_related(
                    "bid__organization"
                ),
                to_attr="active_awards",
            ),
            Prefetch(
                "contract__milestones",
                queryset=Milestone.objects.prefetch_related("indicators", "acceptances"),
            ),
            "contract__supplier",
            "contract__clawback",
        )
    )


def public_projects() -> QuerySet[Project]:
    """Everything the public may see: published projects (drafts are internal)."""
    return _with_details(Project.objects.filter(published_at__isnull=False))


def visible_projects(user: Any) -> QuerySet[Project]:
    """Published projects, plus drafts in the official's jurisdiction."""
    prefixes = perms.jurisdiction_prefixes(user)
    condition = Q(published_at__isnull=False)
    for prefix in prefixes:
        condition |= Q(region_code__startswith=prefix)
    return _with_details(Project.objects.filter(condition))


def open_tenders() -> QuerySet[Project]:
    return public_projects().filter(status=Project.Status.TENDERING)


def is_panel_expert(user: Any, project: Project) -> bool:
    return (
        bool(user.is_authenticated)
        and PanelMember.objects.filter(project=project, expert=user).exists()
    )


def visible_bids(user: Any, project: Project) -> QuerySet[Bid]:
    """Which bid rows a user may list: bidders their own; the project's officials all of them;
    panel experts all valid bids once the bids are opened. Contents are sealed separately."""
    qs = Bid.objects.filter(project=project).select_related("organization").order_by("id")
    if perms.is_official_for(user, project.region_code):
        return qs
    if project.opened_at and is_panel_expert(user, project):
        return qs.filter(status=Bid.Status.SUBMITTED)
    return qs.filter(organization_id__in=perms.organization_ids(user))


def can_read_contents(user: Any, bid: Bid, project: Project) -> bool:
    """Before the deadline only the bidder reads price and proposal; afterwards the project's
    officials and its panel experts do too."""
    if perms.is_member_of(user, bid.organization_id):
        return True
    return not project.is_sealed


def same_representative_groups(project: Project) -> list[list[int]]:
    """Groups of bid ids whose organizations name the same legal representative."""
    groups: dict[str, list[int]] = defaultdict(list)
    for bid_id, name in project.bids.filter(status=Bid.Status.SUBMITTED).values_list(
        "pk", "organization__legal_representative"
    ):
        if name and name.strip():
            groups[name.strip()].append(bid_id)
    return [sorted(ids) for ids in groups.values() if len(ids) > 1]


def releases_since(since) -> QuerySet[Release]:
    return Release.objects.filter(date__gte=since).order_by("date", "id")


def open_clawbacks() -> QuerySet[Clawback]:
    return Clawback.objects.filter(status=Clawback.Status.OPEN).select_related(
        "contract__supplier", "contract__project"
    )


def track_record(organization) -> dict[str, int]:
    contracts = Contract.objects.filter(supplier=organization).aggregate(
        completed=Count("pk", filter=Q(status=Contract.Status.COMPLETED)),
        terminated=Count("pk", filter=Q(status=Contract.Status.TERMINATED)),
        clawbacks=Count("clawback", filter=Q(clawback__status=Clawback.Status.OPEN)),
    )
    return contracts
