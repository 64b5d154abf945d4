import io

import pytest

from coordination.models import Deployment, Incident, Task

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_task_status_and_runs_twice():
    from coordination import demo
    from core import demo as core_demo
    from registry import demo as registry_demo

    for _ in range(2):
        core_demo.seed(io.StringIO())
        registry_demo.seed(io.StringIO())
        demo.seed(io.StringIO())
    assert Incident.objects.count() == 2
    quake = Incident.objects.get(region_code="511826")
    assert (quake.grade, quake.status) == (2, "responding")
    assert set(Task.objects.values_list("status", flat=True)) == set(Task.Status.values)
    statuses = list(Deployment.objects.values_list("status", flat=True))
    assert sorted(statuses) == ["approved", "arrived", "held", "held"]
    assert Incident.objects.get(region_code="441881").grade == 4
