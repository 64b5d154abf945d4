"""Clawback follow-through: the daily overdue flag (with the buyer's alert) and write-offs.
Recoveries are recorded by ``contracts.record_recovery``; a clawback closes when its recoveries
and write-offs settle it."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import states, validators, words
from core.states import InvalidTransition
from procurement import ocds
from procurement.models import Clawback, ClawbackWriteOff
from procurement.services.common import (
    record,
    require_official_for,
    tell_officials,
    tell_organizations,
)


def _locked(clawback: Clawback) -> Clawback:
    return (
        Clawback.objects.select_for_update()
        .select_related("contract__project", "contract__supplier")
        .get(pk=clawback.pk)
    )


@transaction.atomic
def flag_overdue_clawback(*, clawback: Clawback) -> bool:
    """The daily sweep: an open clawback past its due date is flagged once (audited), the
    buyer's officials and the supplier are alerted, and an OCDS implementation release shows
    the supplier's debarment. Returns whether it was flagged now (False: not overdue, settled,
    or flagged before)."""
    clawback = _locked(clawback)
    if (
        clawback.overdue_flagged_at is not None
        or clawback.status != Clawback.Status.OPEN
        or clawback.due_on >= timezone.localdate()
    ):
        return False
    clawback.overdue_flagged_at = timezone.now()
    clawback.save(update_fields=["overdue_flagged_at"])
    project = clawback.contract.project
    supplier = clawback.contract.supplier
    record(
        clawback,
        project=project,
        by=None,
        action="clawback_overdue",
        to_status=clawback.status,
        data={"outstanding": str(clawback.outstanding), "due_on": clawback.due_on.isoformat()},
    )
    ocds.publish_release(project, ["implementation"])

    def title() -> str:
        return _("Clawback overdue: %(supplier)s, %(title)s") % {
            "supplier": supplier.name,
            "title": project.title,
        }

    def body() -> str:
        return _(
            "%(amount)s was due on %(due)s and is not recovered. The supplier may not bid "
            "until it is settled or the debarment is lifted."
        ) % {"amount": words.money(clawback.outstanding), "due": words.date_text(clawback.due_on)}

    tell_officials(project, title=title, body=body, level="orange", kind="deadline")
    tell_organizations(
        project, [supplier.pk], title=title, body=body, level="orange", kind="deadline"
    )
    return True


@transaction.atomic
def write_off_clawback(
    *,
    clawback: Clawback,
    by: Any,
    reason: str,
    amount: Decimal | None = None,
    written_off_on: dt.date | None = None,
) -> ClawbackWriteOff:
    """An official of the project's jurisdiction writes off money of an open clawback that
    cannot be recovered, with the reason (required). ``amount`` defaults to all that is
    outstanding and may not exceed it; when nothing is left the clawback closes as
    ``written_off``. Audited, and shown in the OCDS implementation transactions."""
    clawback = _locked(clawback)
    project = clawback.contract.project
    require_official_for(by, project)
    if clawback.status != Clawback.Status.OPEN:
        raise InvalidTransition(_("This clawback is already settled."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    written_off_on = written_off_on or timezone.localdate()
    validators.check("written_off_on", validators.fact, written_off_on)
    terminated_on = timezone.localdate(clawback.contract.terminated_at or timezone.now())
    if written_off_on < terminated_on:
        raise ValidationError(
            {
                "written_off_on": [
                    _("Nothing can be written off before the contract was terminated.")
                ]
            }
        )
    outstanding = clawback.outstanding
    amount = outstanding if amount is None else amount
    if amount <= 0 or amount > outstanding:
        raise ValidationError(
            {"amount": [_("The amount must be between 0 and %(left)s.") % {"left": outstanding}]}
        )
    row = ClawbackWriteOff.objects.create(
        clawback=clawback,
        amount=amount,
        reason=reason.strip(),
        written_off_on=written_off_on,
        recorded_by=by,
    )
    written = clawback.written_off_amount + amount
    if clawback.recovered_amount + written == clawback.amount_due:
        states.move(
            clawback,
            Clawback.Status.WRITTEN_OFF,
            by=by,
            action="procurement.clawback_written_off",
            reason=reason.strip(),
            changes={"written_off_amount": written},
            data={"amount": str(amount)},
        )
    else:
        clawback.written_off_amount = written
        clawback.save(update_fields=["written_off_amount"])
        record(
            clawback,
            project=project,
            by=by,
            action="clawback_written_off",
            to_status=clawback.status,
            reason=reason.strip(),
            data={"amount": str(amount)},
        )
    ocds.publish_release(project, ["implementation"])
    return row
