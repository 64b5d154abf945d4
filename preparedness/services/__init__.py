"""Every write of preparedness, by sub-domain: ``drills`` (exercises, injects, review),
``meetings`` (joint meetings, minutes, decisions), ``followups`` (the items both leave)."""

from preparedness.services.drills import (
    add_inject,
    close_drill,
    create_drill,
    deliver_due_injects,
    end_drill,
    review_objective,
    run_drill,
)
from preparedness.services.followups import (
    carry_over_followup,
    complete_followup,
    remind_due_followups,
)
from preparedness.services.meetings import (
    add_attachment,
    convene_meeting,
    record_decision,
    record_minutes,
)

__all__ = [
    "add_attachment",
    "add_inject",
    "carry_over_followup",
    "close_drill",
    "complete_followup",
    "convene_meeting",
    "create_drill",
    "deliver_due_injects",
    "end_drill",
    "record_decision",
    "record_minutes",
    "remind_due_followups",
    "review_objective",
    "run_drill",
]
