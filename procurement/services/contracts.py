"""Contract and delivery: milestones, progress reports with evidence, payment, termination with
clawback, and the overdue sweep (inspection and acceptance: procurement/services/inspection.py)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import states, validators
from core.states import InvalidTransition
from core.uploads import check_size, sniff_content_type
from core.versions import bump
from procurement import evidence as photo_evidence
from procurement import ocds
from procurement import recipients as served
from procurement.actions import MILESTONE, PROJECT
from procurement.models import (
    Clawback,
    ClawbackRecovery,
    Contract,
    Milestone,
    Payment,
    ProgressReport,
    Project,
    TerminationGround,
)
from procurement.services.common import (
    move,
    record,
    require_official_for,
    tell_officials,
    tell_organizations,
)
from procurement.services.evaluation import active_award

# Where and when a milestone's service happens (optional; progress photos are checked against them).
SITE_FIELDS = (
    "site_latitude",
    "site_longitude",
    "site_radius_m",
    "service_starts_at",
    "service_ends_at",
)


def check_site(m: dict) -> None:
    """A site is a point (both coordinates, in range) and a window that does not end first."""
    lat, lng = m.get("site_latitude"), m.get("site_longitude")
    if (lat is None) != (lng is None):
        raise ValidationError({"milestones": [_("Give both coordinates of the service site.")]})
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(
            {"milestones": [_("The service site's coordinates are out of range.")]}
        )
    starts, ends = m.get("service_starts_at"), m.get("service_ends_at")
    for moment in (starts, ends):
        if moment is not None:
            validators.check("milestones", validators.plan, moment)
    if starts and ends and ends < starts:
        raise ValidationError({"milestones": [_("The service window ends before it starts.")]})


@transaction.atomic
def create_contract(*, project: Project, by: Any, milestones: list[dict]) -> Contract:
    """After the stand-still with no open challenge, an official signs the contract with the
    awarded supplier: milestones whose payment percents sum to 100 (-> implementing)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("contract", by, project)
    current = active_award(project)
    if not milestones:
        raise ValidationError({"milestones": [_("At least one milestone is required.")]})
    total = sum(Decimal(m["payment_percent"]) for m in milestones)
    if total != 100:
        raise ValidationError(
            {
                "milestones": [
                    _("Payment percents must sum to 100 (they sum to %(n)s).") % {"n": total}
                ]
            }
        )
    for m in milestones:
        validators.check("milestones", validators.deadline, m["due_at"])
        check_site(m)
    standards = {s.pk: s for s in project.service_standards.all()}
    for m in milestones:
        unknown = set(m.get("indicators") or []) - set(standards)
        if unknown:
            raise ValidationError(
                {"milestones": [_("Unknown indicators: %(ids)s") % {"ids": sorted(unknown)}]}
            )
    contract = Contract.objects.create(
        project=project, award=current, supplier=current.bid.organization, value=current.amount
    )
    for m in milestones:
        row = Milestone.objects.create(
            contract=contract,
            title=m["title"],
            due_at=m["due_at"],
            payment_percent=m["payment_percent"],
            **{k: m[k] for k in SITE_FIELDS if m.get(k) is not None},
        )
        row.indicators.set(m.get("indicators") or list(standards))
    move(
        project,
        Project.Status.IMPLEMENTING,
        by=by,
        action="contract_signed",
        data={"contract": contract.pk, "value": str(contract.value)},
    )
    ocds.publish_release(project, ["contract"])
    tell_organizations(
        project,
        [contract.supplier_id],
        by=by,
        title=lambda: _("Contract signed: %(title)s") % {"title": project.title},
    )
    return contract


def _served(recipients: list[dict] | None) -> list[dict]:
    """The served recipients as given: a name each, the phone as a mainland mobile number when
    one is given (a wrong number is refused, an absent one is allowed: that person cannot be
    sampled)."""
    people = []
    for person in recipients or []:
        name = (person.get("name") or "").strip()
        typed = (person.get("phone") or "").strip()
        phone = served.mobile_number(typed)
        if not name:
            raise ValidationError({"recipients": [_("Every service recipient needs a name.")]})
        if typed and not phone:
            raise ValidationError(
                {
                    "recipients": [
                        _("%(name)s: %(phone)s is not a mainland mobile number.")
                        % {"name": name, "phone": typed}
                    ]
                }
            )
        people.append({"name": name[:100], "phone": phone})
    return people


def _milestone(milestone: Milestone) -> Milestone:
    return (
        Milestone.objects.select_for_update()
        .select_related("contract__project", "contract__supplier")
        .get(pk=milestone.pk)
    )


@transaction.atomic
def report_progress(
    *,
    milestone: Milestone,
    by: Any,
    summary: str,
    values: dict,
    evidence: list | None = None,
    taken_at: list | None = None,
    recipients: list[dict] | None = None,
) -> ProgressReport:
    """The supplier reports a milestone with a value per indicator, the service recipients served
    (name and phone, private: a sample is asked to confirm) and evidence files. Photos keep their
    original privately and are checked (``procurement.evidence``): the same file or a
    near-identical picture seen in another report, a camera time or position that does not
    match the milestone's window and site, are flagged to the buyer."""
    milestone = _milestone(milestone)
    contract = milestone.contract
    MILESTONE.check("report", by, milestone)
    indicator_ids = {str(i) for i in milestone.indicators.values_list("pk", flat=True)}
    clean: dict[str, str] = {}
    for key, value in (values or {}).items():
        if str(key) not in indicator_ids:
            raise ValidationError({"values": [_("Unknown indicator %(id)s.") % {"id": key}]})
        try:
            clean[str(key)] = str(Decimal(str(value)))
        except Exception as exc:
            raise ValidationError({"values": [_("Values must be numbers.")]}) from exc
    for moment in taken_at or []:
        if moment is not None:
            validators.check("taken_at", validators.fact, moment)
    people = _served(recipients)
    report = ProgressReport.objects.create(
        milestone=milestone, summary=summary, values=clean, recipients=people, submitted_by=by
    )
    flagged, near, mismatched = [], [], []
    for i, upload in enumerate(evidence or []):
        check_size(upload, "evidence")
        content = upload.read()
        kind = sniff_content_type(content[:16])
        if not kind:
            raise ValidationError({"evidence": [_("Evidence must be a JPEG, PNG or PDF file.")]})
        declared = taken_at[i] if taken_at and i < len(taken_at) else None
        row = photo_evidence.store(
            report=report,
            milestone=milestone,
            upload=upload,
            content=content,
            content_type=kind,
            declared_at=declared,
        )
        if row.duplicate_of_id:
            flagged.append(row.pk)
        if row.near_duplicate_of_id:
            near.append(row.pk)
        if row.flags:
            mismatched.append(row.pk)
    states.move(
        milestone,
        Milestone.Status.REPORTED,
        by=by,
        action="procurement.progress_reported",
        organization_id=contract.supplier_id,
        data={
            "report": report.pk,
            "duplicate_evidence": flagged,
            "near_duplicate_evidence": near,
            "mismatched_evidence": mismatched,
            "recipients": len(people),
        },
    )
    if flagged or near:
        tell_officials(
            contract.project,
            by=by,
            level="yellow",
            title=lambda: (
                _("Reused evidence in a progress report: %(title)s")
                % {"title": contract.project.title}
            ),
        )
    elif mismatched:
        tell_officials(
            contract.project,
            by=by,
            level="yellow",
            title=lambda: (
                _("Photos that do not match the service's time or site: %(title)s")
                % {"title": contract.project.title}
            ),
        )
    return report


@transaction.atomic
def pay_milestone(*, milestone: Milestone, by: Any) -> Payment:
    """An official records the payment of an accepted milestone; the contract's paid total never
    exceeds its value (checked here under a row lock, and by a database constraint)."""
    milestone = _milestone(milestone)
    project = milestone.contract.project
    MILESTONE.check("pay", by, milestone)
    contract = Contract.objects.select_for_update().get(pk=milestone.contract_id)
    amount = (contract.value * milestone.payment_percent / 100).quantize(Decimal("0.01"))
    unpaid = Milestone.objects.filter(contract=contract).exclude(status=Milestone.Status.PAID)
    if unpaid.count() == 1:
        # The last milestone takes the rounding remainder, so the total is exactly the value.
        amount = contract.value - contract.paid_amount
    if amount <= 0 or contract.paid_amount + amount > contract.value:
        raise ValidationError({"amount": [_("Payments may never exceed the contract value.")]})
    Contract.objects.filter(pk=contract.pk).update(paid_amount=F("paid_amount") + amount)
    bump("procurement")  # QuerySet.update() sends no signal
    payment = Payment.objects.create(milestone=milestone, amount=amount, paid_by=by)
    states.move(
        milestone,
        Milestone.Status.PAID,
        by=by,
        action="procurement.milestone_paid",
        data={"amount": str(amount)},
    )
    if (
        project.status == Project.Status.ACCEPTED
        and not Milestone.objects.filter(contract=contract)
        .exclude(status=Milestone.Status.PAID)
        .exists()
    ):
        contract.project = project
        states.move(
            contract, Contract.Status.COMPLETED, by=by, action="procurement.contract_completed"
        )
        move(project, Project.Status.CLOSED, by=by, action="closed")
    ocds.publish_release(project, ["implementation"])
    tell_organizations(
        project,
        [contract.supplier_id],
        by=by,
        title=lambda: _("Payment recorded: %(title)s") % {"title": milestone.title},
    )
    return payment


@transaction.atomic
def terminate(
    *,
    project: Project,
    by: Any,
    reason: str,
    clawback_amount: Decimal,
    due_on: dt.date | None = None,
    ground: str = TerminationGround.OTHER,
) -> Contract:
    """An official terminates a contract with a reason and its ground (``TerminationGround``);
    money paid for undelivered work is clawed back (at most what was paid) and tracked until
    recovered or written off. A termination for falsification debars the supplier
    (``procurement.debarment``)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check("terminate", by, project)
    contract = Contract.objects.select_for_update().get(project=project)
    if due_on is not None:
        validators.check("due_on", validators.deadline, due_on)
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    if ground not in TerminationGround.values:
        raise ValidationError({"ground": [_("Choose the ground of the termination.")]})
    if clawback_amount < 0 or clawback_amount > contract.paid_amount:
        raise ValidationError(
            {
                "clawback_amount": [
                    _("The clawback must be between 0 and the amount paid (%(paid)s).")
                    % {"paid": contract.paid_amount}
                ]
            }
        )
    contract.project = project
    states.move(
        contract,
        Contract.Status.TERMINATED,
        by=by,
        action="procurement.contract_terminated",
        reason=reason,
        changes={
            "terminated_at": timezone.now(),
            "termination_reason": reason,
            "termination_ground": ground,
        },
        data={"ground": ground},
    )
    if clawback_amount > 0:
        Clawback.objects.create(
            contract=contract,
            amount_due=clawback_amount,
            due_on=due_on
            or timezone.localdate()
            + dt.timedelta(days=settings.TONGZHOU_PROCUREMENT_CLAWBACK_DAYS),
        )
    move(
        project,
        Project.Status.TERMINATED,
        by=by,
        action="terminated",
        reason=reason,
        data={"clawback_amount": str(clawback_amount), "ground": ground},
    )
    ocds.publish_release(project, ["contractTermination"])
    tell_organizations(
        project,
        [contract.supplier_id],
        by=by,
        level="orange",
        title=lambda: _("Contract terminated: %(title)s") % {"title": project.title},
        body=reason,
    )
    return contract


@transaction.atomic
def record_recovery(
    *, clawback: Clawback, by: Any, amount: Decimal, recovered_on: dt.date, note: str = ""
) -> Clawback:
    """An official records money recovered (with an optional note: how it was paid); the
    clawback closes when recoveries and write-offs settle it (``recovered``, or
    ``written_off`` when part of it was written off)."""
    clawback = (
        Clawback.objects.select_for_update().select_related("contract__project").get(pk=clawback.pk)
    )
    project = clawback.contract.project
    require_official_for(by, project)
    if clawback.status != Clawback.Status.OPEN:
        raise InvalidTransition(_("This clawback is already settled."))
    validators.check("recovered_on", validators.fact, recovered_on)
    terminated_on = timezone.localdate(clawback.contract.terminated_at or timezone.now())
    if recovered_on < terminated_on:
        raise ValidationError(
            {"recovered_on": [_("Money cannot be recovered before the contract was terminated.")]}
        )
    if amount <= 0 or amount > clawback.outstanding:
        raise ValidationError(
            {
                "amount": [
                    _("The amount must be between 0 and %(left)s.") % {"left": clawback.outstanding}
                ]
            }
        )
    ClawbackRecovery.objects.create(
        clawback=clawback, amount=amount, recovered_on=recovered_on, recorded_by=by, note=note
    )
    recovered = clawback.recovered_amount + amount
    changes = {"recovered_amount": recovered, "recovered_on": recovered_on}
    if recovered + clawback.written_off_amount == clawback.amount_due:
        states.move(
            clawback,
            Clawback.Status.RECOVERED
            if clawback.written_off_amount == 0
            else Clawback.Status.WRITTEN_OFF,
            by=by,
            action="procurement.clawback_recovered",
            reason=note,
            changes=changes,
            data={"amount": str(amount)},
        )
    else:  # a part payment: no change of state
        for field, value in changes.items():
            setattr(clawback, field, value)
        clawback.save(update_fields=list(changes))
        record(
            clawback,
            project=project,
            by=by,
            action="clawback_recovered",
            to_status=clawback.status,
            reason=note,
            data={"amount": str(amount)},
        )
    ocds.publish_release(project, ["implementation"])
    return clawback


@transaction.atomic
def alert_overdue(*, milestone: Milestone) -> bool:
    """An overdue, undelivered milestone alerts the supplier and the buyer once."""
    milestone = _milestone(milestone)
    project = milestone.contract.project
    if (
        milestone.overdue_alerted_at
        or milestone.due_at > timezone.now()
        or project.status != Project.Status.IMPLEMENTING
        or milestone.status not in (Milestone.Status.PENDING, Milestone.Status.REJECTED)
    ):
        return False
    milestone.overdue_alerted_at = timezone.now()
    milestone.save(update_fields=["overdue_alerted_at"])
    record(milestone, project=project, by=None, action="milestone_overdue")

    def title() -> str:
        return _("Milestone overdue: %(title)s") % {"title": milestone.title}

    tell_organizations(
        project, [milestone.contract.supplier_id], title=title, level="orange", kind="deadline"
    )
    tell_officials(project, title=title, level="orange", kind="deadline")
    return True
