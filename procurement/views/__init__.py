"""Procurement pages, by who uses them: everyone (public), the buyer's officials, the
supplier's people and the panel's experts."""

from procurement.views.expert import my_panels, score
from procurement.views.official import (
    contract,
    invite,
    milestone_action,
    project_action,
    project_create,
    project_edit,
    recover,
    resolve,
    review,
    write_off,
)
from procurement.views.public import (
    bid_document,
    evidence_file,
    milestone_detail,
    project_detail,
    project_list,
)
from procurement.views.recipient import confirm
from procurement.views.supplier import bid, challenge, report, tenders, withdraw
from procurement.views.suppliers import lift, supplier_record

__all__ = [
    "bid",
    "bid_document",
    "challenge",
    "confirm",
    "contract",
    "evidence_file",
    "invite",
    "lift",
    "milestone_action",
    "milestone_detail",
    "my_panels",
    "project_action",
    "project_create",
    "project_detail",
    "project_edit",
    "project_list",
    "recover",
    "report",
    "resolve",
    "review",
    "score",
    "supplier_record",
    "tenders",
    "withdraw",
    "write_off",
]
