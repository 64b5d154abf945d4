"""Drills (演练): plan with objectives, scenario and participants on an exercise incident,
timed injects delivered as exercise alerts, run, end, after-action review, close."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import notify
from coordination import services as coordination_services
from coordination.models import Incident, IncidentKind
from coordination.services.alerting import incident_ref
from core import audit, permissions, validators
from core.states import move, move_rows
from preparedness.actions import DRILL
from preparedness.models import Drill, Inject, Objective
from preparedness.services.followups import (
    clean_items,
    open_items,
    participants_of,
    verified_organizations,
)


def create_drill(
    *,
    by: Any,
    title: str,
    scenario: str,
    region_code: str,
    starts_at: datetime,
    objectives: list[str],
    participants: list[int],
    kind: str = IncidentKind.NATURAL_DISASTER,
    subtype: str = "other",
    grade: int | None = 4,
) -> Drill:
    """An official plans a drill in their jurisdiction. Its scenario runs on an exercise
    incident opened now (the drill's start is a plan, the incident's start a fact), led by the
    official's agency, which is always a participant; the incident mobilizes nobody."""
    if not permissions.is_official_for(by, region_code):
        raise PermissionDenied(_("Only an official with jurisdiction over this area may do this."))
    validators.check("starts_at", validators.plan, starts_at)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the drill a title.")]
    if not scenario.strip():
        errors["scenario"] = [_("Describe the scenario.")]
    objectives = [o.strip()[:300] for o in objectives or [] if o and o.strip()]
    if not objectives:
        errors["objectives"] = [_("Name at least one objective.")]
    if errors:
        raise ValidationError(errors)
    organizations = verified_organizations(participants, "participants")
    with transaction.atomic():
        incident = coordination_services.create_incident(
            by=by,
            title=title,
            kind=kind,
            subtype=subtype if kind == IncidentKind.NATURAL_DISASTER else "",
            grade=grade,
            region_code=region_code,
            started_at=timezone.now(),
            description=scenario,
            is_exercise=True,
        )
        drill = Drill.objects.create(
            title=title.strip(),
            scenario=scenario,
            region_code=region_code,
            starts_at=starts_at,
            organizer_id=incident.lead_agency_id,
            incident=incident,
            created_by=by,
        )
        drill.participants.set({o.pk for o in organizations} | ({incident.lead_agency_id} - {None}))
        Objective.objects.bulk_create([Objective(drill=drill, text=o) for o in objectives])
        audit.record_on(
            drill,
            actor=by,
            action="drill.created",
            to_status=drill.status,
            data={"incident": incident.pk, "participants": sorted(participants_of(drill))},
        )
        notify(
            title=_("You take part in a drill: %(title)s") % {"title": drill.title},
            body=scenario,
            link=reverse("preparedness:drill_detail", args=[drill.pk]),
            level="blue",
            audience={"organizations": sorted(participants_of(drill)), "verified_only": False},
            incident_ref=incident_ref(incident),
            actor=by,
        )
    return drill


def add_inject(
    *, drill: Drill, by: Any, deliver_at: datetime, title: str, body: str = ""
) -> Inject:
    """An official adds a timed message to a planned or running drill; the beat job delivers
    it to the participants at ``deliver_at`` once the drill runs (an inject due while the drill
    is still planned goes out when it starts)."""
    drill = Drill.objects.get(pk=drill.pk)  # the current state, not the caller's copy
    DRILL.check("add_inject", by, drill)
    validators.check("deliver_at", validators.plan, deliver_at)
    if not title.strip():
        raise ValidationError({"title": [_("Give the inject a title.")]})
    with transaction.atomic():
        inject = Inject.objects.create(
            drill=drill, deliver_at=deliver_at, title=title.strip()[:180], body=body
        )
        audit.record_on(
            drill,
            actor=by,
            action="drill.inject_added",
            data={"inject": inject.pk, "deliver_at": deliver_at.isoformat()},
        )
    return inject


def run_drill(*, drill: Drill, by: Any) -> Drill:
    """The official starts the exercise: due injects go out from now on."""
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill.pk)
        DRILL.check("run", by, drill)
        move(drill, Drill.Status.RUNNING, by=by, action="drill.started")
    return drill


def end_drill(*, drill: Drill, by: Any) -> Drill:
    """The official ends the exercise: the review begins, injects not yet delivered are never
    sent, and the exercise incident is closed (its filings and tasks end with it)."""
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill.pk)
        DRILL.check("end", by, drill)
        move(drill, Drill.Status.REVIEWING, by=by, action="drill.ended")
        incident = Incident.objects.get(pk=drill.incident_id)
        if incident.status != Incident.Status.CLOSED:
            coordination_services.change_status(
                incident=incident, by=by, status=Incident.Status.CLOSED
            )
    return drill


def review_objective(
    *, objective: Objective, by: Any, worked: str, gaps: list[dict] | None = None
) -> Objective:
    """The after-action review of one objective: what worked, and one follow-up item per gap
    found (owner among the participants, a due date). Reviewing again adds gaps and replaces
    the text of what worked."""
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=objective.drill_id)
        DRILL.check("review", by, drill)
        if not (worked or "").strip() and not gaps:
            raise ValidationError({"worked": [_("Say what worked, or name a gap.")]})
        items = clean_items(gaps, participants_of(drill), "gaps")
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        if (worked or "").strip():
            objective.worked = worked.strip()
        objective.reviewed_at = timezone.now()
        objective.save(update_fields=["worked", "reviewed_at"])
        audit.record_on(
            objective,
            actor=by,
            action="drill.objective_reviewed",
            data={"gaps": len(items)},
        )
        open_items(
            items=items, by=by, region_code=drill.region_code, drill=drill, objective=objective
        )
    return objective


def close_drill(*, drill: Drill, by: Any) -> Drill:
    """Closed only when every objective is reviewed and every follow-up item is done or
    carried over with a reason (``actions.all_followups_closed``)."""
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill.pk)
        DRILL.check("close", by, drill)
        move(
            drill,
            Drill.Status.CLOSED,
            by=by,
            action="drill.closed",
            changes={"closed_at": timezone.now()},
        )
    return drill


def deliver_due_injects(now: datetime | None = None) -> int:
    """The beat job: every inject of a running drill whose time has come is delivered once, as
    an exercise alert (titled 【演练】 by alerts) to the participants. The move
    ``pending -> sent`` is a conditional update, so two runs never send one inject twice."""
    now = now or timezone.now()
    due = list(
        Inject.objects.filter(
            status=Inject.Status.PENDING,
            deliver_at__lte=now,
            drill__status=Drill.Status.RUNNING,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            won = move_rows(
                Inject.objects.filter(pk=pk),
                Inject.Status.SENT,
                expect=Inject.Status.PENDING,
                sent_at=now,
            )
            if not won:
                continue
            inject = Inject.objects.select_related("drill__incident").get(pk=pk)
            drill = inject.drill
            alert = notify(
                title=inject.title,
                body=inject.body,
                link=reverse("preparedness:drill_detail", args=[drill.pk]),
                level="yellow",
                audience={"organizations": sorted(participants_of(drill)), "verified_only": False},
                incident_ref=incident_ref(drill.incident),
            )
            Inject.objects.filter(pk=pk).update(alert_id=alert.pk)
            audit.record_on(drill, actor=None, action="drill.inject_sent", data={"inject": pk})
            sent += 1
    return sent
