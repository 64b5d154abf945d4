"""Two beat sweeps at the same moment (two workers): a report escalates once, a missed check-in
alerts once. PostgreSQL: the second sweep's conditional UPDATE waits for the first's row lock
and then matches nothing; the second MissedCheckIn insert waits on the unique index and fails."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from alerts.models import Alert
from core.audit import AuditEvent
from liaison.models import FieldReport, MissedCheckIn
from liaison.services import escalate_overdue, sweep_missed_check_ins
from tests.coordination.factories import DeploymentFactory, IncidentFactory
from tests.liaison.factories import FieldReportFactory
from tests.registry import factories as f


def _twice_at_once(sweep) -> list[int]:
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run():
        try:
            barrier.wait()
            results.append(sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sweeps_escalate_a_report_once():
    city = f.AgencyFactory(region_code="511800")
    province = f.AgencyFactory(region_code="510000")
    ngo = f.OrganizationFactory(region_code="511826")
    report = FieldReportFactory(
        incident=IncidentFactory(lead_agency=city),
        organization=ngo,
        routed_to=city,
        filed_by=f.org_user(ngo),
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        results = _twice_at_once(escalate_overdue)
    assert sorted(results) == [0, 1]
    report = FieldReport.objects.get(pk=report.pk)
    assert report.routed_to == province and report.escalations == 1
    assert AuditEvent.objects.filter(action="liaison.report.escalated").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sweeps_alert_a_missed_check_in_once():
    agency = f.AgencyFactory(region_code="511800")
    deployment = DeploymentFactory(incident=IncidentFactory(lead_agency=agency))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=7)):
        results = _twice_at_once(sweep_missed_check_ins)
    assert sorted(results) == [0, 1]
    assert MissedCheckIn.objects.filter(deployment=deployment).count() == 1
    assert Alert.objects.filter(title__contains=deployment.organization.name).count() == 2
