"""The books always balance: attribution follows the lots, one computation for every scope
(issue 15). The cases of the issue first, as a charity and a team would meet them."""

import re
from decimal import Decimal

import pytest

from core.states import InvalidTransition
from donations import balances, services
from donations.balances import OtherIncident, RestrictedPurpose
from donations.models import Campaign, LedgerEntry, Lot
from donations.queries import totals
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_readable_html

pytestmark = pytest.mark.django_db

TENTS = {"name": "帐篷", "unit": "顶"}


def tents(quantity: str) -> list[dict]:
    return [{**TENTS, "quantity": Decimal(quantity)}]


def identity_holds(figures: dict) -> bool:
    left = figures["received"] - figures["passed_on"] - figures["used"] - figures["written_off"]
    return left == figures["held"] + figures["in_transit"]


def _totals_section(html: str) -> str:
    return re.search(r'data-testid="totals">(.*?)</section>', html, re.S).group(1)


def test_baoxing_goods_are_used_before_lushan_goods_and_the_page_balances(
    client, charity, charity_admin, settings
):
    # the evidence rule for large disbursements is tested in test_evidence_rules.py
    settings.TONGZHOU_EVIDENCE_THRESHOLD = 10**9
    # given tents given for the 芦山 earthquake (older) and tents given for the 宝兴 mudslide
    lushan = IncidentFactory(title="芦山地震", region_code="511826")
    baoxing = IncidentFactory(title="宝兴泥石流", region_code="511827", subtype="debris_flow")
    df.receipt(
        charity, charity_admin, items=[df.item("帐篷", "顶", "100", "800.00")], incident=lushan
    )
    baoxing_gift = df.receipt(
        charity, charity_admin, items=[df.item("帐篷", "顶", "80", "800.00")], incident=baoxing
    )
    # when 15 tents are used "for 宝兴" without naming sources
    used = services.disburse(
        organization=charity,
        by=charity_admin,
        purpose="安置点帐篷",
        incident=baoxing,
        items=tents("15"),
        region_code="511827",
        beneficiaries=60,
    )
    # then they came from the 宝兴 gift, and the 芦山 tents are untouched
    assert {s.lot.origin_id for s in used.sources.select_related("lot")} == {baoxing_gift.pk}
    assert Lot.objects.get(incident=lushan).remaining == Decimal(100)
    # and the public ledger of 宝兴 reads received 64,000, used 12,000, held 52,000
    response = client.get("/ledger/", {"incident": baoxing.pk})
    assert response.status_code == 200
    section = _totals_section(response.content.decode())
    for figure in ("¥64,000", "¥12,000", "¥52,000"):
        assert figure in section, figure
    assert "¥78,400" not in section
    assert_readable_html(response.content)
    books = totals(incident_id=baoxing.pk)["overall"]
    assert (books["received"], books["used"], books["held"]) == (64000, 12000, 52000)
    assert identity_holds(books)


def test_api_totals_of_an_incident_count_only_its_own_gifts(api, charity, charity_admin):
    # given an older receipt of a third incident, then 1,000 for each of two incidents
    first, second, third = IncidentFactory(), IncidentFactory(), IncidentFactory()
    df.receipt(charity, charity_admin, "5000.00", incident=third)
    df.receipt(charity, charity_admin, "1000.00", incident=first)
    df.receipt(charity, charity_admin, "1000.00", incident=second)
    # when 300 is disbursed for the second
    response = api(charity_admin).post(
        "/api/v1/ledger/disbursements/",
        {"amount": "300.00", "purpose": "饮用水", "incident": second.pk},
        format="json",
    )
    assert response.status_code == 201
    # then the second incident's totals read received 1,000, used 300, held 700
    data = api().get("/api/v1/ledger/totals/", {"incident": second.pk}).json()["overall"]
    assert data["received_money"] == "1000.00"
    assert data["used_money"] == data["disbursed_money"] == "300.00"
    assert data["held_money"] == data["balance_money"] == "700.00"
    third_books = api().get("/api/v1/ledger/totals/", {"incident": third.pk}).json()["overall"]
    assert third_books["held_money"] == "5000.00" and third_books["used_money"] == "0.00"
    per_incident = {
        r["incident"]: r for r in api().get("/api/v1/ledger/totals/").json()["incidents"]
    }
    assert Decimal(per_incident[first.pk]["held_money"]) == 1000


def test_an_organization_received_what_it_signed_for_and_sees_what_is_in_transit(
    api, charity, charity_admin, ngo, team_writer
):
    quake = IncidentFactory()
    df.receipt(charity, charity_admin, "50000.00", incident=quake)
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        amount=Decimal(30000),
    )
    # sent, not signed for: in transit at the sender, nothing received by the team yet
    charity_books = totals(organization_id=charity.pk)["overall"]
    assert charity_books["in_transit"] == 30000 and charity_books["passed_on"] == 0
    assert totals(organization_id=ngo.pk)["overall"]["received"] == 0
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(30000))
    services.disburse(
        organization=ngo, by=team_writer, amount=Decimal(1500), purpose="救援队油料", incident=quake
    )
    team = api().get("/api/v1/ledger/totals/", {"organization": ngo.pk}).json()["overall"]
    assert team["received_money"] == "30000.00"
    assert team["used_money"] == "1500.00"
    assert team["held_money"] == "28500.00"
    charity_books = totals(organization_id=charity.pk)["overall"]
    assert charity_books["passed_on"] == 30000 and charity_books["in_transit"] == 0
    # the incident sees the 50,000 once: the allocation is internal to it
    incident_books = totals(incident_id=quake.pk)["overall"]
    assert (incident_books["received"], incident_books["passed_on"]) == (50000, 0)
    team_books = totals(organization_id=ngo.pk)["overall"]
    for scope in (charity_books, team_books, incident_books, totals()["overall"]):
        assert identity_holds(scope)


def test_without_an_incident_only_general_funds_are_drawn(charity, charity_admin):
    quake = IncidentFactory()
    df.receipt(charity, charity_admin, "100.00", incident=quake)
    general = df.receipt(charity, charity_admin, "50.00")
    entry = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(40), purpose="办公用品"
    )
    assert [s.lot.origin_id for s in entry.sources.select_related("lot")] == [general.pk]
    with pytest.raises(OtherIncident):
        services.disburse(
            organization=charity, by=charity_admin, amount=Decimal(20), purpose="办公用品"
        )


def test_restricted_lots_of_the_same_purpose_come_first_then_the_incident_then_general(
    charity, charity_admin
):
    quake = IncidentFactory()
    general = df.receipt(charity, charity_admin, "100.00")
    for_quake = df.receipt(charity, charity_admin, "100.00", incident=quake)
    for_water = df.receipt(
        charity, charity_admin, "100.00", incident=quake, restricted=True, purpose="饮用水"
    )
    entry = services.disburse(
        organization=charity,
        by=charity_admin,
        amount=Decimal(250),
        purpose="饮用水",
        incident=quake,
    )
    drawn = [(s.lot.origin_id, s.quantity) for s in entry.sources.select_related("lot")]
    assert drawn == [(for_water.pk, 100), (for_quake.pk, 100), (general.pk, 50)]


def test_a_named_source_of_another_incident_is_refused(charity, charity_admin):
    lushan, baoxing = IncidentFactory(), IncidentFactory()
    gift = df.receipt(charity, charity_admin, "100.00", incident=lushan)
    with pytest.raises(OtherIncident):
        services.disburse(
            organization=charity,
            by=charity_admin,
            amount=Decimal(10),
            purpose="x",
            incident=baoxing,
            sources=[{"entry": gift.pk, "amount": 10}],
        )
    assert Lot.objects.get().remaining == 100


def test_a_change_of_use_moves_the_gift_to_the_other_incident_in_the_books(charity, charity_admin):
    lushan, baoxing = IncidentFactory(), IncidentFactory()
    gift = df.receipt(charity, charity_admin, "100.00", incident=lushan, restricted=True)
    services.change_use(
        entry=gift,
        by=charity_admin,
        incident=baoxing,
        purpose="",
        filing_reference="川民备〔2026〕7号",
        donor_consent=False,
    )
    moved_from, moved_to = (
        totals(incident_id=lushan.pk)["overall"],
        totals(incident_id=baoxing.pk)["overall"],
    )
    assert (moved_from["received"], moved_from["passed_on"], moved_from["held"]) == (100, 100, 0)
    assert (moved_to["received"], moved_to["held"]) == (100, 100)
    charity_books = totals(organization_id=charity.pk)["overall"]
    assert (charity_books["received"], charity_books["passed_on"]) == (100, 0)
    # a purpose-only change keeps the incident
    other = df.receipt(
        charity, charity_admin, "10.00", incident=lushan, restricted=True, purpose="药品"
    )
    change = services.change_use(
        entry=other,
        by=charity_admin,
        purpose="饮用水",
        filing_reference="川民备〔2026〕8号",
        donor_consent=False,
    )
    assert change.incident_id == lushan.pk
    assert Lot.objects.get(acquired_by=change).incident_id == lushan.pk


def test_receipts_of_a_public_fundraising_campaign_serve_only_the_campaign(charity, charity_admin):
    quake = IncidentFactory()
    campaign = Campaign.objects.create(
        organization=charity,
        title="宝兴泥石流救灾",
        record_number="53100000MJ0000001A2026",
        incident=quake,
    )
    gift = services.record_receipt(
        organization=charity,
        by=charity_admin,
        donor_name="李四",
        donor_kind="individual",
        amount=Decimal(500),
        campaign=campaign,
    )
    assert gift.restricted and gift.incident_id == quake.pk and gift.purpose == campaign.label
    with pytest.raises(RestrictedPurpose):
        services.disburse(
            organization=charity,
            by=charity_admin,
            amount=Decimal(10),
            purpose="办公",
            incident=quake,
        )
    used = services.disburse(
        organization=charity,
        by=charity_admin,
        amount=Decimal(10),
        purpose=campaign.label,
        incident=quake,
    )
    assert used.restricted


def test_a_campaign_of_another_organization_is_refused(charity, charity_admin, ngo):
    campaign = Campaign.objects.create(organization=ngo, title="募捐", record_number="X-1")
    with pytest.raises(Exception) as caught:
        services.record_receipt(
            organization=charity,
            by=charity_admin,
            donor_name="李四",
            donor_kind="individual",
            amount=Decimal(500),
            campaign=campaign,
        )
    assert "campaign" in str(caught.value.message_dict)
    assert not LedgerEntry.objects.exists()


def test_books_cost_a_fixed_number_of_queries(
    charity, charity_admin, ngo, django_assert_num_queries
):
    quake = IncidentFactory()
    for _ in range(3):
        df.receipt(charity, charity_admin, "100.00", incident=quake)
    services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        amount=Decimal(50),
    )
    with django_assert_num_queries(5):
        small = balances.books()
    for _ in range(20):
        df.receipt(charity, charity_admin, "100.00", items=[df.item()])
    with django_assert_num_queries(5):
        balances.books()
    assert small.figures()["in_transit"] == 50


def test_reversals_leave_the_books_as_if_the_entry_never_was(charity, charity_admin):
    quake = IncidentFactory()
    gift = df.receipt(charity, charity_admin, "100.00", incident=quake)
    spent = services.disburse(
        organization=charity, by=charity_admin, amount=Decimal(30), purpose="x", incident=quake
    )
    services.reverse(entry=spent, by=charity_admin, reason="录入错误")
    assert totals(incident_id=quake.pk)["overall"]["used"] == 0
    services.reverse(entry=gift, by=charity_admin, reason="重复录入")
    books = totals()["overall"]
    assert (books["received"], books["held"]) == (0, 0)
    with pytest.raises(InvalidTransition):
        services.reverse(entry=gift, by=charity_admin, reason="again")


def test_the_organization_page_record_and_dashboard_read_the_books(
    charity, charity_admin, ngo, team_writer
):
    from django.apps import apps

    quake = IncidentFactory()
    df.receipt(charity, charity_admin, "50000.00", incident=quake)
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        amount=Decimal(30000),
    )
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(30000))
    services.disburse(
        organization=ngo, by=team_writer, amount=Decimal(1500), purpose="油料", incident=quake
    )
    config = apps.get_app_config("donations")
    record = {str(r["label"]): r["value"] for r in config.organization_track_record(ngo)}
    assert list(record.values())[:2] == ["30,000.00", "1,500.00"]
    cards = [c["value"] for c in config.dashboard_cards(None)]
    assert cards == ["50,000.00", "1,500.00"]  # the allocation is not counted twice


def test_a_campaign_receipt_through_the_api_is_bound_to_it(api, charity, charity_admin, ngo):
    quake = IncidentFactory()
    campaign = Campaign.objects.create(
        organization=charity,
        title="宝兴泥石流救灾",
        record_number="53100000MJ0000001A2026",
        incident=quake,
    )
    body = {
        "amount": "500.00",
        "donor_name": "李四",
        "donor_kind": "individual",
        "channel": "online_platform",
        "campaign": campaign.pk,
        "restricted": False,  # the campaign decides
    }
    created = api(charity_admin).post("/api/v1/ledger/receipts/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["restricted"], data["incident"], data["purpose"]) == (
        True,
        quake.pk,
        campaign.label,
    )
    other = Campaign.objects.create(organization=ngo, title="别家募捐", record_number="X-9")
    refused = api(charity_admin).post(
        "/api/v1/ledger/receipts/", {**body, "campaign": other.pk}, format="json"
    )
    assert refused.status_code == 400 and "campaign" in refused.json()
