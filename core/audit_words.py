"""The audit trail in sentences: "雅安市应急管理局 同意了 宝兴县山地救援队 的报备".

Pages (``/audit/`` and ``{% history obj %}``) show each event as one sentence built from a table
of translated templates keyed by the raw action (``SENTENCES``); the raw action, statuses and
ids stay in the API and the CSV export, which integrators read.

Decisions where the issue is silent:

* The actor reads as their organization (``雅安市应急管理局``): on an audit line the question is
  which body acted; the person's full display name (``core.display``) is on hover (``title``).
  Someone without a membership reads as their display name; no actor is "the platform".
* An action can have a variant per resulting status (``"registry.verify:rejected"``), looked up
  before the plain action.
* An action missing from the table still reads as a sentence: "X changed T from A to B" with the
  target model's translated status labels, or "X made a change to T". Never the raw action.
* Targets are named by a small table per model (``_TARGETS``: what to ``select_related`` and how to
  name it), loaded in one query per content type on the page, so a page of 50 events costs a
  fixed number of queries; a model not in the table, or a deleted row, reads as its translated
  model name ("任务 #12").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import display

# Action -> sentence. %(actor)s is who acted, %(target)s the object, %(from)s / %(to)s the
# statuses' labels. Keep every entry a full sentence in both languages.
SENTENCES: dict[str, Any] = {
    # registry
    "registry.register": gettext_lazy("%(actor)s registered %(target)s"),
    "registry.update_profile": gettext_lazy("%(actor)s updated the profile of %(target)s"),
    "registry.verify:verified": gettext_lazy("%(actor)s verified %(target)s"),
    "registry.verify:rejected": gettext_lazy("%(actor)s rejected the registration of %(target)s"),
    "registry.verify": gettext_lazy("%(actor)s decided on the registration of %(target)s"),
    "registry.suspend": gettext_lazy("%(actor)s suspended %(target)s"),
    "registry.reinstate": gettext_lazy("%(actor)s reinstated %(target)s"),
    "registry.declare_capability": gettext_lazy("%(actor)s declared the capability %(target)s"),
    "registry.update_capability": gettext_lazy("%(actor)s updated the capability %(target)s"),
    "registry.assess": gettext_lazy("%(actor)s assessed the capability %(target)s"),
    "registry.revoke": gettext_lazy("%(actor)s revoked the capability %(target)s"),
    "registry.upload_document": gettext_lazy("%(actor)s uploaded the document %(target)s"),
    "registry.invite": gettext_lazy("%(actor)s invited a new member to %(target)s"),
    "registry.invitation_accepted": gettext_lazy("%(actor)s accepted the invitation to %(target)s"),
    "registry.invitation_declined": gettext_lazy("%(actor)s declined the invitation to %(target)s"),
    "registry.invitation_cancelled": gettext_lazy(
        "%(actor)s cancelled an invitation to %(target)s"
    ),
    "registry.add_member": gettext_lazy("%(actor)s added a member to %(target)s"),
    "registry.set_role": gettext_lazy("%(actor)s changed a member's role in %(target)s"),
    "registry.remove_member": gettext_lazy("%(actor)s removed a member from %(target)s"),
    "registry.add_person": gettext_lazy("%(actor)s added %(target)s to the talent pool"),
    "registry.update_person": gettext_lazy("%(actor)s updated %(target)s in the talent pool"),
    "registry.remove_person": gettext_lazy("%(actor)s removed %(target)s from the talent pool"),
    # preparedness
    "drill.created": gettext_lazy("%(actor)s planned the drill %(target)s"),
    "drill.inject_added": gettext_lazy("%(actor)s added an inject to the drill %(target)s"),
    "drill.inject_sent": gettext_lazy("An inject of the drill %(target)s was delivered"),
    "drill.started": gettext_lazy("%(actor)s started the drill %(target)s"),
    "drill.ended": gettext_lazy("%(actor)s ended the drill %(target)s"),
    "drill.closed": gettext_lazy("%(actor)s closed the drill %(target)s"),
    "drill.objective_reviewed": gettext_lazy("%(actor)s reviewed the objective %(target)s"),
    "followup.opened": gettext_lazy("%(actor)s opened the follow-up item %(target)s"),
    "followup.done": gettext_lazy("%(actor)s completed the follow-up item %(target)s"),
    "followup.carried_over": gettext_lazy("%(actor)s carried over the follow-up item %(target)s"),
    "meeting.convened": gettext_lazy("%(actor)s convened the joint meeting %(target)s"),
    "meeting.minuted": gettext_lazy("%(actor)s recorded the minutes of %(target)s"),
    "meeting.attachment": gettext_lazy("%(actor)s attached a file to %(target)s"),
    "meeting.decision": gettext_lazy("%(actor)s recorded the decision %(target)s"),
    "registry.hub_designated": gettext_lazy("%(actor)s designated %(target)s a hub"),
    "registry.hub_withdrawn": gettext_lazy("%(actor)s withdrew the hub designation of %(target)s"),
    "registry.team_vouched": gettext_lazy("%(actor)s registered and vouched for %(target)s"),
    "registry.hub_link_proposed": gettext_lazy("%(actor)s proposed the hub membership %(target)s"),
    "registry.hub_link_accepted": gettext_lazy("%(actor)s accepted the hub membership %(target)s"),
    "registry.hub_link_declined": gettext_lazy("%(actor)s declined the hub membership %(target)s"),
    "registry.hub_link_cancelled": gettext_lazy(
        "%(actor)s withdrew the proposed hub membership %(target)s"
    ),
    "registry.hub_link_ended": gettext_lazy("%(actor)s ended the hub membership %(target)s"),
    # volunteers
    "volunteers.registered": gettext_lazy("%(actor)s registered the volunteer %(target)s"),
    "volunteers.phone_verified": gettext_lazy(
        "%(actor)s verified the phone of the volunteer %(target)s"
    ),
    "volunteers.call_posted": gettext_lazy("%(actor)s posted the call for volunteers %(target)s"),
    "volunteers.call_closed": gettext_lazy("%(actor)s closed the call for volunteers %(target)s"),
    "volunteers.call_reopened": gettext_lazy(
        "%(actor)s reopened the call for volunteers %(target)s"
    ),
    "volunteers.signed_up": gettext_lazy("%(actor)s signed up %(target)s"),
    "volunteers.sign_up_cancelled": gettext_lazy("%(actor)s cancelled the sign-up %(target)s"),
    "registry.add_policy": gettext_lazy("%(actor)s recorded the insurance policy %(target)s"),
    "registry.remove_policy": gettext_lazy("%(actor)s removed an insurance policy of %(target)s"),
    # alerts
    "alert.issue": gettext_lazy("%(actor)s issued the alert %(target)s"),
    "alert.delivery_retry": gettext_lazy("%(actor)s retried a delivery of %(target)s"),
    "alert.webhook_register": gettext_lazy("%(actor)s registered a webhook"),
    # compensation
    "compensation.filed": gettext_lazy("%(actor)s filed the compensation claim %(target)s"),
    "compensation.review": gettext_lazy(
        "%(actor)s took the compensation claim %(target)s under review"
    ),
    "compensation.decide:approved": gettext_lazy(
        "%(actor)s approved the compensation claim %(target)s"
    ),
    "compensation.decide:rejected": gettext_lazy(
        "%(actor)s rejected the compensation claim %(target)s"
    ),
    "compensation.pay": gettext_lazy(
        "%(actor)s paid the compensation claim %(target)s from the fund"
    ),
    "compensation.settle": gettext_lazy(
        "%(actor)s recorded the insurer's payment of the compensation claim %(target)s"
    ),
    # coordination
    "incident.created": gettext_lazy("%(actor)s opened the incident %(target)s"),
    "incident.status": gettext_lazy("%(actor)s changed the status of %(target)s to %(to)s"),
    "incident.capacity": gettext_lazy("%(actor)s set the area capacity of %(target)s"),
    "incident.taken_over": gettext_lazy("%(actor)s took over command of %(target)s"),
    "incident.personal_data_purged": gettext_lazy(
        "%(actor)s purged the personal data of %(target)s"
    ),
    "need.posted": gettext_lazy("%(actor)s posted the need %(target)s"),
    "need.confirmed": gettext_lazy("%(actor)s confirmed the need %(target)s"),
    "deployment.filed": gettext_lazy("%(actor)s filed the deployment of %(target)s"),
    "deployment.approved": gettext_lazy("%(actor)s approved the deployment of %(target)s"),
    "deployment.held": gettext_lazy("%(actor)s held the deployment of %(target)s"),
    "deployment.arrived": gettext_lazy("%(actor)s reported the arrival of %(target)s"),
    "deployment.withdrawn": gettext_lazy("%(actor)s withdrew the deployment of %(target)s"),
    "task.created": gettext_lazy("%(actor)s created the task %(target)s"),
    "task.claimed": gettext_lazy("%(actor)s claimed the task %(target)s"),
    "task.assigned": gettext_lazy("%(actor)s assigned the task %(target)s"),
    "task.accepted": gettext_lazy("%(actor)s accepted the task %(target)s"),
    "task.declined": gettext_lazy("%(actor)s declined the task %(target)s"),
    "task.started": gettext_lazy("%(actor)s started work on the task %(target)s"),
    "task.reported": gettext_lazy("%(actor)s reported progress on the task %(target)s"),
    "task.completed": gettext_lazy("%(actor)s completed the task %(target)s"),
    "task.verified": gettext_lazy("%(actor)s verified the task %(target)s"),
    "task.cancelled": gettext_lazy("%(actor)s cancelled the task %(target)s"),
    "task.claim_expired": gettext_lazy("The claim on the task %(target)s expired"),
    # procurement
    "procurement.project_created": gettext_lazy("%(actor)s created the project %(target)s"),
    "procurement.published": gettext_lazy("%(actor)s published the tender of %(target)s"),
    "procurement.bid_submitted": gettext_lazy("%(actor)s submitted the bid %(target)s"),
    "procurement.bid_updated": gettext_lazy("%(actor)s updated the bid %(target)s"),
    "procurement.bid_withdrawn": gettext_lazy("%(actor)s withdrew the bid %(target)s"),
    "procurement.tender_closed": gettext_lazy("The tender of %(target)s closed"),
    "procurement.opened": gettext_lazy("%(actor)s opened the bids of %(target)s"),
    "procurement.panel_drawn": gettext_lazy("%(actor)s drew the expert panel of %(target)s"),
    "procurement.expert_refused": gettext_lazy("%(actor)s declined to sit on %(target)s"),
    "procurement.expert_flagged": gettext_lazy(
        "%(actor)s flagged a conflict of interest on %(target)s"
    ),
    "procurement.scored": gettext_lazy("%(actor)s scored %(target)s"),
    "procurement.awarded": gettext_lazy("%(actor)s awarded %(target)s"),
    "procurement.challenge_filed": gettext_lazy("%(actor)s challenged the award of %(target)s"),
    "procurement.challenge_resolved": gettext_lazy("%(actor)s resolved a challenge on %(target)s"),
    "procurement.award_annulled": gettext_lazy("%(actor)s annulled the award of %(target)s"),
    "procurement.contract_signed": gettext_lazy("%(actor)s signed the contract of %(target)s"),
    "procurement.progress_reported": gettext_lazy("%(actor)s reported progress on %(target)s"),
    "procurement.milestone_inspected": gettext_lazy("%(actor)s inspected %(target)s"),
    "procurement.evaluator_assigned": gettext_lazy(
        "%(actor)s assigned a third-party evaluator to %(target)s"
    ),
    "procurement.recipients_sampled": gettext_lazy(
        "%(actor)s asked a sample of service recipients to confirm %(target)s"
    ),
    "procurement.recipient_answered": gettext_lazy(
        "A sampled service recipient answered on %(target)s"
    ),
    "procurement.milestone_accepted": gettext_lazy("%(actor)s accepted %(target)s"),
    "procurement.milestone_not_accepted": gettext_lazy("%(actor)s did not accept %(target)s"),
    "procurement.milestone_paid": gettext_lazy("%(actor)s paid for %(target)s"),
    "procurement.milestone_overdue": gettext_lazy("%(target)s is overdue"),
    "procurement.contract_completed": gettext_lazy("%(actor)s completed the contract %(target)s"),
    "procurement.contract_terminated": gettext_lazy("%(actor)s terminated the contract %(target)s"),
    "procurement.clawback_recovered": gettext_lazy(
        "%(actor)s recorded a clawback recovery on %(target)s"
    ),
    "procurement.clawback_written_off": gettext_lazy(
        "%(actor)s wrote off part of the clawback %(target)s"
    ),
    "procurement.clawback_overdue": gettext_lazy("The clawback %(target)s is overdue"),
    "procurement.debarment_lifted": gettext_lazy("%(actor)s lifted the debarment of %(target)s"),
    "procurement.suppliers_invited": gettext_lazy("%(actor)s invited suppliers to %(target)s"),
    "procurement.emergency_flagged": gettext_lazy(
        "The emergency purchase %(target)s awaits its after-the-fact review"
    ),
    "procurement.emergency_reviewed": gettext_lazy(
        "%(actor)s reviewed the emergency purchase %(target)s"
    ),
    "procurement.terminated": gettext_lazy("%(actor)s terminated %(target)s"),
    "procurement.failed": gettext_lazy("The tender of %(target)s failed"),
    "procurement.retendered": gettext_lazy("%(actor)s re-tendered %(target)s"),
    "procurement.cancelled": gettext_lazy("%(actor)s cancelled %(target)s"),
    "procurement.closed": gettext_lazy("%(actor)s closed %(target)s"),
    # donations
    "donations.receipt": gettext_lazy("%(actor)s recorded the receipt %(target)s"),
    "donations.allocation": gettext_lazy("%(actor)s recorded the allocation %(target)s"),
    "donations.acknowledgement": gettext_lazy("%(actor)s signed for %(target)s"),
    "donations.disbursement": gettext_lazy("%(actor)s recorded the disbursement %(target)s"),
    "donations.reversal": gettext_lazy("%(actor)s recorded the reversal %(target)s"),
    "donations.change_of_use": gettext_lazy("%(actor)s recorded the change of use %(target)s"),
    "donations.private_revealed": gettext_lazy(
        "%(actor)s viewed the donor's private details of %(target)s"
    ),
    "donations.private_purged": gettext_lazy(
        "%(actor)s purged the donor's private details of %(target)s"
    ),
    "donations.disclosure_overdue": gettext_lazy("The disclosure of %(target)s is overdue"),
    "donations.stuck_goods": gettext_lazy("The goods of %(target)s are still undistributed"),
    # liaison
    "liaison.responsibility.created": gettext_lazy(
        "%(actor)s added %(target)s to the directory of responsibilities"
    ),
    "liaison.responsibility.updated": gettext_lazy(
        "%(actor)s updated %(target)s in the directory of responsibilities"
    ),
    "liaison.notice.published": gettext_lazy("%(actor)s published the notice %(target)s"),
    "liaison.notice.acknowledged": gettext_lazy("%(actor)s acknowledged the notice %(target)s"),
    "liaison.report.sent": gettext_lazy("%(actor)s sent the field report %(target)s"),
    "liaison.report.acknowledged": gettext_lazy(
        "%(actor)s acknowledged the field report %(target)s"
    ),
    "liaison.report.confirmed": gettext_lazy("%(actor)s confirmed the field report %(target)s"),
    "liaison.report.dismissed": gettext_lazy("%(actor)s closed the field report %(target)s"),
    "liaison.report.escalated": gettext_lazy(
        "%(actor)s passed the field report %(target)s up to the next level: "
        "not acknowledged in time"
    ),
    "liaison.report.unanswered": gettext_lazy(
        "%(actor)s recorded that nobody acknowledged the field report %(target)s in time"
    ),
    "liaison.check_in": gettext_lazy("%(actor)s checked in safe: %(target)s"),
    "liaison.check_in_missed": gettext_lazy(
        "%(actor)s recorded a missed safety check-in: %(target)s"
    ),
}

_CHANGED = gettext_lazy("%(actor)s changed %(target)s from %(from)s to %(to)s")
_SET = gettext_lazy("%(actor)s set %(target)s to %(to)s")
_TOUCHED = gettext_lazy("%(actor)s made a change to %(target)s")


def _org_and(*path: str) -> Callable[[Any], str]:
    def name(obj: Any) -> str:
        parts = []
        for p in path:
            value = obj
            for attr in p.split("."):
                value = getattr(value, attr, None)
            if value:
                parts.append(str(value))
        return " · ".join(parts)

    return name


# "<app>.<model>" -> (select_related, how to name the object). Names never contain codes.
_TARGETS: dict[str, tuple[tuple[str, ...], Callable[[Any], str]]] = {
    "registry.organization": ((), _org_and("name")),
    "registry.capability": (
        ("organization",),
        lambda c: f"{c.organization.name} · {c.get_specialty_display()}",
    ),
    "registry.invitation": (("organization",), _org_and("organization.name")),
    "registry.membership": (("organization",), _org_and("organization.name")),
    "registry.document": ((), lambda d: d.title or str(d.get_kind_display())),
    "registry.person": ((), _org_and("name")),
    "registry.hublink": (("hub", "member"), _org_and("member.name", "hub.name")),
    "volunteers.volunteer": ((), _org_and("name")),
    "volunteers.volunteercall": ((), _org_and("title")),
    "volunteers.signup": (("volunteer", "call"), _org_and("volunteer.name", "call.title")),
    "registry.insurancepolicy": (("person",), _org_and("person.name", "insurer")),
    "compensation.claim": (
        ("organization",),
        lambda c: f"#{c.pk} {c.organization.name} · {c.get_kind_display()}",
    ),
    "alerts.alert": ((), _org_and("title")),
    "alerts.delivery": (("alert",), _org_and("alert.title")),
    "coordination.incident": ((), _org_and("title")),
    "coordination.task": ((), _org_and("title")),
    "coordination.deployment": (("organization",), _org_and("organization.name")),
    "coordination.need": ((), lambda n: f"{n.get_category_display()} {n.quantity} {n.unit}"),
    "preparedness.drill": ((), _org_and("title")),
    "preparedness.objective": ((), _org_and("text")),
    "preparedness.followup": (("owner",), _org_and("title", "owner.name")),
    "preparedness.meeting": ((), _org_and("title")),
    "preparedness.decision": ((), lambda d: d.text[:60]),
    "procurement.project": ((), _org_and("title")),
    "procurement.milestone": (("contract__project",), _org_and("contract.project.title", "title")),
    "procurement.recipientconfirmation": (
        ("milestone__contract__project",),
        _org_and("milestone.contract.project.title", "milestone.title"),
    ),
    "procurement.bid": (
        ("project", "organization"),
        _org_and("project.title", "organization.name"),
    ),
    "procurement.award": (
        ("project", "bid__organization"),
        _org_and("project.title", "bid.organization.name"),
    ),
    "procurement.contract": (("project", "supplier"), _org_and("project.title", "supplier.name")),
    "procurement.paneldraw": (("project",), _org_and("project.title")),
    "procurement.clawback": (
        ("contract__project", "contract__supplier"),
        _org_and("contract.project.title", "contract.supplier.name"),
    ),
    "procurement.score": (
        ("bid__project", "bid__organization"),
        _org_and("bid.project.title", "bid.organization.name"),
    ),
    "liaison.responsibility": (
        ("agency",),
        lambda r: f"{r.agency.name} · {r.get_function_display()}",
    ),
    "liaison.notice": ((), _org_and("title")),
    "liaison.fieldreport": (
        ("organization",),
        lambda r: f"{r.get_category_display()} · {r.organization.name}",
    ),
    "donations.ledgerentry": (
        (),
        lambda e: f"#{e.seq} {e.get_kind_display()}" if e.seq else e.get_kind_display(),
    ),
}


def actor_text(user: Any) -> tuple[str, str]:
    """(what the sentence says, the full display name for hover) of the event's actor."""
    if user is None or not getattr(user, "pk", None):
        return _("The platform"), ""
    full = display.display_name(user)
    where = display.affiliation(user)
    return (where[0] if where else full), full


def _label(model: type[models.Model] | None) -> str:
    return str(model._meta.verbose_name) if model else _("record")


def _status_labels(model: type[models.Model] | None) -> dict[str, str]:
    if model is None:
        return {}
    try:
        field = model._meta.get_field("status")
    except Exception:
        return {}
    return {str(k): str(v) for k, v in (field.flatchoices or [])}


def target_names(events: Iterable[Any]) -> dict[tuple[int, str], str]:
    """{(content type id, target id): name} for the events, one query per content type."""
    wanted: dict[int, tuple[Any, set[str]]] = {}
    for e in events:
        wanted.setdefault(e.target_type_id, (e.target_type, set()))[1].add(str(e.target_id))
    names: dict[tuple[int, str], str] = {}
    for ct_id, (ct, ids) in wanted.items():
        model = ct.model_class() if ct else None
        spec = _TARGETS.get(f"{ct.app_label}.{ct.model}") if ct else None
        if model is None or spec is None:
            continue
        related, name = spec
        pk_field = model._meta.pk
        keys = []
        for i in ids:
            # an id this model cannot have reads as "record #id"
            with contextlib.suppress(ValidationError):
                keys.append(pk_field.to_python(i))
        for obj in model.objects.select_related(*related).filter(pk__in=keys):
            names[(ct_id, str(obj.pk))] = name(obj)
    return names


def sentence(
    event: Any, *, target: str, model: type[models.Model] | None = None, actor: str = ""
) -> str:
    """One event as a sentence (see the module docstring for the rules)."""
    labels = _status_labels(model)
    template = SENTENCES.get(f"{event.action}:{event.to_status}") or SENTENCES.get(event.action)
    if template is None:
        if event.from_status and event.to_status:
            template = _CHANGED
        elif event.to_status:
            template = _SET
        else:
            template = _TOUCHED
    return str(template) % {
        "actor": actor or actor_text(event.actor)[0],
        "target": target,
        "from": labels.get(event.from_status, _("another state")),
        "to": labels.get(event.to_status, _("another state")),
    }


def describe(events: Iterable[Any], obj: models.Model | None = None) -> list[Any]:
    """The events with ``.sentence``, ``.actor_name`` (hover) and ``.change`` (translated "from →
    to", or "") set; ``obj`` is the common target when the caller shows one object's history."""
    events = list(events)
    names = {} if obj is not None else target_names(events)
    for e in events:
        if obj is not None:
            model: type[models.Model] | None = type(obj)
            spec = _TARGETS.get(f"{obj._meta.app_label}.{obj._meta.model_name}")
            target = spec[1](obj) if spec else str(obj)
        else:
            ct = e.target_type
            model = ct.model_class() if ct else None
            target = names.get((e.target_type_id, str(e.target_id))) or (
                f"{_label(model)} #{e.target_id}"
            )
        short, full = actor_text(e.actor)
        e.actor_short, e.actor_name = short, full
        e.sentence = sentence(e, target=target, model=model, actor=short)
        labels = _status_labels(model)
        e.change = (
            " → ".join(labels.get(s, _("another state")) for s in (e.from_status, e.to_status) if s)
            if e.to_status
            else ""
        )
    return events
