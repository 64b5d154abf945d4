"""Status changes that used to bypass the transition tables now go through core.states.move:
each writes its state through the table and leaves exactly one audit row per object moved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import AuditEvent
from core.states import InvalidTransition
from procurement import services
from procurement.models import Award, Challenge, Clawback, Contract, Milestone
from tests.procurement import delivery
from tests.procurement.factories import BidFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _rows(action: str, obj) -> list[AuditEvent]:
    kind = ContentType.objects.get_for_model(obj)
    return list(AuditEvent.objects.filter(action=action, target_type=kind, target_id=str(obj.pk)))


@pytest.fixture
def awarded(agency, ngo, other_ngo):
    project = ProjectFactory(buyer=agency, status="awarded", published_at=timezone.now())
    bid = BidFactory(project=project, organization=ngo)
    other = BidFactory(project=project, organization=other_ngo)
    award = Award.objects.create(
        project=project,
        bid=bid,
        amount=bid.price,
        standstill_ends_at=timezone.now() + dt.timedelta(days=9),
    )
    return project, award, other


def test_an_upheld_challenge_annuls_the_award_and_upholds_every_open_one_row_each(
    awarded, official, other_ngo
):
    project, award, other = awarded
    first, second = (
        Challenge.objects.create(project=project, award=award, organization=other_ngo, reason=r)
        for r in ("评分错误", "价格计算错误")
    )
    services.resolve_challenge(challenge=first, by=official, decision="upheld", response="重审")
    for challenge in (first, second):
        challenge.refresh_from_db()
        assert challenge.status == "upheld" and challenge.response == "重审"
        (row,) = _rows("procurement.challenge_resolved", challenge)
        assert (row.from_status, row.to_status) == ("open", "upheld")
    award.refresh_from_db()
    assert award.status == "annulled"
    (row,) = _rows("procurement.award_annulled", award)
    assert (row.from_status, row.to_status, row.region_code) == ("active", "annulled", "511826")
    project.refresh_from_db()
    assert project.status == "evaluating"


def test_an_annulled_award_cannot_be_annulled_again(awarded, official):
    _project, award, _other = awarded
    Award.objects.filter(pk=award.pk).update(status="annulled")
    from core.states import move

    with pytest.raises(InvalidTransition):
        move(award, Award.Status.ANNULLED, by=official, action="procurement.award_annulled")


@pytest.fixture
def contract(awarded, ngo):
    project, award, _other = awarded
    project.status = "implementing"
    project.save()
    row = Contract.objects.create(project=project, award=award, supplier=ngo, value=award.amount)
    milestone = Milestone.objects.create(
        contract=row,
        title="阶段一",
        due_at=timezone.now() + dt.timedelta(days=30),
        payment_percent=Decimal("100"),
        status="reported",
    )
    milestone.indicators.set(project.service_standards.all())
    return row, milestone


def test_a_milestone_not_met_is_written_not_accepted_through_the_table(contract, official):
    _row, milestone = contract
    delivery.inspect_with_services(milestone, official, value=lambda s: 0)
    services.accept_milestone(milestone=milestone, by=official, recipients=["甲"])
    milestone.refresh_from_db()
    assert milestone.status == "rejected"
    (row,) = _rows("procurement.milestone_not_accepted", milestone)
    assert (row.from_status, row.to_status) == ("inspected", "rejected")


def test_the_last_payment_completes_the_contract_with_its_own_audit_row(contract, official):
    row, milestone = contract
    delivery.inspect_with_services(milestone, official)
    services.accept_milestone(milestone=milestone, by=official, recipients=["甲"])
    services.pay_milestone(milestone=milestone, by=official)
    row.refresh_from_db()
    assert row.status == "completed" and row.paid_amount == row.value
    (event,) = _rows("procurement.contract_completed", row)
    assert (event.from_status, event.to_status) == ("active", "completed")
    assert row.project.status == "closed"


def test_a_clawback_is_recovered_through_the_table_only_when_fully_paid_back(contract, official):
    row, _milestone = contract
    row.paid_amount = Decimal("1000")
    row.save()
    services.terminate(
        project=row.project, by=official, reason="违约", clawback_amount=Decimal("600")
    )
    row.refresh_from_db()
    assert row.status == "terminated"
    assert [e.to_status for e in _rows("procurement.contract_terminated", row)] == ["terminated"]
    clawback = Clawback.objects.get(contract=row)
    today = timezone.localdate()
    services.record_recovery(
        clawback=clawback, by=official, amount=Decimal("100"), recovered_on=today
    )
    clawback.refresh_from_db()
    assert clawback.status == "open"
    services.record_recovery(
        clawback=clawback, by=official, amount=Decimal("500"), recovered_on=today
    )
    clawback.refresh_from_db()
    assert clawback.status == "recovered" and clawback.recovered_amount == Decimal("600")
    moved = [e for e in _rows("procurement.clawback_recovered", clawback) if e.from_status]
    assert [(e.from_status, e.to_status) for e in moved] == [("open", "recovered")]
    with pytest.raises(InvalidTransition):
        services.record_recovery(
            clawback=clawback, by=official, amount=Decimal("1"), recovered_on=today
        )
