"""Exercise alerts: an alert about a drill's incident (coordination ``Incident.is_exercise``).

Alerts sits left of the drills app (preparedness), so it learns a drill's participants through
the provided hook ``exercise_participants(incident_id) -> list[int]`` (core.hooks). Without a
provider, an exercise has no participants and its alerts reach nobody: a drill must never leak
to the real audience.
"""

from typing import Any

from alerts import audience as audiences
from core import hooks

# The prefix is the term of the national drill rules (演练), whatever the reader's language; the
# English text gets its own.
PREFIX = "【演练】"
PREFIX_EN = "[EXERCISE] "


def is_exercise(incident_ref: dict[str, Any] | None) -> bool:
    return bool(incident_ref and incident_ref.get("is_exercise"))


def titled(title: str) -> str:
    title = str(title)
    return title if title.startswith(PREFIX) else f"{PREFIX}{title}"


def titled_en(title_en: str) -> str:
    if not title_en:
        return ""
    return title_en if title_en.startswith(PREFIX_EN) else f"{PREFIX_EN}{title_en}"


def participants(incident_id: int | None) -> list[int]:
    """Ids of the organizations (agencies included) taking part in the exercise."""
    if not incident_id:
        return []
    try:
        return sorted(hooks.provided("exercise_participants", incident_id) or [])
    except LookupError:
        return []


def only_participants(
    recipients: audiences.Recipients, incident_ref: dict[str, Any]
) -> audiences.Recipients:
    """The part of ``recipients`` that belongs to the exercise: members of its participating
    organizations (one more query), and those organizations themselves (webhooks)."""
    allowed_orgs = participants(incident_ref.get("id"))
    if not allowed_orgs:
        return audiences.Recipients()
    members = audiences.resolve({"organizations": allowed_orgs, "verified_only": False})
    allowed_people = set(members.user_ids)
    user_ids = [u for u in recipients.user_ids if u in allowed_people]
    return audiences.Recipients(
        user_ids=user_ids,
        organization_ids=[o for o in recipients.organization_ids if o in set(allowed_orgs)],
        user_orgs={
            u: members.user_orgs.get(u, o)
            for u, o in recipients.user_orgs.items()
            if u in allowed_people
        },
    )
