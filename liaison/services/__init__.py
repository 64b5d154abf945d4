"""Every write of the liaison app (docs/liaison.md), by sub-domain."""

from liaison.services.check_ins import check_in, sweep_missed_check_ins
from liaison.services.directory import save_responsibility
from liaison.services.notices import acknowledge_notice, publish_notice, read_notice, remind_overdue
from liaison.services.reports import (
    acknowledge_report,
    confirm_report,
    dismiss_report,
    escalate_overdue,
    send_field_report,
)

__all__ = [
    "acknowledge_notice",
    "acknowledge_report",
    "check_in",
    "confirm_report",
    "dismiss_report",
    "escalate_overdue",
    "publish_notice",
    "read_notice",
    "remind_overdue",
    "save_responsibility",
    "send_field_report",
    "sweep_missed_check_ins",
]
