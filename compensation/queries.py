"""Reads of loss compensation shared by the pages, the API and the homes."""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from compensation.models import Claim
from compensation.services import HELD_TASK
from coordination.models import Deployment, Task
from core import permissions as perms
from registry.queries import acting_organizations


def visible_claims(user: Any) -> QuerySet[Claim]:
    """The claimant organization's members (any verification status), the officials whose
    jurisdiction covers the incident's region (they review) and those of the organization's
    home region (they read: a team's own bureau follows what happened to it elsewhere, and gets
    403 on the review actions); never public (personal data)."""
    if not getattr(user, "is_authenticated", False):
        return Claim.objects.none()
    cond = Q(organization_id__in=perms.organization_ids(user))
    for prefix in perms.jurisdiction_prefixes(user):
        cond |= Q(region_code__startswith=prefix) | Q(organization__region_code__startswith=prefix)
    return Claim.objects.filter(cond).select_related(
        "organization", "incident", "person", "deployment", "task", "ledger_entry"
    )


def public_stats(incident_id: int) -> list[dict]:
    """Per kind of loss: claims filed, approved (approved, paid or settled), rejected, and the
    amounts claimed, approved, paid from the fund and paid by insurers. Counts and sums only:
    no organization, person or description. One query."""
    approved = Q(status__in=[Claim.Status.APPROVED, Claim.Status.PAID, Claim.Status.SETTLED])
    rows = (
        Claim.objects.filter(incident_id=incident_id)
        .values("kind")
        .annotate(
            filed=Count("pk"),
            approved=Count("pk", filter=approved),
            rejected=Count("pk", filter=Q(status=Claim.Status.REJECTED)),
            claimed=Sum("amount_claimed"),
            amount_approved=Sum("amount_approved"),
            paid=Sum("amount_paid"),
            insurer=Sum("insurer_amount"),
        )
        .order_by("kind")
    )
    labels = dict(Claim.Kind.choices)
    out = []
    for row in rows:
        row["label"] = labels.get(row["kind"], row["kind"])
        out.append(row)
    return out


def claim_bases(user: Any) -> tuple[list, list]:
    """The approved filings and held tasks a claim form offers (the user's organizations)."""
    orgs = acting_organizations(user, verified=False)
    deployments = list(
        Deployment.objects.filter(
            organization__in=orgs,
            status__in=(*Deployment.OCCUPYING, Deployment.Status.WITHDRAWN),
        )
        .select_related("incident")
        .order_by("-created_at")[:100]
    )
    tasks = list(
        Task.objects.filter(organization__in=orgs, status__in=HELD_TASK)
        .select_related("incident")
        .order_by("-id")[:100]
    )
    return deployments, tasks
