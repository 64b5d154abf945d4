"""Dates people type are bounded and ordered (core.validators), and date-times are always written
as RFC 3339 (core.api.DateTimeField)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rfc3339_validator import validate_rfc3339

from core import validators
from core.api import DateTimeField
from donations import services as donation_services
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def iso(value: dt.datetime) -> str:
    return value.isoformat()


# --- the validators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        dt.date(1, 1, 1),
        dt.date(1900, 1, 1),
        dt.date(1999, 12, 31),
        dt.datetime(1999, 12, 31, 10, 0, tzinfo=dt.UTC),  # 18:00 in Beijing
        dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    ],
)
def test_a_fact_outside_2000_to_tomorrow_is_refused(value):
    with pytest.raises(ValidationError):
        validators.fact(value)


def test_a_fact_inside_the_window_passes():
    validators.fact(dt.date(2000, 1, 1))
    validators.fact(timezone.now())
    validators.fact(timezone.now() + dt.timedelta(hours=20))  # a time-zone slip


def test_a_deadline_is_between_now_and_two_years():
    now = timezone.now()
    validators.deadline(now + dt.timedelta(minutes=5))
    validators.deadline(now + dt.timedelta(days=700))
    validators.deadline(timezone.localdate())
    for bad in (
        now - dt.timedelta(minutes=5),
        now + dt.timedelta(days=800),
        timezone.localdate() - dt.timedelta(days=1),
    ):
        with pytest.raises(ValidationError):
            validators.deadline(bad)


def test_check_names_the_field():
    with pytest.raises(ValidationError) as caught:
        validators.check("received_at", validators.fact, dt.date(1900, 1, 1))
    assert list(caught.value.message_dict) == ["received_at"]


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "1900-06-01T12:00:00+08:00"])
def test_a_receipt_dated_before_2000_is_a_400(api, ngo, ngo_admin, when):
    response = api(ngo_admin).post(
        "/api/v1/ledger/receipts/",
        {
            "organization": ngo.pk,
            "donor_name": "张三",
            "donor_kind": "individual",
            "channel": "bank_transfer",
            "amount": "100.00",
            "received_at": when,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["received_at"]


def test_the_receipt_service_refuses_it_too(ngo, ngo_admin):
    """Forms and other callers go through the service: the bound lives there as well."""
    with pytest.raises(ValidationError) as caught:
        df.receipt(ngo, ngo_admin, received_at=dt.datetime(1900, 1, 1, tzinfo=SHANGHAI))
    assert "received_at" in caught.value.message_dict


def test_a_disbursement_cannot_precede_the_receipt_it_draws_on(api, ngo, ngo_admin):
    received = timezone.now() - dt.timedelta(days=2)
    df.receipt(ngo, ngo_admin, amount="500.00", received_at=received)
    body = {"organization": ngo.pk, "amount": "100.00", "purpose": "饮用水"}
    early = api(ngo_admin).post(
        "/api/v1/ledger/disbursements/",
        {**body, "occurred_at": iso(received - dt.timedelta(days=1))},
        format="json",
    )
    assert early.status_code == 400
    assert list(early.json()) == ["occurred_at"]
    later = api(ngo_admin).post(
        "/api/v1/ledger/disbursements/",
        {**body, "occurred_at": iso(received + dt.timedelta(hours=1))},
        format="json",
    )
    assert later.status_code == 201, later.json()


def test_an_allocation_cannot_precede_the_receipt_it_draws_on(ngo):
    charity = df.foundation(name="四川同舟公益基金会")
    admin = df.writer(charity)
    received = timezone.now() - dt.timedelta(hours=3)
    df.receipt(charity, admin, amount="500.00", received_at=received)
    with pytest.raises(ValidationError) as caught:
        donation_services.allocate(
            organization=charity,
            by=admin,
            to_organization=ngo,
            amount=Decimal("10.00"),
            occurred_at=received - dt.timedelta(hours=1),
        )
    assert "occurred_at" in caught.value.message_dict


def test_an_incident_cannot_start_in_2999(api, official):
    response = api(official).post(
        "/api/v1/incidents/",
        {
            "title": "芦山县山洪",
            "kind": "natural_disaster",
            "subtype": "flood",
            "grade": 3,
            "region_code": "511826",
            "started_at": "2999-01-01T00:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["started_at"]


def test_a_task_cannot_be_due_in_the_past(api, official, agency):
    incident = IncidentFactory(lead_agency=agency)
    body = {"incident": incident.pk, "title": "转运物资", "region_code": "511826"}
    past = api(official).post(
        "/api/v1/tasks/",
        {**body, "due_at": iso(timezone.now() - dt.timedelta(hours=1))},
        format="json",
    )
    assert past.status_code == 400
    assert list(past.json()) == ["due_at"]
    soon = api(official).post(
        "/api/v1/tasks/",
        {**body, "due_at": iso(timezone.now() + dt.timedelta(days=1))},
        format="json",
    )
    assert soon.status_code == 201, soon.json()


@pytest.mark.parametrize("days", [-1, 900])
def test_a_tender_deadline_is_within_two_years(api, official, days):
    response = api(official).post(
        "/api/v1/procurements/",
        {
            "title": "安置点心理援助",
            "category": "recovery_reconstruction",
            "method": "open_tender",
            "budget_amount": "80000.00",
            "region_code": "511826",
            "tender_end": iso(timezone.now() + dt.timedelta(days=days)),
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["tender_end"]


# --- RFC 3339 output ----------------------------------------------------------------------------


def test_a_pre_1901_time_is_written_in_utc_not_with_a_seconds_offset():
    """Asia/Shanghai before 1901 is local mean time, +08:05:43: not expressible in RFC 3339."""
    value = dt.datetime(1900, 6, 1, 4, 0, tzinfo=dt.UTC)
    assert timezone.localtime(value).isoformat().endswith("+08:05:43")  # the trap
    written = DateTimeField().to_representation(value)
    assert written == "1900-06-01T04:00:00Z"
    assert validate_rfc3339(written)


def test_an_ordinary_time_keeps_the_local_offset():
    value = dt.datetime(2026, 5, 12, 6, 28, tzinfo=dt.UTC)
    assert DateTimeField().to_representation(value) == "2026-05-12T14:28:00+08:00"


def test_an_old_row_in_the_api_is_rfc_3339(api, agency):
    """A row stored before the bounds (or imported) still reads back as RFC 3339."""
    incident = IncidentFactory(
        lead_agency=agency, started_at=dt.datetime(1900, 6, 1, 4, 0, tzinfo=dt.UTC)
    )
    body = api().get(f"/api/v1/incidents/{incident.pk}/").json()
    assert body["started_at"] == "1900-06-01T04:00:00Z"
    assert all(
        validate_rfc3339(value)
        for key, value in body.items()
        if key.endswith("_at") and isinstance(value, str)
    )


def test_every_date_time_field_of_the_apps_writes_rfc_3339():
    from rest_framework import serializers

    from tests.core.test_strict_input import _project_serializers

    plain = []
    for cls in _project_serializers():
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001 - a serializer that needs context to build its fields
            continue
        for name, field in fields.items():
            child = getattr(field, "child", None)
            for f in (field, child):
                if isinstance(f, serializers.DateTimeField) and not isinstance(f, DateTimeField):
                    plain.append(f"{cls.__qualname__}.{name}")
    assert not plain, plain


def test_a_recovery_cannot_precede_the_termination(official, agency, ngo):
    from procurement.models import Clawback
    from procurement.services import contracts
    from tests.core.test_permission_matrix import _contract
    from tests.procurement.factories import ProjectFactory

    now = timezone.now()
    project = ProjectFactory(
        buyer=agency, status="terminated", tender_end=now - dt.timedelta(days=80)
    )
    contract = _contract(project, ngo, status="terminated")
    contract.terminated_at = now - dt.timedelta(days=2)
    contract.save(update_fields=["terminated_at"])
    clawback = Clawback.objects.create(
        contract=contract,
        amount_due=Decimal("100.00"),
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as caught:
        contracts.record_recovery(
            clawback=clawback,
            by=official,
            amount=Decimal("10.00"),
            recovered_on=timezone.localdate() - dt.timedelta(days=5),
        )
    assert list(caught.value.message_dict) == ["recovered_on"]
    contracts.record_recovery(
        clawback=clawback, by=official, amount=Decimal("10.00"), recovered_on=timezone.localdate()
    )
    assert Clawback.objects.get().recovered_amount == Decimal("10.00")
