"""Liaison's items on the home (core.hooks ``work_queue``) and its navigation links; two queries
per item (count and oldest, then the oldest row), whatever the counts."""

from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions as perms
from liaison.models import FieldReport, MissedCheckIn, NoticeReceipt
from registry.queries import acting_organizations


def _item(role: str, key: str, label: str, qs: QuerySet, date_field: str, url_of) -> dict:
    totals = qs.aggregate(n=Count("pk"), oldest=Min(date_field))
    row = qs.order_by(date_field, "pk").first() if totals["n"] else None
    return {
        "role": role,
        "key": key,
        "label": label,
        "count": totals["n"],
        "oldest": totals["oldest"],
        "url": url_of(row),
    }


def _scope(user: Any, *fields: str) -> Q | None:
    prefixes = perms.jurisdiction_prefixes(user)
    if not prefixes:
        return None
    cond = Q()
    for prefix in prefixes:
        for field in fields:
            cond |= Q(**{f"{field}__startswith": prefix})
    return cond


def official_queue(user: Any) -> list[dict]:
    """Reports routed to the official's agency (or below it) waiting for acknowledgement, notices
    of agencies in the jurisdiction with overdue acknowledgements, and missed check-ins."""
    scope = _scope(user, "routed_to__region_code")
    if scope is None:
        return []
    inbox = reverse("liaison:report_list")
    reports = FieldReport.objects.filter(scope, status__in=FieldReport.WAITING)
    overdue = NoticeReceipt.objects.filter(
        _scope(user, "notice__agency__region_code"),
        acknowledged_at__isnull=True,
        notice__ack_due_at__lt=timezone.now(),
    )
    missed = MissedCheckIn.objects.filter(
        _scope(user, "deployment__area_region_code"), resolved_at__isnull=True
    )
    return [
        _item(
            "official",
            "reports_to_acknowledge",
            _("Field reports to acknowledge"),
            reports,
            "created_at",
            lambda r: reverse("liaison:report_detail", args=[r.pk]) if r else inbox,
        ),
        _item(
            "official",
            "overdue_acknowledgements",
            _("Notices not acknowledged in time"),
            overdue,
            "notice__ack_due_at",
            lambda r: (
                reverse("liaison:notice_detail", args=[r.notice_id])
                if r
                else reverse("liaison:notice_list")
            ),
        ),
        _item(
            "official",
            "missed_check_ins",
            _("Missed safety check-ins"),
            missed,
            "since",
            lambda r: reverse("liaison:check_ins"),
        ),
    ]


def organization_queue(user: Any) -> list[dict]:
    """Notices the person's organizations must acknowledge."""
    organizations = acting_organizations(user, verified=False)
    if not organizations:
        return []
    receipts = NoticeReceipt.objects.filter(
        organization__in=organizations,
        acknowledged_at__isnull=True,
        notice__ack_due_at__isnull=False,
    )
    return [
        _item(
            "organization",
            "notices_to_acknowledge",
            _("Notices to acknowledge"),
            receipts,
            "notice__ack_due_at",
            lambda r: (
                reverse("liaison:notice_detail", args=[r.notice_id])
                if r
                else reverse("liaison:notice_list")
            ),
        )
    ]


def work_queue(user: Any) -> list[dict]:
    return official_queue(user) + organization_queue(user)


def navigation_links(user: Any) -> list[dict]:
    """Field reports for members and officials, check-ins for members (no query: memberships
    are cached)."""
    links = []
    if perms.organization_ids(user) or perms.is_official(user):
        links.append(
            {
                "label": _("Field reports"),
                "url": reverse("liaison:report_list"),
                "order": 30,
                "key": "field_reports",
                "group": "liaison",
            }
        )
    if acting_organizations(user, verified=False):
        links.append(
            {
                "label": _("Safety check-in"),
                "url": reverse("liaison:check_ins"),
                "order": 31,
                "key": "check_ins",
                "group": "liaison",
            }
        )
    return links
