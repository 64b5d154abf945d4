"""Every write of the incident board, one function per business action (split by sub-domain)."""

from coordination.services.deployments import (
    approve_deployment,
    arrive_deployment,
    file_deployment,
    hold_deployment,
    roster_refusal,
    set_roster,
    withdraw_deployment,
)
from coordination.services.incidents import (
    change_status,
    create_incident,
    purge_due_personal_data,
    purge_personal_data,
    set_area_capacity,
    take_over,
)
from coordination.services.needs import confirm_need, post_need
from coordination.services.reports import report_task, sniff_image, start_task_with_report
from coordination.services.tasks import (
    accept_task,
    assign_task,
    cancel_task,
    claim_and_accept_task,
    claim_task,
    complete_task,
    create_task,
    decline_task,
    expire_claim,
    expire_claims,
    start_task,
    verify_task,
)

__all__ = [
    "accept_task",
    "approve_deployment",
    "arrive_deployment",
    "assign_task",
    "cancel_task",
    "change_status",
    "claim_and_accept_task",
    "claim_task",
    "complete_task",
    "confirm_need",
    "create_incident",
    "create_task",
    "decline_task",
    "expire_claim",
    "expire_claims",
    "file_deployment",
    "hold_deployment",
    "roster_refusal",
    "set_roster",
    "post_need",
    "purge_due_personal_data",
    "purge_personal_data",
    "sniff_image",
    "report_task",
    "set_area_capacity",
    "start_task",
    "start_task_with_report",
    "take_over",
    "verify_task",
    "withdraw_deployment",
]
