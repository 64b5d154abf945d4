"""A shortfall at sign-for is an open item until the sender recovers it or writes it off, or the
receiver signs for it after all: each resolution an entry in the chain, the books balanced."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.states import InvalidTransition, allowed_actions
from donations import balances, reconcile, services
from donations.models import LedgerEntry, Lot
from donations.queries import open_shortfalls, totals
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db

MASKS = {"name": "N95口罩", "unit": "个"}


def masks(quantity) -> list[dict]:
    return [{**MASKS, "quantity": Decimal(quantity)}]


@pytest.fixture
def quake(db):
    return IncidentFactory(title="芦山地震")


@pytest.fixture
def short(charity, charity_admin, ngo, team_writer, quake):
    """1,000 masks (¥5 each) allocated for the quake, 800 signed for: 200 (¥1,000) missing."""
    df.receipt(
        charity, charity_admin, items=[df.item("N95口罩", "个", "1000", "5.00")], incident=quake
    )
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        items=masks(1000),
    )
    services.acknowledge(allocation=sent, by=team_writer, items=masks(800))
    return sent


def _balanced(*scopes):
    books = balances.books()
    for scope in ({}, *scopes):
        exact = books.exact(**scope)

        def get(name, exact=exact):
            return exact.get((name, True), 0) + exact.get((name, False), 0)

        left = get("received") - get("passed_on") - get("used") - get("written_off")
        assert left == get("held") + get("in_transit"), scope


def _verified():
    count, problems = reconcile.verify_all()
    assert problems == [], problems
    return count


def test_a_shortfall_stays_open_in_transit_and_on_the_public_ledger(
    client, short, charity, ngo, quake
):
    books = totals(organization_id=charity.pk)["overall"]
    assert books["passed_on"] == 4000 and books["in_transit"] == 1000
    assert [s["allocation"].seq for s in open_shortfalls()] == [short.seq]
    page = client.get("/ledger/")
    html = page.content.decode()
    assert 'data-testid="open-shortfalls"' in html and "200 个" in html
    assert_readable_html(page.content)
    api_books = client.get("/api/v1/ledger/totals/", {"incident": quake.pk}).json()["overall"]
    assert api_books["open_shortfalls"][0]["allocation"] == short.pk
    assert api_books["in_transit_goods"] == "1000.00"
    _balanced({"organization_id": charity.pk}, {"incident_id": quake.pk})


def test_the_sender_writes_off_on_the_workspace_page_with_a_reason(
    client, short, charity, charity_admin, quake
):
    client.force_login(charity_admin)
    page = client.get(f"/ledger/organizations/{charity.pk}/")
    html = page.content.decode()
    assert 'data-testid="shortfalls"' in html and 'value="written_off"' in html
    assert 'value="replaced"' not in html  # the receiver's to record
    assert_readable_html(page.content)
    # without a reason: refused, nothing written
    refused = client.post(
        f"/ledger/shortfalls/{short.pk}/",
        {"outcome": "written_off", "reason": " ", "org": charity.pk},
        follow=True,
    )
    assert "请说明核销短缺的原因" in refused.content.decode()
    assert not LedgerEntry.objects.filter(kind="write_off").exists()
    done = client.post(
        f"/ledger/shortfalls/{short.pk}/",
        {"outcome": "written_off", "reason": "运输途中受潮损毁", "org": charity.pk},
    )
    assert done.status_code == 302 and done.url.endswith(
        f"/ledger/organizations/{charity.pk}/#shortfalls"
    )
    entry = LedgerEntry.objects.get(kind="write_off")
    assert (entry.related_id, entry.goods_value, entry.holder_id) == (short.pk, 1000, charity.pk)
    assert open_shortfalls() == []
    books = totals(organization_id=charity.pk)["overall"]
    assert (books["written_off"], books["in_transit"]) == (1000, 0)
    assert totals(incident_id=quake.pk)["overall"]["written_off"] == 1000
    assert (
        'data-testid="shortfalls"'
        not in client.get(f"/ledger/organizations/{charity.pk}/").content.decode()
    )
    _balanced({"organization_id": charity.pk}, {"incident_id": quake.pk})
    _verified()


def test_recovered_goods_return_to_the_senders_lots(api, short, charity, charity_admin):
    before = Lot.objects.get(holder=charity).remaining
    response = api(charity_admin).post(
        f"/api/v1/ledger/allocations/{short.pk}/shortfall/",
        {"outcome": "recovered", "items": [{**MASKS, "quantity": "150"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "recovery"
    assert Lot.objects.get(holder=charity).remaining == before + 150
    assert open_shortfalls()[0]["lines"][0]["quantity"] == 50  # partly resolved, still open
    books = totals(organization_id=charity.pk)["overall"]
    assert (books["held"], books["in_transit"]) == (750, 250)
    _balanced({"organization_id": charity.pk})
    _verified()


def test_the_receiver_signs_for_the_missing_part_when_it_arrives(
    api, short, ngo, team_writer, charity_admin
):
    # the sender may not claim the receiver got it
    refused = api(charity_admin).post(
        f"/api/v1/ledger/allocations/{short.pk}/shortfall/", {"outcome": "replaced"}, format="json"
    )
    assert refused.status_code == 403
    response = api(team_writer).post(
        f"/api/v1/ledger/allocations/{short.pk}/shortfall/", {"outcome": "replaced"}, format="json"
    )
    assert response.status_code == 201
    assert (
        Lot.objects.filter(holder=ngo).values_list("remaining", flat=True).order_by("id")[1] == 200
    )
    team = totals(organization_id=ngo.pk)["overall"]
    assert (team["received"], team["held"]) == (5000, 5000)
    _balanced({"organization_id": ngo.pk})
    _verified()
    # once resolved, nothing is left to resolve
    again = api(team_writer).post(
        f"/api/v1/ledger/allocations/{short.pk}/shortfall/", {"outcome": "replaced"}, format="json"
    )
    assert again.status_code == 409


def test_who_may_resolve_and_bad_input(api, short, charity_admin, team_writer, ngo, quake):
    stranger = df.writer(df.foundation(name="另一家基金会"))
    url = f"/api/v1/ledger/allocations/{short.pk}/shortfall/"
    assert api().post(url, {"outcome": "recovered"}, format="json").status_code == 403
    assert api(stranger).post(url, {"outcome": "recovered"}, format="json").status_code == 403
    assert (
        api(team_writer)
        .post(url, {"outcome": "written_off", "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert api(charity_admin).post(url, {"outcome": "lost"}, format="json").status_code == 400
    assert (
        api(charity_admin).post(url, {"outcome": "written_off"}, format="json").status_code == 400
    )
    too_many = {"outcome": "recovered", "items": [{**MASKS, "quantity": "201"}]}
    assert api(charity_admin).post(url, too_many, format="json").status_code == 400
    money = {"outcome": "recovered", "amount": "10.00"}
    assert api(charity_admin).post(url, money, format="json").status_code == 400
    receipt = LedgerEntry.objects.get(kind="receipt")
    assert (
        api(charity_admin)
        .post(
            f"/api/v1/ledger/allocations/{receipt.pk}/shortfall/",
            {"outcome": "recovered"},
            format="json",
        )
        .status_code
        == 404
    )
    assert not LedgerEntry.objects.filter(
        kind__in=["recovery", "write_off", "replacement"]
    ).exists()
    assert allowed_actions(charity_admin, short)[-2:] == ["recover", "write_off"]
    assert allowed_actions(team_writer, short) == ["replace"]
    assert allowed_actions(stranger, short) == []


def test_no_shortfall_nothing_to_resolve(charity, charity_admin, ngo, team_writer, quake):
    df.receipt(charity, charity_admin, "100.00", incident=quake)
    sent = services.allocate(
        organization=charity,
        by=charity_admin,
        to_organization=ngo,
        incident=quake,
        amount=Decimal(100),
    )
    with pytest.raises(InvalidTransition):  # sent, not yet signed for: in transit, not short
        services.resolve_shortfall(allocation=sent, by=charity_admin, outcome="recovered")
    services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(100))
    with pytest.raises(InvalidTransition):
        services.resolve_shortfall(allocation=sent, by=charity_admin, outcome="recovered")
    with pytest.raises(ValidationError):
        services.resolve_shortfall(allocation=sent, by=charity_admin, outcome="stolen")


def test_page_refusals(client, short, charity, ngo, team_writer):
    outsider = f.UserFactory()
    client.force_login(outsider)
    response = client.post(
        f"/ledger/shortfalls/{short.pk}/", {"outcome": "recovered", "org": charity.pk}
    )
    assert response.status_code == 302
    assert not LedgerEntry.objects.filter(kind="recovery").exists()
    client.force_login(team_writer)
    client.post(
        f"/ledger/shortfalls/{short.pk}/", {"outcome": "written_off", "reason": "x", "org": ngo.pk}
    )
    assert not LedgerEntry.objects.filter(kind="write_off").exists()
    page = client.get(f"/ledger/organizations/{ngo.pk}/")
    assert 'value="replaced"' in page.content.decode()
    assert 'value="written_off"' not in page.content.decode()
    assert client.get(f"/ledger/shortfalls/{short.pk}/").status_code == 302
    assert client.post("/ledger/shortfalls/999999/", {"outcome": "recovered"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.resolve_shortfall(allocation=short, by=outsider, outcome="recovered")


def test_the_workspace_costs_fixed_queries_however_many_shortfalls(
    client, charity, charity_admin, ngo, team_writer, quake, django_assert_max_num_queries
):
    df.receipt(charity, charity_admin, "10000.00", incident=quake)
    client.force_login(charity_admin)

    def short_one():
        sent = services.allocate(
            organization=charity,
            by=charity_admin,
            to_organization=ngo,
            incident=quake,
            amount=Decimal(100),
        )
        services.acknowledge(allocation=sent, by=team_writer, amount=Decimal(90))

    short_one()
    with django_assert_max_num_queries(60) as few:
        client.get(f"/ledger/organizations/{charity.pk}/")
    for _ in range(6):
        short_one()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/ledger/organizations/{charity.pk}/")
    assert page.content.decode().count('class="shortfall"') == 7


def test_the_public_verifier_replays_the_resolutions(
    api, short, charity, charity_admin, ngo, team_writer, tmp_path
):
    from tests.donations.test_reconciliation import export, run_readme_snippet

    half = [{**MASKS, "quantity": Decimal(50)}]
    services.resolve_shortfall(allocation=short, by=charity_admin, outcome="recovered", items=half)
    services.resolve_shortfall(allocation=short, by=team_writer, outcome="replaced", items=half)
    services.resolve_shortfall(
        allocation=short, by=charity_admin, outcome="written_off", reason="运输途中丢失"
    )
    namespace = run_readme_snippet(export(api, tmp_path))
    assert namespace["bad"] == []
    transit = {k: v for k, v in namespace["held"].items() if k[0] == "transit"}
    assert set(transit.values()) == {Decimal(0)}
    # and the books from the export alone are the public totals
    rows = [json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines()]
    from_export = reconcile.export_books(rows)
    for scope in ({}, {"organization_id": charity.pk}, {"organization_id": ngo.pk}):
        public = totals(**scope)["overall"]
        assert all(public[k] == from_export.figures(**scope)[k] for k in balances.FIGURES)
    assert totals(organization_id=charity.pk)["overall"]["written_off"] == 500
    _verified()
