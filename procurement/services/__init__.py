"""Every write of the procurement app, one function per business action."""

from procurement.services.bids import submit_bid, withdraw_bid
from procurement.services.clawbacks import flag_overdue_clawback, write_off_clawback
from procurement.services.contracts import (
    alert_overdue,
    create_contract,
    pay_milestone,
    record_recovery,
    report_progress,
    terminate,
)
from procurement.services.debarments import lift_debarment
from procurement.services.evaluation import (
    award,
    conflict_flags,
    draw_panel,
    file_challenge,
    flag_expert_joining,
    resolve_challenge,
    submit_score,
)
from procurement.services.inspection import (
    accept_milestone,
    answer_confirmation,
    assign_evaluator,
    inspect_milestone,
    sample_recipients,
)
from procurement.services.projects import (
    cancel_project,
    close_tender,
    create_project,
    open_bids,
    publish_project,
    retender,
    update_draft,
)
from procurement.services.routes import invite_suppliers, review_emergency_purchase

__all__ = [
    "accept_milestone",
    "alert_overdue",
    "answer_confirmation",
    "assign_evaluator",
    "award",
    "cancel_project",
    "close_tender",
    "conflict_flags",
    "create_contract",
    "create_project",
    "draw_panel",
    "file_challenge",
    "flag_expert_joining",
    "flag_overdue_clawback",
    "inspect_milestone",
    "invite_suppliers",
    "lift_debarment",
    "open_bids",
    "pay_milestone",
    "publish_project",
    "record_recovery",
    "report_progress",
    "resolve_challenge",
    "retender",
    "review_emergency_purchase",
    "sample_recipients",
    "submit_bid",
    "submit_score",
    "terminate",
    "update_draft",
    "withdraw_bid",
    "write_off_clawback",
]
