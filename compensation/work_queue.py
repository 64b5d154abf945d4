"""What loss compensation asks of each person (core.hooks ``work_queue``, ``navigation_links``):
officials review the claims of their jurisdiction, organizations follow their own claims.
Each item: one aggregate query and one for the oldest row (coordination/work_queue.py)."""

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from compensation.models import Claim
from core import permissions as perms
from core.words import date_text
from registry.queries import acting_organizations


def _item(role: str, key: str, label: str, qs, hint_of) -> dict:
    totals = qs.aggregate(n=Count("pk"), oldest=Min("created_at"))
    row = qs.order_by("created_at", "pk").first() if totals["n"] else None
    item = {
        "role": role,
        "key": key,
        "label": label,
        "count": totals["n"],
        "oldest": totals["oldest"],
        "url": reverse("compensation:claim_detail", args=[row.pk])
        if row
        else reverse("compensation:claim_list"),
    }
    if row is not None:
        item["hint"] = hint_of(row)
    return item


def work_queue(user: Any) -> list[dict]:
    items = []
    prefixes = perms.jurisdiction_prefixes(user)
    if prefixes:
        scope = Q()
        for prefix in prefixes:
            scope |= Q(region_code__startswith=prefix)
        waiting = Claim.objects.filter(scope, status__in=Claim.AWAITING_DECISION).select_related(
            "organization"
        )
        items.append(
            _item(
                "official",
                "compensation_review",
                _("Compensation claims to review"),
                waiting,
                lambda row: (
                    _("Oldest: %(org)s, decision due %(day)s")
                    % {"org": row.organization.name, "day": date_text(row.review_due)}
                ),
            )
        )
    orgs = acting_organizations(user, verified=False)
    if orgs:
        mine = Claim.objects.filter(organization__in=orgs, status__in=Claim.IN_PROGRESS)
        items.append(
            _item(
                "organization",
                "compensation_claims",
                _("Compensation claims in progress"),
                mine,
                lambda row: (
                    _("Oldest: #%(n)s, %(status)s")
                    % {"n": row.pk, "status": row.get_status_display()}
                ),
            )
        )
    return items


def navigation_links(user: Any) -> list[dict]:
    if perms.is_official(user) or acting_organizations(user, verified=False):
        return [
            {
                "label": _("Compensation"),
                "url": reverse("compensation:claim_list"),
                "order": 40,
                "key": "compensation",
                "group": "coordination",
            }
        ]
    return []
