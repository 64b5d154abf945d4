"""Liaison reads shared by pages and the API (fixed query counts)."""

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coordination.models import Deployment, Incident
from core import permissions as perms
from core import regions
from core.display import people
from liaison.models import FieldReport, MissedCheckIn, Notice, NoticeReceipt, Responsibility
from registry.choices import OrganizationKind
from registry.models import Organization
from registry.queries import sees_agencies

# --- directory ---------------------------------------------------------------------------------


def visible_responsibilities(user: Any) -> QuerySet[Responsibility]:
    """Public rows for everyone; members-only rows for members of organizations and officials."""
    qs = Responsibility.objects.filter(
        agency__kind=OrganizationKind.AGENCY, agency__status=Organization.Status.VERIFIED
    ).select_related("agency")
    return qs if sees_agencies(user) or perms.is_official(user) else qs.filter(public=True)


def lookup(user: Any, *, function: str = "", region: str = "") -> list[Responsibility]:
    """Who answers for ``function`` at ``region``: the rows along the region chain, nearest
    first (county, city, province). Without a region: every row of the function (or every
    visible row), by region. One query."""
    qs = visible_responsibilities(user)
    if function:
        qs = qs.filter(function=function)
    if region and regions.is_valid_code(region):
        chain = list(reversed(regions.ancestors(region)))
        rows = list(qs.filter(agency__region_code__in=chain))
        return sorted(rows, key=lambda r: (chain.index(r.agency.region_code), r.function, r.pk))
    return list(qs.order_by("agency__region_code", "function", "pk"))


def responsibilities_of(agency: Organization) -> list[Responsibility]:
    return list(Responsibility.objects.filter(agency=agency).order_by("function", "pk"))


# --- notices -----------------------------------------------------------------------------------


def live(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    now = timezone.now()
    return qs.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def public_notices(*, search: str = "", kind: str = "", region: str = "") -> QuerySet[Notice]:
    """The public library: public notices not expired, newest first, searched in title and
    text."""
    qs = live(Notice.objects.filter(public=True)).select_related("agency")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if region and regions.is_valid_code(region):
        qs = qs.filter(agency__region_code__in=regions.ancestors(region))
    return qs.order_by("-published_at", "-id")


def visible_notices(user: Any) -> QuerySet[Notice]:
    """Public ones, those addressed to the user's organizations, and (officials) those of the
    agencies in their jurisdiction, expired or not."""
    q = Q(public=True, expires_at__isnull=True) | Q(public=True, expires_at__gt=timezone.now())
    own = perms.organization_ids(user)
    if own:
        q |= Q(receipts__organization_id__in=own)
    for prefix in perms.jurisdiction_prefixes(user):
        q |= Q(agency__region_code__startswith=prefix)
    return Notice.objects.filter(q).distinct()


def notice_detail(user: Any, pk: int) -> Notice:
    return get_object_or_404(
        Notice.objects.filter(pk__in=visible_notices(user).values("pk"))
        .select_related("agency")
        .prefetch_related("attachments")
        .annotate(
            audience_size=Count("receipts", distinct=True),
            read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
            ack_count=Count(
                "receipts", filter=Q(receipts__acknowledged_at__isnull=False), distinct=True
            ),
        ),
        pk=pk,
    )


def receipts_of(user: Any, notice: Notice) -> list[NoticeReceipt]:
    """The receipts the user may see: every one for officials over the agency, their own
    organizations' otherwise."""
    qs = notice.receipts.select_related("organization").order_by("organization__name", "pk")
    if perms.is_official_for(user, notice.agency.region_code):
        return list(qs)
    return list(qs.filter(organization_id__in=perms.organization_ids(user)))


# --- field reports -----------------------------------------------------------------------------


def visible_reports(user: Any) -> QuerySet[FieldReport]:
    """The sending organization's members; officials covering the report's area or the agency
    it is routed to."""
    q = Q(organization_id__in=perms.organization_ids(user))
    for prefix in perms.jurisdiction_prefixes(user):
        q |= Q(region_code__startswith=prefix) | Q(routed_to__region_code__startswith=prefix)
    return FieldReport.objects.filter(q)


def report_list(user: Any, *, status: str = "", incident: int | None = None):
    qs = visible_reports(user).select_related("incident", "organization", "routed_to")
    if status:
        qs = qs.filter(status=status)
    if incident:
        qs = qs.filter(incident_id=incident)
    return qs.order_by("-created_at", "-id")


def report_detail(user: Any, pk: int) -> FieldReport:
    return get_object_or_404(
        visible_reports(user)
        .select_related("incident", "organization", "routed_to")
        .prefetch_related("photos", people("filed_by"), people("acknowledged_by")),
        pk=pk,
    )


def confirmed_reports(incident_id: int) -> list[FieldReport]:
    return list(
        FieldReport.objects.filter(
            incident_id=incident_id,
            status=FieldReport.Status.CONFIRMED,
            latitude__isnull=False,
        )
        .select_related("organization")
        .order_by("id")
    )


# --- check-ins ---------------------------------------------------------------------------------


def deployed() -> QuerySet[Deployment]:
    """Filings whose teams are out there: approved or arrived, in an open incident."""
    return Deployment.objects.filter(status__in=Deployment.OCCUPYING).exclude(
        incident__status=Incident.Status.CLOSED
    )


def my_deployments(user: Any):
    """Deployed filings of the user's organizations, with their latest check-in time."""
    return (
        deployed()
        .filter(organization_id__in=perms.organization_ids(user))
        .select_related("incident", "organization")
        .annotate(last_check_in=Max("safety_check_ins__created_at"))
        .order_by("incident_id", "id")
    )


def open_missed(user: Any) -> QuerySet[MissedCheckIn]:
    """Unresolved missed check-ins in the official's jurisdiction."""
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return MissedCheckIn.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(deployment__area_region_code__startswith=prefix)
    return (
        MissedCheckIn.objects.filter(q, resolved_at__isnull=True)
        .select_related("deployment__organization", "deployment__incident")
        .order_by("since", "id")
    )
