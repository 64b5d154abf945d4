"""What a person may do with a drill, a meeting or a follow-up item: one declaration per model
(docs/CONVENTIONS.md, "State changes and allowed actions"). The services check these before
they move; pages and the API show ``core.states.allowed_actions``.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import permissions as perms
from core.roles import ACTING_ROLES
from core.states import Action, Actions
from preparedness.models import Drill, FollowUp, Meeting


def official_of_drill(user: Any, drill: Drill, **context: Any) -> None:
    if not perms.is_official_for(user, drill.region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over the drill may do this."))


def official_of_meeting(user: Any, meeting: Meeting, **context: Any) -> None:
    if not perms.is_official_for(user, meeting.region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over the meeting may do this.")
        )


def owner_member(user: Any, item: FollowUp, **context: Any) -> None:
    """Members of the owner organization (admin or member role) answer for its items, whatever
    the organization's status now."""
    if not perms.is_member_of(user, item.owner_id, roles=ACTING_ROLES):
        raise PermissionDenied(_("Only the organization that owns the item may do this."))


def owner_or_official(user: Any, item: FollowUp, **context: Any) -> None:
    if perms.is_official_for(user, item.region_code):
        return
    owner_member(user, item)


def all_followups_closed(user: Any, drill: Drill, **context: Any) -> None:
    """A drill closes only when every objective was reviewed and every follow-up item is done
    or carried over with a reason (the answer to 劳民伤财: a drill leaves results)."""
    if drill.objectives.filter(reviewed_at__isnull=True).exists():
        raise ValidationError(_("Review every objective before closing the drill."))
    still_open = drill.followups.filter(status=FollowUp.Status.OPEN).count()
    if still_open:
        raise ValidationError(
            _("%(count)s follow-up items are still open: each must be done or carried over.")
            % {"count": still_open}
        )


DRILL = Actions(
    Drill,
    [
        Action(
            "add_inject",
            None,
            who=official_of_drill,
            sources=(Drill.Status.PLANNED, Drill.Status.RUNNING),
        ),
        Action("run", Drill.Status.RUNNING, who=official_of_drill),
        Action("end", Drill.Status.REVIEWING, who=official_of_drill),
        Action("review", None, who=official_of_drill, sources=(Drill.Status.REVIEWING,)),
        Action("close", Drill.Status.CLOSED, who=official_of_drill, when=all_followups_closed),
    ],
)

MEETING = Actions(
    Meeting,
    [
        Action("minutes", Meeting.Status.MINUTED, who=official_of_meeting),
        Action(
            "decide",
            None,
            who=official_of_meeting,
            sources=(Meeting.Status.MINUTED,),
        ),
        Action("attach", None, who=official_of_meeting),
    ],
)

FOLLOWUP = Actions(
    FollowUp,
    [
        Action("complete", FollowUp.Status.DONE, who=owner_member),
        Action("carry_over", FollowUp.Status.CARRIED_OVER, who=owner_or_official),
    ],
)
