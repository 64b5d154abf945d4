"""Pages of the incident board. Every write goes through ``coordination.services``."""

from coordination.views.incidents import (
    deployment_action,
    deployment_create,
    deployment_roster,
    incident_3w_csv,
    incident_action,
    incident_create,
    incident_detail,
    incident_list,
    need_confirm,
    need_create,
)
from coordination.views.tasks import (
    evidence_photo,
    my_tasks,
    task_action,
    task_create,
    task_detail,
    task_report,
)

__all__ = [
    "deployment_action",
    "deployment_roster",
    "deployment_create",
    "evidence_photo",
    "incident_3w_csv",
    "incident_action",
    "incident_create",
    "incident_detail",
    "incident_list",
    "my_tasks",
    "need_confirm",
    "need_create",
    "task_action",
    "task_create",
    "task_detail",
    "task_report",
]
