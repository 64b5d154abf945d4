"""How a person is shown to others: display name and role, never the username.

Usernames are login identifiers; showing them on public pages (incident history, task reports,
procurement scores, the OCDS award) hands half a credential to anyone. Everywhere a person is
shown to someone else, use :func:`display_name` (templates: ``{{ user|display_name }}`` from
``{% load tongzhou %}``):

* ``张三（雅安市应急管理局 · 政府工作人员）`` — full name, then organization and role;
* ``雅安市应急管理局 政府工作人员`` — no full name on record: organization and role only;
* ``平台用户`` (``Platform user``) — neither; ``平台管理员`` for staff without a membership.

When a person holds several memberships the most official one is shown (official, expert,
organization admin, member). A person's own username stays visible to themself (page header,
``/api/v1/me/``).

Memberships come from a ``prefetch_related("…__memberships__organization")`` when the caller
did one, else from ``core.permissions.memberships`` (one query per person, cached on the user
object); :func:`prime` loads them for many people at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from core import permissions as perms
from core.roles import Role

_PRIORITY = {Role.OFFICIAL: 0, Role.EXPERT: 1, Role.ADMIN: 2, Role.MEMBER: 3}


def _memberships(user: Any) -> list:
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("memberships")
    if prefetched is not None:
        return sorted(prefetched, key=lambda m: m.pk)
    return perms.memberships(user)


def prime(users: Iterable[Any]) -> None:
    """Load the memberships of many users in one query (cached on each user object)."""
    pending = {}
    for user in users:
        if user is None or not getattr(user, "pk", None):
            continue
        if getattr(user, "_prefetched_objects_cache", {}).get("memberships") is not None:
            continue
        if getattr(user, perms._CACHE_ATTR, None) is None:
            pending.setdefault(user.pk, []).append(user)
    if not pending:
        return
    model = next(iter(pending.values()))[0].memberships.model
    by_user: dict[int, list] = {pk: [] for pk in pending}
    for m in model.objects.filter(user_id__in=list(pending)).select_related("organization"):
        by_user[m.user_id].append(m)
    for pk, users_ in pending.items():
        rows = sorted(by_user[pk], key=lambda m: m.pk)
        for user in users_:
            setattr(user, perms._CACHE_ATTR, rows)


def affiliation(user: Any) -> tuple[str, str] | None:
    """(organization name, role label) of the person's most official membership, or None."""
    rows = sorted(_memberships(user), key=lambda m: (_PRIORITY.get(m.role, 9), m.pk))
    if not rows:
        return None
    m = rows[0]
    role = str(Role(m.role).label) if m.role in Role.values else m.role
    return m.organization.name, role


def display_name(user: Any) -> str:
    """The person as others see them (see the module docstring); "" for nobody."""
    if user is None or not getattr(user, "pk", None):
        return ""
    full = (user.get_full_name() or "").strip()
    where = affiliation(user)
    if full and where:
        return _("%(name)s (%(organization)s · %(role)s)") % {
            "name": full,
            "organization": where[0],
            "role": where[1],
        }
    if where:
        return f"{where[0]} {where[1]}"
    if full:
        return full
    if user.is_staff or user.is_superuser:
        return _("Platform administrator")
    return _("Platform user")


def people(path: str):
    """``prefetch_related(people("actor"))``: the memberships :func:`display_name` needs for the
    users at ``path``, in one query."""
    from django.contrib.auth import get_user_model
    from django.db.models import Prefetch

    membership = get_user_model()._meta.get_field("memberships").related_model
    return Prefetch(
        f"{path}__memberships", queryset=membership.objects.select_related("organization")
    )
