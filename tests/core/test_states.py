"""core.states.move: the one door every status change goes through."""

import pytest

from coordination.models import Task
from core.models import AuditEvent
from core.states import Conflict, InvalidTransition, move, move_many
from tests.coordination.factories import TaskFactory
from tests.registry.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_a_move_sets_the_status_and_changes_and_writes_one_audit_row(official):
    org = OrganizationFactory()
    task = TaskFactory(status="assigned", organization=org)
    move(
        task,
        Task.Status.ACCEPTED,
        by=official,
        action="task.accepted",
        reason="好",
        changes={"status_reason": "好"},
    )
    task.refresh_from_db()
    assert (task.status, task.status_reason) == ("accepted", "好")
    (event,) = AuditEvent.objects.filter(action="task.accepted")
    assert (event.from_status, event.to_status, event.reason) == ("assigned", "accepted", "好")
    assert (event.organization_id, event.region_code) == (org.pk, task.region_code)
    assert event.actor == official


def test_the_table_is_checked_against_the_row_not_the_stale_object(official):
    task = TaskFactory(status="open")
    Task.objects.filter(pk=task.pk).update(status="cancelled")  # changed behind our back
    with pytest.raises(InvalidTransition):
        move(task, Task.Status.CANCELLED, by=official, action="task.cancelled")
    assert not AuditEvent.objects.exists()


def test_an_illegal_move_changes_nothing(official):
    task = TaskFactory(status="open")
    with pytest.raises(InvalidTransition):
        move(task, Task.Status.VERIFIED, by=official, action="task.verified")
    task.refresh_from_db()
    assert task.status == "open" and not AuditEvent.objects.exists()


def test_a_conditional_move_that_lost_the_race_is_a_conflict(official):
    org = OrganizationFactory()
    task = TaskFactory(status="open")
    Task.objects.filter(pk=task.pk).update(status="assigned", organization=org)
    with pytest.raises(Conflict):
        move(
            task,
            Task.Status.ASSIGNED,
            by=official,
            action="task.assigned",
            expect=Task.Status.OPEN,
            changes={"organization": OrganizationFactory()},
        )
    task.refresh_from_db()
    assert task.organization == org and not AuditEvent.objects.exists()


def test_a_conditional_move_checks_the_table_for_the_expected_state(official):
    task = TaskFactory(status="open")
    with pytest.raises(InvalidTransition):
        move(task, Task.Status.VERIFIED, by=official, action="x", expect=Task.Status.OPEN)


def test_move_many_writes_one_audit_row_per_object(official):
    tasks = TaskFactory.create_batch(3, status="open")
    move_many(tasks, Task.Status.CANCELLED, by=official, action="task.cancelled", reason="撤销")
    assert Task.objects.filter(status="cancelled").count() == 3
    assert AuditEvent.objects.filter(action="task.cancelled").count() == 3


def test_move_rows_checks_the_table_and_moves_only_rows_in_the_expected_state():
    from core.states import move_rows

    open_tasks = TaskFactory.create_batch(2, status="open")
    TaskFactory(status="cancelled")
    with pytest.raises(InvalidTransition):
        move_rows(Task.objects.all(), Task.Status.VERIFIED, expect=Task.Status.OPEN)
    assert move_rows(Task.objects.all(), Task.Status.CANCELLED, expect=Task.Status.OPEN) == 2
    assert Task.objects.filter(status="cancelled").count() == 3
    assert {t.pk for t in open_tasks} <= set(
        Task.objects.filter(status="cancelled").values_list("pk", flat=True)
    )
    assert not AuditEvent.objects.exists()  # machine moves of many rows are not audited
