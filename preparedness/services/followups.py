"""Follow-up items: opened by a drill's review or a meeting's decision, closed by the owner
(done) or carried over with a reason; reminded once before they are due."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import notify
from core import audit, validators
from core.states import move
from preparedness.actions import FOLLOWUP
from preparedness.models import Decision, Drill, FollowUp, Objective
from registry.models import Organization


def clean_items(items: list[dict] | None, allowed_owner_ids: set[int], field: str) -> list[dict]:
    """Check the follow-up items a review or a decision opens: a title, an owner among
    ``allowed_owner_ids`` (the drill's participants, the meeting's members), a due date that
    is a deadline (today .. two years). Errors name ``field`` with the item's position."""
    cleaned = []
    for position, item in enumerate(items or [], start=1):
        title = str(item.get("title") or "").strip()
        owner = item.get("owner")
        owner_id = getattr(owner, "pk", owner)
        due_on = item.get("due_on")
        problems = []
        if not title:
            problems.append(_("Item %(n)s: give it a title.") % {"n": position})
        if owner_id not in allowed_owner_ids:
            problems.append(
                _("Item %(n)s: the owner must be one of the organizations taking part.")
                % {"n": position}
            )
        if not isinstance(due_on, date):
            problems.append(_("Item %(n)s: give a due date.") % {"n": position})
        else:
            try:
                validators.deadline(due_on)
            except ValidationError as error:
                problems.append(
                    _("Item %(n)s: %(why)s") % {"n": position, "why": " ".join(error.messages)}
                )
        if problems:
            raise ValidationError({field: problems})
        cleaned.append({"title": title[:300], "owner_id": owner_id, "due_on": due_on})
    return cleaned


def open_items(
    *,
    items: list[dict],
    by: Any,
    region_code: str,
    drill: Drill | None = None,
    objective: Objective | None = None,
    decision: Decision | None = None,
) -> list[FollowUp]:
    """Create the cleaned ``items`` (``clean_items``), audit each and tell each owner; inside
    the caller's transaction."""
    created = []
    for item in items:
        followup = FollowUp.objects.create(
            title=item["title"],
            owner_id=item["owner_id"],
            due_on=item["due_on"],
            drill=drill,
            objective=objective,
            decision=decision,
            region_code=region_code,
            created_by=by,
        )
        audit.record_on(
            followup,
            actor=by,
            action="followup.opened",
            to_status=followup.status,
            data={"due_on": followup.due_on.isoformat()},
        )
        _tell_owner(
            followup,
            title=_("New follow-up item: %(title)s") % {"title": followup.title},
            actor=by,
        )
        created.append(followup)
    return created


def _tell_owner(followup: FollowUp, *, title: str, actor: Any = None, kind: str = "") -> None:
    notify(
        title=title,
        body=_("Due on %(date)s.") % {"date": followup.due_on.isoformat()},
        link=reverse("preparedness:followup_detail", args=[followup.pk]),
        level="blue",
        audience={"organizations": [followup.owner_id], "verified_only": False},
        actor=actor,
        region_code=followup.region_code,
        kind=kind,
    )


def complete_followup(*, item: FollowUp, by: Any, note: str = "") -> FollowUp:
    """The owner organization reports the item done (what was done, optional)."""
    with transaction.atomic():
        item = FollowUp.objects.select_for_update().get(pk=item.pk)
        FOLLOWUP.check("complete", by, item)
        move(
            item,
            FollowUp.Status.DONE,
            by=by,
            action="followup.done",
            reason=note,
            changes={"note": note.strip(), "closed_at": timezone.now()},
        )
    return item


def carry_over_followup(*, item: FollowUp, by: Any, reason: str) -> FollowUp:
    """The owner, or an official with jurisdiction over the item's source, carries it over to
    later work; the reason is required and public to everyone who sees the item."""
    with transaction.atomic():
        item = FollowUp.objects.select_for_update().get(pk=item.pk)
        FOLLOWUP.check("carry_over", by, item)
        if not (reason or "").strip():
            raise ValidationError({"reason": [_("Say why the item is carried over.")]})
        move(
            item,
            FollowUp.Status.CARRIED_OVER,
            by=by,
            action="followup.carried_over",
            reason=reason.strip(),
            changes={"reason": reason.strip(), "closed_at": timezone.now()},
        )
    return item


def remind_due_followups(now: datetime | None = None) -> int:
    """The beat job: tell the owner of each open item due within
    ``TONGZHOU_FOLLOWUP_REMINDER_DAYS`` (overdue ones included) once: ``reminded_at`` is set
    with a conditional update, so two runs never remind the same item twice."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=settings.TONGZHOU_FOLLOWUP_REMINDER_DAYS)
    due = list(
        FollowUp.objects.filter(
            status=FollowUp.Status.OPEN, reminded_at__isnull=True, due_on__lte=horizon
        ).values_list("pk", flat=True)
    )
    reminded = 0
    for pk in due:
        with transaction.atomic():
            won = FollowUp.objects.filter(
                pk=pk, status=FollowUp.Status.OPEN, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not won:
                continue
            followup = FollowUp.objects.get(pk=pk)
            _tell_owner(
                followup,
                title=_("Follow-up item due soon: %(title)s") % {"title": followup.title},
                kind="deadline",
            )
            reminded += 1
    return reminded


def participants_of(drill: Drill) -> set[int]:
    return set(drill.participants.values_list("pk", flat=True)) | {drill.organizer_id}


def verified_organizations(ids: list[int], field: str) -> list[Organization]:
    """The verified organizations named by ``ids`` (400 on ``field`` for an unknown one)."""
    ids = sorted({int(i) for i in ids or []})
    found = list(Organization.objects.filter(pk__in=ids, status=Organization.Status.VERIFIED))
    if len(found) != len(ids):
        raise ValidationError({field: [_("Name verified organizations only.")]})
    return found
