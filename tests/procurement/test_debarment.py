"""Debarment and clawback follow-through (issue 19, item 1): a supplier with an overdue clawback
or a termination for falsification may not bid (403 with the reason, the reason on the pages),
overdue clawbacks are flagged daily and alert the buyer, recoveries and write-offs are entries
with reasons, and an official lifts a debarment with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.contrib.messages import get_messages
from django.utils import timezone, translation

from alerts.models import Alert
from core.forms import REFUSED_TAG
from core.models import AuditEvent
from procurement import tasks
from procurement.debarment import debarment
from procurement.models import Award, Clawback, Contract, DebarmentLift, Project
from tests.procurement.debarring import terminated_contract
from tests.procurement.factories import BidFactory, ProjectFactory, bidder
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

BID = {"price": "50000.00", "proposal": "驻点服务方案"}


def open_tender(agency) -> Project:
    return ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())


def refused(response) -> bool:
    return any(REFUSED_TAG in m.tags for m in get_messages(response.wsgi_request))


@pytest.fixture
def lushan(db):
    """芦山县应急救援队, eligible by its assessed capability, and its admin."""
    return bidder(name="芦山县应急救援队", region_code="511826")


# --- the case ---------------------------------------------------------------------------


def test_a_team_terminated_for_falsified_records_with_an_open_clawback_gets_403_with_reason(
    api, client, agency, lushan
):
    team, admin = lushan
    terminated_contract(team, agency)  # ¥36,000 clawback, not yet due
    project = open_tender(agency)

    r = api(admin).post(f"/api/v1/procurements/{project.pk}/bids/", BID, format="json")
    assert r.status_code == 403
    assert "弄虚作假" in r.json()["detail"] and "宝兴县灾后入户评估服务" in r.json()["detail"]
    assert not project.bids.exists()

    client.force_login(admin)
    page = client.get(f"/procurements/{project.pk}/").content.decode()
    assert 'data-reason="bid"' in page and "弄虚作假" in page
    assert f"/procurements/{project.pk}/bid/" not in page  # no dead button
    bid_page = client.get(f"/procurements/{project.pk}/bid/")
    assert 'data-testid="bid-refused"' in bid_page.content.decode()
    assert 'data-testid="bid-form"' not in bid_page.content.decode()
    assert_readable_html(bid_page.content)
    posted = client.post(f"/procurements/{project.pk}/bid/", BID)
    assert "弄虚作假" in posted.content.decode() and not project.bids.exists()
    tenders = client.get("/procurements/tenders/").content.decode()
    assert 'data-testid="debarred"' in tenders and project.title not in tenders


def test_an_eligible_team_without_grounds_still_bids(api, agency, lushan):
    team, admin = lushan
    terminated_contract(team, agency, ground="nonperformance")  # clawback not yet due
    project = open_tender(agency)
    assert not debarment(team).debarred
    r = api(admin).post(f"/api/v1/procurements/{project.pk}/bids/", BID, format="json")
    assert r.status_code == 201


def test_an_overdue_clawback_debars_until_it_is_settled(api, agency, official, lushan):
    team, admin = lushan
    contract = terminated_contract(team, agency, ground="nonperformance", due_in=-1)
    project = open_tender(agency)
    answer = debarment(team)
    assert answer.debarred and answer.since == timezone.localdate()
    r = api(admin).post(f"/api/v1/procurements/{project.pk}/bids/", BID, format="json")
    assert r.status_code == 403 and "逾期" in r.json()["detail"]
    api(official).post(
        f"/api/v1/clawbacks/{contract.clawback.pk}/write-off/",
        {"reason": "该队已注销，经审计确认无法追回"},
        format="json",
    )
    assert not debarment(team).debarred
    r = api(admin).post(f"/api/v1/procurements/{project.pk}/bids/", BID, format="json")
    assert r.status_code == 201


def test_falsification_debars_for_the_configured_years(agency, lushan, settings):
    team, _admin = lushan
    terminated_contract(team, agency, clawback=None, days_ago=365 * 2)
    assert debarment(team).debarred
    settings.TONGZHOU_DEBARMENT_YEARS = 1
    assert not debarment(team).debarred
    settings.TONGZHOU_DEBARMENT_YEARS = 3
    with time_machine.travel(timezone.now() + dt.timedelta(days=366), tick=False):
        assert not debarment(team).debarred


def test_terminating_for_falsification_through_the_api_debars(api, agency, official, lushan):
    team, _admin = lushan
    now = timezone.now()
    project = ProjectFactory(
        buyer=agency, status="implementing", published_at=now - dt.timedelta(days=60)
    )
    bid = BidFactory(project=project, organization=team)
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=now - dt.timedelta(days=9)
    )
    Contract.objects.create(project=project, award=award, supplier=team, value=bid.price)
    assert not debarment(team).debarred
    bad = api(official).post(
        f"/api/v1/procurements/{project.pk}/terminate/",
        {"reason": "伪造服务记录", "clawback_amount": "0", "ground": "fake"},
        format="json",
    )
    assert bad.status_code == 400 and "ground" in bad.json()
    r = api(official).post(
        f"/api/v1/procurements/{project.pk}/terminate/",
        {"reason": "伪造服务记录", "clawback_amount": "0", "ground": "falsification"},
        format="json",
    )
    assert r.status_code == 200
    assert r.json()["contract"]["termination_ground"] == "falsification"
    assert debarment(team).debarred


# --- lifting ------------------------------------------------------------------------------------


def test_an_official_lifts_a_debarment_with_a_reason_and_it_is_shown(
    api, client, agency, official, ngo_admin, outside_official, lushan
):
    team, admin = lushan
    terminated_contract(team, agency)
    url = f"/api/v1/debarments/{team.pk}/lift/"
    assert api().post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(admin).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(ngo_admin).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(outside_official).post(url, {"reason": "x"}, format="json").status_code == 403
    blank = api(official).post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()
    assert not DebarmentLift.objects.exists()

    r = api(official).post(url, {"reason": "经复核，记录不符系系统故障所致"}, format="json")
    assert r.status_code == 201 and r.json()["reason"] == "经复核，记录不符系系统故障所致"
    assert not debarment(team).debarred
    event = AuditEvent.objects.get(action="procurement.debarment_lifted")
    assert event.reason == "经复核，记录不符系系统故障所致" and event.organization_id == team.pk
    assert api(official).post(url, {"reason": "again"}, format="json").status_code == 409

    release = Contract.objects.get(supplier=team).project.releases.order_by("-id").first().data
    supplier = [p for p in release["parties"] if "supplier" in p["roles"]][0]
    assert supplier["details"]["debarment"]["debarred"] is False
    assert (
        supplier["details"]["debarment"]["lifted"][0]["reason"] == "经复核，记录不符系系统故障所致"
    )
    detail = api().get(f"/api/v1/debarments/{team.pk}/").json()
    assert detail["debarred"] is False and len(detail["lifted_grounds"]) == 1
    assert detail["lifts"][0]["reason"] == "经复核，记录不符系系统故障所致"
    page = client.get(f"/procurement-suppliers/{team.pk}/")
    assert "经复核，记录不符系系统故障所致" in page.content.decode()
    assert_readable_html(page.content)
    project = open_tender(agency)
    assert (
        api(admin).post(f"/api/v1/procurements/{project.pk}/bids/", BID, format="json").status_code
        == 201
    )
    # a new ground debars again: the lift covered the grounds of its day
    terminated_contract(team, agency, ground="nonperformance", due_in=-3)
    assert debarment(team).debarred


def test_the_lift_page_offers_the_form_only_to_officials_who_may_lift(
    client, agency, official, outside_official, lushan
):
    team, _admin = lushan
    terminated_contract(team, agency)
    url = f"/procurement-suppliers/{team.pk}/"
    client.force_login(outside_official)
    page = client.get(url).content.decode()
    assert 'data-testid="lift-form"' not in page and 'data-reason="lift"' in page
    refused_post = client.post(f"{url}lift/", {"reason": "越权"})
    assert refused(refused_post) and debarment(team).debarred
    client.force_login(official)
    page = client.get(url)
    assert 'data-testid="lift-form"' in page.content.decode()
    assert_readable_html(page.content)
    client.post(f"{url}lift/", {"reason": "已整改"})
    assert not debarment(team).debarred


# --- the daily overdue flag ---------------------------------------------------------------------


def test_overdue_clawbacks_are_flagged_once_and_alert_the_buyer(api, agency, lushan):
    team, _admin = lushan
    contract = terminated_contract(team, agency, ground="nonperformance", due_in=-1)
    terminated_contract(team, agency, ground="nonperformance", due_in=5)  # not yet due
    before = Alert.objects.count()
    assert tasks.flag_overdue_clawbacks() == 1
    audiences = [a.audience for a in Alert.objects.order_by("id")[before:]]
    assert {"officials_for": "511826"} in audiences
    assert {"organizations": [team.pk]} in audiences
    assert tasks.flag_overdue_clawbacks() == 0
    clawback = Clawback.objects.get(contract=contract)
    assert clawback.overdue_flagged_at is not None
    assert AuditEvent.objects.filter(action="procurement.clawback_overdue").count() == 1
    release = contract.project.releases.order_by("-date", "-id").first().data
    supplier = [p for p in release["parties"] if "supplier" in p["roles"]][0]
    assert supplier["details"]["debarment"]["debarred"] is True
    assert supplier["details"]["debarment"]["grounds"][0]["type"] == "overdue_clawback"


def test_the_beat_schedule_runs_the_flag_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["procurement-overdue-clawbacks"]
    assert entry["task"] == "procurement.tasks.flag_overdue_clawbacks"
    assert entry["schedule"] == 24 * 60 * 60


def test_the_public_record_shows_open_and_overdue_clawbacks_and_the_debarment(
    client, agency, lushan
):
    team, _admin = lushan
    terminated_contract(team, agency, ground="nonperformance", due_in=-2)
    with translation.override("zh-hans"):
        rows = django_apps.get_app_config("procurement").organization_track_record(team)
    _completed, _terminated, open_, overdue, barred = (row["value"] for row in rows)
    assert open_ == 1 and overdue == 1
    assert "逾期" in barred and barred.startswith("自")
    page = client.get(f"/organizations/{team.pk}/").content.decode()
    assert f"/procurement-suppliers/{team.pk}/" in page


def test_the_official_home_lists_overdue_clawbacks(agency, official, lushan):
    team, _admin = lushan
    contract = terminated_contract(team, agency, ground="nonperformance", due_in=-4)
    terminated_contract(team, agency, ground="nonperformance", due_in=4)
    items = django_apps.get_app_config("procurement").work_queue(official)
    item = [i for i in items if i["key"] == "procurement_overdue_clawbacks"][0]
    assert item["count"] == 1 and item["role"] == "official"
    assert item["url"].startswith(f"/procurements/{contract.project_id}/")
    assert team.name in item["hint"]


# --- recoveries and write-offs ------------------------------------------------------------------


def test_a_clawback_closes_by_recovery_and_write_off_each_with_a_reason(
    api, client, agency, official, ngo_admin, lushan
):
    team, admin = lushan
    contract = terminated_contract(team, agency, ground="nonperformance")
    clawback = contract.clawback
    base = f"/api/v1/clawbacks/{clawback.pk}"
    today = timezone.localdate().isoformat()
    assert api(admin).post(f"{base}/write-off/", {"reason": "x"}, format="json").status_code == 403
    no_reason = api(official).post(f"{base}/write-off/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    r = api(official).post(
        f"{base}/recover/",
        {"amount": "20000", "recovered_on": today, "note": "银行转账退回"},
        format="json",
    )
    assert r.json()["status"] == "open"
    too_much = api(official).post(
        f"{base}/write-off/", {"reason": "破产", "amount": "16000.01"}, format="json"
    )
    assert too_much.status_code == 400 and "amount" in too_much.json()
    r = api(official).post(f"{base}/write-off/", {"reason": "该队已注销，无财产可供执行"})
    assert r.status_code == 201
    assert r.json()["amount"] == "16000.00"
    assert r.json()["clawback"]["status"] == "written_off"
    assert r.json()["clawback"]["written_off_amount"] == "16000.00"
    assert api(official).post(f"{base}/write-off/", {"reason": "再次"}).status_code == 409
    assert (
        api(official).post(f"{base}/recover/", {"amount": "1", "recovered_on": today}).status_code
        == 409
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"procurement.clawback_recovered", "procurement.clawback_written_off"} <= actions
    written = AuditEvent.objects.get(action="procurement.clawback_written_off")
    assert written.reason == "该队已注销，无财产可供执行"

    transactions = (
        contract.project.releases.order_by("-date", "-id")
        .first()
        .data["contracts"][0]["implementation"]["transactions"]
    )
    descriptions = [t["description"] for t in transactions if "description" in t]
    assert any("追回" in d and "银行转账退回" in d for d in descriptions)
    assert any("核销" in d and "该队已注销" in d for d in descriptions)

    client.force_login(official)
    page = client.get(f"/procurements/{contract.project_id}/")
    text = page.content.decode()
    assert "该队已注销，无财产可供执行" in text and "银行转账退回" in text
    assert 'data-testid="write-off"' not in text  # settled: no form
    assert_readable_html(page.content)


def test_the_write_off_page_records_a_write_off(client, agency, official, lushan):
    team, _admin = lushan
    contract = terminated_contract(team, agency, ground="nonperformance")
    client.force_login(official)
    page = client.get(f"/procurements/{contract.project_id}/").content.decode()
    assert 'data-testid="write-off"' in page
    client.post(
        f"/procurement-clawbacks/{contract.clawback.pk}/write-off/",
        {"reason": "法院裁定终结执行", "amount": "1000"},
    )
    clawback = Clawback.objects.get(pk=contract.clawback.pk)
    assert clawback.written_off_amount == Decimal("1000.00") and clawback.status == "open"
    assert clawback.write_offs.get().reason == "法院裁定终结执行"


# --- fixed query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_the_supplier_record_costs_a_fixed_number_of_queries(
    api, client, agency, lushan, rows, django_assert_max_num_queries
):
    team, _admin = lushan
    for i in range(rows):
        terminated_contract(team, agency, ground="nonperformance", due_in=-1 if i % 2 else 5)
    DebarmentLift.objects.create(
        organization=team, grounds=["clawback:0"], reason="测试", region_code="511826"
    )
    with django_assert_max_num_queries(8):
        page = client.get(f"/procurement-suppliers/{team.pk}/")
    assert page.content.decode().count("data-clawback=") == rows
    with django_assert_max_num_queries(6):
        data = api().get(f"/api/v1/debarments/{team.pk}/").json()
    assert len(data["clawbacks"]) == rows and data["debarred"] is True


def test_the_database_refuses_settling_more_than_is_due(agency, lushan):
    from django.db import IntegrityError, transaction

    from procurement.models import ClawbackWriteOff

    team, _admin = lushan
    clawback = terminated_contract(team, agency).clawback  # ¥36,000 due
    with pytest.raises(IntegrityError), transaction.atomic():
        Clawback.objects.filter(pk=clawback.pk).update(
            recovered_amount=Decimal("20000"), written_off_amount=Decimal("16000.01")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ClawbackWriteOff.objects.create(
            clawback=clawback, amount=Decimal("0"), reason="零", written_off_on=timezone.localdate()
        )
