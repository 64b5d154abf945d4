"""Every write of loss compensation: file a claim, review, decide, pay from the fund, record the
insurer's settlement, remind of overdue reviews. One transaction per action, checked against
``compensation.actions.CLAIM``, audited, and told to the other side through alerts.

Decisions the issue leaves open (docs/compensation.md):
- A claim names an approved (or arrived) deployment filing of the organization, or a task the
  organization held (accepted, in progress, completed or verified); a filing withdrawn after its
  approval still counts (its audit trail has the approval). The incident and the jurisdiction
  (the incident's region) come from it.
- Injury and death name the person of the organization's talent pool; equipment may name none.
- At least one evidence file (photo or PDF) is required when filing.
- The bureau approves an amount between 0 and the amount claimed (never more), with reasons;
  rejection needs reasons.
- Payment is the approved amount, recorded as a disbursement of the compensation fund (purpose
  ``TONGZHOU_COMPENSATION_PURPOSE``) by ``donations.services.disburse``: the payer is an
  official of the region who also writes the ledger of the organization that holds the fund; the
  payment voucher, if given, is chained as private evidence (it may carry bank details).
- The insurer's payment can be recorded while under review or after approval, by the claimant
  or the bureau; it ends the claim (what the fund still owes is a new claim, not a top-up).
- The decision is due ``TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS`` working days (Monday to
  Friday, minus ``TONGZHOU_PROCUREMENT_HOLIDAYS``) after filing; the bureau is reminded once.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation.actions import CLAIM
from compensation.models import Claim, ClaimEvidence
from coordination.models import Deployment, Task
from core import audit, uploads, validators, words
from core.models import AuditEvent
from core.notifications import notify
from core.states import move
from donations import evidence_rules
from donations import services as ledger
from registry.models import Organization, Person
from registry.queries import acting_organization

MAX_AMOUNT = Decimal("9999999999.99")
HELD_TASK = (
    Task.Status.ACCEPTED,
    Task.Status.IN_PROGRESS,
    Task.Status.COMPLETED,
    Task.Status.VERIFIED,
)


def add_working_days(start: dt.date, days: int) -> dt.date:
    holidays = {dt.date.fromisoformat(d) for d in settings.TONGZHOU_PROCUREMENT_HOLIDAYS}
    day, added = start, 0
    while added < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            added += 1
    return day


def _amount(field: str, value: Any) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: [_("Give the amount.")]})
    value = Decimal(value)
    if value <= 0 or value > MAX_AMOUNT:
        raise ValidationError({field: [_("Give an amount above zero.")]})
    return value


def _was_approved(deployment: Deployment) -> bool:
    if deployment.status in Deployment.OCCUPYING:
        return True
    return AuditEvent.objects.filter(
        target_type__app_label="coordination",
        target_type__model="deployment",
        target_id=str(deployment.pk),
        to_status=Deployment.Status.APPROVED,
    ).exists()


def _basis(organization: Organization, deployment: Any, task: Any) -> tuple[Any, Any]:
    """The filing or task the claim arises from, checked to be the organization's."""
    if deployment is None and task is None:
        raise ValidationError(
            {"deployment": [_("Name the approved deployment filing or the task it arose in.")]}
        )
    if deployment is not None:
        deployment = (
            Deployment.objects.select_related("incident")
            .filter(pk=getattr(deployment, "pk", deployment), organization=organization)
            .first()
        )
        if deployment is None or not _was_approved(deployment):
            raise ValidationError(
                {"deployment": [_("Not an approved deployment filing of your organization.")]}
            )
    if task is not None:
        task = (
            Task.objects.select_related("incident")
            .filter(pk=getattr(task, "pk", task), organization=organization, status__in=HELD_TASK)
            .first()
        )
        if task is None:
            raise ValidationError({"task": [_("Not a task your organization held.")]})
    if deployment and task and deployment.incident_id != task.incident_id:
        raise ValidationError({"task": [_("The task and the filing are of different incidents.")]})
    return deployment, task


def _check_files(files: list) -> list:
    """Sniffed (JPEG, PNG, PDF), size-limited, photos stripped of their metadata (a phone's
    photo carries where it was taken): ``donations.evidence_rules.prepare``."""
    if not files:
        raise ValidationError({"evidence": [_("Add at least one photo or document.")]})
    for upload in files:
        uploads.check_size(upload, "evidence")
    return evidence_rules.prepare(files, field="evidence")


def _link(claim: Claim) -> str:
    return reverse("compensation:claim_detail", args=[claim.pk])


def _tell_bureau(claim: Claim, title, body: str = "", by: Any = None) -> None:
    notify(
        title=title,
        body=body,
        link=_link(claim),
        audience={"officials_for": claim.region_code},
        actor=by,
        kind="approval",
    )


def _tell_claimant(claim: Claim, title, body: str = "", by: Any = None) -> None:
    notify(
        title=title,
        body=body,
        link=_link(claim),
        audience={"organizations": [claim.organization_id], "verified_only": False},
        actor=by,
        kind="approval",
    )


def file_claim(
    *,
    by: Any,
    organization: int | str | Organization | None = None,
    kind: str,
    description: str,
    occurred_at: dt.datetime,
    amount_claimed: Decimal,
    evidence: list,
    deployment: Any = None,
    task: Any = None,
    person: Any = None,
    insurer_claim_reference: str = "",
) -> Claim:
    """An organization the user acts for (any verification status: a suspended team still
    claims for what it lost) files a claim for a loss during its approved filing or held task;
    the bureau of the incident's region reviews it by the due date."""
    organization = acting_organization(by, organization, verified=False)
    if kind not in Claim.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of loss.")]})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": [_("Say what happened and what was lost.")]})
    validators.check("occurred_at", validators.fact, occurred_at)
    amount_claimed = _amount("amount_claimed", amount_claimed)
    deployment, task = _basis(organization, deployment, task)
    incident = (deployment or task).incident
    if person is not None:
        person = Person.objects.filter(
            pk=getattr(person, "pk", person), organization=organization
        ).first()
        if person is None:
            raise ValidationError({"person": [_("Not a person of your organization.")]})
    if kind in (Claim.Kind.INJURY, Claim.Kind.DEATH) and person is None:
        raise ValidationError({"person": [_("Name the person who was hurt or died.")]})
    files = _check_files(list(evidence or []))
    with transaction.atomic():
        claim = Claim.objects.create(
            organization=organization,
            incident=incident,
            deployment=deployment,
            task=task,
            kind=kind,
            person=person,
            description=description,
            occurred_at=occurred_at,
            amount_claimed=amount_claimed,
            insurer_claim_reference=(insurer_claim_reference or "").strip()[:100],
            region_code=incident.region_code,
            review_due=add_working_days(
                timezone.localdate(), settings.TONGZHOU_COMPENSATION_REVIEW_WORKING_DAYS
            ),
            filed_by=by,
        )
        for f in files:
            row = ClaimEvidence(
                claim=claim, content_type=f.content_type, size=f.upload.size, uploaded_by=by
            )
            row.file.save("upload", f.upload, save=False)
            row.save()
        audit.record_on(
            claim,
            actor=by,
            action="compensation.filed",
            to_status=claim.status,
            data={"kind": kind, "amount": str(amount_claimed), "evidence": len(files)},
        )
        _tell_bureau(
            claim,
            lambda: (
                _("%(org)s claims compensation: %(kind)s, %(amount)s")
                % {
                    "org": organization.name,
                    "kind": claim.get_kind_display(),
                    "amount": words.money(amount_claimed),
                }
            ),
            by=by,
        )
    return claim


def _locked(claim: Claim, name: str, by: Any, **context: Any) -> Claim:
    CLAIM[name].who(by, claim, **context)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    CLAIM.check(name, by, claim, **context)
    return claim


def review_claim(*, claim: Claim, by: Any) -> Claim:
    """An official of the incident's region takes the claim under review."""
    with transaction.atomic():
        claim = _locked(claim, "review", by)
        move(claim, Claim.Status.UNDER_REVIEW, by=by, action="compensation.review")
        _tell_claimant(claim, lambda: _("Your compensation claim is under review"), by=by)
    return claim


def _reasons(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reasons of the decision.")]})
    return reason


def approve_claim(*, claim: Claim, by: Any, amount: Decimal, reason: str) -> Claim:
    """The bureau approves an amount up to the amount claimed, with reasons."""
    reason = _reasons(reason)
    amount = _amount("amount", amount)
    with transaction.atomic():
        claim = _locked(claim, "approve", by)
        if amount > claim.amount_claimed:
            raise ValidationError(
                {"amount": [_("The amount approved cannot exceed the amount claimed.")]}
            )
        move(
            claim,
            Claim.Status.APPROVED,
            by=by,
            action="compensation.decide",
            reason=reason,
            data={"amount": str(amount)},
            changes={"amount_approved": amount, "decision_reason": reason, "decided_by": by},
        )
        _tell_claimant(
            claim,
            lambda: (
                _("Your compensation claim is approved: %(amount)s")
                % {"amount": words.money(amount)}
            ),
            body=reason,
            by=by,
        )
    return claim


def reject_claim(*, claim: Claim, by: Any, reason: str) -> Claim:
    """The bureau rejects the claim, with reasons."""
    reason = _reasons(reason)
    with transaction.atomic():
        claim = _locked(claim, "reject", by)
        move(
            claim,
            Claim.Status.REJECTED,
            by=by,
            action="compensation.decide",
            reason=reason,
            changes={"decision_reason": reason, "decided_by": by},
        )
        _tell_claimant(claim, lambda: _("Your compensation claim is rejected"), body=reason, by=by)
    return claim


def pay_claim(
    *,
    claim: Claim,
    by: Any,
    fund: int | str | Organization | None = None,
    voucher: Any = None,
    paid_at: dt.datetime | None = None,
) -> Claim:
    """An official of the region pays the approved amount from the compensation fund: a
    disbursement of the fund holder's ledger under the compensation purpose (public and
    chained; no personal data in it), written by ``donations.services.disburse``, which decides
    whether the payer writes that ledger and whether the fund holds enough."""
    with transaction.atomic():
        claim = _locked(claim, "pay", by)
        try:
            entry = ledger.disburse(
                by=by,
                organization=fund,
                purpose=settings.TONGZHOU_COMPENSATION_PURPOSE,
                region_code=claim.region_code,
                beneficiaries=1,
                incident=claim.incident,
                amount=claim.amount_approved,
                private_evidence=[voucher] if voucher is not None else None,
                occurred_at=paid_at,
            )
        except ValidationError as error:
            # The ledger's names for what the payer sent here: the voucher, the fund.
            if hasattr(error, "error_dict"):
                rename = {"evidence": "voucher", "organization": "fund", "occurred_at": "paid_at"}
                raise ValidationError(
                    {rename.get(k, k): v for k, v in error.error_dict.items()}
                ) from None
            raise
        move(
            claim,
            Claim.Status.PAID,
            by=by,
            action="compensation.pay",
            data={"amount": str(entry.amount), "ledger_entry": entry.pk},
            changes={"amount_paid": entry.amount, "ledger_entry": entry},
        )
        _tell_claimant(
            claim,
            lambda: _("Compensation paid: %(amount)s") % {"amount": words.money(entry.amount)},
            by=by,
        )
    return claim


def settle_claim(
    *,
    claim: Claim,
    by: Any,
    amount: Decimal,
    paid_on: dt.date,
    insurer_claim_reference: str = "",
) -> Claim:
    """The claimant or the bureau records what the insurer paid; the claim is settled."""
    amount = _amount("amount", amount)
    if paid_on is None:
        raise ValidationError({"paid_on": [_("Give the day the insurer paid.")]})
    if paid_on > timezone.localdate() or paid_on < dt.date(2000, 1, 1):
        raise ValidationError({"paid_on": [_("The day must lie between 2000 and today.")]})
    with transaction.atomic():
        claim = _locked(claim, "settle", by)
        changes: dict[str, Any] = {"insurer_amount": amount, "insurer_paid_at": paid_on}
        reference = (insurer_claim_reference or "").strip()[:100]
        if reference:
            changes["insurer_claim_reference"] = reference
        move(
            claim,
            Claim.Status.SETTLED,
            by=by,
            action="compensation.settle",
            data={"amount": str(amount)},
            changes=changes,
        )

        def title() -> str:
            return _("Compensation settled by the insurer: %(amount)s") % {
                "amount": words.money(amount)
            }

        _tell_claimant(claim, title, by=by)
        _tell_bureau(claim, title, by=by)
    return claim


def remind_overdue(*, today: dt.date | None = None) -> int:
    """Remind the bureau once of each claim whose decision is overdue (Celery beat, daily)."""
    today = today or timezone.localdate()
    sent = 0
    due = Claim.objects.filter(
        status__in=Claim.AWAITING_DECISION, review_due__lt=today, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due[:500]):
        with transaction.atomic():
            # Conditional: two workers never remind twice.
            if not Claim.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                continue
            claim = Claim.objects.select_related("organization").get(pk=pk)
            notify(
                title=lambda c=claim: (
                    _("Compensation claim #%(n)s of %(org)s: the decision was due %(day)s")
                    % {"n": c.pk, "org": c.organization.name, "day": words.date_text(c.review_due)}
                ),
                link=_link(claim),
                audience={"officials_for": claim.region_code},
                kind="deadline",
            )
            sent += 1
    return sent
