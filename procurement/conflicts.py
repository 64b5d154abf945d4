"""Conflicts of interest between evaluation experts and bidders: one rule, read by the panel
draw, scoring, the panel action's guard (procurement.actions) and the buyer's conflict flags."""

from django.db.models import F, Q

from procurement.models import Project
from registry.models import Membership


def bidder_org_ids(project: Project) -> set[int]:
    return set(project.bids.values_list("organization_id", flat=True))


def counts_as_conflict(project: Project) -> Q:
    """Which memberships in a bidding organization make an expert conflicted.

    A membership counts when it was active before the tender was published, or when the expert
    made it themself (``invited_by`` empty: registration, staff, or before invitations existed
    and no admin added it; or the expert's own invitation). A membership that began after
    publication through someone else's invitation does not exclude the expert: otherwise a
    bidder could empty the panel by inviting every expert (Hardening, round two, item 3). Such
    memberships are flagged to the buyer instead (``conflict_flags``).
    """
    own = Q(invited_by__isnull=True) | Q(invited_by=F("user"))
    if project.published_at is None:
        return Q()
    return own | Q(created_at__lt=project.published_at)


def conflicted_experts(project: Project, expert_ids) -> set[int]:
    """Experts whose membership of an organization that bid on the project is a conflict of
    interest (``counts_as_conflict``)."""
    return set(
        Membership.objects.filter(
            counts_as_conflict(project),
            user_id__in=list(expert_ids),
            organization_id__in=bidder_org_ids(project),
        ).values_list("user_id", flat=True)
    )
