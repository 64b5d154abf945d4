"""Acceptance that sticks: the buyer assigns a third-party evaluator, a sample of the served
recipients confirms by SMS, an official or the evaluator inspects and measures every indicator,
and only then may an official accept (procurement/acceptance.py holds the rules)."""

import datetime as dt
import hashlib
import random
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Channel
from alerts.services import notify_contact
from core import states
from core.states import Conflict
from core.uploads import PHOTO_TYPES, check_size, sniff_content_type
from procurement import acceptance as rules
from procurement import ocds, recipients
from procurement.actions import MILESTONE, evaluator_organization
from procurement.models import (
    Acceptance,
    Inspection,
    InspectionPhoto,
    Milestone,
    Project,
    RecipientConfirmation,
)
from procurement.services.common import move, record, tell_organizations
from registry.choices import OrganizationKind
from registry.models import Organization


def _milestone(milestone: Milestone) -> Milestone:
    # the evaluator is a nullable join: lock the milestone row only
    return (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("contract__project", "contract__supplier", "evaluator")
        .get(pk=milestone.pk)
    )


@transaction.atomic
def assign_evaluator(
    *, milestone: Milestone, by: Any, organization: int | str | Organization
) -> Milestone:
    """An official of the buyer assigns a verified third-party evaluator organization (not the
    supplier) to a milestone; its members may then inspect it. Assigning another replaces it."""
    milestone = _milestone(milestone)
    MILESTONE.check("assign_evaluator", by, milestone)
    try:
        org = organization if isinstance(organization, Organization) else None
        org = org or Organization.objects.get(pk=int(organization))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"organization": [_("Choose an evaluator organization.")]}) from None
    if org.kind != OrganizationKind.EVALUATOR or org.status != Organization.Status.VERIFIED:
        raise ValidationError(
            {
                "organization": [
                    _("Only a verified third-party evaluator organization may evaluate.")
                ]
            }
        )
    if org.pk == milestone.contract.supplier_id:
        raise ValidationError({"organization": [_("The supplier cannot evaluate itself.")]})
    milestone.evaluator = org
    milestone.save(update_fields=["evaluator"])
    record(
        milestone,
        project=milestone.contract.project,
        by=by,
        action="evaluator_assigned",
        data={"organization": org.pk},
    )
    tell_organizations(
        milestone.contract.project,
        [org.pk],
        by=by,
        title=lambda: _("You are assigned to evaluate: %(title)s") % {"title": milestone.title},
    )
    return milestone


@transaction.atomic
def sample_recipients(*, milestone: Milestone, by: Any) -> list[RecipientConfirmation]:
    """An official or the assigned evaluator draws the sample of served recipients the
    indicators ask for (at random among those of the latest report with a mobile number, not
    asked before) and sends each a one-time link by SMS. Another sample may be drawn only when
    no link of the previous one is still open."""
    milestone = _milestone(milestone)
    MILESTONE.check("sample", by, milestone)
    report = rules.latest_report(milestone)
    size = rules.sample_size(milestone.indicators.all())
    asked = set(
        RecipientConfirmation.objects.filter(milestone=milestone, report=report).values_list(
            "phone", flat=True
        )
    )
    candidates = rules.sample_candidates(report, asked)
    chosen = random.SystemRandom().sample(candidates, min(size, len(candidates)))
    expires = timezone.now() + dt.timedelta(hours=settings.TONGZHOU_PROCUREMENT_CONFIRMATION_HOURS)
    project = milestone.contract.project
    rows = []
    for person in chosen:
        row = RecipientConfirmation.objects.create(
            milestone=milestone,
            report=report,
            name=person["name"][:100],
            phone=person["phone"],
            token=secrets.token_urlsafe(9),
            expires_at=expires,
        )
        url = recipients.confirm_url(row.token)
        notify_contact(
            title=_("Please confirm a service you received"),
            template=recipients.TEMPLATE,
            params={"org": milestone.contract.supplier.name, "url": url},
            channel=Channel.SMS,
            address=row.phone,
            organization_id=project.buyer_id,
            link=url,
            actor=by,
        )
        rows.append(row)
    record(
        milestone,
        project=project,
        by=by,
        action="recipients_sampled",
        data={"report": report.pk, "sampled": len(rows), "asked_for": size},
    )
    return rows


@transaction.atomic
def answer_confirmation(*, token: str, confirmed: bool) -> RecipientConfirmation:
    """A sampled recipient answers through their link, once, before it expires (no account: the
    token is the permission). A second answer or an expired link is a conflict."""
    row = (
        RecipientConfirmation.objects.select_for_update()
        .select_related("milestone__contract__project")
        .filter(token=token)
        .first()
    )
    if row is None:
        raise ValidationError({"token": [_("This link is not valid.")]})
    if row.status != RecipientConfirmation.Status.PENDING:
        raise Conflict(_("This link has already been used."))
    if row.expires_at <= timezone.now():
        raise Conflict(_("This link has expired."))
    states.move(
        row,
        RecipientConfirmation.Status.CONFIRMED
        if confirmed
        else RecipientConfirmation.Status.DENIED,
        by=None,
        action="procurement.recipient_answered",
        changes={"answered_at": timezone.now()},
        data={"milestone": row.milestone_id},
    )
    return row


def _measured(indicators, measured: dict | None) -> dict[str, str]:
    given = {str(k): v for k, v in (measured or {}).items()}
    ids = {str(s.pk) for s in indicators}
    unknown = sorted(set(given) - ids)
    if unknown:
        raise ValidationError(
            {"measured": [_("Unknown indicator %(id)s.") % {"id": ", ".join(unknown)}]}
        )
    missing = [s.indicator for s in indicators if given.get(str(s.pk)) in (None, "")]
    if missing:
        raise ValidationError(
            {"measured": [_("Measure every indicator: %(names)s.") % {"names": "、".join(missing)}]}
        )
    clean = {}
    for key, value in given.items():
        try:
            clean[key] = str(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            raise ValidationError({"measured": [_("Values must be numbers.")]}) from None
    return clean


@transaction.atomic
def inspect_milestone(
    *,
    milestone: Milestone,
    by: Any,
    notes: str,
    measured: dict | None = None,
    findings: str = "",
    third_party_score: Decimal | None = None,
    photos: list | None = None,
) -> Inspection:
    """An official of the buyer or a member of the assigned evaluator inspects the latest
    report: every indicator measured (judged in its direction; the sampled recipients' answers so
    far are part of it), optional score and photos (JPEG or PNG by their first bytes)."""
    milestone = _milestone(milestone)
    MILESTONE.check("inspect", by, milestone)
    indicators = list(milestone.indicators.all())
    clean = _measured(indicators, measured)
    report = rules.latest_report(milestone)
    summary = rules.confirmation_summary(milestone, report)
    results = rules.judge(indicators, clean, report, summary)
    evaluator = evaluator_organization(by, milestone)
    row = Inspection.objects.create(
        milestone=milestone,
        inspector=by,
        notes=notes,
        findings=findings,
        third_party_score=third_party_score,
        report=report,
        organization=evaluator,
        measured=clean,
        results=results,
        confirmations=summary,
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
        data={
            "inspection": row.pk,
            "evaluator": evaluator.pk if evaluator else None,
            "met": [r["indicator_id"] for r in results if r["met"]],
            "gaps": {r["indicator_id"]: r["gaps"] for r in results if r["gaps"]},
        },
    )
    ocds.publish_release(milestone.contract.project, ["implementation"])
    return row


@transaction.atomic
def accept_milestone(
    *, milestone: Milestone, by: Any, recipients: list[str] | None = None, notes: str = ""
) -> Acceptance:
    """An official records the acceptance of an inspected milestone: the latest inspection's
    results (every indicator in its direction, sampling confirmed) decide; all met -> accepted,
    else not accepted. Refused (409) while the evidence its indicators' verification methods
    require is missing (``procurement.acceptance``). The result is published; when every
    milestone is accepted the project is accepted. ``recipients``: names of service recipients
    present (private; only the count is public)."""
    milestone = _milestone(milestone)
    contract = milestone.contract
    project = contract.project
    MILESTONE.check("accept", by, milestone)
    report = rules.latest_report(milestone)
    inspection = milestone.inspections.filter(report=report).order_by("-id").first()
    results = inspection.results
    names = [n.strip() for n in recipients or [] if n.strip()]
    summary = inspection.confirmations or {}
    passed = all(r["met"] for r in results)
    row = Acceptance.objects.create(
        milestone=milestone,
        passed=passed,
        results=results,
        recipients=names,
        recipients_count=len(names) + int(summary.get("confirmed") or 0),
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
        data={
            "inspection": inspection.pk,
            "results": results,
            "recipients_count": row.recipients_count,
        },
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
