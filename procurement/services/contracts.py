"""Contract and delivery: milestones, progress reports with evidence, inspection, acceptance,
payment, termination with clawback, and the overdue sweep."""

import datetime as dt
import hashlib
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
from core.uploads import PHOTO_TYPES, check_size, sniff_content_type
from core.versions import bump
from procurement import ocds
from procurement.actions import MILESTONE, PROJECT
from procurement.models import (
    Acceptance,
    Clawback,
    ClawbackRecovery,
    Contract,
    Evidence,
    Inspection,
    InspectionPhoto,
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
) -> ProgressReport:
    """The supplier reports a milestone with a value per indicator and evidence files; each file
    keeps its taken-at time and SHA-256, and a hash already seen in another report is flagged."""
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
    report = ProgressReport.objects.create(
        milestone=milestone, summary=summary, values=clean, submitted_by=by
    )
    flagged = []
    for i, upload in enumerate(evidence or []):
        check_size(upload, "evidence")
        content = upload.read()
        kind = sniff_content_type(content[:16])
        if not kind:
            raise ValidationError({"evidence": [_("Evidence must be a JPEG, PNG or PDF file.")]})
        digest = hashlib.sha256(content).hexdigest()
        earlier = Evidence.objects.filter(sha256=digest).exclude(report=report).first()
        upload.seek(0)
        row = Evidence.objects.create(
            report=report,
            file=upload,
            content_type=kind,
            sha256=digest,
            taken_at=(taken_at or [None] * (i + 1))[i] if taken_at and i < len(taken_at) else None,
            duplicate_of=earlier,
        )
        if earlier:
            flagged.append(row.pk)
    states.move(
        milestone,
        Milestone.Status.REPORTED,
        by=by,
        action="procurement.progress_reported",
        organization_id=contract.supplier_id,
        data={"report": report.pk, "duplicate_evidence": flagged},
    )
    if flagged:
        tell_officials(
            contract.project,
            by=by,
            level="yellow",
            title=lambda: (
                _("Reused evidence in a progress report: %(title)s")
                % {"title": contract.project.title}
            ),
        )
    return report


@transaction.atomic
def inspect_milestone(
    *,
    milestone: Milestone,
    by: Any,
    notes: str,
    findings: str = "",
    third_party_score: Decimal | None = None,
    photos: list | None = None,
) -> Inspection:
    """An official records a site inspection of a reported milestone (optional third-party
    score, optional photos: JPEG or PNG by their first bytes)."""
    milestone = _milestone(milestone)
    MILESTONE.check("inspect", by, milestone)
    row = Inspection.objects.create(
        milestone=milestone,
        inspector=by,
        notes=notes,
        findings=findings,
        third_party_score=third_party_score,
    )
    for upload in photos or []:
        check_size(upload, "photos")
        content = upload.read()
        kind = sniff_content_type(content[:16], PHOTO_TYPES)
        if not kind:
            raise ValidationError({"photos": [_("Photos must be JPEG or PNG files.")]})
        upload.seek(0)
        InspectionPhoto.objects.create(
            inspection=row,
            file=upload,
            content_type=kind,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    states.move(
        milestone,
        Milestone.Status.INSPECTED,
        by=by,
        action="procurement.milestone_inspected",
        changes={"third_party_score": third_party_score} if third_party_score is not None else None,
        data={"inspection": row.pk},
    )
    return row


@transaction.atomic
def accept_milestone(
    *, milestone: Milestone, by: Any, achieved: dict, recipients: list[str], notes: str = ""
) -> Acceptance:
    """An official compares the achieved value with the target of every indicator of the
    milestone, with the service recipients who took part; all met -> accepted, else not accepted.
    The result is published; when every milestone is accepted the project is accepted."""
    milestone = _milestone(milestone)
    contract = milestone.contract
    project = contract.project
    MILESTONE.check("accept", by, milestone)
    indicators = list(milestone.indicators.all())
    given = {str(k): v for k, v in (achieved or {}).items()}
    missing = [s.pk for s in indicators if str(s.pk) not in given]
    if missing:
        raise ValidationError(
            {"achieved": [_("Give the achieved value of indicators %(ids)s.") % {"ids": missing}]}
        )
    if not recipients:
        raise ValidationError(
            {"recipients": [_("Record the service recipients who took part in the acceptance.")]}
        )
    results = []
    for s in indicators:
        try:
            value = Decimal(str(given[str(s.pk)]))
        except Exception as exc:
            raise ValidationError({"achieved": [_("Values must be numbers.")]}) from exc
        results.append(
            {
                "indicator_id": s.pk,
                "indicator": s.indicator,
                "unit": s.unit,
                "target": str(s.target),
                "achieved": str(value),
                "met": value >= s.target,
            }
        )
    passed = all(r["met"] for r in results)
    row = Acceptance.objects.create(
        milestone=milestone,
        passed=passed,
        results=results,
        recipients=recipients,
        recipients_count=len(recipients),
        notes=notes,
        accepted_by=by,
    )
    # The guard asked for "accept"; the outcome may be "not accepted": both moves are in the
    # table from the same states, and the door checks the one actually written.
    states.move(
        milestone,
        Milestone.Status.ACCEPTED if passed else Milestone.Status.REJECTED,
        by=by,
        action="procurement.milestone_accepted" if passed else "procurement.milestone_not_accepted",
        changes={"accepted_at": timezone.now() if passed else None},
        data={"results": results, "recipients_count": len(recipients)},
    )
    if (
        passed
        and not contract.milestones.exclude(
            status__in=[Milestone.Status.ACCEPTED, Milestone.Status.PAID]
        ).exists()
    ):
        move(project, Project.Status.ACCEPTED, by=by, action="accepted")
    ocds.publish_release(project, ["implementation"])
    tell_organizations(
        project,
        [contract.supplier_id],
        by=by,
        title=lambda: _("Milestone acceptance: %(title)s") % {"title": milestone.title},
    )
    return row


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
