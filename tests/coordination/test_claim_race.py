"""Two organizations claim the same task at the same moment: exactly one wins.

The claim is a conditional UPDATE (``WHERE status = 'open'``): on PostgreSQL the second
UPDATE waits for the first transaction's row lock, re-reads the row, finds it no longer open
and changes nothing, so its caller gets 409.
"""

import threading

import pytest
from django.db import connection

from coordination import services
from coordination.models import Task
from core.states import Conflict
from tests.coordination.factories import IncidentFactory, TaskFactory, ready_organization
from tests.registry.factories import AgencyFactory, org_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_claims_exactly_one_wins():
    incident = IncidentFactory(lead_agency=AgencyFactory())
    contenders = []
    for _ in range(2):
        organization = ready_organization(incident)
        contenders.append((organization, org_user(organization)))
    task = TaskFactory(incident=incident)
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def claim(organization, user):
        try:
            barrier.wait()
            services.claim_task(
                task=Task.objects.get(pk=task.pk), organization=organization, by=user
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=c) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["409", "won"]
    task.refresh_from_db()
    assert task.status == "assigned"
    assert task.organization_id in {org.pk for org, _ in contenders}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_claims_over_the_api_give_one_200_and_the_rest_409():
    from rest_framework.test import APIClient

    incident = IncidentFactory(lead_agency=AgencyFactory())
    contenders = []
    for _ in range(6):
        organization = ready_organization(incident)
        contenders.append((organization, org_user(organization)))
    task = TaskFactory(incident=incident)
    barrier = threading.Barrier(len(contenders))
    codes: list[int] = []

    def claim(organization, user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/tasks/{task.pk}/claim/", {"organization": organization.pk}
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=c) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(codes) == [200] + [409] * (len(contenders) - 1)
    assert Task.objects.get(pk=task.pk).status == "assigned"
