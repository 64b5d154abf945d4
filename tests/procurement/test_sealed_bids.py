"""Sealed bids: before the deadline nobody but the bidder reads a bid's price or proposal —
not officials, experts, other bidders, the public, the API lists or the admin list view."""

import datetime as dt

import pytest
from django.utils import timezone

from procurement.models import Bid
from tests.procurement.factories import ProjectFactory, bidder, expert_user
from tests.registry import factories as rf

pytestmark = pytest.mark.django_db

SECRET = "SECRET-PROPOSAL-42"


@pytest.fixture
def tender(agency):
    return ProjectFactory(buyer=agency, status="tendering", published_at=timezone.now())


@pytest.fixture
def sealed(api, tender):
    org, admin = bidder()
    r = api(admin).post(
        f"/api/v1/procurements/{tender.pk}/bids/",
        {"price": "98765.00", "proposal": SECRET, "team_size": 5},
    )
    assert r.status_code == 201
    assert r.json()["price"] == "98765.00"  # the bidder reads its own
    return org, admin


def _bids(api, user, tender):
    return api(user).get(f"/api/v1/procurements/{tender.pk}/bids/")


def test_the_bidder_reads_its_own_bid_before_the_deadline(api, tender, sealed):
    data = _bids(api, sealed[1], tender).json()
    assert data["count"] == 1
    assert data["results"][0]["proposal"] == SECRET


@pytest.mark.parametrize("role", ["official", "province_official", "second_official"])
def test_officials_see_the_bid_rows_but_not_their_contents(api, tender, sealed, role, request):
    data = _bids(api, request.getfixturevalue(role), tender).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["sealed"] is True and row["price"] is None and row["proposal"] is None
    assert SECRET not in str(data) and "98765" not in str(data)


@pytest.mark.parametrize("role", ["outside_official", "expert", "other_ngo_admin", "ngo_member"])
def test_others_see_no_bid_at_all(api, tender, sealed, role, request):
    r = _bids(api, request.getfixturevalue(role), tender)
    assert r.status_code == 200
    assert r.json()["count"] == 0


def test_the_public_cannot_list_bids(api, tender, sealed):
    assert _bids(api, None, tender).status_code in (401, 403)


def test_project_detail_and_list_only_count_bids(api, tender, sealed, official):
    for user in (None, official, expert_user()):
        detail = api(user).get(f"/api/v1/procurements/{tender.pk}/").json()
        assert detail["bid_count"] == 1
        listing = api(user).get("/api/v1/procurements/").json()
        for text in (str(detail), str(listing)):
            assert SECRET not in text and "98765" not in text


def test_the_public_page_does_not_show_sealed_content(client, tender, sealed):
    page = client.get(f"/procurements/{tender.pk}/").content.decode()
    assert SECRET not in page and "98765" not in page


def test_the_admin_list_view_shows_sealed(client, tender, sealed):
    admin = rf.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/procurement/bid/").content.decode()
    assert "sealed" in page.lower() or "密封" in page
    assert SECRET not in page and "98765" not in page
    bid = Bid.objects.get()
    change = client.get(f"/admin/procurement/bid/{bid.pk}/change/").content.decode()
    assert SECRET not in change and "98765" not in change


def test_after_the_deadline_officials_read_the_bids(api, tender, sealed, official, time_machine):
    time_machine.move_to(tender.tender_end + dt.timedelta(minutes=1))
    row = _bids(api, official, tender).json()["results"][0]
    assert row["sealed"] is False and row["proposal"] == SECRET


def test_the_bidder_edits_and_withdraws_before_the_deadline(api, tender, sealed):
    org, admin = sealed
    r = api(admin).post(
        f"/api/v1/procurements/{tender.pk}/bids/",
        {"price": "90000.00", "proposal": "改", "team_size": 5},
    )
    assert r.status_code == 201
    assert Bid.objects.get().price == 90000
    bid = Bid.objects.get()
    assert api(admin).post(f"/api/v1/bids/{bid.pk}/withdraw/").json()["status"] == "withdrawn"
    assert api().get(f"/api/v1/procurements/{tender.pk}/").json()["bid_count"] == 0


def test_no_bid_after_the_deadline(api, tender, sealed, time_machine):
    time_machine.move_to(tender.tender_end + dt.timedelta(minutes=1))
    r = api(sealed[1]).post(
        f"/api/v1/procurements/{tender.pk}/bids/", {"price": "1.00", "proposal": "late"}
    )
    assert r.status_code == 409


def test_another_org_cannot_withdraw_a_bid(api, tender, sealed, other_ngo_admin):
    bid = Bid.objects.get()
    assert api(other_ngo_admin).post(f"/api/v1/bids/{bid.pk}/withdraw/").status_code == 404


@pytest.mark.parametrize("role", ["official", "expert"])
def test_who_acts_for_no_organization_may_not_bid(api, tender, role, request):
    """A refusal, not bad input: they have no organization to bid for (403, API.md)."""
    body = {"price": "1000.00", "proposal": "x", "team_size": 1}
    r = api(request.getfixturevalue(role)).post(f"/api/v1/procurements/{tender.pk}/bids/", body)
    assert r.status_code == 403


def test_a_bid_for_an_organization_one_is_not_in_is_refused(api, tender, ngo, other_ngo_admin):
    body = {"price": "1000.00", "proposal": "x", "team_size": 1, "organization": ngo.pk}
    r = api(other_ngo_admin).post(f"/api/v1/procurements/{tender.pk}/bids/", body)
    assert r.status_code == 403
    assert not Bid.objects.filter(project=tender).exists()
